import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchModel, readFrameYuv420 } from '../../server/bench/model.bench.js';
import { ensureSampleFootage } from '../../server/demo/footage.js';
import { iou } from '../../server/domain/geometry.js';
import type { Detection } from '../../server/detect/object.detector.js';
import { findPackageDir } from '../../server/detect/object.model.js';
import { createObjectDetector, type ObjectWorkerPool } from '../../server/detect/object.pool.js';
import type { WorkerLike, WorkerSpawner } from '../../server/detect/object.pool.types.js';
import type { Yuv420Image } from '../../server/detect/object.preprocess.js';
import type { Box } from '../../server/domain/frame.js';
import { createLogger, silentLogger } from '../../server/shared/log.js';
import { PROJECT_ROOT } from '../../server/version.js';

/**
 * The real model in real worker threads on real footage. Workers run compiled JavaScript:
 * build first (`npx tsc -p tsconfig.build.json`; `npm test` does it). One pool of two wasm
 * workers serves the whole file so the model loads once per worker. This file is the tfjs
 * path, asked for by name (auto prefers ONNX once models/build/centernet.onnx is built);
 * ONNX Runtime and the choice between backends: object-detector.onnx.test.ts.
 */

interface Fixture {
  frames: { time: number; people: { box: Box; note: string }[]; excluded: { box: Box; reason: string }[] }[];
}
const fixture = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/vtest-boxes.json'), 'utf8')) as Fixture;
/** The product default (config.detect.minScore). */
const MIN_SCORE = 0.4;

/** Spawns real worker threads and remembers which one got the latest job, so a test can kill it mid-job. */
function trackingSpawner() {
  const spawned: WorkerLike[] = [];
  let lastJob: WorkerLike | undefined;
  const spawn: WorkerSpawner = (file, init) => {
    const w = new Worker(file, { workerData: init });
    const tracked: WorkerLike = {
      threadId: w.threadId,
      postMessage(msg, transfer) {
        if (msg.type === 'detect') lastJob = tracked;
        w.postMessage(msg, transfer ?? []);
      },
      on(event: 'message' | 'error' | 'exit', fn: (arg: never) => void) {
        w.on(event, fn as (arg: unknown) => void);
        return tracked;
      },
      terminate: () => w.terminate(),
    };
    spawned.push(tracked);
    return tracked;
  };
  return { spawn, spawned, lastJob: () => lastJob };
}

