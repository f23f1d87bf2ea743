import { parentPort, workerData } from 'node:worker_threads';
import { MODEL_REGISTRY } from './object.models.js';
import { LetterboxScratch } from './object.preprocess.js';
import type { FromWorker, ToWorker, WorkerInit } from './object.protocol.js';
import { openRuntime, openWideRuntime, RuntimeInitError, type DetectorRuntime } from './object.runtime.js';

/**
 * Worker-thread entry (runs compiled, from dist/server/detect/object.worker.js): one backend
 * and one model per thread, one job at a time. Messages are handled strictly in order, so a
 * stats request never sees a job's tensors half-way. Pre-processing writes into one input
 * buffer reused for every job, in the layout the model type wants; the type's decoder turns
 * the raw output into a few candidate rows, the only thing sent back. An onnx worker may hold
 * the model's wide twin too, with its own input buffer; each job says which one it wants.
 */

const port = parentPort;
if (!port) throw new Error('object.worker must run in a worker thread');

const post = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

/** Results are transferred to the main thread: hand over an array that owns its whole buffer. */
const owned = (rows: Float32Array) => (rows.byteOffset === 0 && rows.byteLength === rows.buffer.byteLength ? rows : rows.slice());

async function main(init: WorkerInit): Promise<void> {
  const t0 = performance.now();
  const type = MODEL_REGISTRY[init.modelType];
  const scratch = new LetterboxScratch(init.inputSize, type.layout);
  let rt: DetectorRuntime;
  let decode: (out: Float32Array, minScore: number) => Float32Array;
  try {
    decode = type.decoder(init.inputSize, init.classes);
    rt = await openRuntime(init, scratch.input);
    if (init.warmup) decode(await rt.infer(scratch.input), init.minScore);
  } catch (err) {
    post({ type: 'init-failed', message: err instanceof Error ? err.message : String(err), tried: err instanceof RuntimeInitError ? err.tried : [] });
    return;
  }
  const twin = rt.backend === 'onnx' && init.wide ? await openWide(init) : 'needs the onnx backend';
  const wide = typeof twin === 'string' ? null : twin;
  // Says which file the twin came from, or why there is none.
  const detail = init.wide ? { ...rt.detail, wide: wide ? init.wide.file : twin } : rt.detail;
  let inferences = 0;
  let chain = Promise.resolve();
  port!.on('message', (msg: ToWorker) => {
    chain = chain.then(async () => {
      if (msg.type === 'stats') {
        post({ type: 'stats', id: msg.id, memory: rt.memory(), inferences });
        return;
      }
      try {
        const p0 = performance.now();
        const onWide = msg.wide && wide !== null;
        const use = onWide ? wide : { scratch, rt };
        use.scratch.fill({ width: msg.width, height: msg.height, data: new Uint8Array(msg.yuv) });
        const p1 = performance.now();
        const out = await use.rt.infer(use.scratch.input);
        const inferMs = performance.now() - p1;
        const raw = owned(decode(out, init.minScore));
        inferences++;
        post({ type: 'result', id: msg.id, raw, prepMs: p1 - p0, inferMs, wide: onWide }, [raw.buffer as ArrayBuffer]);
      } catch (err) {
        post({ type: 'job-failed', id: msg.id, message: err instanceof Error ? err.message : String(err) });
      }
    });
  });
  post({ type: 'ready', backend: rt.backend, detail, loadMs: performance.now() - t0, memory: rt.memory() });
}

/** The wide twin with its own input buffer, warmed up like the main one; why not, when it does not load. */
async function openWide(init: WorkerInit): Promise<{ scratch: LetterboxScratch; rt: DetectorRuntime } | string> {
  const scratch = new LetterboxScratch(init.wide!, MODEL_REGISTRY[init.modelType].layout);
  const rt = await openWideRuntime(init, scratch.input);
  if (typeof rt === 'string') return rt;
  if (init.warmup) await rt.infer(scratch.input);
  return { scratch, rt };
}

void main(workerData as WorkerInit);
