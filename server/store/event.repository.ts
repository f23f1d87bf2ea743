import { noFence } from './cluster.repository.js';
import type { RowScope } from './recording.repository.js';
import type { Knex } from 'knex';
import type { Box } from '../domain/frame.js';
import type { Visibility } from './camera.repository.js';
import type { Executor } from './db.js';
import { fromJson, insertReturningId, toBool, toJson, toNumberOrNull } from './repository.util.js';

/**
 * What a principal may see: everything (police, admin) or only events shared with the given
 * areas (residents). Every list query takes one, so no caller can forget the filter.
 */
export type AccessScope = { all: true } | { all: false; areaIds: number[] };

export interface EventRecord {
  id: number;
  cameraId: number;
  /** Set by list() only. */
  cameraName?: string | null;
  areaId: number | null;
  trackId: string | null;
  label: string;
  score: number;
  box: Box | null;
  zones: string[];
  startAt: number;
  endAt: number | null;
  endReason: string | null;
  lastSeenAt: number | null;
  bestAt: number | null;
  /** Best snapshot (box drawn), relative to the data dir. */
  snapshotPath: string | null;
  firstSnapshotPath: string | null;
  snapshotBytes: number;
  mediaDeletedAt: number | null;
  visibility: Visibility;
  pinned: boolean;
  createdAt: number;
  updatedAt: number;
}

export type NewEvent = Pick<
  EventRecord,
  'cameraId' | 'areaId' | 'trackId' | 'label' | 'score' | 'box' | 'zones' | 'startAt' | 'lastSeenAt' | 'bestAt' | 'visibility'
>;
export type EventPatch = Partial<
  Pick<
    EventRecord,
    | 'score'
    | 'box'
    | 'zones'
    | 'endAt'
    | 'endReason'
    | 'lastSeenAt'
    | 'bestAt'
    | 'snapshotPath'
    | 'firstSnapshotPath'
    | 'snapshotBytes'
    | 'mediaDeletedAt'
    | 'visibility'
    | 'pinned'
  >
>;

/** Retention passes: one camera, or every camera but some (those with their own retention). */
export interface CameraSelector {
  only?: number;
  except?: number[];
}

export interface EventFilter {
  cameraId?: number;
  areaIds?: number[];
  label?: string;
  from?: number;
  to?: number;
  minScore?: number;
  visibility?: Visibility;
  alertState?: string;
  alertKind?: string;
  pinned?: boolean;
}

/** Sort keys the API accepts, mapped to columns here: user input never reaches SQL. */
export const EVENT_SORTS = { startAt: 'events.start_at', score: 'events.score', id: 'events.id' } as const;
export type EventSort = keyof typeof EVENT_SORTS;
export interface Page<S extends string> {
  limit: number;
  offset: number;
  sort: S;
  order: 'asc' | 'desc';
}

interface EventRow {
  id: number;
  camera_id: number;
  area_id: number | null;
  track_id: string | null;
  label: string;
  score: number;
  box: string | null;
  zones: string;
  start_at: number;
  end_at: number | null;
  end_reason: string | null;
  last_seen_at: number | null;
  best_at: number | null;
  snapshot_path: string | null;
  first_snapshot_path: string | null;
  snapshot_bytes: number | string;
  media_deleted_at: number | null;
  visibility: Visibility;
  pinned: unknown;
  created_at: number;
  updated_at: number;
  /** Joined from cameras in list(): residents may not list cameras but must know which one it was. */
  camera_name?: string | null;
}

const toEvent = (r: EventRow): EventRecord => ({
  id: r.id,
  cameraId: r.camera_id,
  areaId: r.area_id,
  trackId: r.track_id,
  label: r.label,
  score: Number(r.score),
  box: fromJson<Box | null>(r.box, null),
  zones: fromJson<string[]>(r.zones, []),
  startAt: Number(r.start_at),
  endAt: toNumberOrNull(r.end_at),
  endReason: r.end_reason,
  lastSeenAt: toNumberOrNull(r.last_seen_at),
  bestAt: toNumberOrNull(r.best_at),
  snapshotPath: r.snapshot_path,
  firstSnapshotPath: r.first_snapshot_path,
  snapshotBytes: Number(r.snapshot_bytes ?? 0),
  mediaDeletedAt: toNumberOrNull(r.media_deleted_at),
  visibility: r.visibility,
  pinned: toBool(r.pinned),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  cameraName: r.camera_name ?? null,
});

