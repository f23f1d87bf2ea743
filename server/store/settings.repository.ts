import type { Executor } from './db.js';
import { fromJson, toJson } from './repository.util.js';

/** A saved server setting: its value and who saved it when. */
export interface SettingRecord<T = unknown> {
  key: string;
  value: T;
  updatedAt: number;
  updatedBy: number | null;
}

interface SettingRow {
  key: string;
  value: string;
  updated_at: number | string;
  updated_by: number | null;
}

/** Settings an admin changes at run time (the config file holds their defaults). */
export class SettingsRepository {
  constructor(private readonly db: Executor) {}

  async get<T>(key: string): Promise<SettingRecord<T> | undefined> {
    const row = await this.db<SettingRow>('settings').where({ key }).first();
    return row && { key: row.key, value: fromJson<T>(row.value, null as T), updatedAt: Number(row.updated_at), updatedBy: row.updated_by };
  }

  async set(key: string, value: unknown, updatedBy: number | null, now = Date.now()): Promise<void> {
    await this.db('settings')
      .insert({ key, value: toJson(value), updated_at: now, updated_by: updatedBy })
      .onConflict('key')
      .merge(['value', 'updated_at', 'updated_by']);
  }

  /** Back to the config default. */
  async clear(key: string): Promise<void> {
    await this.db('settings').where({ key }).delete();
  }
}
