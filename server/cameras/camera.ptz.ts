import { AppError, notFound } from '../shared/errors.js';
import type { CameraRecord, CameraRepository } from '../store/camera.repository.js';
import type { CameraCredentials } from './camera.crypto.js';
import type { TargetGuard } from './network.guard.js';
import { OnvifPtz, type PtzPreset } from './onvif.ptz.js';
import { OnvifClient, SoapFault } from './onvif.soap.js';

export interface CameraPtzDeps {
  cameras: Pick<CameraRepository, 'get'>;
  credentialsOf(camera: CameraRecord): CameraCredentials | null;
  guard?: TargetGuard;
  /** A camera's PTZ connection (service address, profile, clock offset) is reused this long. */
  cacheMs?: number;
  now?: () => number;
}

export type PtzCommand =
  | { action: 'move'; pan: number; tilt: number; zoom: number }
  | { action: 'stop' }
  | { action: 'goto'; preset: string }
  | { action: 'set'; name: string }
  | { action: 'home' };

/**
 * PTZ of registered cameras for the police and technicians: one ONVIF connection per camera,
 * kept a minute so a held arrow key does not re-read the camera's services each time. A
 * camera refusing a command answers 422 `ptz_refused` with its reason.
 */
export class CameraPtz {
  private readonly cache = new Map<number, { ptz: Promise<OnvifPtz>; at: number; updatedAt: number }>();

  constructor(private readonly d: CameraPtzDeps) {}

  async presets(cameraId: number): Promise<PtzPreset[]> {
    return this.run(cameraId, (p) => p.presets());
  }

  async command(cameraId: number, c: PtzCommand): Promise<{ presetToken?: string }> {
    return this.run(cameraId, async (p) => {
      if (c.action === 'move') await p.move(c);
      else if (c.action === 'stop') await p.stop();
      else if (c.action === 'goto') await p.gotoPreset(c.preset);
      else if (c.action === 'home') await p.home();
      else return { presetToken: await p.setPreset(c.name) };
      return {};
    });
  }

  private async run<T>(cameraId: number, fn: (p: OnvifPtz) => Promise<T>): Promise<T> {
    const camera = await this.d.cameras.get(cameraId);
    if (!camera) throw notFound('camera', cameraId);
    try {
      return await fn(await this.connection(camera));
    } catch (err) {
      this.cache.delete(cameraId);
      if (err instanceof SoapFault)
        throw new AppError('ptz_refused', `camera ${cameraId} refused ${err.action}: ${err.reason || err.subcode}`, 422, {
          params: { action: err.action, reason: err.reason },
        });
      throw err;
    }
  }

  private connection(camera: CameraRecord): Promise<OnvifPtz> {
    if (!camera.onvifUrl) throw new AppError('no_ptz', `camera ${camera.id} was registered without its ONVIF address`, 422, { params: { id: camera.id } });
    const now = (this.d.now ?? Date.now)();
    const hit = this.cache.get(camera.id);
    if (hit && hit.updatedAt === camera.updatedAt && now - hit.at < (this.d.cacheMs ?? 60_000)) return hit.ptz;
    const creds = this.d.credentialsOf(camera);
    const client = new OnvifClient(new URL(camera.onvifUrl), {
      username: creds?.username,
      password: creds?.password,
      callTimeoutMs: 5_000,
      deadlineMs: 10_000,
      maxReplyBytes: 1024 * 1024,
      guard: this.d.guard,
    });
    const ptz = OnvifPtz.connect(client, camera.streams.detect.profileToken);
    this.cache.set(camera.id, { ptz, at: now, updatedAt: camera.updatedAt });
    return ptz;
  }
}
