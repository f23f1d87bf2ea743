import { AppError } from '../shared/errors.js';

/** Lower runs first: someone waiting for the answer, then pinned evidence, then the rest. */
export const PRIORITY = { viewer: 0, export: 0, pin: 1, background: 2 } as const;

/** Clip work cut short by a server stop: the row stays retryable and the work resumes at the next start. */
export const serverStopping = () => new AppError('server_stopping', 'the server is stopping; the clip is kept and is made when the server is back', 503);
export const isServerStopping = (err: unknown) => err instanceof AppError && err.code === 'server_stopping';

/** Throws serverStopping() once the queue was closed (between the steps of a job). */
export function throwIfStopping(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw serverStopping();
}

interface Job {
  priority: number;
  run: () => Promise<void>;
  cancel: () => void;
}

/**
 * The clip work that runs ffmpeg (cuts for viewing, pinned clips, exports): bounded, by
 * priority, `concurrency` at a time. A burst of events cannot start a burst of ffmpegs, and a
 * full queue answers 503 at once instead of growing without bound. Each job gets an
 * AbortSignal: `close()` (server stop) kills the ffmpeg of running jobs and refuses waiting
 * ones, so a long export never holds a stop past its grace (issue 19 item 9).
 */
export class ClipWorkQueue {
  private readonly waiting: Job[] = [];
  private readonly stop = new AbortController();
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  /** Most jobs ever waiting at once (bench). */
  maxWaiting = 0;

  constructor(private readonly o: { maxQueued: number; concurrency?: number }) {}

  get queued(): number {
    return this.waiting.length;
  }

  get active(): number {
    return this.running;
  }

  run<T>(priority: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.stop.signal.aborted) return Promise.reject(serverStopping());
    if (this.waiting.length >= this.o.maxQueued) {
      return Promise.reject(
        new AppError('clip_queue_full', 'the server is busy making clips; try again in a moment', 503, { params: { queued: this.waiting.length } }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const job: Job = { priority, run: () => fn(this.stop.signal).then(resolve, reject), cancel: () => reject(serverStopping()) };
      const at = this.waiting.findIndex((j) => j.priority > priority);
      this.waiting.splice(at === -1 ? this.waiting.length : at, 0, job);
      this.maxWaiting = Math.max(this.maxWaiting, this.waiting.length);
      this.pump();
    });
  }

  /** Server stop: running jobs are aborted (their ffmpeg killed), waiting ones refused; resolves once none runs. */
  async close(): Promise<void> {
    this.stop.abort();
    this.waiting.splice(0).forEach((j) => j.cancel());
    await this.idle();
  }

  /** Resolves once nothing runs or waits. */
  idle(): Promise<void> {
    if (!this.running && !this.waiting.length) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < (this.o.concurrency ?? 1) && this.waiting.length) {
      const job = this.waiting.shift()!;
      this.running++;
      void job.run().finally(() => {
        this.running--;
        this.pump();
        if (!this.running && !this.waiting.length) this.idleWaiters.splice(0).forEach((r) => r());
      });
    }
  }
}