function bestMatch(box: Box, dets: Detection[]): { iou: number; score: number } {
  let best = { iou: 0, score: 0 };
  for (const d of dets) {
    const v = iou(box, d.box);
    if (d.label === 'person' && v > best.iou) best = { iou: v, score: d.score };
  }
  return best;
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('object detector (CenterNet, tfjs worker pool) on vtest.avi', () => {
  const tracker = trackingSpawner();
  let pool: ObjectWorkerPool;
  const frames = new Map<number, Yuv420Image>();

  beforeAll(async () => {
    const video = await ensureSampleFootage(silentLogger);
    if (!video) throw new Error('vtest.avi is missing and scripts/fetch-sample-footage could not fetch it');
    for (const f of fixture.frames) frames.set(f.time, await readFrameYuv420(video, f.time));
    pool = await createObjectDetector({ backend: 'wasm', workers: 2, minScore: MIN_SCORE }, { log: silentLogger, spawn: tracker.spawn });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('runs the pool of wasm workers it was asked for, and says which', () => {
    expect(pool.backend).toBe('wasm');
    expect(pool.workers).toBe(2);
    expect(pool.describe()).toMatchObject({ backend: 'wasm', live: 2, model: 'centernet', source: expect.stringContaining('@vladmandic/human') });
  });

  it('finds every hand-boxed person (IoU ≥ 0.5) on whole frames', async () => {
    for (const f of fixture.frames) {
      const dets = await pool.detect([{ frame: frames.get(f.time)! }]);
      for (const p of f.people) {
        const m = bestMatch(p.box, dets);
        expect(m.iou, `t=${f.time}s ${p.note} [${p.box.join(',')}]: best IoU ${m.iou.toFixed(2)}`).toBeGreaterThanOrEqual(0.5);
      }
      expect(dets.every((d) => d.score >= MIN_SCORE && d.regionIndex === 0)).toBe(true);
    }
  });

  it('maps boxes found in crops back to frame pixels, per region', async () => {
    const f = fixture.frames.find((x) => x.time === 30)!;
    const frame = frames.get(30)!;
    const regions: Box[] = [
      [150, 120, 400, 320],
      [540, 120, 700, 280],
    ];
    const dets = await pool.detect(regions.map((region) => ({ frame, region })));
    for (const p of f.people) {
      const inRegion = regions.findIndex((r) => p.box[0] >= r[0] && p.box[2] <= r[2] && p.box[1] >= r[1] && p.box[3] <= r[3]);
      expect(inRegion, p.note).toBeGreaterThanOrEqual(0);
      const m = bestMatch(
        p.box,
        dets.filter((d) => d.regionIndex === inRegion),
      );
      expect(m.iou, `${p.note}: best IoU ${m.iou.toFixed(2)} in region ${inRegion}`).toBeGreaterThanOrEqual(0.5);
    }
  });

  it('fails a job whose worker dies with worker_crashed, refills the pool, and the next job succeeds', async () => {
    const frame = frames.get(5)!;
    const before = tracker.spawned.length;
    const job = pool.detect([{ frame }]);
    const victim = tracker.lastJob()!;
    await new Promise((r) => setTimeout(r, 30)); // let the inference start
    await victim.terminate();
    await expect(job).rejects.toMatchObject({ code: 'worker_crashed' });
    const next = await pool.detect([{ frame }]);
    expect(next.filter((d) => d.label === 'person').length).toBeGreaterThanOrEqual(4);
    await until(() => pool.describe().live === pool.workers, 20_000);
    expect(tracker.spawned.length).toBe(before + 1);
    expect(pool.restarts).toBe(1);
  });

  it('keeps the tensor count and the wasm heap flat inside each worker over hundreds of inferences', async () => {
    const all = [...frames.values()];
    const requests = (i: number) => {
      const frame = all[i % all.length]!;
      // Whole frames and crops of different sizes (enlarged and shrunk).
      return i % 3 === 0 ? [{ frame }] : [{ frame, region: [i % 200, 100, 300 + (i % 200), 420] as Box }];
    };
    const run = async (n: number, from: number) => {
      for (let i = 0; i < n; i += pool.workers) await Promise.all(Array.from({ length: pool.workers }, (_, k) => pool.detect(requests(from + i + k))));
    };
    await run(20, 0);
    const start = await pool.memoryStats();
    await run(200, 20);
    const end = await pool.memoryStats();
    expect(end).toHaveLength(pool.workers);
    for (const w of end) {
      const s = start.find((x) => x.worker === w.worker)!;
      expect(w.inferences - s.inferences).toBeGreaterThanOrEqual(80);
      expect(w.numTensors, `worker ${w.worker} tensors`).toBe(s.numTensors);
      expect(w.numBytes).toBe(s.numBytes);
      if (pool.backend === 'wasm') expect(w.wasmHeapBytes, `worker ${w.worker} wasm heap`).toBe(s.wasmHeapBytes);
    }
  }, 120_000);

  it('refuses a backend that cannot load instead of falling back, and never picks cpu by itself', async () => {
    if (findPackageDir('@tensorflow/tfjs-node') === null) {
      await expect(createObjectDetector({ backend: 'tfjs-node', workers: 1, minScore: MIN_SCORE, warmup: false }, { log: silentLogger })).rejects.toMatchObject(
        { code: 'detector_unavailable', message: expect.stringContaining('tfjs-node') },
      );
    }
    const lines: string[] = [];
    const cpu = await createObjectDetector(
      { backend: 'cpu', workers: 1, minScore: MIN_SCORE, warmup: false },
      { log: createLogger('info', (l) => lines.push(l)) },
    );
    try {
      expect(cpu.backend).toBe('cpu');
      expect(lines.some((l) => l.includes('WARN') && l.includes('cpu backend'))).toBe(true);
    } finally {
      await cpu.close();
    }
  });

  it('benchModel reports the backend, model ms and the rate for the lead’s npm run bench', async () => {
    const r = await benchModel({ log: silentLogger, backend: 'wasm', workers: 1, iterations: 4, frame: frames.get(30)! });
    expect(r).toMatchObject({ backend: pool.backend, workers: 1, inferences: 4 });
    expect(r.medianMs).toBeGreaterThan(0);
    expect(r.p95Ms).toBeGreaterThanOrEqual(r.medianMs);
    expect(r.perSecond).toBeGreaterThan(0);
  });
});
