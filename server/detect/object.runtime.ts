import { MODEL_REGISTRY } from './object.models.js';
import type { WorkerInit, WorkerMemory } from './object.protocol.js';

/**
 * Picks and opens the inference backend inside a worker: `auto` tries ONNX Runtime first,
 * then tfjs (tfjs-node, then wasm) for a model that has a tfjs graph; a named backend is
 * that one or a clear failure. Never the pure-JS cpu backend unless asked for by name.
 * Adapters are imported only when tried, so an ONNX worker never loads tfjs and back.
 */

export interface DetectorRuntime {
  backend: string;
  /** Includes `skipped`: why backends before this one in the auto order did not start. */
  detail: Record<string, unknown>;
  /** Runs the model on the worker's input buffer; returns its raw output. */
  infer(input: Float32Array): Promise<Float32Array>;
  memory(): WorkerMemory;
}

export class RuntimeInitError extends Error {
  constructor(
    message: string,
    readonly tried: string[],
  ) {
    super(message);
    this.name = 'RuntimeInitError';
  }
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0]! : String(err));

/** An ONNX Runtime session of the worker's model type at one input size; `sizeField` names the setting in errors. */
async function openOnnx(init: WorkerInit, file: string, size: { width: number; height: number }, sizeField: string, input: Float32Array) {
  const { createOnnxRuntime } = await import('./object.backend.onnx.js');
  return createOnnxRuntime({ file, inputShape: MODEL_REGISTRY[init.modelType].inputShape(size), sizeField }, input);
}

export async function openRuntime(init: WorkerInit, input: Float32Array): Promise<DetectorRuntime> {
  const type = MODEL_REGISTRY[init.modelType];
  const tried: string[] = [];
  const fail = () => new RuntimeInitError(`no object detection backend could start for model ${type.name} (${tried.join('; ')})`, tried);
  if (init.backend === 'auto' || init.backend === 'onnx') {
    if ('missing' in init.onnx) {
      tried.push(`onnx: ${init.onnx.missing}`);
    } else {
      try {
        const square = { width: init.inputSize, height: init.inputSize };
        const rt = await openOnnx(init, init.onnx.file, square, 'detect.model.inputSize', input);
        return { ...rt, detail: { ...rt.detail, skipped: tried } };
      } catch (err) {
        tried.push(`onnx: ${firstLine(err)}`);
      }
    }
    if (init.backend === 'onnx') throw fail();
  }
  if (!init.tfjs) {
    tried.push(`tfjs: model type ${type.name} runs on onnx only`);
    throw fail();
  }
  const { createTfjsRuntime, BackendInitError } = await import('./object.backend.tfjs.js');
  try {
    const rt = await createTfjsRuntime({ backend: init.backend, model: init.tfjs, inputSize: init.inputSize });
    return { backend: rt.backend, detail: { ...rt.detail, skipped: tried }, infer: (x) => rt.infer(x), memory: () => rt.memory() };
  } catch (err) {
    tried.push(...(err instanceof BackendInitError ? err.tried : [firstLine(err)]));
    throw fail();
  }
}

/**
 * The wide twin's session (onnx workers only). A twin that does not load is logged by the
 * pool and costs only its speed-up: every job then takes the square input.
 */
export async function openWideRuntime(init: WorkerInit, input: Float32Array): Promise<DetectorRuntime | string> {
  if (!init.wide) return 'no wide model configured';
  try {
    return await openOnnx(init, init.wide.file, init.wide, 'detect.model.wide', input);
  } catch (err) {
    return firstLine(err);
  }
}
