import { isSqlite, type Executor } from './db.js';
import { insertReturningId, toNumberOrNull } from './repository.util.js';

/**
 * The append-only audit log. Each entry carries the hash of the previous one and its own hash
 * (`hashVersion` says how it was made; server/auth/audit.chain.ts makes and checks them), so
 * editing, deleting or reordering a row breaks the chain from there on. There is no update or
 * delete here on purpose.
 */
export interface AuditEntry {
  id: number;
  at: number;
  userId: number | null;
  username: string | null;
  ip: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  /** Canonical JSON (sorted keys) or null. */
  detail: string | null;
  prevHash: string;
  hash: string;
  /** 1: plain SHA-256 (entries from before the audit key); 2: HMAC-SHA256 with the audit key. */
  hashVersion: number;
}
export type NewAuditEntry = Omit<AuditEntry, 'id' | 'prevHash' | 'hash' | 'detail' | 'hashVersion'> & { detail?: Record<string, unknown> | null };
/** What an entry's hash covers: everything but its id and the hash itself. */
export type AuditChainFields = Omit<AuditEntry, 'id' | 'hash' | 'hashVersion'>;
/** Hashes a new entry (given the previous entry's hash in `prevHash`). */
export type AuditSeal = (fields: AuditChainFields) => { hash: string; hashVersion: number };

export const AUDIT_GENESIS = '0'.repeat(64);
// Any constant works; it only has to be the same for every writer of this database.
const PG_AUDIT_LOCK = 0x62_79_61_75;

/** JSON with object keys sorted at every level, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const k of Object.keys(v).sort()) out[k] = norm((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(norm(value));
}

interface AuditRow {
  id: number;
  at: number;
  user_id: number | null;
  username: string | null;
  ip: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
  hash_version: number;
}
const toEntry = (r: AuditRow): AuditEntry => ({
  id: Number(r.id),
  at: Number(r.at),
  userId: toNumberOrNull(r.user_id),
  username: r.username,
  ip: r.ip,
  action: r.action,
  resourceType: r.resource_type,
  resourceId: r.resource_id,
  detail: r.detail,
  prevHash: r.prev_hash,
  hash: r.hash,
  hashVersion: Number(r.hash_version),
});

export interface AuditFilter {
  userId?: number;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  from?: number;
  to?: number;
  /** Entries with a smaller id (newest first paging). */
  beforeId?: number;
  limit: number;
}

export class AuditRepository {
  constructor(private readonly db: Executor) {}

  /** Appends one entry; writers are serialised by a write lock so the chain never forks. */
  async append(e: NewAuditEntry, seal: AuditSeal): Promise<AuditEntry> {
    return this.db.transaction(async (trx) => {
      if (isSqlite(trx)) {
        // Takes SQLite's write lock now (busy_timeout waits for it), before reading the head,
        // so a second process (the CLI) cannot append between our read and our insert.
        await trx('audit_log').where('id', '<', 0).update({ action: 'x' });
      } else {
        await trx.raw('select pg_advisory_xact_lock(?)', [PG_AUDIT_LOCK]);
      }
      const last = await trx<AuditRow>('audit_log').orderBy('id', 'desc').first('hash');
      const base: AuditChainFields = {
        at: e.at,
        userId: e.userId,
        username: e.username,
        ip: e.ip,
        action: e.action,
        resourceType: e.resourceType,
        resourceId: e.resourceId,
        detail: e.detail ? canonicalJson(e.detail) : null,
        prevHash: last?.hash ?? AUDIT_GENESIS,
      };
      const { hash, hashVersion } = seal(base);
      const id = await insertReturningId(trx('audit_log'), {
        at: base.at,
        user_id: base.userId,
        username: base.username,
        ip: base.ip,
        action: base.action,
        resource_type: base.resourceType,
        resource_id: base.resourceId,
        detail: base.detail,
        prev_hash: base.prevHash,
        hash,
        hash_version: hashVersion,
      });
      return { id, ...base, hash, hashVersion };
    });
  }

  /** Newest first. Every filter value is bound as a parameter; columns are fixed here. */
  async list(f: AuditFilter): Promise<AuditEntry[]> {
    const q = this.db<AuditRow>('audit_log').orderBy('id', 'desc').limit(f.limit);
    if (f.userId !== undefined) q.where('user_id', f.userId);
    if (f.action !== undefined) q.where('action', f.action);
    if (f.resourceType !== undefined) q.where('resource_type', f.resourceType);
    if (f.resourceId !== undefined) q.where('resource_id', f.resourceId);
    if (f.from !== undefined) q.where('at', '>=', f.from);
    if (f.to !== undefined) q.where('at', '<', f.to);
    if (f.beforeId !== undefined) q.where('id', '<', f.beforeId);
    return (await q).map(toEntry);
  }

  /** Oldest first, after `afterId`: the verifier reads the chain in pages. */
  async rowsAfter(afterId: number, limit: number): Promise<AuditEntry[]> {
    return (await this.db<AuditRow>('audit_log').where('id', '>', afterId).orderBy('id').limit(limit)).map(toEntry);
  }

  async get(id: number): Promise<AuditEntry | undefined> {
    const row = await this.db<AuditRow>('audit_log').where('id', id).first();
    return row ? toEntry(row) : undefined;
  }

  async head(): Promise<AuditEntry | undefined> {
    const row = await this.db<AuditRow>('audit_log').orderBy('id', 'desc').first();
    return row ? toEntry(row) : undefined;
  }
}
