import type { CameraNetworkConfig } from '../config/config.schema.js';
import { normaliseRangeLists, RangePolicy, type RangeLists } from '../shared/address.ranges.js';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { SettingsRepository } from '../store/settings.repository.js';

/**
 * The address ranges cameras may be at: the config's `cameraNetwork` until an admin saves their
 * own lists (Settings page), which then replace both. Kept compiled in memory: every probe,
 * test and camera start asks, and a save takes effect at once.
 */
export const CAMERA_NETWORK_KEY = 'camera_network';

export interface CameraNetworkView {
  allow: string[];
  deny: string[];
  /** 'config': the defaults below are in force; 'saved': an admin's lists are. */
  source: 'config' | 'saved';
  defaults: { allow: string[]; deny: string[] };
  updatedAt: number | null;
  updatedBy: number | null;
}

export interface CameraNetworkSettingsDeps {
  settings: Pick<SettingsRepository, 'get' | 'set' | 'clear'>;
  defaults: CameraNetworkConfig;
  log: Logger;
  now?: () => number;
}

export class CameraNetworkSettings {
  private current: CameraNetworkView;
  private compiled: RangePolicy;

  constructor(private readonly d: CameraNetworkSettingsDeps) {
    const defaults = normaliseRangeLists(d.defaults);
    this.current = { ...defaults, source: 'config', defaults, updatedAt: null, updatedBy: null };
    this.compiled = new RangePolicy(defaults);
  }

  /** Reads the saved lists (at start). A stored value that no longer parses falls back to the defaults, loudly. */
  async load(): Promise<void> {
    const saved = await this.d.settings.get<RangeLists>(CAMERA_NETWORK_KEY);
    if (!saved) return;
    try {
      this.apply(normaliseRangeLists(saved.value), 'saved', saved.updatedAt, saved.updatedBy);
    } catch (err) {
      this.d.log.error('saved camera address ranges are invalid; using the config defaults until an admin saves them again', { err });
    }
  }

  policy(): RangePolicy {
    return this.compiled;
  }

  view(): CameraNetworkView {
    return structuredClone(this.current);
  }

  async save(lists: RangeLists, by: number | null): Promise<CameraNetworkView> {
    let clean: { allow: string[]; deny: string[] };
    try {
      clean = normaliseRangeLists(lists);
    } catch (err) {
      const message = (err as Error).message;
      const field = `body.${message.split(':')[0]}`;
      throw new AppError('validation', `${field}: ${message.slice(message.indexOf(':') + 2)}`, 400, { field, params: { reason: message } });
    }
    const now = (this.d.now ?? Date.now)();
    await this.d.settings.set(CAMERA_NETWORK_KEY, clean, by, now);
    this.apply(clean, 'saved', now, by);
    return this.view();
  }

  /** Back to the config's lists. */
  async reset(): Promise<CameraNetworkView> {
    await this.d.settings.clear(CAMERA_NETWORK_KEY);
    this.apply(this.current.defaults, 'config', null, null);
    return this.view();
  }

  private apply(lists: { allow: string[]; deny: string[] }, source: CameraNetworkView['source'], updatedAt: number | null, updatedBy: number | null) {
    this.compiled = new RangePolicy(lists);
    this.current = { allow: [...lists.allow], deny: [...lists.deny], source, defaults: this.current.defaults, updatedAt, updatedBy };
  }
}
