import { createHash, randomBytes } from 'node:crypto';
import type { AreaRepository } from '../store/area.repository.js';
import type { SessionRepository } from '../store/session.repository.js';
import type { UserRecord, UserRepository } from '../store/user.repository.js';
import { expandAreaScope } from './access.policy.js';
import type { Principal } from './authorize.js';

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** Only this hash of the cookie token is stored or used as a key anywhere. */
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Tokens are 32 random bytes, base64url: anything else in the cookie is not ours. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface SessionServiceDeps {
  sessions: SessionRepository;
  users: UserRepository;
  areas: Pick<AreaRepository, 'list'>;
  clock: Clock;
  idleMs: number;
  absoluteMs: number;
  /** last_seen_at is written at most this often per session (one write per request would be wasteful). */
  touchEveryMs?: number;
  /**
   * Runs a request's session lookup (session, user, roles, areas: five queries) on one
   * connection turn. On SQLite's single connection each separate query waits behind the whole
   * queue, so under load this is the difference between one wait and five (issue 15).
   */
  together?: <T>(fn: (r: SessionReads) => Promise<T>) => Promise<T>;
}

/** The repositories a session lookup reads (and touches). */
export type SessionReads = { sessions: SessionRepository; users: UserRepository; areas: Pick<AreaRepository, 'list'> };

export interface NewSession {
  token: string;
  hash: string;
  expiresAt: number;
}

/** Sessions: server-side, revocable, with idle and absolute timeouts. */
export class SessionService {
  private readonly touchEveryMs: number;

  constructor(private readonly d: SessionServiceDeps) {
    this.touchEveryMs = d.touchEveryMs ?? Math.min(60_000, Math.max(1_000, Math.floor(d.idleMs / 20)));
  }

  get idleMs(): number {
    return this.d.idleMs;
  }

  get absoluteMs(): number {
    return this.d.absoluteMs;
  }

  async create(userId: number, ip: string | null): Promise<NewSession> {
    const token = randomBytes(32).toString('base64url');
    const hash = hashToken(token);
    const now = this.d.clock.now();
    const expiresAt = now + this.d.absoluteMs;
    await this.d.sessions.create({ idHash: hash, userId, ip, createdAt: now, lastSeenAt: now, expiresAt });
    return { token, hash, expiresAt };
  }

  /** The signed-in principal for a cookie token, or undefined when the session is not open. */
  async principalFor(token: string | undefined, ip: string): Promise<Principal | undefined> {
    if (!token || !TOKEN_SHAPE.test(token)) return undefined;
    return this.principalForHash(hashToken(token), ip);
  }

  async principalForHash(hash: string, ip: string): Promise<Principal | undefined> {
    return this.d.together ? this.d.together((r) => this.lookup(r, hash, ip)) : this.lookup(this.d, hash, ip);
  }

  private async lookup(r: SessionReads, hash: string, ip: string): Promise<Principal | undefined> {
    const now = this.d.clock.now();
    const s = await r.sessions.get(hash);
    if (!s || s.revokedAt !== null || s.expiresAt <= now || s.lastSeenAt + this.d.idleMs <= now) return undefined;
    const user = await r.users.get(s.userId);
    if (!user || user.disabled || user.roles.length === 0) return undefined;
    if (now - s.lastSeenAt >= this.touchEveryMs) await r.sessions.touch(hash, now);
    return this.principalWith(r.areas, user, ip, hash, s.expiresAt);
  }

  principalOf(user: UserRecord, ip: string, sessionHash?: string, sessionExpiresAt?: number): Promise<Principal> {
    return this.principalWith(this.d.areas, user, ip, sessionHash, sessionExpiresAt);
  }

  private async principalWith(
    areas: Pick<AreaRepository, 'list'>,
    user: UserRecord,
    ip: string,
    sessionHash?: string,
    sessionExpiresAt?: number,
  ): Promise<Principal> {
    const all = await areas.list();
    return {
      kind: 'user',
      ip,
      userId: user.id,
      username: user.username,
      roles: [...user.roles],
      areaIds: [...user.areaIds],
      areaScope: expandAreaScope(all, user.areaIds),
      leadScope: expandAreaScope(all, user.leadAreaIds),
      sessionHash,
      sessionExpiresAt,
    };
  }

  /** For a socket packet: is the session still open? Counts as activity for the idle timeout. */
  async checkOpen(hash: string): Promise<boolean> {
    const now = this.d.clock.now();
    const s = await this.d.sessions.get(hash);
    if (!s || s.revokedAt !== null || s.expiresAt <= now || s.lastSeenAt + this.d.idleMs <= now) return false;
    if (now - s.lastSeenAt >= this.touchEveryMs) await this.d.sessions.touch(hash, now);
    return true;
  }

  async revoke(hash: string): Promise<boolean> {
    return this.d.sessions.revoke(hash, this.d.clock.now());
  }

  async revokeUser(userId: number): Promise<string[]> {
    return this.d.sessions.revokeAllOfUser(userId, this.d.clock.now());
  }

  /** Which of these sessions are still open (for sockets held open longer than a request). */
  async stillOpen(hashes: string[]): Promise<Set<string>> {
    return this.d.sessions.stillOpen(hashes, this.d.clock.now(), this.d.idleMs);
  }

  async purge(): Promise<number> {
    return this.d.sessions.purgeEnded(this.d.clock.now(), 7 * 86_400_000, this.d.idleMs);
  }
}
