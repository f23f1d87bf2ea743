import os from 'node:os';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { PROJECT_ROOT } from '../version.js';
import {
  OBJECT_BACKENDS,
  isObjectBackendName,
  planWorkers,
  type DetectRequest,
  type Detection,
  type ObjectBackendName,
  type ObjectDetector,
} from './object.detector.js';
import { decodeDetections } from './object.model.js';
import { checkMinScores, resolveModel, scoreFloor, type ResolvedModel } from './object.model.resolve.js';
import { alignRegion, cropYuv420, letterboxFor, type InputShape } from './object.preprocess.js';
import type { FromWorker, WorkerBackendRequest, WorkerInit } from './object.protocol.js';
import { TimingRing, type TimingSummary } from './object.timing.js';
import { ObjectPoolDeps, ObjectPoolOptions, Raw, Ready, Slot, Task, WorkerSpawner, WorkerStats, resolveWorkerFile, spawnThread } from './object.pool.types.js';

/**
 * The object detector: a pool of worker threads, each with its own backend (ONNX Runtime or
 * tfjs) and model. The first worker picks the backend (so no runtime loads on the main thread);
 * the pool is then sized for it. A worker that dies fails its job with `worker_crashed`
 * and is replaced; callers just see the next job succeed.
 */

/**
 * Whether a region goes to the wide twin: only when it is shown there at least as large as in
 * the square input, so the cheaper inference never costs the model pixels. A 640×360 frame
 * (0.8× either way) does; a 4:3 frame or a square crop does not.
 */
export function fitsWide(region: { width: number; height: number }, square: number, wide: InputShape): boolean {
  return letterboxFor(region.width, region.height, wide).scale >= letterboxFor(region.width, region.height, square).scale;
}

export async function createObjectDetector(opts: ObjectPoolOptions, deps: ObjectPoolDeps): Promise<ObjectWorkerPool> {
  return ObjectWorkerPool.start(opts, deps);
}

