import type { Knex } from 'knex';
import { AppError } from '../shared/errors.js';
import type { Executor } from './db.js';

/**
 * The cluster's coordination rows on PostgreSQL (issue 16). Why a lease row per camera rather
 * than advisory locks: an advisory lock lives as long as one database session, so a node that
 * is paused (or cut off from the database) keeps it until TCP gives up, nobody can see who
 * holds what, and there is no number to fence stale writes with. A row with an owner, an
 * expiry on the database's own clock (no skew between nodes) and an epoch bumped at every
 * change of owner gives failover after the TTL, a table the admin page can show, and a fence:
 * a write checks the epoch under a row lock in its own transaction.
 */
export const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export interface NodeRow {
  id: string;
  url: string;
  version: string;
  startedAt: number;
  heartbeatAt: number;
  cameras: number;
  cpu: number;
}

export interface LeaseRow {
  name: string;
  cameraId: number | null;
  owner: string | null;
  epoch: number;
  expiresAt: number;
  pinnedNode: string | null;
}

export const cameraLease = (cameraId: number) => `camera:${cameraId}`;

interface RawLease {
  name: string;
  camera_id: number | null;
  owner: string | null;
  epoch: number;
  expires_at: number | string;
  pinned_node: string | null;
}
const toLease = (r: RawLease): LeaseRow => ({
  name: r.name,
  cameraId: r.camera_id,
  owner: r.owner,
  epoch: Number(r.epoch),
  expiresAt: Number(r.expires_at),
  pinnedNode: r.pinned_node,
});

export class ClusterRepository {
  constructor(private readonly db: Knex) {}

  async now(): Promise<number> {
    const r = await this.db.raw<{ rows: { now: string | number }[] }>(`select ${NOW_MS} as now`);
    return Number(r.rows[0]!.now);
  }

  /** Upserts this node's row with a fresh heartbeat; returns the database time. */
  async heartbeat(n: Omit<NodeRow, 'heartbeatAt' | 'startedAt'> & { keysFingerprint?: string }, starting: boolean): Promise<number> {
    const r = await this.db.raw<{ rows: { heartbeat_at: string }[] }>(
      `insert into cluster_nodes (id, url, version, started_at, heartbeat_at, cameras, cpu, keys_fingerprint)
       values (?, ?, ?, ${NOW_MS}, ${NOW_MS}, ?, ?, ?)
       on conflict (id) do update set url = excluded.url, version = excluded.version, heartbeat_at = excluded.heartbeat_at,
         cameras = excluded.cameras, cpu = excluded.cpu, keys_fingerprint = excluded.keys_fingerprint${starting ? ', started_at = excluded.started_at' : ''}
       returning heartbeat_at`,
      [n.id, n.url, n.version, n.cameras, n.cpu, n.keysFingerprint ?? null],
    );
    return Number(r.rows[0]!.heartbeat_at);
  }

  async nodes(): Promise<NodeRow[]> {
    const rows = await this.db('cluster_nodes').orderBy('id');
    return rows.map((r: Record<string, unknown>) => ({
      id: String(r.id),
      url: String(r.url),
      version: String(r.version),
      startedAt: Number(r.started_at),
      heartbeatAt: Number(r.heartbeat_at),
      cameras: Number(r.cameras),
      cpu: Number(r.cpu),
    }));
  }

  /** The key fingerprints published by the other nodes that heartbeated within the TTL. */
  async liveFingerprints(me: string, ttlMs: number): Promise<{ id: string; fingerprint: string | null }[]> {
    const r = await this.db.raw<{ rows: { id: string; keys_fingerprint: string | null }[] }>(
      `select id, keys_fingerprint from cluster_nodes where id <> ? and heartbeat_at > ${NOW_MS} - ? order by id`,
      [me, ttlMs],
    );
    return r.rows.map((x) => ({ id: x.id, fingerprint: x.keys_fingerprint }));
  }

  async leases(): Promise<LeaseRow[]> {
    return ((await this.db('cluster_leases').orderBy('name')) as RawLease[]).map(toLease);
  }

  /** A lease row for every camera that has none yet (owner none, expired). */
  async ensureCameraRows(cameraIds: number[]): Promise<void> {
    if (!cameraIds.length) return;
    await this.db('cluster_leases')
      .insert(cameraIds.map((id) => ({ name: cameraLease(id), camera_id: id, owner: null, epoch: 0, expires_at: 0 })))
      .onConflict('name')
      .ignore();
  }

  async ensureRow(name: string): Promise<void> {
    await this.db('cluster_leases').insert({ name, camera_id: null, owner: null, epoch: 0, expires_at: 0 }).onConflict('name').ignore();
  }

