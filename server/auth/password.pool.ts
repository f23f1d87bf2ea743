import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ScryptOptions } from 'node:crypto';
import { AppError } from '../shared/errors.js';
import { PROJECT_ROOT } from '../version.js';

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

interface Pending {
  job: ScryptJob;
  resolve(b: Buffer): void;
  reject(e: Error): void;
  startedAt?: number;
}
interface Slot {
  worker: Worker;
  busy?: Pending;
}

/** The compiled worker: beside this module, or in dist/ when running from .ts (vitest; build first). */
export function resolveHashWorkerFile(moduleUrl = import.meta.url): string {
  const here = fileURLToPath(moduleUrl);
  return here.endsWith('.js') ? path.join(path.dirname(here), 'password.worker.js') : path.join(PROJECT_ROOT, 'dist', 'server', 'auth', 'password.worker.js');
}

export const planHashWorkers = (requested: number, cores = os.availableParallelism()) => (requested > 0 ? requested : cores <= 2 ? 1 : 2);

export class ScryptPool implements ScryptBackend {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  /** Admitted, not yet run or cancelled. */
  private held = 0;
  private nextId = 1;
  private closed = false;
  /** Recent time per hash, for an honest Retry-After. */
  private avgMs = 100;
  readonly size: number;
  private readonly file: string;
  /** Refusals since start (shown in logs and tests). */
  refused = 0;

  constructor(private readonly o: ScryptPoolOptions) {
    this.size = planHashWorkers(o.workers);
    this.file = o.workerFile ?? resolveHashWorkerFile();
  }

  admit(): ScryptAdmission {
    if (this.closed) throw new AppError('shutting_down', 'the server is stopping', 503);
    const running = this.slots.filter((sl) => sl.busy).length;
    if (running + this.queue.length + this.held >= this.size + this.o.maxQueue) {
      this.refused += 1;
      const waitMs = ((this.queue.length + this.held + this.size) * this.avgMs) / this.size;
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
      run: (password, salt, keyLen, opts) => (use() ? this.enqueue(password, salt, keyLen, opts) : Promise.reject(new Error('scrypt admission used twice'))),
      cancel: () => void use(),
    };
  }

  private enqueue(password: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
    if (this.closed) return Promise.reject(new AppError('shutting_down', 'the server is stopping', 503));
    return new Promise<Buffer>((resolve, reject) => {
      const p: Pending = { job: { id: this.nextId++, password, salt: new Uint8Array(salt), keyLen, opts }, resolve, reject };
      const idle = this.idleSlot();
      if (idle) this.dispatch(idle, p);
      else this.queue.push(p);
    });
  }

  /** Jobs waiting for a thread (not counting those running). */
  get queued(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopping = () => new AppError('shutting_down', 'the server is stopping', 503);
    for (const p of this.queue.splice(0)) p.reject(stopping());
    const slots = this.slots.splice(0);
    for (const s of slots) s.busy?.reject(stopping());
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private idleSlot(): Slot | undefined {
    const free = this.slots.find((s) => !s.busy);
    if (free) return free;
    return this.slots.length < this.size ? this.spawn() : undefined;
  }

  /** Threads start on first use, so a CLI command or a server nobody signs in to starts none. */
  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.file) };
    slot.worker.unref();
    slot.worker.on('message', (m: ScryptReply) => this.onReply(slot, m));
    const fail = (err: Error) => {
      const at = this.slots.indexOf(slot);
      if (at < 0) return; // 'error' is followed by 'exit': handle the thread's end once
      this.slots.splice(at, 1);
      slot.busy?.reject(err);
      slot.busy = undefined;
      const next = this.queue.shift();
      if (next && !this.closed) this.dispatch(this.idleSlot()!, next);
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`password hashing thread exited (${code})`)));
    this.slots.push(slot);
    return slot;
  }

  private dispatch(slot: Slot, p: Pending): void {
    slot.busy = p;
    p.startedAt = performance.now();
    slot.worker.postMessage(p.job);
  }

  private onReply(slot: Slot, m: ScryptReply): void {
    const p = slot.busy;
    slot.busy = undefined;
    if (p && p.job.id === m.id) {
      this.avgMs = this.avgMs * 0.8 + (performance.now() - (p.startedAt ?? 0)) * 0.2;
      if ('key' in m) p.resolve(Buffer.from(m.key.buffer, m.key.byteOffset, m.key.byteLength));
      else p.reject(new Error(`scrypt failed: ${m.error}`));
    }
    const next = this.queue.shift();
    if (next) this.dispatch(slot, next);
  }
}
