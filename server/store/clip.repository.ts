import { noFence } from './cluster.repository.js';
import type { RowScope } from './recording.repository.js';
import type { Executor } from './db.js';
import { applyEventScope, type AccessScope, type CameraSelector, type Page } from './event.repository.js';
import { insertReturningId, toBool, toNumberOrNull } from './repository.util.js';

/** pending → ready | failed; a ready clip whose file retention removed keeps its row with deletedAt. */
export const CLIP_STATES = ['pending', 'ready', 'failed'] as const;
export type ClipState = (typeof CLIP_STATES)[number];
export type ClipKind = 'event' | 'export';

export interface ClipRecord {
  id: number;
  cameraId: number;
  eventId: number | null;
  kind: ClipKind;
  startAt: number;
  endAt: number;
  state: ClipState;
  /** Relative to the data dir, set only once the file is complete. */
  path: string | null;
  posterPath: string | null;
  manifestPath: string | null;
  sha256: string | null;
  bytes: number | null;
  durationMs: number | null;
  pinned: boolean;
  reason: string | null;
  error: string | null;
  createdBy: number | null;
  createdAt: number;
  finalisedAt: number | null;
  deletedAt: number | null;
  /** Outages inside the range ([from, to] wall-clock pairs), known once the clip is ready. */
  gaps: [number, number][];
}
export type NewClip = Pick<ClipRecord, 'cameraId' | 'eventId' | 'kind' | 'startAt' | 'endAt' | 'pinned' | 'reason' | 'createdBy'>;
export type ClipPatch = Partial<
  Pick<
    ClipRecord,
    | 'state'
    | 'path'
    | 'posterPath'
    | 'manifestPath'
    | 'sha256'
    | 'bytes'
    | 'durationMs'
    | 'pinned'
    | 'error'
    | 'finalisedAt'
    | 'deletedAt'
    | 'startAt'
    | 'endAt'
    | 'gaps'
  >
>;

interface ClipRow {
  id: number;
  camera_id: number;
  event_id: number | null;
  kind: ClipKind;
  start_at: number;
  end_at: number;
  state: ClipState;
  path: string | null;
  poster_path: string | null;
  manifest_path: string | null;
  sha256: string | null;
  bytes: number | string | null;
  duration_ms: number | string | null;
  pinned: unknown;
  reason: string | null;
  error: string | null;
  created_by: number | null;
  created_at: number;
  finalised_at: number | null;
  deleted_at: number | null;
  gaps: string | null;
}
const toClip = (r: ClipRow): ClipRecord => ({
  id: r.id,
  cameraId: r.camera_id,
  eventId: r.event_id,
  kind: r.kind,
  startAt: Number(r.start_at),
  endAt: Number(r.end_at),
  state: r.state,
  path: r.path,
  posterPath: r.poster_path,
  manifestPath: r.manifest_path,
  sha256: r.sha256,
  bytes: toNumberOrNull(r.bytes),
  durationMs: toNumberOrNull(r.duration_ms),
  pinned: toBool(r.pinned),
  reason: r.reason,
  error: r.error,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  finalisedAt: toNumberOrNull(r.finalised_at),
  deletedAt: toNumberOrNull(r.deleted_at),
  gaps: r.gaps ? (JSON.parse(r.gaps) as [number, number][]) : [],
});
const COLUMNS: Record<keyof ClipPatch, keyof ClipRow> = {
  state: 'state',
  path: 'path',
  posterPath: 'poster_path',
  manifestPath: 'manifest_path',
  sha256: 'sha256',
  bytes: 'bytes',
  durationMs: 'duration_ms',
  pinned: 'pinned',
  error: 'error',
  finalisedAt: 'finalised_at',
  deletedAt: 'deleted_at',
  startAt: 'start_at',
  endAt: 'end_at',
  gaps: 'gaps',
};

export interface ClipFilter {
  cameraId?: number;
  eventId?: number;
  kind?: ClipKind;
  state?: ClipState;
  pinned?: boolean;
  from?: number;
  to?: number;
}
export const CLIP_SORTS = { startAt: 'clips.start_at', createdAt: 'clips.created_at', id: 'clips.id' } as const;
export type ClipSort = keyof typeof CLIP_SORTS;

export class ClipRepository {
  constructor(
    private readonly db: Executor,
    private readonly scope: RowScope = { fence: noFence },
  ) {}

  /** Clips whose files this node makes and keeps: in a cluster, the ones it created. */
  private mine() {
    const q = this.db<ClipRow>('clips');
    if (this.scope.nodeId !== undefined) q.where('clips.node_id', this.scope.nodeId);
    return q;
  }

  /** An event's clip is the camera owner's write (fenced in a cluster); a user's export is not. */
  async create(c: NewClip, now = Date.now()): Promise<ClipRecord> {
    const insert = (ex: Executor) =>
      insertReturningId(ex('clips'), {
        node_id: this.scope.nodeId ?? null,
        camera_id: c.cameraId,
        event_id: c.eventId,
        kind: c.kind,
        start_at: c.startAt,
        end_at: c.endAt,
        state: 'pending',
        pinned: c.pinned,
        reason: c.reason,
        created_by: c.createdBy,
        created_at: now,
      });
    const id = c.createdBy === null ? await this.scope.fence.run(this.db, c.cameraId, insert) : await insert(this.db);
    return (await this.get(id))!;
  }

  /** The node whose disk holds this row's media (null: one node, or written before the cluster). */
  async nodeOf(id: number): Promise<string | null | undefined> {
    const row = (await this.db('clips').where({ id }).first('node_id')) as { node_id: string | null } | undefined;
    return row ? row.node_id : undefined;
  }

