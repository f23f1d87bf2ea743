#!/usr/bin/env node
// Model speed side by side, one worker each, in one process, interleaved in rounds so that load
// from anything else on the machine hits every model alike (run after `npm run build:server`).
// Not the benchmark (`npm run bench`): a quick comparison of detector models and backends.
//   node scripts/compare-detectors.mjs [--models DIR] [--rounds N] [--time S]
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { readFrameYuv420 } from '../dist/server/bench/model.bench.js';
import { ensureSampleFootage } from '../dist/server/demo/footage.js';
import { createObjectDetector } from '../dist/server/detect/object.pool.js';
import { silentLogger } from '../dist/server/shared/log.js';
import { PROJECT_ROOT } from '../dist/server/version.js';

const { values } = parseArgs({ options: { models: { type: 'string' }, rounds: { type: 'string' }, time: { type: 'string' } } });
const dir = values.models ?? path.resolve(PROJECT_ROOT, '..', 'shared', 'models');
const rounds = Number(values.rounds ?? 5);
const video = await ensureSampleFootage(silentLogger);
if (!video) throw new Error('vtest.avi is missing: run scripts/fetch-sample-footage');
const frame = await readFrameYuv420(video, Number(values.time ?? 30));

const candidates = [
  { name: 'yolox-nano 416 onnx', backend: 'onnx', model: { type: 'yolox', path: path.join(dir, 'yolox_nano_416x416.onnx'), inputSize: 416 }, perRound: 20 },
  { name: 'yolox-nano 320 onnx', backend: 'onnx', model: { type: 'yolox', path: path.join(dir, 'yolox_nano_320x320.onnx'), inputSize: 320 }, perRound: 30 },
  {
    name: 'centernet 512 onnx',
    backend: 'onnx',
    model: { type: 'centernet' },
    perRound: 6,
    needs: path.join(PROJECT_ROOT, 'models', 'build', 'centernet.onnx'),
  },
  { name: 'centernet 512 wasm', backend: 'wasm', model: { type: 'centernet' }, perRound: 3 },
].filter((c) => (c.model.path ?? c.needs ?? '') === '' || existsSync(c.model.path ?? c.needs));

const runs = [];
for (const c of candidates) {
  const pool = await createObjectDetector({ backend: c.backend, workers: 1, minScore: 0.4, model: c.model }, { log: silentLogger });
  for (let i = 0; i < 3; i++) await pool.detect([{ frame }]);
  pool.resetTimings();
  runs.push({ ...c, pool, wallMs: 0, count: 0, people: 0 });
}
for (let r = 0; r < rounds; r++) {
  for (const run of runs) {
    const t0 = performance.now();
    for (let i = 0; i < run.perRound; i++) {
      const dets = await run.pool.detect([{ frame }]);
      run.people = dets.filter((d) => d.label === 'person').length;
    }
    run.wallMs += performance.now() - t0;
    run.count += run.perRound;
  }
}
const rows = runs.map((run) => {
  const { inferMs, prepMs } = run.pool.timings();
  return {
    model: run.name,
    backend: run.pool.backend,
    inferences: run.count,
    perSecond: +((run.count / run.wallMs) * 1000).toFixed(2),
    inferMedianMs: +inferMs.medianMs.toFixed(1),
    inferP95Ms: +inferMs.p95Ms.toFixed(1),
    prepMedianMs: +prepMs.medianMs.toFixed(2),
    people: run.people,
  };
});
for (const run of runs) await run.pool.close();
const base = rows.find((r) => r.model === 'centernet 512 wasm');
for (const r of rows) r.vsWasm = base ? +(r.perSecond / base.perSecond).toFixed(1) : null;
console.table(rows);
console.log(JSON.stringify({ frameTime: Number(values.time ?? 30), rounds, rows }));
