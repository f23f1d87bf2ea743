import type { CameraRecord } from '../store/camera.repository.js';
import type { Repositories } from '../store/store.js';
import type { RulesSettings } from '../domain/camera.settings.rules.js';
import type { Bus } from '../shared/bus.js';
import type { Clock } from '../shared/clock.js';

export interface CameraRules {
  camera: CameraRecord;
  rules: RulesSettings;
}

/** The rules in force for a camera (read per track, so an edit applies to the next track). */
export interface RulesProvider {
  forCamera(cameraId: number): Promise<CameraRules | undefined>;
}

/** The camera's rules, as the repository parsed them (invalid stored rules were reported there). */
export function cameraRulesProvider(repos: Pick<Repositories, 'cameras'>): RulesProvider {
  return {
    async forCamera(cameraId) {
      const camera = await repos.cameras.get(cameraId);
      return camera ? { camera, rules: camera.settings.rules } : undefined;
    },
  };
}

/**
 * The rules, kept per camera for a while and dropped when the camera changes: a busy street
 * starts several tracks a second per camera, and each separate read waits behind SQLite's one
 * connection queue, as the police's clicks do (issue 15). Concurrent reads share one query.
 * An edit made here applies at once (camera.changed); one made on another cluster node within
 * the TTL. At 2 s, 32 cameras with people read their camera 16 times a second (bench, issue 11).
 */
export function cachedRulesProvider(inner: RulesProvider, bus: Pick<Bus, 'on'>, clock: Clock, ttlMs = 10_000): RulesProvider & { close(): void } {
  const kept = new Map<number, { at: number; value: Promise<CameraRules | undefined> }>();
  const off = bus.on('camera.changed', (m) => kept.delete(m.cameraId));
  return {
    forCamera(cameraId) {
      const now = clock.now();
      const hit = kept.get(cameraId);
      if (hit && now - hit.at < ttlMs) return hit.value;
      const value = inner.forCamera(cameraId);
      kept.set(cameraId, { at: now, value });
      // A failed read is not kept: the next track asks again.
      value.catch(() => kept.get(cameraId)?.value === value && kept.delete(cameraId));
      return value;
    },
    close: off,
  };
}
