import type { Knex } from 'knex';
import type { Executor } from './db.js';
import { insertReturningId } from './repository.util.js';
import { noFence, type WriteFence } from './cluster.repository.js';

/** Which node's rows a repository sees and stamps, and the fence of owner-only writes (store.ts NodeScope). */
export interface RowScope {
  nodeId?: string;
  fence: WriteFence;
}

export interface Recording {
  id: number;
  cameraId: number;
  path: string;
  startAt: number;
  endAt: number;
  bytes: number;
}
interface RecordingRow {
  id: number;
  camera_id: number;
  path: string;
  start_at: number;
  end_at: number;
  bytes: number;
}
const toRecording = (r: RecordingRow): Recording => ({
  id: r.id,
  cameraId: r.camera_id,
  path: r.path,
  startAt: r.start_at,
  endAt: r.end_at,
  bytes: Number(r.bytes),
});

/** Index of continuous-recording segments by wall-clock time. */
export class RecordingRepository {
  constructor(
    private readonly db: Executor,
    private readonly scope: RowScope = { fence: noFence },
  ) {}

  /** The recordings table as this node sees it: in a cluster, only the segments on its own disk. */
  private t(): Knex.QueryBuilder<RecordingRow, RecordingRow[]> {
    const q = this.db<RecordingRow>('recordings');
    if (this.scope.nodeId !== undefined) q.where('node_id', this.scope.nodeId);
    return q;
  }

  /**
   * Indexes a segment. `fenced` (the live recorder): only while this node holds the camera's lease;
   * re-indexing files already on this node's disk (reconcile) is not an owner's write.
   */
  async add(r: Omit<Recording, 'id'>, opts: { fenced?: boolean } = { fenced: true }): Promise<Recording> {
    const row = { camera_id: r.cameraId, path: r.path, start_at: r.startAt, end_at: r.endAt, bytes: r.bytes, node_id: this.scope.nodeId ?? null };
    const insert = (ex: Executor) => insertReturningId(ex('recordings'), row);
    const id = opts.fenced === false ? await insert(this.db) : await this.scope.fence.run(this.db, r.cameraId, insert);
    return { id, ...r };
  }

  /** Nodes holding recordings of the camera over [from, to) (a cluster serves media from the node that has it). */
  async nodesOverlapping(cameraId: number, from: number, to: number): Promise<string[]> {
    const rows = await this.db('recordings')
      .where({ camera_id: cameraId })
      .andWhere('end_at', '>', from)
      .andWhere('start_at', '<', to)
      .whereNotNull('node_id')
      .distinct<{ node_id: string }[]>('node_id');
    return rows.map((r) => r.node_id);
  }

  /** Segments overlapping [from, to), oldest first. */
  async overlapping(cameraId: number, from: number, to: number): Promise<Recording[]> {
    const rows = await this.t().where({ camera_id: cameraId }).andWhere('end_at', '>', from).andWhere('start_at', '<', to).orderBy('start_at');
    return rows.map(toRecording);
  }

  /** Every indexed path of a camera, to reconcile its recordings tree against the index at start. */
  async pathsOf(cameraId: number): Promise<{ id: number; path: string }[]> {
    const rows = await this.t().where({ camera_id: cameraId }).select('id', 'path');
    return rows.map((r) => ({ id: Number(r.id), path: r.path }));
  }

  /** End of the camera's latest indexed segment. */
  async latestEnd(cameraId: number): Promise<number | undefined> {
    const row = await this.t().where({ camera_id: cameraId }).max<{ m: number | null }[]>({ m: 'end_at' });
    const m = row[0]?.m;
    return m === null || m === undefined ? undefined : Number(m);
  }

  /** `offset` skips rows a caller chose to keep (e.g. held by a clip cut), so paging goes on past them. */
  async oldest(limit: number, cameraId?: number, offset = 0): Promise<Recording[]> {
    const q = this.t().orderBy('start_at').orderBy('id').limit(limit).offset(offset);
    if (cameraId !== undefined) q.where({ camera_id: cameraId });
    return (await q).map(toRecording);
  }

  async olderThan(cutoff: number, limit: number, cameraId?: number, offset = 0): Promise<Recording[]> {
    const q = this.t().where('end_at', '<', cutoff).orderBy('start_at').orderBy('id').limit(limit).offset(offset);
    if (cameraId !== undefined) q.where({ camera_id: cameraId });
    return (await q).map(toRecording);
  }

  /** Segments that ended before the cutoff, of every camera except the listed ones (they have their own retention). */
  async olderThanExcept(cutoff: number, limit: number, exceptCameraIds: number[], offset = 0): Promise<Recording[]> {
    const q = this.t().where('end_at', '<', cutoff).orderBy('start_at').orderBy('id').limit(limit).offset(offset);
    if (exceptCameraIds.length) q.whereNotIn('camera_id', exceptCameraIds);
    return (await q).map(toRecording);
  }

  /** Bytes kept per camera (cameras without recordings are absent). */
  async bytesByCamera(): Promise<Map<number, number>> {
    const rows = await this.t().select('camera_id').sum<{ camera_id: number; total: number | string | null }[]>({ total: 'bytes' }).groupBy('camera_id');
    return new Map(rows.map((r) => [Number(r.camera_id), Number(r.total ?? 0)]));
  }

  async totalBytes(cameraId?: number): Promise<number> {
    const q = this.t().sum<{ total: number | string | null }[]>({ total: 'bytes' });
    if (cameraId !== undefined) q.where({ camera_id: cameraId });
    const [row] = await q;
    return Number(row?.total ?? 0);
  }

  async delete(ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.t().whereIn('id', ids).delete();
  }

  /** Earliest start still kept, so a clip request for an older range can say why it is gone. */
  async earliestStart(cameraId: number): Promise<number | undefined> {
    const row = await this.t().where({ camera_id: cameraId }).min<{ m: number | null }[]>({ m: 'start_at' });
    const m = row[0]?.m;
    return m === null || m === undefined ? undefined : Number(m);
  }

  /** Wall-clock milliseconds of recording kept per camera (bench: bytes per camera-hour). */
  async recordedMsByCamera(): Promise<Map<number, number>> {
    const rows = await this.t()
      .select('camera_id')
      .sum<{ camera_id: number; ms: number | string | null }[]>({ ms: this.db.raw('end_at - start_at') })
      .groupBy('camera_id');
    return new Map(rows.map((r) => [Number(r.camera_id), Number(r.ms ?? 0)]));
  }
}
