import type { CameraRecord } from '../store/camera.repository.js';
import type { Repositories } from '../store/store.js';
import type { RulesSettings } from '../domain/camera.settings.rules.js';

export interface CameraRules {
  camera: CameraRecord;
  rules: RulesSettings;
}

/** The rules in force for a camera (read once per track, so an edit applies to the next track). */
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
