import type { Executor } from './db.js';
import { toNumberOrNull } from './repository.util.js';

/** A sign-in session. Only the sha256 of the cookie token is stored, so a database leak is no login. */
export interface SessionRecord {
  idHash: string;
  userId: number;
  ip: string | null;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

interface SessionRow {
  id_hash: string;
  user_id: number;
  ip: string | null;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}
const toSession = (r: SessionRow): SessionRecord => ({
  idHash: r.id_hash,
  userId: Number(r.user_id),
  ip: r.ip,
  createdAt: Number(r.created_at),
  lastSeenAt: Number(r.last_seen_at),
  expiresAt: Number(r.expires_at),
  revokedAt: toNumberOrNull(r.revoked_at),
});

export class SessionRepository {
  constructor(private readonly db: Executor) {}

  async create(s: Omit<SessionRecord, 'revokedAt'>): Promise<void> {
    await this.db('sessions').insert({
      id_hash: s.idHash,
      user_id: s.userId,
      ip: s.ip,
      created_at: s.createdAt,
      last_seen_at: s.lastSeenAt,
      expires_at: s.expiresAt,
    });
  }

  async get(idHash: string): Promise<SessionRecord | undefined> {
    const row = await this.db<SessionRow>('sessions').where({ id_hash: idHash }).first();
    return row && toSession(row);
  }

  async touch(idHash: string, now: number): Promise<void> {
    await this.db('sessions').where({ id_hash: idHash }).update({ last_seen_at: now });
  }

  async revoke(idHash: string, now: number): Promise<boolean> {
    return (await this.db('sessions').where({ id_hash: idHash }).whereNull('revoked_at').update({ revoked_at: now })) > 0;
  }

  /** Revokes every open session of the user; returns the hashes revoked. */
  async revokeAllOfUser(userId: number, now: number): Promise<string[]> {
    const rows = await this.db<SessionRow>('sessions').where({ user_id: userId }).whereNull('revoked_at').select('id_hash');
    if (rows.length) await this.db('sessions').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: now });
    return rows.map((r) => r.id_hash);
  }

  /** Which of these sessions are still open at `now` (not revoked, not expired, not idle). */
  async stillOpen(idHashes: string[], now: number, idleMs: number): Promise<Set<string>> {
    if (idHashes.length === 0) return new Set();
    const rows = await this.db<SessionRow>('sessions')
      .whereIn('id_hash', idHashes)
      .whereNull('revoked_at')
      .andWhere('expires_at', '>', now)
      .andWhere('last_seen_at', '>', now - idleMs)
      .select('id_hash');
    return new Set(rows.map((r) => r.id_hash));
  }

  /** Deletes sessions that ended more than `keepMs` ago (the audit log keeps the history). */
  async purgeEnded(now: number, keepMs: number, idleMs: number): Promise<number> {
    const cutoff = now - keepMs;
    return this.db('sessions')
      .where((q) =>
        q
          .where('expires_at', '<', cutoff)
          .orWhere('revoked_at', '<', cutoff)
          .orWhere('last_seen_at', '<', cutoff - idleMs),
      )
      .delete();
  }
}
