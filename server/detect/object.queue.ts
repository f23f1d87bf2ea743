import type { Logger } from '../shared/log.js';
import type { DetectRequest, Detection, ObjectDetector } from './object.detector.js';

/**
 * One detection queue for all cameras, in front of the object detector. Freshness beats
 * completeness: the newest work goes first, a camera has at most one job waiting (a newer
 * frame replaces it), work older than `staleMs` is dropped, and each camera is capped at
 * `maxPerCameraPerSecond` inferences. Every dropped region is counted, per camera, so a
 * benchmark can tell held load from load shed. The queue never holds more than one job
 * per camera, so it cannot grow without bound.
 */

export interface DetectJob {
  cameraId: number;
  /** Capture time of the frame (epoch ms, same clock as `now`). */
  capturedAt: number;
  /** Something new or a track waiting for its confirming hit: runs before periodic re-checks (an alert waits on it). */
  urgent?: boolean;
  /** Regions of that frame; with the per-camera cap, earlier requests have priority. */
  requests: DetectRequest[];
}

export type DropReason = 'stale' | 'cap' | 'superseded' | 'closed';

export type JobOutcome =
  | { status: 'done'; detections: Detection[]; analysed: number; capped: number }
  | { status: 'dropped'; reason: DropReason; detections: [] }
  | { status: 'failed'; error: Error; detections: [] };

/** Counts of regions (one region = one inference), per camera. */
export interface CameraQueueStats {
  requested: number;
  done: number;
  droppedStale: number;
  droppedCap: number;
  /** Waiting work replaced by a newer frame of the same camera. */
  droppedSuperseded: number;
  droppedClosed: number;
  failed: number;
}

export interface DetectionQueueOptions {
  maxPerCameraPerSecond: number;
  staleMs: number;
  /** Regions handed to the detector at once (default: its worker count). */
  maxInFlight?: number;
}

export interface DetectionQueueDeps {
  detector: Pick<ObjectDetector, 'detect' | 'workers'>;
  log: Logger;
  now?: () => number;
}

interface Waiting {
  job: DetectJob;
  resolve(o: JobOutcome): void;
}

const ahead = (a: DetectJob, b: DetectJob): boolean => (!!a.urgent === !!b.urgent ? a.capturedAt > b.capturedAt : !!a.urgent);

const emptyStats = (): CameraQueueStats => ({ requested: 0, done: 0, droppedStale: 0, droppedCap: 0, droppedSuperseded: 0, droppedClosed: 0, failed: 0 });

/** A token bucket per camera: `rate` tokens a second, holding at most one second's worth (at least 1). */
class Budget {
  private tokens: number;
  private at: number;
  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.tokens = this.burst;
    this.at = now;
  }
  private get burst(): number {
    return Math.max(1, this.rate);
  }
  available(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    return this.tokens;
  }
  take(wanted: number, now: number): number {
    const granted = Math.min(wanted, Math.floor(this.available(now)));
    this.tokens -= granted;
    return granted;
  }
}