const COLUMNS: Record<keyof EventPatch, keyof EventRow> = {
  score: 'score',
  box: 'box',
  zones: 'zones',
  endAt: 'end_at',
  endReason: 'end_reason',
  lastSeenAt: 'last_seen_at',
  bestAt: 'best_at',
  snapshotPath: 'snapshot_path',
  firstSnapshotPath: 'first_snapshot_path',
  snapshotBytes: 'snapshot_bytes',
  mediaDeletedAt: 'media_deleted_at',
  visibility: 'visibility',
  pinned: 'pinned',
};

function patchRow(p: EventPatch): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p) as [keyof EventPatch, unknown][]) {
    if (v === undefined) continue;
    row[COLUMNS[k]] = k === 'box' || k === 'zones' ? (v === null ? null : toJson(v)) : v;
  }
  return row;
}

/** Restricts a query on `events` to what the scope may see. */
export function applyEventScope(q: Knex.QueryBuilder, scope: AccessScope, table = 'events'): void {
  if (scope.all) return;
  if (scope.areaIds.length === 0) {
    q.whereRaw('1 = 0');
    return;
  }
  q.where(`${table}.visibility`, 'shared').whereIn(`${table}.area_id`, scope.areaIds);
}

export class EventRepository {
  constructor(
    private readonly db: Executor,
    private readonly scope: RowScope = { fence: noFence },
  ) {}

  /** Events whose media (snapshots) sit on this node's disk: in a cluster, those it created. */
  private mine(q: Knex.QueryBuilder): Knex.QueryBuilder {
    if (this.scope.nodeId !== undefined) q.where('node_id', this.scope.nodeId);
    return q;
  }

  /** Only the camera's lease holder creates events (fenced in a cluster). */
  async create(e: NewEvent, now = Date.now()): Promise<EventRecord> {
    const id = await this.scope.fence.run(this.db, e.cameraId, (ex) =>
      insertReturningId(ex('events'), {
        node_id: this.scope.nodeId ?? null,
        camera_id: e.cameraId,
        area_id: e.areaId,
        track_id: e.trackId,
        label: e.label,
        score: e.score,
        box: e.box ? toJson(e.box) : null,
        zones: toJson(e.zones),
        start_at: e.startAt,
        last_seen_at: e.lastSeenAt,
        best_at: e.bestAt,
        visibility: e.visibility,
        pinned: false,
        snapshot_bytes: 0,
        created_at: now,
        updated_at: now,
      }),
    );
    return (await this.get(id))!;
  }

  /** The node whose disk holds this row's media (null: one node, or written before the cluster). */
  async nodeOf(id: number): Promise<string | null | undefined> {
    const row = (await this.db('events').where({ id }).first('node_id')) as { node_id: string | null } | undefined;
    return row ? row.node_id : undefined;
  }

  async get(id: number): Promise<EventRecord | undefined> {
    const row = await this.db<EventRow>('events').where({ id }).first();
    return row && toEvent(row);
  }

  /** A user's or the node's own housekeeping change (visibility, pin, media deleted): any node may make it. */
  async update(id: number, patch: EventPatch, now = Date.now()): Promise<void> {
    await this.db('events')
      .where({ id })
      .update({ ...patchRow(patch), updated_at: now });
  }

  /**
   * What the camera's pipeline writes into its event (progress, snapshots, the end): only the
   * holder of the camera's lease (fenced in a cluster), so a stale owner cannot end or rewrite
   * an event the new owner carries on.
   */
  async updateAsOwner(ev: Pick<EventRecord, 'id' | 'cameraId'>, patch: EventPatch, now = Date.now()): Promise<void> {
    await this.scope.fence.run(this.db, ev.cameraId, (ex) =>
      ex('events')
        .where({ id: ev.id })
        .update({ ...patchRow(patch), updated_at: now }),
    );
  }

  /** A camera's events without an end, whichever node created them (a takeover closes them). */
  async listOpenOf(cameraId: number): Promise<EventRecord[]> {
    return ((await this.db('events').where({ camera_id: cameraId }).whereNull('end_at').orderBy('id')) as EventRow[]).map(toEvent);
  }

