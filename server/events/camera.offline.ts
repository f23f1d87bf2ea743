import type { Bus, BusEvents } from '../shared/bus.js';
import type { Logger } from '../shared/log.js';
import type { AlertService } from './alert.service.js';

/**
 * A camera going offline is an alert of its own (kind camera_offline); coming back online
 * resolves it. Other states (stalled, restarting) are the supervisor's business: they
 * recover by themselves and would only make noise.
 */
export class CameraOfflineWatcher {
  private chain: Promise<void> = Promise.resolve();
  private off: (() => void) | undefined;

  constructor(private readonly d: { alerts: Pick<AlertService, 'raiseCameraOffline' | 'closeCameraOffline'>; log: Logger }) {}

  start(bus: Bus): void {
    this.off = bus.on('camera.state', (m) => this.handle(m));
  }

  async stop(): Promise<void> {
    this.off?.();
    await this.chain;
  }

  /** Changes are applied in arrival order, so a quick offline → online never leaves an alert open. */
  handle(m: BusEvents['camera.state']): Promise<void> {
    this.chain = this.chain
      .then(async () => {
        if (m.state === 'offline') await this.d.alerts.raiseCameraOffline(m.cameraId, m.reason, m.at);
        else if (m.state === 'online') await this.d.alerts.closeCameraOffline(m.cameraId, m.at);
      })
      .catch((err: unknown) => this.d.log.error('camera offline alert failed', { cameraId: m.cameraId, state: m.state, err }));
    return this.chain;
  }
}