  async get(id: number): Promise<ClipRecord | undefined> {
    const row = await this.db<ClipRow>('clips').where({ id }).first();
    return row && toClip(row);
  }

  async byEvent(eventId: number): Promise<ClipRecord | undefined> {
    const row = await this.db<ClipRow>('clips').where({ event_id: eventId, kind: 'event' }).orderBy('id', 'desc').first();
    return row && toClip(row);
  }

  /** Every clip of an event (long events have chained clips), oldest first. */
  async listByEvent(eventId: number): Promise<ClipRecord[]> {
    return (await this.db<ClipRow>('clips').where({ event_id: eventId, kind: 'event' }).orderBy('start_at')).map(toClip);
  }

  async update(id: number, patch: ClipPatch): Promise<void> {
    const row: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(patch) as [keyof ClipPatch, unknown][]) if (v !== undefined) row[COLUMNS[k]] = k === 'gaps' ? JSON.stringify(v) : v;
    if (Object.keys(row).length) await this.db('clips').where({ id }).update(row);
  }

  /** A scoped list: outside a full scope only clips of events shared with the scope's areas (never exports). */
  async list(f: ClipFilter, scope: AccessScope, page: Page<ClipSort>): Promise<{ items: ClipRecord[]; total: number }> {
    const q = this.db('clips');
    if (f.cameraId !== undefined) q.where('clips.camera_id', f.cameraId);
    if (f.eventId !== undefined) q.where('clips.event_id', f.eventId);
    if (f.kind !== undefined) q.where('clips.kind', f.kind);
    if (f.state !== undefined) q.where('clips.state', f.state);
    if (f.pinned !== undefined) q.where('clips.pinned', f.pinned);
    if (f.from !== undefined) q.where('clips.end_at', '>', f.from);
    if (f.to !== undefined) q.where('clips.start_at', '<', f.to);
    if (!scope.all) {
      q.whereExists((sub) => {
        sub.select(this.db.raw('1')).from('events').whereRaw('events.id = clips.event_id');
        applyEventScope(sub, scope);
      });
    }
    const [count] = await q.clone().count<{ n: number | string }[]>({ n: 'clips.id' });
    const rows = (await q
      .select('clips.*')
      .orderBy(CLIP_SORTS[page.sort], page.order)
      .orderBy('clips.id', page.order)
      .limit(page.limit)
      .offset(page.offset)) as ClipRow[];
    return { items: rows.map(toClip), total: Number(count?.n ?? 0) };
  }

  /** Clips a crash or stop left half-done: cut again at start. */
  async listPending(): Promise<ClipRecord[]> {
    return (await this.mine().where({ state: 'pending' }).orderBy('id')).map(toClip);
  }

  /** Pinned clips still served from the recording: their file was not made yet (interrupted by a stop). */
  async listPinnedWithoutFile(): Promise<ClipRecord[]> {
    return (await this.mine().where({ state: 'ready', pinned: true, kind: 'event' }).whereNull('path').whereNull('deleted_at').orderBy('id')).map(toClip);
  }

  async setPinnedForEvent(eventId: number, pinned: boolean): Promise<void> {
    await this.db('clips').where({ event_id: eventId }).update({ pinned });
  }

  /**
   * Ready, unpinned clips with a file of their own (a clip served from the recording has none:
   * it goes with the recording) whose range ended before the cutoff.
   */
  async deletableEndedBefore(cutoff: number, limit: number, cameras: CameraSelector = {}): Promise<ClipRecord[]> {
    const q = this.mine()
      .where({ state: 'ready', pinned: false })
      .whereNull('deleted_at')
      .whereNotNull('path')
      .where('end_at', '<', cutoff)
      .orderBy('start_at')
      .limit(limit);
    if (cameras.only !== undefined) q.where('camera_id', cameras.only);
    if (cameras.except?.length) q.whereNotIn('camera_id', cameras.except);
    return (await q).map(toClip);
  }

  async oldestDeletable(limit: number): Promise<ClipRecord[]> {
    return (await this.mine().where({ state: 'ready', pinned: false }).whereNull('deleted_at').whereNotNull('path').orderBy('start_at').limit(limit)).map(
      toClip,
    );
  }

  /** Bytes of clip files on disk (clips served from the recording have none). */
  async totalBytes(): Promise<number> {
    const [row] = await this.mine().where({ state: 'ready' }).whereNull('deleted_at').whereNotNull('path').sum<{ t: number | string | null }[]>({ t: 'bytes' });
    return Number(row?.t ?? 0);
  }

  /** Clip file bytes per camera, for the bench's event-media bytes per camera-hour. */
  async fileBytesByCamera(): Promise<Map<number, number>> {
    const rows = await this.mine()
      .where({ state: 'ready' })
      .whereNull('deleted_at')
      .whereNotNull('path')
      .select('camera_id')
      .sum<{ camera_id: number; t: number | string | null }[]>({ t: 'bytes' })
      .groupBy('camera_id');
    return new Map(rows.map((r) => [Number(r.camera_id), Number(r.t ?? 0)]));
  }

  /** For each ready event clip: when its event ended and when the clip was finalised (benchmarks). */
  async readiness(): Promise<{ eventEndAt: number; finalisedAt: number }[]> {
    const rows = await this.db('clips')
      .join('events', 'events.id', 'clips.event_id')
      .where('clips.state', 'ready')
      .whereNotNull('events.end_at')
      .whereNotNull('clips.finalised_at')
      .whereRaw('clips.end_at >= events.end_at') // of a chain, the clip holding the end
      .select<{ end_at: number | string; finalised_at: number | string }[]>('events.end_at', 'clips.finalised_at');
    return rows.map((r) => ({ eventEndAt: Number(r.end_at), finalisedAt: Number(r.finalised_at) }));
  }
}