  /** Events without an end: after a restart these belong to tracks that no longer exist. */
  async listOpen(): Promise<EventRecord[]> {
    return ((await this.mine(this.db('events').whereNull('end_at').orderBy('id'))) as EventRow[]).map(toEvent);
  }

  async list(filter: EventFilter, scope: AccessScope, page: Page<EventSort>): Promise<{ items: EventRecord[]; total: number }> {
    const base = this.db('events');
    this.applyFilter(base, filter);
    applyEventScope(base, scope);
    const [count] = await base.clone().clearSelect().clearOrder().count<{ n: number | string }[]>({ n: 'events.id' });
    const rows = (await base
      .leftJoin('cameras', 'cameras.id', 'events.camera_id')
      .select('events.*', 'cameras.name as camera_name')
      .orderBy(EVENT_SORTS[page.sort], page.order)
      .orderBy('events.id', page.order)
      .limit(page.limit)
      .offset(page.offset)) as EventRow[];
    return { items: rows.map(toEvent), total: Number(count?.n ?? 0) };
  }

  private applyFilter(q: Knex.QueryBuilder, f: EventFilter): void {
    if (f.cameraId !== undefined) q.where('events.camera_id', f.cameraId);
    if (f.areaIds !== undefined) q.whereIn('events.area_id', f.areaIds);
    if (f.label !== undefined) q.where('events.label', f.label);
    if (f.from !== undefined) q.where('events.start_at', '>=', f.from);
    if (f.to !== undefined) q.where('events.start_at', '<', f.to);
    if (f.minScore !== undefined) q.where('events.score', '>=', f.minScore);
    if (f.visibility !== undefined) q.where('events.visibility', f.visibility);
    if (f.pinned !== undefined) q.where('events.pinned', f.pinned);
    if (f.alertState !== undefined || f.alertKind !== undefined) {
      q.whereExists((sub) => {
        sub.select(this.db.raw('1')).from('alerts').whereRaw('alerts.event_id = events.id');
        if (f.alertState !== undefined) sub.where('alerts.state', f.alertState);
        if (f.alertKind !== undefined) sub.where('alerts.kind', f.alertKind);
      });
    }
  }

  /** Events whose snapshots retention may delete: ended before the cutoff, not pinned, media still there. */
  async withMediaEndedBefore(cutoff: number, limit: number, cameras: CameraSelector = {}): Promise<EventRecord[]> {
    const q = this.mine(this.db('events'))
      .whereNotNull('end_at')
      .where('end_at', '<', cutoff)
      .whereNull('media_deleted_at')
      .where('pinned', false)
      .orderBy('start_at')
      .limit(limit);
    if (cameras.only !== undefined) q.where('camera_id', cameras.only);
    if (cameras.except?.length) q.whereNotIn('camera_id', cameras.except);
    return ((await q) as EventRow[]).map(toEvent);
  }

  /** Oldest unpinned ended events that still have snapshots, for the disk quota. */
  async oldestWithMedia(limit: number): Promise<EventRecord[]> {
    const q = this.mine(this.db('events'))
      .whereNotNull('end_at')
      .whereNull('media_deleted_at')
      .where('pinned', false)
      .where('snapshot_bytes', '>', 0)
      .orderBy('start_at')
      .limit(limit);
    return ((await q) as EventRow[]).map(toEvent);
  }

  async snapshotBytesTotal(): Promise<number> {
    const [row] = await this.mine(this.db('events')).whereNull('media_deleted_at').sum<{ total: number | string | null }[]>({ total: 'snapshot_bytes' });
    return Number(row?.total ?? 0);
  }

  /** Snapshot bytes per camera (bench: event-media bytes per camera-hour). */
  async snapshotBytesByCamera(): Promise<Map<number, number>> {
    const rows = await this.mine(this.db('events'))
      .whereNull('media_deleted_at')
      .select('camera_id')
      .sum<{ camera_id: number; total: number | string | null }[]>({ total: 'snapshot_bytes' })
      .groupBy('camera_id');
    return new Map(rows.map((r) => [Number(r.camera_id), Number(r.total ?? 0)]));
  }
}
