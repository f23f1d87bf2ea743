import { readFileSync } from 'node:fs';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { WorkerMemory } from './object.protocol.js';

/**
 * The ONNX Runtime adapter, used inside a worker thread only: one CPU session per worker.
 * One intra-op thread, sequential, spinning off (stack.md: two threads did not help on two
 * busy cores, and spinning threads burn the CPU the other workers and ffmpeg need);
 * parallelism is more workers. The input tensor wraps the worker's reused scratch buffer.
 */

export interface OnnxRuntimeInit {
  file: string;
  /** Shape fed to the model, e.g. [1, 3, 416, 416]. */
  inputShape: number[];
  /** The config field that sets the input size, named in a mismatch error. */
  sizeField: string;
}

export interface OnnxRuntime {
  backend: 'onnx';
  detail: Record<string, unknown>;
  /** Runs the model on `input` (the buffer the tensor was made from); returns its first output. */
  infer(): Promise<Float32Array>;
  memory(): WorkerMemory;
  dispose(): Promise<void>;
}

export const ONNX_SESSION_OPTIONS: InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
};

export async function createOnnxRuntime(init: OnnxRuntimeInit, input: Float32Array): Promise<OnnxRuntime> {
  // Loaded here, in the worker, so the main thread never maps the native library.
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(readFileSync(init.file), ONNX_SESSION_OPTIONS);
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (!inputName || !outputName) throw new Error(`${init.file} has no input or no output`);
  checkShape(session, inputName, init);
  const feed: Record<string, Tensor> = { [inputName]: new ort.Tensor('float32', input, init.inputShape) };
  return {
    backend: 'onnx',
    detail: { onnxruntime: ort.env.versions.node ?? ort.env.versions.common, file: init.file, input: inputName, output: outputName, intraOpThreads: 1 },
    async infer() {
      const result = await session.run(feed);
      const out = result[outputName];
      if (!out || out.type !== 'float32') throw new Error(`${init.file}: output ${outputName} is not float32`);
      // A fresh array per run, owned by this call (the worker may transfer it).
      return out.data as Float32Array;
    },
    memory: () => ({ numTensors: 0, numBytes: 0, wasmHeapBytes: null }),
    dispose: () => session.release(),
  };
}

/** A fixed input shape that differs from the configured size fails at start, not as garbage boxes. */
function checkShape(session: InferenceSession, inputName: string, init: OnnxRuntimeInit): void {
  const meta = session.inputMetadata.find((m) => m.name === inputName);
  const shape = meta && meta.isTensor ? meta.shape : undefined;
  if (!shape || shape.length !== init.inputShape.length) return;
  const fixed = shape.every((d, i) => typeof d !== 'number' || d === init.inputShape[i]);
  if (!fixed) {
    throw new Error(
      `${init.file} takes input ${inputName} [${shape.join(',')}], not [${init.inputShape.join(',')}]: set ${init.sizeField} to the model's input size`,
    );
  }
}
