import type { ResolvedConfig } from './config/config.load.js';
import type { NotifyChannel } from './notify/notify.channel.js';
import { createNotifyModule } from './notify/notify.module.js';
import { systemClock } from './shared/clock.js';
import type { Logger } from './shared/log.js';
import type { Store } from './store/store.js';

/**
 * Part of the composition root: the notification channels the configuration turns on, and the
 * outbox workers over them (issue 14).
 */
export function wireNotify(d: { config: ResolvedConfig; store: Store; log: Logger }) {
  const channels: NotifyChannel[] = [];
  return createNotifyModule({ store: d.store, config: d.config.notify, channels, clock: systemClock, log: d.log });
}
