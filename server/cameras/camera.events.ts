import type { Bus } from '../shared/bus.js';
import type { Logger } from '../shared/log.js';
import type { CameraRecord, CameraRepository } from '../store/camera.repository.js';
import type { CameraCredentials } from './camera.crypto.js';
import type { TargetGuard } from './network.guard.js';
import type { NotifyInbox } from './camera.notify.js';
import { openEventService, PULLPOINT_DEFAULTS, PullPointSubscription, type PullPointOptions } from './onvif.events.js';
import { BaseNotificationSubscription, pullPointOffered, pullPointUnsupported } from './onvif.notify.js';
import { OnvifClient } from './onvif.soap.js';

export interface CameraEventWatcherDeps {
  cameras: Pick<CameraRepository, 'list' | 'get'>;
  credentialsOf(camera: CameraRecord): CameraCredentials | null;
  bus: Bus;
  log: Logger;
  guard?: TargetGuard;
  pullpoint?: Partial<PullPointOptions>;
  /** In a cluster: only the camera's lease holder watches its events. */
  owns?: (cameraId: number) => boolean;
  /** Where cameras without PullPoint post Notify (base notification); none: such cameras get no events. */
  inbox?: NotifyInbox;
  /**
   * The base address cameras can reach this server at (config onvif.notifyBaseUrl), or the
   * server's own guess with `configured: false` (warned about: a guess may be unreachable).
   */
  consumerBase?: () => { url: string; configured: boolean };
  /** Wait before subscribing again after a failure (doubles up to 5 minutes). */
  retryMs?: number;
  now?: () => number;
}

export interface CameraEventsHealth {
  baseNotification: number;
  unconfiguredCameraIds: number[];
  warning: string | null;
}

/**
 * One PullPoint subscription per enabled ONVIF camera whose settings ask for its events
 * (cameraEvents.subscribe): every notification goes on the bus as `camera.event`, where the
 * detection path (wake) and the event lifecycle (an event of its own) take what their rules
 * say. A camera without PullPoint gets a base-notification subscription instead: it posts to
 * the NotifyInbox, which puts the same `camera.event` on the bus. A failed or forgotten
 * subscription is made again after a growing wait.
 */
export class CameraEventWatcher {
  private readonly running = new Map<number, AbortController>();
  /** Cameras on base notification while no reachable address is configured (health warns). */
  readonly unconfiguredConsumers = new Set<number>();
  /** Cameras whose events come by base notification right now. */
  readonly onBaseNotification = new Set<number>();
  private off: (() => void) | undefined;

  constructor(private readonly d: CameraEventWatcherDeps) {}

  async start(): Promise<void> {
    this.off = this.d.bus.on('camera.changed', (m) => void this.refresh(m.cameraId));
    for (const c of await this.d.cameras.list()) this.apply(c);
  }

  stop(): void {
    this.off?.();
    for (const a of this.running.values()) a.abort();
    this.running.clear();
  }

  /** For health: cameras on base notification, and those relying on a guessed address. */
  health(): CameraEventsHealth {
    const unconfigured = [...this.unconfiguredConsumers].sort((a, b) => a - b);
    return {
      baseNotification: this.onBaseNotification.size,
      unconfiguredCameraIds: unconfigured,
      warning: unconfigured.length
        ? 'onvif.notifyBaseUrl is not set: cameras without PullPoint post their events to a guessed address of this server, which they may not reach'
        : null,
    };
  }

  /** Subscribes again after the camera changed or this node gained or lost it. */
  async refresh(cameraId: number): Promise<void> {
    this.running.get(cameraId)?.abort();
    this.running.delete(cameraId);
    this.unconfiguredConsumers.delete(cameraId);
    const c = await this.d.cameras.get(cameraId).catch(() => undefined);
    if (c) this.apply(c);
  }

  private apply(c: CameraRecord): void {
    if (!c.enabled || !c.onvifUrl || !c.settings.cameraEvents.subscribe || this.running.has(c.id)) return;
    if (this.d.owns && !this.d.owns(c.id)) return;
    const abort = new AbortController();
    this.running.set(c.id, abort);
    void this.loop(c, abort.signal);
  }

