/**
 * Messages between the object pool (main thread) and object.worker.ts. Plain data only:
 * pixels travel as transferred ArrayBuffers, so nothing is copied between threads.
 */

import type { ModelTypeName } from './object.models.js';

/** Backends a worker can load; `auto` = onnx when it loads, else tfjs-node, else wasm (never cpu). */
export type WorkerBackendRequest = 'auto' | 'onnx' | 'tfjs-node' | 'wasm' | 'cpu';

/** CenterNet's tfjs graph, from the npm package named by models/centernet.manifest.json. */
export interface TfjsModelInit {
  modelJson: string;
  weights: string[];
  inputName: string;
  outputName: string;
  /** Folder holding tfjs-backend-wasm's .wasm binaries (from node_modules). */
  wasmDir: string;
}

export interface WorkerInit {
  backend: WorkerBackendRequest;
  modelType: ModelTypeName;
  inputSize: number;
  /** Classes in the label map (YOLOX's output width is 5 + classes). */
  classes: number;
  /** Lowest score any label keeps: candidates below it never leave the worker. */
  minScore: number;
  /** The model as a tfjs graph, or null when this type has none. */
  tfjs: TfjsModelInit | null;
  /** The ONNX file, or why there is none (told to the user when `auto` moves on to tfjs). */
  onnx: { file: string } | { missing: string };
  /**
   * The model's twin for wide regions (CenterNet 512×288, ONNX only): loaded beside the
   * square one when the worker runs onnx; jobs then name which input they want.
   */
  wide: { file: string; width: number; height: number } | null;
  /** Run one inference on a blank input before reporting ready (kernels compiled, heap grown). */
  warmup: boolean;
}

export interface WorkerMemory {
  numTensors: number;
  numBytes: number;
  /** Size of the WebAssembly heap (wasm backend only; it grows and never shrinks). onnx keeps no tfjs tensors: 0, 0, null. */
  wasmHeapBytes: number | null;
}

/** `wide`: this region fits the wide twin at no loss of scale; the worker uses it when it has it. */
export type ToWorker = { type: 'detect'; id: number; width: number; height: number; yuv: ArrayBuffer; wide: boolean } | { type: 'stats'; id: number };

export type FromWorker =
  | { type: 'ready'; backend: string; detail: Record<string, unknown>; loadMs: number; memory: WorkerMemory }
  | { type: 'init-failed'; message: string; tried: string[] }
  /** `wide`: the job ran on the wide twin (it was asked for and the worker has it), so boxes are in its input's pixels. */
  | { type: 'result'; id: number; raw: Float32Array; inferMs: number; prepMs: number; wide: boolean }
  | { type: 'job-failed'; id: number; message: string }
  | { type: 'stats'; id: number; memory: WorkerMemory; inferences: number };
