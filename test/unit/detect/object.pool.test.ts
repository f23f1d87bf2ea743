import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createObjectDetector, fitsWide } from '../../../server/detect/object.pool.js';
import type { WorkerLike } from '../../../server/detect/object.pool.types.js';
import type { FromWorker, ToWorker, WorkerInit } from '../../../server/detect/object.protocol.js';
import { yuvBytes } from '../../../server/detect/object.preprocess.js';
import { createLogger } from '../../../server/shared/log.js';
import { tempDir } from '../../support/tmp.js';

/**
 * The pool's bookkeeping with scripted workers (no tfjs, no threads): backend choice and
 * sizing, hung and lost workers, result mapping. The real model runs in
 * test/integration/object-detector.test.ts.
 */

type Script = (msg: ToWorker, w: FakeWorker) => void;
class FakeWorker extends EventEmitter implements WorkerLike {
  static next = 1;
  readonly threadId = FakeWorker.next++;
  readonly jobs: ToWorker[] = [];
  constructor(
    readonly init: WorkerInit,
    private readonly script: Script,
  ) {
    super();
  }
  reply(msg: FromWorker): void {
    setImmediate(() => this.emit('message', msg));
  }
  postMessage(msg: ToWorker): void {
    this.jobs.push(msg);
    this.script(msg, this);
  }
  terminate(): Promise<number> {
    setImmediate(() => this.emit('exit', 1));
    return Promise.resolve(1);
  }
}

const memory = { numTensors: 1, numBytes: 1, wasmHeapBytes: 1 };
/** A person at [100, 50, 200, 150] in model-input pixels. */
const answer: Script = (msg, w) => {
  if (msg.type === 'detect')
    w.reply({ type: 'result', id: msg.id, raw: new Float32Array([100, 50, 200, 150, 0.9, 0, 1, 1, 2, 2, 0.1, 2]), inferMs: 5, prepMs: 1, wide: false });
  else w.reply({ type: 'stats', id: msg.id, memory, inferences: w.jobs.filter((j) => j.type === 'detect').length });
};

function harness(backendFor: (init: WorkerInit, n: number) => string | Error, script: Script = answer, detail: Record<string, unknown> = {}) {
  const workers: FakeWorker[] = [];
  const lines: string[] = [];
  const spawn = (_file: string, init: WorkerInit) => {
    const w = new FakeWorker(init, script);
    const b = backendFor(init, workers.length);
    workers.push(w);
    if (b instanceof Error) w.reply({ type: 'init-failed', message: b.message, tried: [b.message] });
    else w.reply({ type: 'ready', backend: b, detail, loadMs: 1, memory });
    return w;
  };
  const deps = { spawn, workerFile: '/nonexistent/object.worker.js', log: createLogger('debug', (l) => lines.push(l)) };
  return { workers, lines, deps };
}

