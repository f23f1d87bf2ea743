import type { Box } from '../domain/frame.js';
import type { Detection } from './object.model.js';
import type { Yuv420Image } from './object.preprocess.js';

export type { Detection };

/**
 * The object detector seen from the pipeline: regions of frames in, labelled boxes in frame
 * pixels out. Implementations are registered by backend name below; they all run in
 * object.pool.ts (worker threads), which picks the backend at run time.
 */

export interface DetectRequest {
  /** The yuv420p frame the region is cut from (ingest's Frame fits). It is only read, and only during detect(). */
  frame: Yuv420Image;
  /** Region in frame pixels; whole frame when omitted. Widened to even pixels (chroma is 2×2). */
  region?: Box;
}

export interface ObjectDetector {
  /** The backend that actually runs, e.g. "wasm". */
  readonly backend: string;
  /** How many inferences can run at once. */
  readonly workers: number;
  /** Detections of all requests, boxes in frame pixels, each tagged with its request's index. */
  detect(requests: readonly DetectRequest[]): Promise<Detection[]>;
  close(): Promise<void>;
}

export type ObjectBackendName = 'onnx' | 'tfjs-node' | 'wasm' | 'cpu';
/** What config.detect.backend (and tests) may ask for. */
export type ObjectBackendChoice = 'auto' | ObjectBackendName;

export interface ObjectBackendSpec {
  name: ObjectBackendName;
  /** Most worker threads that make sense for this backend in one process. */
  maxWorkers: number;
  /** May run live detection; `cpu` is ~30× slower and only runs when asked for by name. */
  live: boolean;
  /** Workers when the configuration says 0. */
  defaultWorkers(cores: number): number;
  why: string;
}

/** The registry, keyed by backend name (the worker side opens them in object.runtime.ts). */
export const OBJECT_BACKENDS: Readonly<Record<ObjectBackendName, ObjectBackendSpec>> = {
  onnx: {
    name: 'onnx',
    maxWorkers: 64,
    live: true,
    // One per core: measured in the commune bench (24 cameras, 2 cores), 2 workers ran 23.8
    // model calls/s against 17.9 with one, dropping 1 % of the work instead of 8 %; ffmpeg and
    // motion still got their share, each session being a single thread.
    defaultWorkers: (cores) => Math.max(1, cores),
    why: 'one ONNX Runtime session per worker with one intra-op thread and spinning off (two threads did not help on busy cores), so parallelism is a pool of workers',
  },
  'tfjs-node': {
    name: 'tfjs-node',
    maxWorkers: 1,
    live: true,
    defaultWorkers: () => 1,
    why: 'libtensorflow is multithreaded itself and cannot load in a second worker thread ("Module did not self-register")',
  },
  wasm: {
    name: 'wasm',
    maxWorkers: 64,
    live: true,
    defaultWorkers: (cores) => defaultWorkerCount(cores),
    why: 'single-threaded in Node (tfjs 4.22 forces wasm threads off), so parallelism is a pool of workers, each with its own backend and model',
  },
  cpu: {
    name: 'cpu',
    maxWorkers: 64,
    live: false,
    defaultWorkers: (cores) => defaultWorkerCount(cores),
    why: 'pure JavaScript, about 5 s per 512×512 inference: tests and diagnosis only',
  },
};

export const isObjectBackendName = (v: string): v is ObjectBackendName => Object.hasOwn(OBJECT_BACKENDS, v);

/** Default pool size of the slower backends: one core stays free for ffmpeg, motion and the server. */
export const defaultWorkerCount = (cores: number): number => Math.max(1, cores - 1);

/** Workers to run for a backend: the configured count (0 = default), bounded by what the backend allows. */
export function planWorkers(backend: ObjectBackendName, configured: number, cores: number): number {
  const wanted = configured > 0 ? configured : OBJECT_BACKENDS[backend].defaultWorkers(cores);
  return Math.max(1, Math.min(wanted, OBJECT_BACKENDS[backend].maxWorkers));
}
