import type { Bus, BusEvents } from '../shared/bus.js';
import type { Logger } from '../shared/log.js';
import type { AlertService } from './alert.service.js';

/**
 * Alerts for conditions rather than events, raised when the condition starts and resolved by
 * the system when it ends, one per episode:
 * - a camera going offline (kind camera_offline); coming back online resolves it. Other
 *   states (stalled, restarting) are the supervisor's business: they recover by themselves
 *   and would only make noise;
 * - the recordings disk below its free-space floor (kind disk_low, a system alert with no
 *   camera); free space back above the floor resolves it. Retention reports its first sweep
 *   too, so an alert a previous run left open is resolved when the disk is fine at start.
 */
export class ConditionAlertWatcher {
  private chain: Promise<void> = Promise.resolve();
  private offs: (() => void)[] = [];

  constructor(
    private readonly d: {
      alerts: Pick<AlertService, 'raiseCameraOffline' | 'closeCameraOffline' | 'raiseDiskLow' | 'closeDiskLow'>;
      log: Logger;
    },
  ) {}

  start(bus: Bus): void {
    this.offs = [bus.on('camera.state', (m) => void this.camera(m)), bus.on('disk.state', (m) => void this.disk(m))];
  }

  async stop(): Promise<void> {
    this.offs.splice(0).forEach((off) => off());
    await this.chain;
  }

  camera(m: BusEvents['camera.state']): Promise<void> {
    return this.then(`camera ${m.cameraId} ${m.state}`, async () => {
      if (m.state === 'offline') await this.d.alerts.raiseCameraOffline(m.cameraId, m.reason, m.at);
      else if (m.state === 'online') await this.d.alerts.closeCameraOffline(m.cameraId, m.at);
    });
  }

  disk(m: BusEvents['disk.state']): Promise<void> {
    return this.then(`recordings disk ${m.state}`, async () => {
      if (m.state === 'low') await this.d.alerts.raiseDiskLow(m.message, m.at);
      else await this.d.alerts.closeDiskLow('free disk space is back above the floor', m.at);
    });
  }

  /** Changes are applied in arrival order, so a quick offline → online never leaves an alert open. */
  private then(what: string, fn: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(fn).catch((err: unknown) => this.d.log.error('condition alert failed', { what, err }));
    return this.chain;
  }
}
