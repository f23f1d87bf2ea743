import { parentPort, workerData } from 'node:worker_threads';
import { createTfjsRuntime, BackendInitError, type TfjsRuntime } from './object.backend.tfjs.js';
import { LetterboxScratch } from './object.preprocess.js';
import type { FromWorker, ToWorker, WorkerInit } from './object.protocol.js';

/**
 * Worker-thread entry (runs compiled, from dist/server/detect/object.worker.js): one tfjs
 * backend and one model per thread, one job at a time. Messages are handled strictly in
 * order, so a stats request never sees a job's tensors half-way.
 */

const port = parentPort;
if (!port) throw new Error('object.worker must run in a worker thread');

const post = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

async function main(init: WorkerInit): Promise<void> {
  const t0 = performance.now();
  let rt: TfjsRuntime;
  const scratch = new LetterboxScratch(init.inputSize);
  try {
    rt = await createTfjsRuntime(init);
    if (init.warmup) await rt.infer(scratch.input);
  } catch (err) {
    post({ type: 'init-failed', message: err instanceof Error ? err.message : String(err), tried: err instanceof BackendInitError ? err.tried : [] });
    return;
  }
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
        scratch.fill({ width: msg.width, height: msg.height, data: new Uint8Array(msg.yuv) });
        const p1 = performance.now();
        const raw = await rt.infer(scratch.input);
        inferences++;
        post({ type: 'result', id: msg.id, raw, prepMs: p1 - p0, inferMs: performance.now() - p1 }, [raw.buffer as ArrayBuffer]);
      } catch (err) {
        post({ type: 'job-failed', id: msg.id, message: err instanceof Error ? err.message : String(err) });
      }
    });
  });
  post({ type: 'ready', backend: rt.backend, detail: rt.detail, loadMs: performance.now() - t0, memory: rt.memory() });
}

void main(workerData as WorkerInit);