export class DetectionQueue {
  private readonly waiting = new Map<number, Waiting>();
  private readonly perCamera = new Map<number, CameraQueueStats>();
  private readonly budgets = new Map<number, Budget>();
  private readonly now: () => number;
  private inFlight = 0;
  private readonly running = new Set<Promise<void>>();
  private sweep: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly opts: DetectionQueueOptions,
    private readonly deps: DetectionQueueDeps,
  ) {
    this.now = deps.now ?? Date.now;
  }

  private get capacity(): number {
    return Math.max(1, this.opts.maxInFlight ?? this.deps.detector.workers);
  }

  /** Resolves when the job ran, or was dropped (with the reason); it never rejects. */
  submit(job: DetectJob): Promise<JobOutcome> {
    const stats = this.statsFor(job.cameraId);
    const n = job.requests.length;
    stats.requested += n;
    return new Promise<JobOutcome>((resolve) => {
      const waiting: Waiting = { job, resolve };
      const now = this.now();
      if (this.closed) return this.drop(waiting, 'closed');
      if (n === 0) return resolve({ status: 'done', detections: [], analysed: 0, capped: 0 });
      if (now - job.capturedAt > this.opts.staleMs) return this.drop(waiting, 'stale');
      // Out of budget now: drop at once rather than hold work we are not allowed to run.
      if (this.budget(job.cameraId).available(now) < 1) return this.drop(waiting, 'cap');
      const older = this.waiting.get(job.cameraId);
      if (older && older.job.capturedAt > job.capturedAt) return this.drop(waiting, 'superseded');
      if (older) this.drop(older, 'superseded');
      this.waiting.set(job.cameraId, waiting);
      this.pump();
      this.armSweep();
    });
  }

  stats(cameraId: number): CameraQueueStats {
    return { ...(this.perCamera.get(cameraId) ?? emptyStats()) };
  }

  allStats(): Map<number, CameraQueueStats> {
    return new Map([...this.perCamera].map(([id, s]) => [id, { ...s }]));
  }

  totals(): CameraQueueStats {
    const t = emptyStats();
    for (const s of this.perCamera.values()) for (const k of Object.keys(t) as (keyof CameraQueueStats)[]) t[k] += s[k];
    return t;
  }

  get waitingJobs(): number {
    return this.waiting.size;
  }

  get regionsInFlight(): number {
    return this.inFlight;
  }

  /** Drops waiting jobs and waits for running ones; the detector itself is closed by its owner. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sweep) clearTimeout(this.sweep);
    for (const w of [...this.waiting.values()]) this.drop(w, 'closed');
    this.waiting.clear();
    await Promise.all([...this.running]);
  }

  private pump(): void {
    while (this.inFlight < this.capacity && this.waiting.size) {
      const next = this.newest()!;
      this.waiting.delete(next.job.cameraId);
      const now = this.now();
      if (now - next.job.capturedAt > this.opts.staleMs) {
        this.drop(next, 'stale');
        continue;
      }
      const n = next.job.requests.length;
      const granted = this.budget(next.job.cameraId).take(n, now);
      if (granted === 0) {
        this.drop(next, 'cap');
        continue;
      }
      this.statsFor(next.job.cameraId).droppedCap += n - granted;
      this.start(next, granted, n - granted);
    }
  }

  private start(w: Waiting, granted: number, capped: number): void {
    const stats = this.statsFor(w.job.cameraId);
    this.inFlight += granted;
    const run = this.deps.detector
      .detect(w.job.requests.slice(0, granted))
      .then(
        (detections) => {
          stats.done += granted;
          w.resolve({ status: 'done', detections, analysed: granted, capped });
        },
        (err: unknown) => {
          stats.failed += granted;
          const error = err instanceof Error ? err : new Error(String(err));
          this.deps.log.warn('object detection job failed', { cameraId: w.job.cameraId, regions: granted, err: error });
          w.resolve({ status: 'failed', error, detections: [] });
        },
      )
      .finally(() => {
        this.inFlight -= granted;
        this.running.delete(run);
        if (!this.closed) this.pump();
      });
    this.running.add(run);
  }

  /** Urgent work first, then the newest capture; among equals, the camera that has waited longest (Map order). */
  private newest(): Waiting | undefined {
    let best: Waiting | undefined;
    for (const w of this.waiting.values()) if (!best || ahead(w.job, best.job)) best = w;
    return best;
  }

  private drop(w: Waiting, reason: DropReason): void {
    const stats = this.statsFor(w.job.cameraId);
    const n = w.job.requests.length;
    if (reason === 'stale') stats.droppedStale += n;
    else if (reason === 'cap') stats.droppedCap += n;
    else if (reason === 'superseded') stats.droppedSuperseded += n;
    else stats.droppedClosed += n;
    w.resolve({ status: 'dropped', reason, detections: [] });
  }

  /** Waiting work can go stale while the detector is busy: drop it on time, not on the next submit. */
  private armSweep(): void {
    if (this.sweep || this.closed || !this.waiting.size) return;
    const oldest = Math.min(...[...this.waiting.values()].map((w) => w.job.capturedAt));
    const delay = Math.max(0, oldest + this.opts.staleMs + 1 - this.now());
    this.sweep = setTimeout(() => {
      this.sweep = undefined;
      const now = this.now();
      for (const w of [...this.waiting.values()]) {
        if (now - w.job.capturedAt > this.opts.staleMs) {
          this.waiting.delete(w.job.cameraId);
          this.drop(w, 'stale');
        }
      }
      this.armSweep();
    }, delay);
    this.sweep.unref();
  }

  private statsFor(cameraId: number): CameraQueueStats {
    let s = this.perCamera.get(cameraId);
    if (!s) this.perCamera.set(cameraId, (s = emptyStats()));
    return s;
  }

  private budget(cameraId: number): Budget {
    let b = this.budgets.get(cameraId);
    if (!b) this.budgets.set(cameraId, (b = new Budget(this.opts.maxPerCameraPerSecond, this.now())));
    return b;
  }
}
