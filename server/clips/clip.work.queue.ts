import { AppError } from '../shared/errors.js';

/** Lower runs first: someone waiting for the answer, then pinned evidence, then the rest. */
export const PRIORITY = { viewer: 0, export: 0, pin: 1, background: 2 } as const;

interface Job {
  priority: number;
  run: () => Promise<void>;
}

/**
 * The clip work that runs ffmpeg (cuts for viewing, pinned clips, exports): bounded, by
 * priority, `concurrency` at a time. A burst of events cannot start a burst of ffmpegs, and a
 * full queue answers 503 at once instead of growing without bound.
 */
export class ClipWorkQueue {
  private readonly waiting: Job[] = [];
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

  run<T>(priority: number, fn: () => Promise<T>): Promise<T> {
    if (this.waiting.length >= this.o.maxQueued) {
      return Promise.reject(
        new AppError('clip_queue_full', 'the server is busy making clips; try again in a moment', 503, { params: { queued: this.waiting.length } }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const job: Job = { priority, run: () => fn().then(resolve, reject) };
      const at = this.waiting.findIndex((j) => j.priority > priority);
      this.waiting.splice(at === -1 ? this.waiting.length : at, 0, job);
      this.maxWaiting = Math.max(this.maxWaiting, this.waiting.length);
      this.pump();
    });
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