  private async loop(c: CameraRecord, signal: AbortSignal): Promise<void> {
    const o = { ...PULLPOINT_DEFAULTS, ...this.d.pullpoint };
    let wait = this.d.retryMs ?? 5_000;
    while (!signal.aborted) {
      let sub: PullPointSubscription | undefined;
      try {
        const creds = this.d.credentialsOf(c);
        const client = new OnvifClient(new URL(c.onvifUrl!), {
          username: creds?.username,
          password: creds?.password,
          callTimeoutMs: (o.pullSeconds + 5) * 1000,
          deadlineMs: (o.pullSeconds + 10) * 1000,
          maxReplyBytes: 1024 * 1024,
          guard: this.d.guard,
        });
        const eventsUrl = await openEventService(client, o.preserveAddress);
        sub = await this.pullPoint(client, eventsUrl, o);
        if (!sub) {
          await this.baseNotification(c, client, eventsUrl, o, signal, () => (wait = this.d.retryMs ?? 5_000));
          continue;
        }
        this.d.log.info('camera events subscribed', { cameraId: c.id });
        wait = this.d.retryMs ?? 5_000;
        while (!signal.aborted) {
          for (const e of await sub.pull()) {
            if (!signal.aborted) this.d.bus.emit('camera.event', { cameraId: c.id, ...e, at: (this.d.now ?? Date.now)() });
          }
        }
      } catch (err) {
        if (signal.aborted) break;
        this.d.log.warn('camera events: subscription failed, retrying', { cameraId: c.id, err: (err as Error).message, retryMs: wait });
        await sleep(wait, signal);
        wait = Math.min(wait * 2, 300_000);
      } finally {
        if (sub && signal.aborted) await sub.unsubscribe();
      }
    }
  }

  /** A PullPoint subscription, or undefined when the camera says it has none. */
  private async pullPoint(client: OnvifClient, eventsUrl: URL, o: PullPointOptions): Promise<PullPointSubscription | undefined> {
    if (!(await pullPointOffered(client, eventsUrl))) return undefined;
    try {
      return await PullPointSubscription.at(client, eventsUrl, o);
    } catch (err) {
      if (pullPointUnsupported(err)) return undefined;
      throw err;
    }
  }

  /** Subscribe with our inbox as consumer, renew until stopped; a failed Renew throws (subscribe again). */
  private async baseNotification(
    c: CameraRecord,
    client: OnvifClient,
    eventsUrl: URL,
    o: PullPointOptions,
    signal: AbortSignal,
    subscribed: () => void,
  ): Promise<void> {
    if (!this.d.inbox || !this.d.consumerBase) throw new Error('the camera has no PullPoint and base notification is not set up');
    const base = this.d.consumerBase();
    if (base.configured) this.unconfiguredConsumers.delete(c.id);
    else if (!this.unconfiguredConsumers.has(c.id)) {
      this.unconfiguredConsumers.add(c.id);
      this.d.log.warn('camera events: the camera has no PullPoint and needs base notification, but onvif.notifyBaseUrl is not set; using a guess', {
        cameraId: c.id,
        guess: base.url,
      });
    }
    const box = this.d.inbox.open(c.id);
    let sub: BaseNotificationSubscription | undefined;
    try {
      const consumer = new URL(`${base.url.replace(/\/+$/, '')}/onvif/notify/${box.token}`);
      sub = await BaseNotificationSubscription.create(client, eventsUrl, consumer, o);
      this.d.log.info('camera events subscribed (base notification)', { cameraId: c.id });
      subscribed();
      this.onBaseNotification.add(c.id);
      while (!signal.aborted) {
        await sleep(sub.renewEveryMs, signal);
        if (!signal.aborted) await sub.renew();
      }
    } finally {
      this.onBaseNotification.delete(c.id);
      if (sub && signal.aborted) await sub.unsubscribe();
      box.close();
    }
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
