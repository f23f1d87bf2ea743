import type { Executor } from './db.js';
import { fromJson, toJson } from './repository.util.js';

interface PreferenceRow {
  user_id: number;
  key: string;
  value: string;
  updated_at: number | string;
}

/** Each user's own preferences, one row per key (the schema lives in domain/preferences.ts). */
export class PreferenceRepository {
  constructor(private readonly db: Executor) {}

  /** Every saved key of the user, values as saved (the service re-validates them). */
  async all(userId: number): Promise<Record<string, unknown>> {
    const rows = await this.db<PreferenceRow>('user_preferences').where({ user_id: userId }).orderBy('key');
    return Object.fromEntries(rows.map((r) => [r.key, fromJson<unknown>(r.value, null)]));
  }

  /** Saves the given keys, leaving the others as they are. */
  async set(userId: number, values: Record<string, unknown>, now = Date.now()): Promise<void> {
    for (const [key, value] of Object.entries(values)) {
      await this.db('user_preferences')
        .insert({ user_id: userId, key, value: toJson(value), updated_at: now })
        .onConflict(['user_id', 'key'])
        .merge(['value', 'updated_at']);
    }
  }
}
