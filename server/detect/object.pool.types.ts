import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { PROJECT_ROOT } from '../version.js';
import type { ObjectBackendChoice } from './object.detector.js';
import type { ModelChoice } from './object.model.resolve.js';
import type { FromWorker, ToWorker, WorkerInit, WorkerMemory } from './object.protocol.js';

/** The worker pool's options, its worker port and the bookkeeping shapes (object.pool.ts runs them). */

/** The part of node:worker_threads' Worker the pool uses (tests wrap it to kill workers). */
export interface WorkerLike {
  readonly threadId: number;
  postMessage(msg: ToWorker, transfer?: ArrayBuffer[]): void;
  on(event: 'message', fn: (msg: FromWorker) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  on(event: 'exit', fn: (code: number) => void): unknown;
  terminate(): Promise<number>;
}
export type WorkerSpawner = (file: string, init: WorkerInit) => WorkerLike;
export const spawnThread: WorkerSpawner = (file, init) => new Worker(file, { workerData: init });

export interface ObjectPoolOptions {
  backend: ObjectBackendChoice;
  /** 0 = cores − 1 (at least 1); tfjs-node always runs one. */
  workers: number;
  minScore: number;
  /** Per-label minimum scores; labels not named use minScore. */
  minScores?: Readonly<Record<string, number>>;
  /** Default: CenterNet at 512 (ONNX when models/build/centernet.onnx exists, else tfjs). */
  model?: ModelChoice;
  cores?: number;
  /** One blank inference per worker before it counts as ready (default true). */
  warmup?: boolean;
  /** A job running longer is taken as a hung worker: the worker is replaced and the job fails with `worker_timeout` (default 30 s). */
  jobTimeoutMs?: number;
}
export interface ObjectPoolDeps {
  log: Logger;
  spawn?: WorkerSpawner;
  root?: string;
  /** The compiled worker entry; default: found beside this module or in dist/ (see resolveWorkerFile). */
  workerFile?: string;
}

export interface WorkerStats extends WorkerMemory {
  worker: number;
  threadId: number;
  inferences: number;
}
export interface Raw {
  raw: Float32Array;
  inferMs: number;
  prepMs: number;
  /** The job ran on the model's wide twin. */
  wide: boolean;
}
export interface Task {
  id: number;
  width: number;
  height: number;
  yuv: ArrayBuffer;
  /** The region fits the wide twin (see fitsWide). */
  wide: boolean;
  resolve(r: Raw): void;
  reject(e: Error): void;
}
export interface Ready {
  backend: string;
  detail: Record<string, unknown>;
  loadMs: number;
}
export interface Slot {
  id: number;
  worker: WorkerLike;
  state: 'starting' | 'idle' | 'busy' | 'gone';
  task?: Task;
  /** Set when the pool itself stopped the worker because its job ran too long. */
  timer?: NodeJS.Timeout;
  timedOut?: boolean;
  stats: Map<number, { resolve(s: WorkerStats): void; reject(e: Error): void }>;
  ready: Promise<Ready>;
}

export function resolveWorkerFile(moduleUrl = import.meta.url, root = PROJECT_ROOT): string {
  const here = fileURLToPath(moduleUrl);
  // Compiled: the worker sits beside this module. Under vitest (.ts) it is taken from dist/ (build first).
  const file = here.endsWith('.js') ? path.join(path.dirname(here), 'object.worker.js') : path.join(root, 'dist', 'server', 'detect', 'object.worker.js');
  if (!existsSync(file))
    throw new AppError('detector_build_missing', `${file} not found: detector workers run compiled JavaScript; run npm run build:server`, 500, {
      params: { file },
    });
  return file;
}
