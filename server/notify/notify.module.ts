import type { NotifyConfig } from '../config/config.schema.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';
import type { Store } from '../store/store.js';
import type { ChannelHealth, NotifyChannel } from './notify.channel.js';
import { NotifyDispatcher, type DispatcherTuning } from './notify.dispatcher.js';

export interface NotifyModuleDeps {
  store: Store;
  config: NotifyConfig;
  channels: NotifyChannel[];
  clock: Clock;
  log: Logger;
  tuning?: Partial<DispatcherTuning>;
}

const DAY = 86_400_000;

/** The notification layer: channels started, the outbox workers running, old deliveries pruned. */
export function createNotifyModule(d: NotifyModuleDeps) {
  const log = d.log.child('notify');
  const dispatcher = new NotifyDispatcher({
    store: d.store,
    channels: d.channels,
    clock: d.clock,
    log,
    tuning: {
      pollMs: d.config.pollMs,
      retryBaseMs: d.config.retryBaseMs,
      retryMaxMs: d.config.retryMaxMs,
      maxAttempts: d.config.maxAttempts,
      sendTimeoutMs: d.config.sendTimeoutMs,
      ratePerMinute: d.config.ratePerMinute,
      concurrency: 8,
      maxGroup: 50,
      ...d.tuning,
    },
  });
  let pruneTimer: ReturnType<typeof setInterval> | undefined;
  const prune = () =>
    d.store.outbox.prune(d.clock.now() - d.config.retentionDays * DAY).catch((err: unknown) => log.warn('pruning old notifications failed', { err }));
  return {
    dispatcher,
    channels: d.channels,
    health(): ChannelHealth[] {
      return d.channels.map((c) => c.health());
    },
    /** Channels start in the background: a broker that is down must not hold the server's start. */
    async start(): Promise<void> {
      for (const c of d.channels) void c.start?.().catch((err: unknown) => log.error('notification channel did not start', { channel: c.name, err }));
      dispatcher.start();
      void prune();
      pruneTimer = setInterval(() => void prune(), 3_600_000);
      pruneTimer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(pruneTimer);
      await dispatcher.stop();
      await Promise.allSettled(d.channels.map((c) => c.stop?.()));
    },
  };
}
export type NotifyModule = ReturnType<typeof createNotifyModule>;
