import type { CameraState, CameraStreams, Visibility } from '../domain/camera.js';
import { readCameraSettings, type CameraSettings, type CameraSettingsInput } from '../domain/camera.settings.js';
import type { Executor } from './db.js';
import { fromJson, insertReturningId, toBool, toJson } from './repository.util.js';

export { CAMERA_STATES, type CameraState, type CameraStreams, type StreamSpec, type Visibility } from '../domain/camera.js';

export interface CameraRecord {
  id: number;
  name: string;
  areaId: number | null;
  ownerName: string | null;
  ownerKind: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  onvifUrl: string | null;
  /** WS-Discovery endpoint reference (urn:uuid:…) of the ONVIF device; the channel is streams.detect.profileToken. */
  onvifEndpoint: string | null;
  credentialsEnc: string | null;
  streams: CameraStreams;
  /** Validated with defaults (domain/camera.settings.ts), parsed once here. */
  settings: CameraSettings;
  /** Stored settings that did not validate and fell back to defaults: shown and logged, never silently replaced. */
  settingsProblems: string[];
  defaultVisibility: Visibility;
  enabled: boolean;
  state: CameraState;
  stateReason: string | null;
  clockOffsetMs: number | null;
  demo: boolean;
  createdAt: number;
  updatedAt: number;
}
/** Settings are written as given (validated by the camera service) and read back with defaults. */
export type NewCamera = Omit<CameraRecord, 'id' | 'createdAt' | 'updatedAt' | 'state' | 'stateReason' | 'settings' | 'settingsProblems' | 'onvifEndpoint'> & {
  settings: CameraSettingsInput;
  onvifEndpoint?: string | null;
};

interface CameraRow {
  id: number;
  name: string;
  area_id: number | null;
  owner_name: string | null;
  owner_kind: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  onvif_url: string | null;
  onvif_endpoint: string | null;
  credentials_enc: string | null;
  streams: string;
  settings: string;
  default_visibility: Visibility;
  enabled: unknown;
  state: CameraState;
  state_reason: string | null;
  clock_offset_ms: number | null;
  demo: unknown;
  created_at: number;
  updated_at: number;
  removed_at: number | null;
}

function toCamera(r: CameraRow): CameraRecord {
  const { settings, problems } = readCameraSettings(fromJson<unknown>(r.settings, {}));
  return {
    id: r.id,
    name: r.name,
    areaId: r.area_id,
    ownerName: r.owner_name,
    ownerKind: r.owner_kind,
    address: r.address,
    latitude: r.latitude,
    longitude: r.longitude,
    onvifUrl: r.onvif_url,
    onvifEndpoint: r.onvif_endpoint ?? null,
    credentialsEnc: r.credentials_enc,
    streams: fromJson<CameraStreams>(r.streams, { detect: { url: '' } }),
    settings,
    settingsProblems: problems,
    defaultVisibility: r.default_visibility,
    enabled: toBool(r.enabled),
    state: r.state,
    stateReason: r.state_reason,
    clockOffsetMs: r.clock_offset_ms,
    demo: toBool(r.demo),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toRow(c: Partial<NewCamera>): Partial<CameraRow> {
  const row: Partial<Record<keyof CameraRow, unknown>> = {
    name: c.name,
    area_id: c.areaId,
    owner_name: c.ownerName,
    owner_kind: c.ownerKind,
    address: c.address,
    latitude: c.latitude,
    longitude: c.longitude,
    onvif_url: c.onvifUrl,
    onvif_endpoint: c.onvifEndpoint,
    credentials_enc: c.credentialsEnc,
    streams: c.streams && toJson(c.streams),
    settings: c.settings && toJson(c.settings),
    default_visibility: c.defaultVisibility,
    enabled: c.enabled,
    clock_offset_ms: c.clockOffsetMs,
    demo: c.demo,
  };
  for (const k of Object.keys(row) as (keyof CameraRow)[]) if (row[k] === undefined) delete row[k];
  return row as Partial<CameraRow>;
}

export class CameraRepository {
  constructor(private readonly db: Executor) {}

  private live() {
    return this.db<CameraRow>('cameras').whereNull('removed_at');
  }

  async create(c: NewCamera, now = Date.now()): Promise<CameraRecord> {
    const id = await insertReturningId(this.db('cameras'), { ...toRow(c), state: 'stopped', created_at: now, updated_at: now });
    return (await this.get(id))!;
  }

  async get(id: number): Promise<CameraRecord | undefined> {
    const row = await this.live().where({ id }).first();
    return row && toCamera(row);
  }

  /** Also finds removed cameras: their past events still name them. */
  async getIncludingRemoved(id: number): Promise<CameraRecord | undefined> {
    const row = await this.db<CameraRow>('cameras').where({ id }).first();
    return row && toCamera(row);
  }

  /** Removed cameras too (their recordings are kept until retention's window passes). */
  async listIncludingRemoved(): Promise<CameraRecord[]> {
    return (await this.db<CameraRow>('cameras').orderBy('id')).map(toCamera);
  }

  async list(filter: { areaIds?: number[] } = {}): Promise<CameraRecord[]> {
    const q = this.live().orderBy('id');
    if (filter.areaIds) q.whereIn('area_id', filter.areaIds);
    return (await q).map(toCamera);
  }

  async count(): Promise<number> {
    const [row] = await this.live().count<{ n: number | string }[]>({ n: '*' });
    return Number(row?.n ?? 0);
  }

  async update(id: number, patch: Partial<NewCamera>, now = Date.now()): Promise<CameraRecord | undefined> {
    await this.live()
      .where({ id })
      .update({ ...toRow(patch), updated_at: now });
    return this.get(id);
  }

  async setState(id: number, state: CameraState, reason: string | null, now = Date.now()): Promise<void> {
    await this.db('cameras').where({ id }).update({ state, state_reason: reason, updated_at: now });
  }

  /** Soft delete: the camera stops and disappears, its events and clips stay. */
  async remove(id: number, now = Date.now()): Promise<boolean> {
    return (await this.live().where({ id }).update({ removed_at: now, state: 'stopped', updated_at: now })) > 0;
  }

  /** Cameras counted by session state, for /api/health. */
  async countByState(): Promise<Record<string, number>> {
    const rows = await this.live().select('state').count<{ state: string; n: number | string }[]>({ n: '*' }).groupBy('state');
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}