const frame = { width: 1024, height: 512, data: new Uint8Array(yuvBytes(1024, 512)) };
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('ObjectWorkerPool with scripted workers', () => {
  it('lets the first worker pick the backend, then sizes the pool for it', async () => {
    const h = harness(() => 'wasm');
    const pool = await createObjectDetector({ backend: 'auto', workers: 0, minScore: 0.4, cores: 3 }, h.deps);
    expect(h.workers.map((w) => w.init.backend)).toEqual(['auto', 'wasm']);
    expect(pool.backend).toBe('wasm');
    expect(pool.workers).toBe(2);
    expect(h.lines.some((l) => l.includes('object detector ready') && l.includes('"backend":"wasm"'))).toBe(true);
    await pool.close();
  });

  it('tells why auto did not run its first choice, and describes the model that runs', async () => {
    const skipped = ['onnx: models/build/centernet.onnx not found'];
    const h = harness(() => 'wasm', answer, { skipped });
    const pool = await createObjectDetector({ backend: 'auto', workers: 1, minScore: 0.4, minScores: { person: 0.3 }, cores: 2 }, h.deps);
    expect(h.workers[0]!.init).toMatchObject({ backend: 'auto', modelType: 'centernet', inputSize: 512, classes: 80, minScore: 0.3 });
    expect(h.lines.some((l) => l.includes('WARN') && l.includes('runs wasm, not its first choice') && l.includes('centernet.onnx not found'))).toBe(true);
    expect(pool.describe()).toMatchObject({ backend: 'wasm', model: 'centernet', inputSize: 512, source: expect.stringContaining('@vladmandic/human') });
    await pool.close();
    await expect(createObjectDetector({ backend: 'auto', workers: 1, minScore: 0.4, minScores: { prson: 0.3 } }, h.deps)).rejects.toMatchObject({
      details: { field: 'detect.minScores.prson' },
    });
  });

  it('runs a single worker for tfjs-node whatever the configured count, and says so', async () => {
    const h = harness(() => 'tfjs-node');
    const pool = await createObjectDetector({ backend: 'auto', workers: 4, minScore: 0.4, cores: 8 }, h.deps);
    expect(pool.workers).toBe(1);
    expect(h.workers).toHaveLength(1);
    expect(h.lines.some((l) => l.includes('WARN') && l.includes('runs 1 worker(s), not 4'))).toBe(true);
    await pool.close();
  });

  it('fails to start with detector_unavailable when no backend loads (no silent cpu fallback)', async () => {
    const h = harness(() => new Error('wasm: cannot read binary'));
    await expect(createObjectDetector({ backend: 'auto', workers: 1, minScore: 0.4 }, h.deps)).rejects.toMatchObject({
      code: 'detector_unavailable',
      message: expect.stringContaining('wasm: cannot read binary'),
    });
    expect(h.workers.map((w) => w.init.backend)).toEqual(['auto']);
  });

  it('maps results to frame pixels and labels, one entry per region, more regions than workers', async () => {
    const h = harness(() => 'wasm');
    const pool = await createObjectDetector({ backend: 'wasm', workers: 1, minScore: 0.4, cores: 2 }, h.deps);
    const dets = await pool.detect([{ frame }, { frame, region: [512, 256, 768, 512] }]);
    // Whole 1024×512 frame: input px × 2. The 256×256 crop: input px ÷ 2, plus its origin.
    expect(dets).toEqual([
      { label: 'person', classIndex: 0, score: expect.closeTo(0.9, 5), box: [200, 100, 400, 300], regionIndex: 0 },
      { label: 'person', classIndex: 0, score: expect.closeTo(0.9, 5), box: [562, 281, 612, 331], regionIndex: 1 },
    ]);
    expect(h.workers[0]!.jobs.map((j) => j.type === 'detect' && [j.width, j.height])).toEqual([
      [1024, 512],
      [256, 256],
    ]);
    expect(pool.timings().inferMs).toMatchObject({ count: 2, medianMs: 5 });
    await expect(pool.detect([{ frame, region: [2000, 0, 2100, 50] }])).rejects.toMatchObject({
      code: 'region_invalid',
      details: { field: 'requests.0.region' },
    });
    expect(await pool.memoryStats()).toEqual([{ worker: 1, threadId: h.workers[0]!.threadId, inferences: 2, ...memory }]);
    await pool.close();
    await expect(pool.detect([{ frame }])).rejects.toMatchObject({ code: 'detector_closed' });
  });

  it('sends regions that fit the wide twin to it, and maps boxes back from the input each job really ran on', async () => {
    const wide = { width: 512, height: 288 };
    expect(fitsWide({ width: 640, height: 360 }, 512, wide)).toBe(true);
    expect(fitsWide({ width: 640, height: 480 }, 512, wide)).toBe(false);
    expect(fitsWide({ width: 512, height: 512 }, 512, wide)).toBe(false);
    // One worker has the twin, the other does not (its file failed to load): each says what it ran.
    let n = 0;
    const script: Script = (msg, w) => {
      if (msg.type !== 'detect') return answer(msg, w);
      const onWide = msg.wide && n++ === 0;
      w.reply({ type: 'result', id: msg.id, raw: new Float32Array([100, 50, 200, 150, 0.9, 0]), inferMs: 5, prepMs: 1, wide: onWide });
    };
    const h = harness(() => 'onnx', script);
    // A model folder with the default ONNX file and its twin built (the scripted workers never read them).
    const root = tempDir('binhyen-twin-');
    mkdirSync(path.join(root.dir, 'models/build'), { recursive: true });
    for (const f of ['centernet.onnx', 'centernet-512x288.onnx']) writeFileSync(path.join(root.dir, 'models/build', f), '');
    const pool = await createObjectDetector({ backend: 'onnx', workers: 1, minScore: 0.4, cores: 2 }, { ...h.deps, root: root.dir });
    expect(h.workers[0]!.init.wide).toEqual({ file: path.join(root.dir, 'models/build/centernet-512x288.onnx'), ...wide });
    const hd = { width: 640, height: 360, data: new Uint8Array(yuvBytes(640, 360)) };
    const [onTwin] = await pool.detect([{ frame: hd }]);
    const [onSquare] = await pool.detect([{ frame: hd }]);
    expect(h.workers[0]!.jobs.filter((j) => j.type === 'detect').map((j) => j.type === 'detect' && j.wide)).toEqual([true, true]);
    // 640×360 → either input at 0.8: the same input box maps to the same frame box.
    expect(onTwin!.box).toEqual([125, 62.5, 250, 187.5]);
    expect(onSquare!.box).toEqual([125, 62.5, 250, 187.5]);
    // A 4:3 frame is not asked to go wide.
    await pool.detect([{ frame: { width: 640, height: 480, data: new Uint8Array(yuvBytes(640, 480)) } }]);
    expect(h.workers[0]!.jobs.filter((j) => j.type === 'detect').at(-1)).toMatchObject({ wide: false });
    await pool.close();
    root.remove();
  });

  it('replaces a hung worker: its job fails with worker_timeout, the next job runs', async () => {
    let first = true;
    const hangOnce: Script = (msg, w) => {
      if (msg.type === 'detect' && first)
        first = false; // never answers
      else answer(msg, w);
    };
    const h = harness(() => 'wasm', hangOnce);
    const pool = await createObjectDetector({ backend: 'wasm', workers: 1, minScore: 0.4, cores: 2, jobTimeoutMs: 50 }, h.deps);
    await expect(pool.detect([{ frame }])).rejects.toMatchObject({ code: 'worker_timeout' });
    expect(await pool.detect([{ frame }])).toHaveLength(1);
    expect(h.workers).toHaveLength(2);
    expect(pool.restarts).toBe(1);
    await pool.close();
  });

  it('after losing the tfjs-node worker, comes back on wasm (loudly) since tfjs-node cannot reload in-process', async () => {
    const h = harness((init) => (init.backend === 'auto' && h.workers.length === 0 ? 'tfjs-node' : 'wasm'));
    const pool = await createObjectDetector({ backend: 'auto', workers: 0, minScore: 0.4, cores: 3 }, h.deps);
    expect(pool.backend).toBe('tfjs-node');
    const job = pool.detect([{ frame }]);
    h.workers[0]!.emit('exit', 134);
    await expect(job).rejects.toMatchObject({ code: 'worker_crashed' });
    await until(() => pool.describe().live === 2);
    expect(h.workers.map((w) => w.init.backend)).toEqual(['auto', 'auto', 'wasm']);
    expect(pool.backend).toBe('wasm');
    expect(pool.workers).toBe(2);
    expect(h.lines.some((l) => l.includes('ERROR') && l.includes('switched from tfjs-node to wasm'))).toBe(true);
    await pool.close();
  });
});
