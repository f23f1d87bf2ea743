import type { Bus } from '../shared/bus.js';
import type { Logger } from '../shared/log.js';
import type { CameraRecord, CameraRepository } from '../store/camera.repository.js';
import type { CameraCredentials } from './camera.crypto.js';
import type { CameraRunner } from './camera.runner.js';
import { isTargetNotAllowed, type TargetGuard } from './network.guard.js';

/** The state reason of a camera whose stream address the ranges refuse. */
export const TARGET_NOT_ALLOWED_REASON = 'target_not_allowed';

/**
 * The camera runner behind the address ranges: a camera whose detect or record stream is at a
 * refused address is not started (shown offline, reason target_not_allowed). The demo camera
 * the server starts itself on loopback is exempt. ffmpeg resolves names again when it
 * reconnects, so for long-running streams this is a check at start; the interactive paths
 * (probe, test connection, discovery) connect to the checked address itself.
 */
export interface GuardedRunnerDeps {
  guard: TargetGuard;
  cameras: Pick<CameraRepository, 'setState'>;
  bus: Bus;
  log: Logger;
  now?: () => number;
}

export class GuardedRunner implements CameraRunner {
  constructor(
    private readonly inner: CameraRunner,
    private readonly d: GuardedRunnerDeps,
  ) {}

  async start(camera: CameraRecord, credentials: CameraCredentials | null): Promise<void> {
    if (await streamsRefused(this.d.guard, camera)) {
      await this.inner.stop(camera.id);
      await this.markRefused(camera.id);
      return;
    }
    await this.inner.start(camera, credentials);
  }

  stop(cameraId: number): Promise<void> {
    return this.inner.stop(cameraId);
  }

  grabTestFrame(cameraId: number, stream: 'detect' | 'record') {
    return this.inner.grabTestFrame(cameraId, stream);
  }

  private async markRefused(cameraId: number): Promise<void> {
    const at = (this.d.now ?? Date.now)();
    this.d.log.warn('camera not started: its stream address is outside the allowed camera address ranges', { cameraId });
    await this.d.cameras.setState(cameraId, 'offline', TARGET_NOT_ALLOWED_REASON, at);
    this.d.bus.emit('camera.state', { cameraId, state: 'offline', reason: TARGET_NOT_ALLOWED_REASON, at });
  }
}

/** Whether the ranges refuse one of the camera's streams (the demo camera never; a name that does not resolve now is left to ffmpeg). */
export async function streamsRefused(guard: TargetGuard, camera: Pick<CameraRecord, 'demo' | 'streams'>): Promise<boolean> {
  if (camera.demo) return false;
  for (const spec of [camera.streams.detect, camera.streams.record]) {
    if (!spec) continue;
    try {
      await guard.resolve(new URL(spec.url).hostname);
    } catch (err) {
      if (isTargetNotAllowed(err)) return true;
    }
  }
  return false;
}
