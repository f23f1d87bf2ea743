import type { NotificationChannel, NotificationRecord } from '../domain/notification.js';
import type { Clock, Timer } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';
import type { DueDelivery, NewDelivery } from '../store/outbox.repository.js';
import type { Repositories, Store } from '../store/store.js';
import { orderKeyOf, type NotifyChannel, type SendResult } from './notify.channel.js';
import { backoffMs, RateLimiter } from './notify.pacing.js';

export interface DispatcherTuning {
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  sendTimeoutMs: number;
  ratePerMinute: Partial<Record<NotificationChannel, number>>;
  /** Most deliveries in flight per channel. */
  concurrency: number;
  /** Most notifications one grouped message carries. */
  maxGroup: number;
}

export interface DispatcherDeps {
  store: Pick<Store, 'transaction'> & Pick<Repositories, 'outbox'>;
  channels: NotifyChannel[];
  clock: Clock;
  log: Logger;
  tuning: DispatcherTuning;
}

/**
 * The outbox workers. Each tick: new notifications are fanned out into deliveries (one
 * transaction each, idempotent), then the due head of every order key (channel, target,
 * camera) is sent. Nothing lives only in memory: after a kill the pending rows are simply
 * sent again, and a delivery is marked done right after its receiver acknowledged it, so a
 * receiver that acknowledged is not sent it again.
 */
export class NotifyDispatcher {
  private readonly channels: Map<NotificationChannel, NotifyChannel>;
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly perChannel = new Map<NotificationChannel, number>();
  private readonly limiter: RateLimiter;
  private readonly aborts = new AbortController();
  private timer: Timer | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private running = false;

  constructor(private readonly d: DispatcherDeps) {
    this.channels = new Map(d.channels.map((c) => [c.name, c]));
    this.limiter = new RateLimiter((key) => d.tuning.ratePerMinute[key.split('|')[0] as NotificationChannel] ?? 600);
  }

  start(): void {
    this.running = true;
    this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.aborts.abort();
    await this.ticking;
    await Promise.allSettled([...this.inflight.values()]);
  }

  /** Work now (a producer committed, a send finished) instead of at the next poll. */
  kick(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.timer?.cancel();
    this.ticking = this.tick()
      .catch((err: unknown) => this.d.log.error('notification tick failed', { err }))
      .finally(() => {
        this.ticking = undefined;
        if (!this.running) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.timer = this.d.clock.setTimeout(() => this.kick(), this.d.tuning.pollMs);
      });
  }

  private async tick(): Promise<void> {
    await this.fanOut();
    await this.deliverDue();
  }

  private async fanOut(): Promise<void> {
    const fresh = await this.d.store.outbox.unfanned(100);
    for (const n of fresh) {
      const deliveries: NewDelivery[] = [];
      for (const ch of this.channels.values()) {
        for (const target of await ch.targets(n)) deliveries.push({ channel: ch.name, target, orderKey: orderKeyOf(ch.name, target, n) });
      }
      const now = this.d.clock.now();
      await this.d.store.transaction((tx) => tx.outbox.fanOut(n.id, deliveries, now));
    }
  }

  private async deliverDue(): Promise<void> {
    const now = this.d.clock.now();
    const heads = await this.d.store.outbox.dueHeads(now, 500);
    for (const head of heads) {
      if (this.inflight.has(head.orderKey)) continue;
      const ch = this.channels.get(head.channel);
      if (!ch) {
        await this.d.store.outbox.markFailed(head.id, head.attempts, now, `channel ${head.channel} is turned off`, true, now);
        continue;
      }
      if ((this.perChannel.get(ch.name) ?? 0) >= this.d.tuning.concurrency) continue;
      if (!this.limiter.take(`${ch.name}|${head.target}`, now)) continue;
      this.perChannel.set(ch.name, (this.perChannel.get(ch.name) ?? 0) + 1);
      const job = this.deliver(ch, head)
        .catch((err: unknown) =>
          this.d.log.error('notification delivery failed unexpectedly; it stays queued', { channel: ch.name, key: head.notification.key, err }),
        )
        .finally(() => {
          this.inflight.delete(head.orderKey);
          this.perChannel.set(ch.name, (this.perChannel.get(ch.name) ?? 1) - 1);
          this.kick();
        });
      this.inflight.set(head.orderKey, job);
    }
  }

  private async deliver(ch: NotifyChannel, head: DueDelivery): Promise<void> {
    const carried = ch.groupsBursts && isBurstable(head.notification) ? await this.burstAfter(head) : [];
    const group = [head.notification, ...carried.map((c) => c.notification)];
    const started = this.d.clock.now();
    const result = await this.attempt(ch, head.target, group);
    const now = this.d.clock.now();
    if (!this.running && !result.ok) return; // cut off by shutdown: not the receiver's failure
    const outbox = this.d.store.outbox;
    if (result.ok)
      await outbox.markDelivered(
        head.id,
        now,
        carried.map((c) => c.id),
      );
    else {
      const attempts = head.attempts + 1;
      const dead = result.permanent === true || attempts >= this.d.tuning.maxAttempts;
      const nextAt = now + backoffMs(attempts, this.d.tuning.retryBaseMs, this.d.tuning.retryMaxMs);
      await outbox.markFailed(head.id, attempts, nextAt, result.error, dead, now);
      if (dead) this.d.log.warn('notification is a dead letter', { channel: ch.name, target: head.target, key: head.notification.key, error: result.error });
    }
    await outbox
      .addAttempt({
        deliveryId: head.id,
        at: started,
        ok: result.ok,
        status: result.status ?? null,
        error: result.ok ? null : result.error,
        durationMs: now - started,
      })
      .catch((err: unknown) => this.d.log.warn('could not log a notification attempt', { err }));
  }

  /** The alert.new deliveries queued right behind the head, up to the first that is not one. */
  private async burstAfter(head: DueDelivery): Promise<DueDelivery[]> {
    const next = await this.d.store.outbox.followers(head, this.d.tuning.maxGroup - 1);
    const out: DueDelivery[] = [];
    for (const f of next) {
      if (!isBurstable(f.notification)) break;
      out.push(f);
    }
    return out;
  }

  /** One send under the attempt deadline; a throw or a hang is a failed attempt, never a crash. */
  private async attempt(ch: NotifyChannel, target: string, group: NotificationRecord[]): Promise<SendResult> {
    const ac = new AbortController();
    const onStop = () => ac.abort();
    this.aborts.signal.addEventListener('abort', onStop);
    const deadline = this.d.clock.setTimeout(() => ac.abort(), this.d.tuning.sendTimeoutMs);
    try {
      return await new Promise<SendResult>((resolve) => {
        ac.signal.addEventListener('abort', () => resolve({ ok: false, error: `no answer within ${this.d.tuning.sendTimeoutMs} ms` }));
        ch.send(target, group, ac.signal).then(resolve, (err: unknown) => resolve({ ok: false, error: err instanceof Error ? err.message : String(err) }));
      });
    } finally {
      deadline.cancel();
      this.aborts.signal.removeEventListener('abort', onStop);
    }
  }
}

const isBurstable = (n: NotificationRecord) => n.kind === 'alert.new';
