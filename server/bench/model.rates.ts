import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ObjectBackendChoice } from '../detect/object.detector.js';
import type { ModelChoice } from '../detect/object.model.resolve.js';
import { createObjectDetector, type ObjectWorkerPool } from '../detect/object.pool.js';
import type { Yuv420Image } from '../detect/object.preprocess.js';
import type { Logger } from '../shared/log.js';
import { PROJECT_ROOT } from '../version.js';

/**
 * Raw model rates per backend and model, measured in the same run and interleaved (round
 * after round, each pool in turn for a fixed time) so a machine that gets busier or quieter
 * meanwhile affects every entry alike. One worker each, one job in flight: the rate one core
 * gives, and the ratio to tfjs-wasm CenterNet (today's detector). Every entry gets the same
 * 16:9 band of a vtest frame, as a 640×360 sub-stream frames the scene: the square models
 * letterbox it into 512×512, CenterNet's twin takes it at 512×288, the same scale.
 */
export interface RateEntry {
  key: string;
  backend: ObjectBackendChoice;
  model: ModelChoice;
}

export interface ModelRate {
  key: string;
  backend: string;
  inferences: number;
  perSecond: number;
  medianMs: number;
  p95Ms: number;
  ratioToWasm: number | null;
}

/** YOLOX-nano is not part of the product: it sits beside the project on developer machines and CI. */
export const YOLOX_416 = path.resolve(PROJECT_ROOT, '..', 'shared', 'models', 'yolox_nano_416x416.onnx');
export const yoloxModel = (): ModelChoice | null => (existsSync(YOLOX_416) ? { type: 'yolox', path: YOLOX_416, inputSize: 416 } : null);
export const YOLOX_MISSING = `YOLOX rows skipped: ${YOLOX_416} not found (shared/models beside the project; not in a user's clone)`;

/** CenterNet's 16:9 twin, the model the commune's 640×360 cameras run on. */
export const TWIN_KEY = 'onnx/centernet-512x288';

export function rateEntries(): RateEntry[] {
  const yolox = yoloxModel();
  return [
    { key: 'tfjs-wasm/centernet', backend: 'wasm', model: { type: 'centernet', wide: false } },
    { key: 'onnx/centernet', backend: 'onnx', model: { type: 'centernet', wide: false } },
    { key: TWIN_KEY, backend: 'onnx', model: { type: 'centernet', wide: true } },
    ...(yolox ? [{ key: 'onnx/yolox-416', backend: 'onnx' as const, model: yolox }] : []),
  ];
}

const r1 = (x: number) => Math.round(x * 10) / 10;

export async function measureModelRates(o: { frame: Yuv420Image; rounds: number; sliceMs: number; log: Logger; say(l: string): void }): Promise<ModelRate[]> {
  const entries = rateEntries();
  const pools: ObjectWorkerPool[] = [];
  try {
    for (const e of entries) pools.push(await createObjectDetector({ backend: e.backend, workers: 1, minScore: 0.4, model: e.model }, { log: o.log }));
    const done = entries.map(() => ({ n: 0, ms: 0 }));
    const band = wideBand(o.frame);
    const job = [{ frame: o.frame, region: band }];
    for (const p of pools) await p.detect(job); // past first-call costs
    pools.forEach((p) => p.resetTimings());
    for (let round = 0; round < o.rounds; round++) {
      for (const [i, p] of pools.entries()) {
        const t0 = performance.now();
        while (performance.now() - t0 < o.sliceMs) {
          await p.detect(job);
          done[i]!.n++;
        }
        done[i]!.ms += performance.now() - t0;
      }
    }
    const rates = entries.map((e, i) => {
      const t = pools[i]!.timings().inferMs;
      return { key: e.key, backend: pools[i]!.backend, inferences: done[i]!.n, perSecond: r1((done[i]!.n / done[i]!.ms) * 1000), medianMs: r1(t.medianMs), p95Ms: r1(t.p95Ms), ratioToWasm: null as number | null };
    });
    // Without its built twin the 512x288 entry ran square: not a figure of its own.
    const twin = entries.findIndex((e) => e.key === TWIN_KEY);
    if (twin >= 0 && pools[twin]!.describe().wideRuns === 0) rates.splice(twin, 1);
    const wasm = rates.find((r) => r.key === 'tfjs-wasm/centernet');
    for (const r of rates) r.ratioToWasm = wasm?.perSecond ? Math.round((r.perSecond / wasm.perSecond) * 100) / 100 : null;
    for (const r of rates) o.say(`  ${r.key}: ${r.perSecond}/s (median ${r.medianMs} ms, ×${r.ratioToWasm ?? '—'} tfjs-wasm)`);
    return rates;
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
}

/** The tallest 16:9 band across the middle of a frame (even rows, as crops must be). */
export function wideBand(frame: { width: number; height: number }): [number, number, number, number] {
  const h = Math.min(frame.height, Math.floor((frame.width * 9) / 16 / 2) * 2);
  const top = Math.floor((frame.height - h) / 4) * 2;
  return [0, top, frame.width, top + h];
}
