import { userPreferencesSchema, type UserPreferences } from '../domain/preferences.js';
import type { PreferenceRepository } from '../store/preference.repository.js';
import type { Clock } from './session.service.js';

/** A user's own preferences: saved per key, read back through the schema (a value saved by an older version that no longer fits is dropped, not served). */
export class PreferenceService {
  constructor(private readonly d: { repo: Pick<PreferenceRepository, 'all' | 'set'>; clock: Clock }) {}

  async get(userId: number): Promise<UserPreferences> {
    const saved = await this.d.repo.all(userId);
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(userPreferencesSchema.shape)) {
      const v = field.safeParse(saved[key]);
      if (v.success && v.data !== undefined) out[key] = v.data;
    }
    return out as UserPreferences;
  }

  /** `changes` has been validated against userPreferencesSchema at the API edge. */
  async save(userId: number, changes: UserPreferences): Promise<UserPreferences> {
    await this.d.repo.set(userId, changes, this.d.clock.now());
    return this.get(userId);
  }
}
