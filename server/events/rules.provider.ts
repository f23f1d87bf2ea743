import type { Logger } from '../shared/log.js';
import type { CameraRecord } from '../store/camera.repository.js';
import type { Repositories } from '../store/store.js';
import { RULES_SETTINGS_KEY, rulesSettingsSchema, type RulesSettings } from '../domain/camera.settings.rules.js';

export interface CameraRules {
  camera: CameraRecord;
  rules: RulesSettings;
}

/** The rules in force for a camera (read once per track, so an edit applies to the next track). */
export interface RulesProvider {
  forCamera(cameraId: number): Promise<CameraRules | undefined>;
}

export const DEFAULT_RULES: RulesSettings = rulesSettingsSchema.parse({});

/**
 * Reads `settings.rules` of the camera row. Settings are validated when saved; a row that no
 * longer parses (written by an older version) falls back to the defaults, loudly, rather than
 * dropping the camera's events.
 */
export function cameraRulesProvider(repos: Pick<Repositories, 'cameras'>, log: Logger): RulesProvider {
  return {
    async forCamera(cameraId) {
      const camera = await repos.cameras.get(cameraId);
      if (!camera) return undefined;
      const raw = camera.settings[RULES_SETTINGS_KEY] ?? {};
      const parsed = rulesSettingsSchema.safeParse(raw);
      if (parsed.success) return { camera, rules: parsed.data };
      log.warn('camera rules invalid, using defaults', { cameraId, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      return { camera, rules: DEFAULT_RULES };
    },
  };
}
