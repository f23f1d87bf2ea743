import type { Bus } from '../shared/bus.js';
import type { Logger } from '../shared/log.js';
import type { CameraRecord, CameraRepository } from '../store/camera.repository.js';
import type { CameraCredentials } from './camera.crypto.js';
import type { TargetGuard } from './network.guard.js';
import { PULLPOINT_DEFAULTS, PullPointSubscription, type PullPointOptions } from './onvif.events.js';
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
  /** Wait before subscribing again after a failure (doubles up to 5 minutes). */
  retryMs?: number;
  now?: () => number;
}

/**
 * One PullPoint subscription per enabled ONVIF camera whose settings ask for its events
 * (cameraEvents.subscribe): every notification goes on the bus as `camera.event`, where the
 * detection path (wake) and the event lifecycle (an event of its own) take what their rules
 * say. A failed or forgotten subscription is made again after a growing wait.
 */
export class CameraEventWatcher {
  private readonly running = new Map<number, AbortController>();
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

  /** Subscribes again after the camera changed or this node gained or lost it. */
  async refresh(cameraId: number): Promise<void> {
    this.running.get(cameraId)?.abort();
    this.running.delete(cameraId);
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
        sub = await PullPointSubscription.create(client, o);
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
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
