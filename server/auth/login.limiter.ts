import type { Clock } from './session.service.js';

/**
 * Counts failed sign-ins per client address and per username in a sliding window. Once a key
 * reaches its maximum, further attempts are refused (before the password is even checked)
 * until the oldest failure leaves the window; the caller is told how many seconds that is.
 * Attempts still being checked count too (reserve): otherwise a burst sent in parallel all
 * passes the check before the first failure is recorded (issue 12: the right password got
 * through as guess 45 of 60 with a limit of 5).
 * In memory: a restart forgets, which only ever helps a locked-out user.
 */
export interface LimiterOptions {
  maxPerUser: number;
  maxPerIp: number;
  windowMs: number;
  clock: Clock;
  /** Bound on remembered keys, so random usernames cannot grow memory without limit. */
  maxKeys?: number;
}

export type LimitVerdict = { ok: true } | { ok: false; retryAfterSeconds: number; scope: 'ip' | 'user' };

/** One reserved attempt: settle it exactly once (later calls do nothing). */
export interface LoginAttempt {
  /** The password was wrong: the reservation becomes a failure. */
  fail(): void;
  /** The password was right: clears the username's failures. */
  succeed(): void;
  /** Nothing was checked (e.g. the server was busy): the reservation is dropped. */
  release(): void;
}

export type Reservation = { ok: true; attempt: LoginAttempt } | Extract<LimitVerdict, { ok: false }>;

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();
  private readonly maxKeys: number;

  constructor(private readonly o: LimiterOptions) {
    this.maxKeys = o.maxKeys ?? 50_000;
  }

  check(ip: string, username?: string): LimitVerdict {
    const now = this.o.clock.now();
    const byIp = this.retryAfter(`ip:${ip}`, this.o.maxPerIp, now);
    if (byIp > 0) return { ok: false, retryAfterSeconds: byIp, scope: 'ip' };
    if (username !== undefined) {
      const byUser = this.retryAfter(`user:${username}`, this.o.maxPerUser, now);
      if (byUser > 0) return { ok: false, retryAfterSeconds: byUser, scope: 'user' };
    }
    return { ok: true };
  }

  /** Checks and, when allowed, counts this attempt against both keys until it is settled. */
  reserve(ip: string, username: string): Reservation {
    const verdict = this.check(ip, username);
    if (!verdict.ok) return verdict;
    const keys = [`ip:${ip}`, `user:${username}`];
    for (const k of keys) this.inFlight.set(k, (this.inFlight.get(k) ?? 0) + 1);
    let settled = false;
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      for (const k of keys) {
        const n = (this.inFlight.get(k) ?? 1) - 1;
        if (n > 0) this.inFlight.set(k, n);
        else this.inFlight.delete(k);
      }
      then();
    };
    return {
      ok: true,
      attempt: {
        fail: () => settle(() => this.fail(ip, username)),
        succeed: () => settle(() => this.succeed(username)),
        release: () => settle(() => undefined),
      },
    };
  }

  fail(ip: string, username?: string): void {
    const now = this.o.clock.now();
    this.push(`ip:${ip}`, now);
    if (username !== undefined) this.push(`user:${username}`, now);
  }

  /** A correct password clears the username's count (not the address's: one account must not unlock guessing at others). */
  succeed(username: string): void {
    this.failures.delete(`user:${username}`);
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.o.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  private retryAfter(key: string, max: number, now: number): number {
    const list = this.recent(key, now);
    const pending = this.inFlight.get(key) ?? 0;
    if (list.length + pending < max) return 0;
    // Full with attempts still being checked: they settle within about a second.
    if (list.length < max) return 1;
    const freeAt = list[list.length - max]! + this.o.windowMs;
    return Math.max(1, Math.ceil((freeAt - now) / 1000));
  }

  private push(key: string, now: number): void {
    const list = this.recent(key, now);
    list.push(now);
    this.failures.delete(key); // re-insert: Map order is then least recently failed first
    this.failures.set(key, list.slice(-1000));
    while (this.failures.size > this.maxKeys) {
      const oldest = this.failures.keys().next().value as string;
      this.failures.delete(oldest);
    }
  }
}
