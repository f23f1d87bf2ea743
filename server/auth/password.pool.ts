import os from 'node:os';
import type { ScryptOptions } from 'node:crypto';
import { AppError } from '../shared/errors.js';
import { ThreadPool, workerFileBeside } from '../shared/thread.pool.js';

/**
 * Password hashing on its own small pool of worker threads, with a bounded queue. scrypt is
 * deliberately slow and memory-hard: on libuv's 4-thread pool it crowded out the sqlite3
 * driver, so a login flood stalled every database write (issue 12). Here it can only ever use
 * `workers` threads, and when `maxQueue` jobs already wait the caller is told at once to come
 * back later (HashPoolBusyError → 429 with Retry-After) instead of piling up.
 */
export interface ScryptJob {
  id: number;
  password: string;
  salt: Uint8Array;
  keyLen: number;
  opts: ScryptOptions;
}
export type ScryptReply = { id: number; key: Uint8Array } | { id: number; error: string };

export type ScryptRunner = (password: string, salt: Buffer, keyLen: number, opts: ScryptOptions) => Promise<Buffer>;

/**
 * A place held for one scrypt, taken before the caller's own work (looking the user up): so a
 * burst is refused before it queues on the database too. Use `run` once, or `cancel`.
 */
export interface ScryptAdmission {
  run: ScryptRunner;
  cancel(): void;
}

/** What PasswordHasher needs: admissions that may be refused (HashPoolBusyError) when busy. */
export interface ScryptBackend {
  admit(): ScryptAdmission;
}

export class HashPoolBusyError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    // 429, not 503: the server is fine; this client (or the crowd it is part of) must slow down.
    super('busy', `the server is busy checking passwords; try again in ${retryAfterSeconds} s`, 429, { params: { retryAfterSeconds } });
  }
}

export interface ScryptPoolOptions {
  /** 0: one thread on machines with up to 2 cores (detection needs the rest), else 2. */
  workers: number;
  /** Jobs allowed to wait for a thread; one more is refused. */
  maxQueue: number;
  workerFile?: string;
}

/** The compiled worker: beside this module, or in dist/ when running from .ts (vitest; build first). */
export const resolveHashWorkerFile = (moduleUrl = import.meta.url): string => workerFileBeside(moduleUrl, 'password.worker', 'auth');

export const planHashWorkers = (requested: number, cores = os.availableParallelism()) => (requested > 0 ? requested : cores <= 2 ? 1 : 2);

export class ScryptPool implements ScryptBackend {
  private readonly pool: ThreadPool;
  /** Admitted, not yet run or cancelled. */
  private held = 0;
  private closed = false;
  /** Recent time per hash, for an honest Retry-After. */
  private avgMs = 100;
  readonly size: number;
  /** Refusals since start (shown in logs and tests). */
  refused = 0;

  constructor(private readonly o: ScryptPoolOptions) {
    this.size = planHashWorkers(o.workers);
    this.pool = new ThreadPool({
      file: o.workerFile ?? resolveHashWorkerFile(),
      size: this.size,
      closedError: () => new AppError('shutting_down', 'the server is stopping', 503),
      failure: 'scrypt failed',
      thread: 'password hashing thread',
    });
  }

  admit(): ScryptAdmission {
    if (this.closed) throw new AppError('shutting_down', 'the server is stopping', 503);
    const queued = this.pool.queued;
    if (this.pool.running + queued + this.held >= this.size + this.o.maxQueue) {
      this.refused += 1;
      const waitMs = ((queued + this.held + this.size) * this.avgMs) / this.size;
      throw new HashPoolBusyError(Math.max(1, Math.ceil(waitMs / 1000)));
    }
    this.held += 1;
    let used = false;
    const use = () => {
      if (used) return false;
      used = true;
      this.held -= 1;
      return true;
    };
    return {
      run: (password, salt, keyLen, opts) => (use() ? this.hash(password, salt, keyLen, opts) : Promise.reject(new Error('scrypt admission used twice'))),
      cancel: () => void use(),
    };
  }

  private async hash(password: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
    const { reply, ms } = await this.pool.run<{ key: Uint8Array }>({ password, salt: new Uint8Array(salt), keyLen, opts });
    this.avgMs = this.avgMs * 0.8 + ms * 0.2;
    return Buffer.from(reply.key.buffer, reply.key.byteOffset, reply.key.byteLength);
  }

  /** Jobs waiting for a thread (not counting those running). */
  get queued(): number {
    return this.pool.queued;
  }

  close(): Promise<void> {
    this.closed = true;
    return this.pool.close();
  }
}