  /** Extends the leases this node still holds; returns them with their epochs (an expired one is lost, not renewed). */
  async renew(owner: string, names: string[], ttlMs: number): Promise<Map<string, number>> {
    if (!names.length) return new Map();
    const r = await this.db.raw<{ rows: { name: string; epoch: number }[] }>(
      `update cluster_leases set expires_at = ${NOW_MS} + ? where owner = ? and expires_at > ${NOW_MS} and name in (${names.map(() => '?').join(',')})
       returning name, epoch`,
      [ttlMs, owner, ...names],
    );
    return new Map(r.rows.map((x) => [x.name, Number(x.epoch)]));
  }

  /** Takes a lease that nobody holds (free or expired, and pinned to nobody else); the new epoch, or undefined when someone was first. */
  async acquire(owner: string, name: string, ttlMs: number): Promise<number | undefined> {
    const r = await this.db.raw<{ rows: { epoch: number }[] }>(
      // The FOR UPDATE waits for the old owner's writes in flight (their FOR KEY SHARE); a plain
      // UPDATE would not (it takes only FOR NO KEY UPDATE), which is what keeps renewals unblocked.
      `update cluster_leases set owner = ?, epoch = epoch + 1, expires_at = ${NOW_MS} + ?
       where name = (select name from cluster_leases
                     where name = ? and (owner is null or expires_at <= ${NOW_MS}) and (pinned_node is null or pinned_node = ?)
                     for update)
         and (owner is null or expires_at <= ${NOW_MS}) and (pinned_node is null or pinned_node = ?)
       returning epoch`,
      [owner, ttlMs, name, owner, owner],
    );
    return r.rows[0] ? Number(r.rows[0].epoch) : undefined;
  }

  /** Gives a lease back (after its work has stopped): free at once for the next node. */
  async release(owner: string, name: string): Promise<void> {
    await this.db('cluster_leases').where({ name, owner }).update({ owner: null, expires_at: 0 });
  }

  /** At start: leases left by this node's previous process belong to nothing running now. */
  async releaseAll(owner: string): Promise<number> {
    return this.db('cluster_leases').where({ owner }).update({ owner: null, expires_at: 0 });
  }

  async setPin(cameraId: number, node: string | null): Promise<void> {
    await this.ensureCameraRows([cameraId]);
    await this.db('cluster_leases')
      .where({ name: cameraLease(cameraId) })
      .update({ pinned_node: node });
  }

  async forgetNode(id: string): Promise<void> {
    await this.db('cluster_nodes').where({ id }).delete();
  }
}

/** A write refused because this node no longer holds the camera's lease (a stale owner). */
export class FencedError extends AppError {
  constructor(cameraId: number) {
    super('fenced', `camera ${cameraId}: this node no longer holds the camera's lease; the write was refused`, 409, { params: { cameraId } });
    this.name = 'FencedError';
  }
}

/**
 * The fence every owner-only write passes (events, recording index, clip rows). Inside the
 * write's transaction it locks the camera's lease row FOR KEY SHARE and checks owner, epoch and
 * expiry: a node taking the lease over (its SELECT … FOR UPDATE) waits for the write to commit,
 * and a write after the takeover — or after expiry — is refused. Not FOR SHARE: the owner's own
 * renewal (a plain UPDATE) would then wait for its writes, and a camera writing all the time
 * keeps a share lock on its row almost without a gap — renewals starved past the TTL, and the
 * node lost the cameras it was busiest with.
 */
export interface WriteFence {
  run<T>(exec: Executor, cameraId: number, write: (exec: Executor) => Promise<T>): Promise<T>;
}

export const noFence: WriteFence = { run: (exec, _cameraId, write) => write(exec) };

export class LeaseFence implements WriteFence {
  constructor(
    private readonly owner: string,
    /** The epoch this node's running pipeline of the camera was started under; undefined when it does not run it. */
    private readonly epochOf: (cameraId: number) => number | undefined,
    /** Told when the database refused a write this node still thought it owned: it must stop the camera. */
    private readonly onStale: (cameraId: number) => void = () => undefined,
  ) {}

  async run<T>(exec: Executor, cameraId: number, write: (exec: Executor) => Promise<T>): Promise<T> {
    const inTx = (exec as Knex.Transaction).isTransaction === true;
    return inTx ? this.checked(exec, cameraId, write) : (exec as Knex).transaction((trx) => this.checked(trx, cameraId, write));
  }

  private async checked<T>(trx: Executor, cameraId: number, write: (exec: Executor) => Promise<T>): Promise<T> {
    const epoch = this.epochOf(cameraId);
    if (epoch === undefined) throw new FencedError(cameraId);
    const r = await trx.raw<{ rows: unknown[] }>(
      `select 1 from cluster_leases where name = ? and owner = ? and epoch = ? and expires_at > ${NOW_MS} for key share`,
      [cameraLease(cameraId), this.owner, epoch],
    );
    if (!r.rows.length) {
      this.onStale(cameraId);
      throw new FencedError(cameraId);
    }
    return write(trx);
  }
}
