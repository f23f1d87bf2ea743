import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PROJECT_ROOT } from '../version.js';

/**
 * A small pool of worker threads running one job each, for CPU work that must stay off the
 * event loop (password hashing, snapshot encoding). Threads start on first use, so a CLI
 * command or a server that never needs them starts none. Jobs beyond the free threads wait in
 * order; the callers bound that wait themselves. A thread that dies fails its job and leaves
 * its place to a new one, started when the next job needs it.
 *
 * A job is posted with an `id`; the thread answers `{ id, error }` or its result with that id.
 */
export interface ThreadPoolOptions {
  file: string;
  size: number;
  workerData?: unknown;
  /** Rejects what is waiting or running when the pool closes. */
  closedError(): Error;
  /** What a failed job's error says before the thread's message, e.g. "scrypt failed". */
  failure: string;
  /** The threads' name in errors, e.g. "password hashing thread". */
  thread: string;
  /** A thread died (its job fails with the same error). */
  onThreadError?(err: Error): void;
}

export type ThreadReply = { id: number; error: string } | ({ id: number } & Record<string, unknown>);

interface Pending {
  job: { id: number };
  transfer: ArrayBuffer[];
  resolve(reply: ThreadReply, ms: number): void;
  reject(e: Error): void;
  startedAt?: number;
}
interface Slot {
  worker: Worker;
  busy?: Pending;
}

/** A compiled worker file: beside `moduleUrl`, or under dist/ when running from .ts (vitest; build first). */
export function workerFileBeside(moduleUrl: string, name: string, folder: string): string {
  const here = fileURLToPath(moduleUrl);
  return here.endsWith('.js') ? path.join(path.dirname(here), `${name}.js`) : path.join(PROJECT_ROOT, 'dist', 'server', folder, `${name}.js`);
}

export class ThreadPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly o: ThreadPoolOptions) {}

  /** Resolves with the thread's answer and how long it ran (ms, from dispatch). */
  run<R extends object>(payload: object, transfer: ArrayBuffer[] = []): Promise<{ reply: R; ms: number }> {
    if (this.closed) return Promise.reject(this.o.closedError());
    return new Promise((resolve, reject) => {
      const p: Pending = { job: { ...payload, id: this.nextId++ }, transfer, resolve: (reply, ms) => resolve({ reply: reply as unknown as R, ms }), reject };
      const idle = this.idleSlot();
      if (idle) this.dispatch(idle, p);
      else this.queue.push(p);
    });
  }

  /** Jobs waiting for a thread (not counting those running). */
  get queued(): number {
    return this.queue.length;
  }

  get running(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  /** Whether a job would start now rather than wait. */
  get hasIdle(): boolean {
    return this.slots.some((s) => !s.busy) || this.slots.length < this.o.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(this.o.closedError());
    const slots = this.slots.splice(0);
    for (const s of slots) s.busy?.reject(this.o.closedError());
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private idleSlot(): Slot | undefined {
    return this.slots.find((s) => !s.busy) ?? (this.slots.length < this.o.size ? this.spawn() : undefined);
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.o.file, { workerData: this.o.workerData }) };
    slot.worker.unref();
    slot.worker.on('message', (m: ThreadReply) => this.onReply(slot, m));
    const fail = (err: Error) => {
      const at = this.slots.indexOf(slot);
      if (at < 0) return; // 'error' is followed by 'exit', and close() terminates: handle the end once
      this.slots.splice(at, 1);
      this.o.onThreadError?.(err);
      slot.busy?.reject(err);
      slot.busy = undefined;
      const next = this.queue.shift();
      if (next && !this.closed) this.dispatch(this.idleSlot()!, next);
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`${this.o.thread} exited (${code})`)));
    this.slots.push(slot);
    return slot;
  }

  private dispatch(slot: Slot, p: Pending): void {
    slot.busy = p;
    p.startedAt = performance.now();
    slot.worker.postMessage(p.job, p.transfer);
  }

  private onReply(slot: Slot, m: ThreadReply): void {
    const p = slot.busy;
    slot.busy = undefined;
    if (p && p.job.id === m.id) {
      if ('error' in m && typeof m.error === 'string') p.reject(new Error(`${this.o.failure}: ${m.error}`));
      else p.resolve(m, performance.now() - (p.startedAt ?? 0));
    }
    const next = this.queue.shift();
    if (next) this.dispatch(slot, next);
  }
}
