/**
 * Messages between the object pool (main thread) and object.worker.ts. Plain data only:
 * pixels travel as transferred ArrayBuffers, so nothing is copied between threads.
 */

/** Backends a worker can load; `auto` = tfjs-node when it loads, else wasm (never cpu). */
export type WorkerBackendRequest = 'auto' | 'tfjs-node' | 'wasm' | 'cpu';

export interface WorkerInit {
  backend: WorkerBackendRequest;
  modelJson: string;
  weights: string[];
  inputName: string;
  outputName: string;
  inputSize: number;
  /** Folder holding tfjs-backend-wasm's .wasm binaries (from node_modules). */
  wasmDir: string;
  /** Run one inference on a blank input before reporting ready (kernels compiled, heap grown). */
  warmup: boolean;
}

export interface WorkerMemory {
  numTensors: number;
  numBytes: number;
  /** Size of the WebAssembly heap (wasm backend only; it grows and never shrinks). */
  wasmHeapBytes: number | null;
}

export type ToWorker =
  | { type: 'detect'; id: number; width: number; height: number; yuv: ArrayBuffer }
  | { type: 'stats'; id: number };

export type FromWorker =
  | { type: 'ready'; backend: string; detail: Record<string, unknown>; loadMs: number; memory: WorkerMemory }
  | { type: 'init-failed'; message: string; tried: string[] }
  | { type: 'result'; id: number; raw: Float32Array; inferMs: number; prepMs: number }
  | { type: 'job-failed'; id: number; message: string }
  | { type: 'stats'; id: number; memory: WorkerMemory; inferences: number };
