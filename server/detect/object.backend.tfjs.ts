import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import type { TfjsModelInit, WorkerBackendRequest, WorkerMemory } from './object.protocol.js';

/**
 * The tfjs adapter, used inside a worker thread only: picks and initialises a backend,
 * loads the graph model from disk and runs it. Imports tfjs-core and the converter
 * directly (the wasm backend's documented peer) so the pure-JS cpu backend is never
 * registered unless it is asked for by name.
 */

export type TfjsBackendName = Exclude<WorkerBackendRequest, 'auto' | 'onnx'>;

interface BackendLoader {
  /** Name of the tfjs backend the package registers. */
  tfName: string;
  load(init: TfjsModelInit): Promise<void>;
}

/** Registry of loaders keyed by our backend names (see object.detector.ts for the pool side). */
const LOADERS: Record<TfjsBackendName, BackendLoader> = {
  'tfjs-node': {
    tfName: 'tensorflow',
    // An optionalDependency that may be absent: a variable specifier keeps tsc from resolving it.
    load: async () => {
      const specifier = '@tensorflow/tfjs-node';
      await import(specifier);
    },
  },
  wasm: {
    tfName: 'wasm',
    load: async (init) => {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // A directory prefix (with trailing separator): in Node the backend reads the binary with fs.
      wasm.setWasmPaths(init.wasmDir.endsWith(path.sep) ? init.wasmDir : init.wasmDir + path.sep);
    },
  },
  cpu: {
    tfName: 'cpu',
    load: async () => {
      await import('@tensorflow/tfjs-backend-cpu');
    },
  },
};

export const AUTO_ORDER: readonly TfjsBackendName[] = ['tfjs-node', 'wasm'];

export interface TfjsRuntime {
  backend: TfjsBackendName;
  detail: Record<string, unknown>;
  /** Runs the model on one [1, S, S, 3] input; returns the output rows (a fresh array, no tensor kept). */
  infer(input: Float32Array): Promise<Float32Array>;
  memory(): WorkerMemory;
  dispose(): void;
}

export class BackendInitError extends Error {
  constructor(
    message: string,
    readonly tried: string[],
  ) {
    super(message);
    this.name = 'BackendInitError';
  }
}

/** What the tfjs runtime needs: the graph and the square input size. */
export interface TfjsRuntimeInit {
  backend: TfjsBackendName | 'auto';
  model: TfjsModelInit;
  inputSize: number;
}

export async function createTfjsRuntime(init: TfjsRuntimeInit): Promise<TfjsRuntime> {
  const order: readonly TfjsBackendName[] = init.backend === 'auto' ? AUTO_ORDER : [init.backend];
  const tried: string[] = [];
  for (const name of order) {
    try {
      await activate(name, init.model);
      const model = await loadModel(init.model);
      return runtime(name, model, init, await backendDetail(name));
    } catch (err) {
      tried.push(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  throw new BackendInitError(`no object detection backend could start (${tried.join('; ')})`, tried);
}

async function activate(name: TfjsBackendName, init: TfjsModelInit): Promise<void> {
  const loader = LOADERS[name];
  await loader.load(init);
  if (!(await tf.setBackend(loader.tfName))) throw new Error(`tfjs backend ${loader.tfName} failed to initialise`);
  await tf.ready();
  // setBackend can succeed while another backend stays active if registration raced; never run on a backend we did not ask for.
  if (tf.getBackend() !== loader.tfName) throw new Error(`tfjs runs ${tf.getBackend()}, expected ${loader.tfName}`);
}

async function loadModel(init: TfjsModelInit): Promise<GraphModel> {
  const json = JSON.parse(readFileSync(init.modelJson, 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const byName = new Map(init.weights.map((p) => [path.basename(p), p]));
  const parts: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      const file = byName.get(path.basename(p));
      if (!file) throw new Error(`weights file ${p} named by ${init.modelJson} is not in the manifest`);
      parts.push(readFileSync(file));
    }
    specs.push(...group.weights);
  }
  const total = parts.reduce((n, b) => n + b.length, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const b of parts) {
    weightData.set(b, at);
    at += b.length;
  }
  const model = await loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: weightData.buffer }));
  // Keep the source visible in errors and logs (fromMemory has no URL).
  Object.defineProperty(model, 'sourceUrl', { value: pathToFileURL(init.modelJson).href });
  return model;
}

function runtime(name: TfjsBackendName, model: GraphModel, init: TfjsRuntimeInit, detail: Record<string, unknown>): TfjsRuntime {
  const shape: [number, number, number, number] = [1, init.inputSize, init.inputSize, 3];
  return {
    backend: name,
    detail,
    async infer(input) {
      const out = tf.tidy(() => model.execute(tf.tensor4d(input, shape, 'float32'), init.model.outputName) as tf.Tensor);
      try {
        const rows = (await out.data()) as Float32Array;
        // Results are transferred to the main thread: hand over an array that owns its whole buffer.
        return rows.byteOffset === 0 && rows.byteLength === rows.buffer.byteLength ? rows : rows.slice();
      } finally {
        out.dispose();
      }
    },
    memory() {
      const m = tf.memory();
      return { numTensors: m.numTensors, numBytes: m.numBytes, wasmHeapBytes: wasmHeapBytes() };
    },
    dispose() {
      model.dispose();
    },
  };
}

async function backendDetail(name: TfjsBackendName): Promise<Record<string, unknown>> {
  const detail: Record<string, unknown> = { tfjs: tf.version_core };
  if (name === 'wasm') {
    // Async flags: evaluated by feature-testing WebAssembly. Threads stay off in Node (tfjs 4.22).
    detail.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    detail.threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  }
  return detail;
}

/** The wasm backend keeps its Emscripten module on `wasm`; HEAPU8 views the whole linear memory. */
function wasmHeapBytes(): number | null {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.buffer.byteLength ?? null;
}