export class ObjectWorkerPool implements ObjectDetector {
  backend: ObjectBackendName = 'wasm';
  workers = 0;
  detail: Record<string, unknown> = {};
  restarts = 0;
  /** Jobs that ran on the model's wide twin (the rest took the square input). */
  wideRuns = 0;
  private readonly slots = new Set<Slot>();
  private readonly pending: Task[] = [];
  private readonly timing = new TimingRing(512);
  private readonly prep = new TimingRing(512);
  private readonly crashTimes: number[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextId = 1;
  private nextSlot = 1;
  private closing = false;

  private constructor(
    private readonly opts: ObjectPoolOptions,
    private readonly log: Logger,
    private readonly spawn: WorkerSpawner,
    private readonly init: Omit<WorkerInit, 'backend'>,
    readonly model: ResolvedModel,
  ) {}

  static async start(opts: ObjectPoolOptions, deps: ObjectPoolDeps): Promise<ObjectWorkerPool> {
    const root = deps.root ?? PROJECT_ROOT;
    const model = resolveModel(opts.model ?? { type: 'centernet' }, opts.backend, { root });
    const minScores = opts.minScores ?? {};
    checkMinScores(minScores, model.labels);
    const init: Omit<WorkerInit, 'backend'> = {
      modelType: model.modelType,
      inputSize: model.inputSize,
      classes: model.labels.length,
      minScore: scoreFloor(opts.minScore, minScores),
      tfjs: model.tfjs,
      onnx: model.onnx,
      wide: model.wide,
      warmup: opts.warmup ?? true,
    };
    const pool = new ObjectWorkerPool(opts, deps.log, deps.spawn ?? spawnThread, init, model);
    try {
      await pool.boot(deps.workerFile ?? resolveWorkerFile(undefined, root));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  private workerFile = '';

  private get jobTimeoutMs(): number {
    return this.opts.jobTimeoutMs ?? 30_000;
  }

  private async boot(file: string): Promise<void> {
    this.workerFile = file;
    const first = await this.spawnSlot(this.opts.backend).ready;
    if (!isObjectBackendName(first.backend)) throw new AppError('detector_unavailable', `worker reported unknown backend ${first.backend}`, 500);
    this.backend = first.backend;
    this.detail = first.detail;
    const skipped = Array.isArray(first.detail.skipped) ? (first.detail.skipped as string[]) : [];
    if (skipped.length) this.log.warn(`object detector runs ${this.backend}, not its first choice`, { model: this.model.modelType, skipped });
    if (!OBJECT_BACKENDS[this.backend].live)
      this.log.warn(`object detector on the ${this.backend} backend, as requested: ${OBJECT_BACKENDS[this.backend].why}`);
    const cores = this.opts.cores ?? os.availableParallelism();
    const size = planWorkers(this.backend, this.opts.workers, cores);
    if (this.opts.workers > size)
      this.log.warn(`object detector runs ${size} worker(s), not ${this.opts.workers}`, { backend: this.backend, why: OBJECT_BACKENDS[this.backend].why });
    const more = Array.from({ length: size - 1 }, () => this.spawnSlot(this.backend).ready);
    await Promise.all(more);
    this.workers = size;
    this.log.info('object detector ready', {
      ...this.detail,
      backend: this.backend,
      workers: size,
      model: this.model.modelType,
      inputSize: this.model.inputSize,
      source: this.source(),
      loadMs: Math.round(first.loadMs),
    });
  }

  private spawnSlot(backend: WorkerBackendRequest): Slot {
    const worker = this.spawn(this.workerFile, { ...this.init, backend });
    let settle!: { resolve(r: Ready): void; reject(e: Error): void };
    const ready = new Promise<Ready>((resolve, reject) => (settle = { resolve, reject }));
    const slot: Slot = { id: this.nextSlot++, worker, state: 'starting', stats: new Map(), ready };
    this.slots.add(slot);
    let lastError: Error | undefined;
    worker.on('message', (msg) => {
      if (msg.type === 'ready') {
        if (slot.state !== 'starting') return;
        slot.state = 'idle';
        settle.resolve(msg);
        this.pump();
      } else if (msg.type === 'init-failed') {
        settle.reject(new AppError('detector_unavailable', msg.message, 503, { params: { tried: msg.tried } }));
        this.retire(slot);
      } else {
        this.onReply(slot, msg);
      }
    });
    worker.on('error', (err) => {
      lastError = err;
      this.log.error('object worker error', { worker: slot.id, err });
    });
    worker.on('exit', (code) => {
      if (slot.state === 'starting')
        settle.reject(
          new AppError('detector_unavailable', `object worker exited (code ${code}) while starting${lastError ? ': ' + lastError.message : ''}`, 503),
        );
      this.onExit(slot, code, lastError);
    });
    // A failed start is reported through `ready`; never leave it unhandled when nobody awaits it.
    ready.catch(() => undefined);
    return slot;
  }

  private onReply(slot: Slot, msg: FromWorker): void {
    if (msg.type === 'stats') {
      const waiter = slot.stats.get(msg.id);
      slot.stats.delete(msg.id);
      waiter?.resolve({ worker: slot.id, threadId: slot.worker.threadId, inferences: msg.inferences, ...msg.memory });
      return;
    }
    if (msg.type !== 'result' && msg.type !== 'job-failed') return;
    const task = slot.task;
    if (!task || task.id !== msg.id) {
      this.log.warn('object worker replied to a job it was not given', { worker: slot.id, id: msg.id });
      return;
    }
    slot.task = undefined;
    slot.state = 'idle';
    clearTimeout(slot.timer);
    if (msg.type === 'result') {
      this.timing.add(msg.inferMs);
      this.prep.add(msg.prepMs);
      task.resolve(msg);
    } else {
      task.reject(new AppError('detect_failed', `object detection failed: ${msg.message}`, 500));
    }
    this.pump();
  }

  private onExit(slot: Slot, code: number, lastError?: Error): void {
    // A worker that dies while starting is reported through its `ready` promise instead.
    const wasLive = slot.state === 'idle' || slot.state === 'busy';
    this.retire(slot);
    if (!wasLive || this.closing) return;
    const why = lastError ? `: ${lastError.message}` : '';
    const err = slot.timedOut
      ? new AppError('worker_timeout', `object detection worker ${slot.id} took longer than ${this.jobTimeoutMs} ms and was replaced`, 503, {
          params: { timeoutMs: this.jobTimeoutMs },
        })
      : new AppError('worker_crashed', `object detection worker ${slot.id} stopped (exit code ${code}) during a job${why}`, 503, { params: { code } });
    slot.task?.reject(err);
    slot.task = undefined;
    this.log.warn('object worker stopped; starting a replacement', { worker: slot.id, code, backend: this.backend });
    this.refill(0);
  }

  private retire(slot: Slot): void {
    slot.state = 'gone';
    clearTimeout(slot.timer);
    this.slots.delete(slot);
    for (const w of slot.stats.values()) w.reject(new AppError('worker_crashed', `object worker ${slot.id} stopped`, 503));
    slot.stats.clear();
  }

  /** Replaces a lost worker; a crash loop (or a failing start) backs off instead of spinning. */
  private refill(attempt: number): void {
    const now = Date.now();
    this.crashTimes.push(now);
    while (this.crashTimes.length && this.crashTimes[0]! < now - 60_000) this.crashTimes.shift();
    const delay = attempt > 0 ? Math.min(30_000, 1000 * 2 ** (attempt - 1)) : this.crashTimes.length > 5 ? 5000 : 0;
    // tfjs-node cannot load again in this process once its thread is gone: the replacement may come up on wasm.
    const request: WorkerBackendRequest = this.backend === 'tfjs-node' ? 'auto' : this.backend;
    const start = () => {
      if (this.closing) return;
      this.spawnSlot(request).ready.then(
        (ready) => {
          this.restarts++;
          this.log.info('object worker replaced', { backend: ready.backend, workers: this.live().length });
          if (ready.backend !== this.backend && isObjectBackendName(ready.backend)) this.switchBackend(ready);
        },
        (err: unknown) => {
          this.log.error('object worker replacement failed to start', { err, attempt });
          if (this.live().length === 0) this.failPending(new AppError('detector_unavailable', 'no object detection worker is running', 503));
          this.refill(attempt + 1);
        },
      );
    };
    if (delay === 0) return start();
    const t = setTimeout(() => {
      this.timers.delete(t);
      start();
    }, delay);
    t.unref();
    this.timers.add(t);
  }

  /** After losing tfjs-node: run the wasm pool the configuration asks for, loudly. */
  private switchBackend(ready: Ready): void {
    const from = this.backend;
    this.backend = ready.backend as ObjectBackendName;
    this.detail = ready.detail;
    const size = planWorkers(this.backend, this.opts.workers, this.opts.cores ?? os.availableParallelism());
    this.log.error(`object detector switched from ${from} to ${this.backend} until the server restarts`, { workers: size });
    this.workers = size;
    for (let i = this.slots.size; i < size; i++) {
      this.spawnSlot(this.backend).ready.catch((err: unknown) => this.log.error('object worker failed to start', { err }));
    }
  }

  private live(): Slot[] {
    return [...this.slots].filter((s) => s.state === 'idle' || s.state === 'busy');
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!this.pending.length) return;
      if (slot.state !== 'idle') continue;
      const task = this.pending.shift()!;
      slot.state = 'busy';
      slot.task = task;
      slot.worker.postMessage({ type: 'detect', id: task.id, width: task.width, height: task.height, yuv: task.yuv, wide: task.wide }, [task.yuv]);
      slot.timer = setTimeout(() => {
        slot.timedOut = true;
        this.log.error('object worker hung on a job; replacing it', { worker: slot.id, timeoutMs: this.jobTimeoutMs });
        void slot.worker.terminate();
      }, this.jobTimeoutMs);
      slot.timer.unref();
    }
  }

  private failPending(err: Error): void {
    for (const t of this.pending.splice(0)) t.reject(err);
  }

  async detect(requests: readonly DetectRequest[]): Promise<Detection[]> {
    if (this.closing) throw new AppError('detector_closed', 'the object detector is closed', 503);
    // Cut every region now (the only copy), so the caller's frame is not needed after this call returns.
    const jobs = requests.map((r, i) => {
      const region = alignRegion(r.frame.width, r.frame.height, r.region);
      try {
        return { region, crop: cropYuv420(r.frame, region) };
      } catch (err) {
        throw new AppError('region_invalid', `detect request ${i}: ${err instanceof Error ? err.message : String(err)}`, 400, {
          field: `requests.${i}.region`,
        });
      }
    });
    const size = this.init.inputSize;
    const wide = this.init.wide;
    const raws = await Promise.all(
      jobs.map(({ crop }) => this.run(crop.width, crop.height, crop.data.buffer as ArrayBuffer, wide !== null && fitsWide(crop, size, wide))),
    );
    const decode = { minScore: this.opts.minScore, minScores: this.opts.minScores, labels: this.model.labels, iouThreshold: this.model.iouThreshold };
    return raws.flatMap((r, i) => {
      const { region, crop } = jobs[i]!;
      if (r.wide) this.wideRuns++;
      return decodeDetections(r.raw, letterboxFor(crop.width, crop.height, r.wide && wide ? wide : size), region, i, decode);
    });
  }

  private run(width: number, height: number, yuv: ArrayBuffer, wide: boolean): Promise<Raw> {
    return new Promise<Raw>((resolve, reject) => {
      this.pending.push({ id: this.nextId++, width, height, yuv, wide, resolve, reject });
      this.pump();
    });
  }

  /** Tensor count and wasm heap measured inside each live worker (between jobs). */
  async memoryStats(): Promise<WorkerStats[]> {
    const asks = this.live().map(
      (slot) =>
        new Promise<WorkerStats>((resolve, reject) => {
          const id = this.nextId++;
          slot.stats.set(id, { resolve, reject });
          slot.worker.postMessage({ type: 'stats', id });
        }),
    );
    return (await Promise.all(asks)).sort((a, b) => a.worker - b.worker);
  }

  /** Model inference and pre-processing times of recent jobs, measured in the workers. */
  timings(): { inferMs: TimingSummary; prepMs: TimingSummary } {
    return { inferMs: this.timing.summary(), prepMs: this.prep.summary() };
  }

  /** Starts the timing window afresh (benchmarks drop their warm-up). */
  resetTimings(): void {
    this.timing.clear();
    this.prep.clear();
  }

  /** For health/status displays and logs. */
  describe(): {
    backend: string;
    workers: number;
    live: number;
    model: string;
    inputSize: number;
    source: string;
    restarts: number;
    wideRuns: number;
    detail: Record<string, unknown>;
  } {
    const { backend, workers, restarts, wideRuns, detail } = this;
    return {
      backend,
      workers,
      live: this.live().length,
      model: this.model.modelType,
      inputSize: this.model.inputSize,
      source: this.source(),
      restarts,
      wideRuns,
      detail,
    };
  }

  /** Where the running backend's weights came from: the ONNX file, or the npm package of the tfjs graph. */
  private source(): string {
    return (this.backend === 'onnx' ? this.model.sources.onnx : this.model.sources.tfjs) ?? '?';
  }

  async close(): Promise<void> {
    if (this.closing && this.slots.size === 0) return;
    this.closing = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const closed = new AppError('detector_closed', 'the object detector was closed', 503);
    this.failPending(closed);
    const slots = [...this.slots];
    for (const s of slots) {
      s.task?.reject(closed);
      s.task = undefined;
      this.retire(s);
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
