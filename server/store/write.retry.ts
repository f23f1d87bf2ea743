import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';
import type { RecordingRepository } from './recording.repository.js';

export interface WriteCounters {
  /** Writes waiting for the database right now (first attempt failed, not yet through). */
  queued: number;
  /** Most writes waiting at once. */
  queuedMax: number;
  /** Attempts that failed for a transient reason and were tried again. */
  retried: number;
  /** Writes given up after maxWaitMs (logged with what was lost). */
  failed: number;
}

/** SQLite locked beyond its busy timeout, or no pooled connection in time: the database will answer later. */
export function isTransientDbError(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.name === 'KnexTimeoutError') return true;
  if (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED') return true;
  return /SQLITE_BUSY|SQLITE_LOCKED|database is locked/.test(e.message ?? '');
}

/**
 * `urgent`: what the police wait for (an event with its alert). `background`: progress, the
 * recording index, clip rows — they may land a moment later.
 */
export type WritePriority = 'urgent' | 'background';

/**
 * At most `slots` background writes handed to the database at once; urgent ones never wait
 * here. The database's own queue is first come, first served: on SQLite's one connection, 30
 * event updates queued ahead of an alert made it wait seconds (bench, 32 cameras). With one
 * background write in the queue at a time, an alert waits for at most that one.
 */
export class WriteGate {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly slots: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    }
  }

  /** Background writes waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
}

/**
 * Pipeline writes (event lifecycle, recording index, clip rows) that must not be dropped
 * (issue 19 item 5): a write failing for a transient reason is tried again with the same
 * arguments — its timestamps were taken when the thing happened, not when the write finally
 * lands — with backoff, for up to maxWaitMs. Callers await it, so the order of one camera's or
 * one track's writes is kept. Other errors (constraint, bad SQL) are not retried.
 */
export class WriteRetry {
  readonly counters: WriteCounters = { queued: 0, queuedMax: 0, retried: 0, failed: 0 };

  constructor(private readonly d: { clock: Clock; log: Logger; backoffMs?: number[]; maxWaitMs?: number; gate?: WriteGate }) {}

  /** Writes not through yet: retrying after a transient failure, or waiting for a background slot. */
  get waiting(): number {
    return this.counters.queued + (this.d.gate?.queued ?? 0);
  }

  async run<T>(what: string, fn: () => Promise<T>, priority: WritePriority = 'background'): Promise<T> {
    const backoff = this.d.backoffMs ?? [100, 250, 500, 1000, 2000, 5000];
    const started = this.d.clock.now();
    const gate = priority === 'background' ? this.d.gate : undefined;
    let queued = false;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          // Per attempt: a write waiting out its backoff holds no slot.
          return await (gate ? gate.run(fn) : fn());
        } catch (err) {
          if (!isTransientDbError(err)) throw err;
          if (this.d.clock.now() - started >= (this.d.maxWaitMs ?? 600_000)) {
            this.counters.failed++;
            this.d.log.error('database write given up after retries', { what, attempts: attempt + 1, err });
            throw err;
          }
          if (!queued) {
            queued = true;
            this.counters.queued++;
            this.counters.queuedMax = Math.max(this.counters.queuedMax, this.counters.queued);
            this.d.log.warn('database busy, write queued for retry', { what, err });
          }
          this.counters.retried++;
          const wait = backoff[Math.min(attempt, backoff.length - 1)]!;
          await new Promise<void>((resolve) => this.d.clock.setTimeout(resolve, wait));
        }
      }
    } finally {
      if (queued) this.counters.queued--;
    }
  }
}

/**
 * The recording index as ingest sees it, with its inserts retried: a segment is indexed at the
 * time it was recorded even when the database was locked for a minute (the recorder awaits
 * the insert, so a later segment is never indexed before it).
 */
export function retryingRecordings(repo: RecordingRepository, writes: WriteRetry): RecordingRepository {
  const r = Object.create(repo) as RecordingRepository;
  r.add = (rec, opts) => writes.run('recording index', () => repo.add(rec, opts));
  return r;
}
