#!/usr/bin/env node
// One-off measurement (not part of `npm run bench`): median ms per CenterNet inference on
// tfjs-wasm vs the ONNX conversion on onnxruntime-node (1 intra-op thread, no spinning), in one
// process, interleaved on the same real vtest.avi frames pre-processed as the product does.
// Needs `npm run build` first (compiled dist/ and models/build/centernet.onnx).
// Usage: node scripts/compare-centernet-speed.mjs [rounds=10]
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(path.join(root, 'dist/server', p));
const ort = createRequire(path.join(root, 'package.json'))('onnxruntime-node');
const { readModelManifest, resolveModelFiles } = await dist('detect/object.model.js');
const { createTfjsRuntime } = await dist('detect/object.backend.tfjs.js');
const { resolveWasmDir } = await dist('detect/object.pool.js');
const { readFrameYuv420 } = await dist('bench/model.bench.js');
const { LetterboxScratch } = await dist('detect/object.preprocess.js');
const { ensureSampleFootage } = await dist('demo/footage.js');
const { buildCenternetOnnx } = await dist('detect/convert/model.build.js');
const { silentLogger } = await dist('shared/log.js');

const rounds = Number(process.argv[2] ?? 10);
const video = await ensureSampleFootage(silentLogger);
if (!video) throw new Error('vtest.avi unavailable: run scripts/fetch-sample-footage');
const files = resolveModelFiles(readModelManifest());
const built = buildCenternetOnnx();
const session = await ort.InferenceSession.create(built.onnxPath, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  extra: { session: { intra_op: { allow_spinning: '0' } } },
});
const tfjs = await createTfjsRuntime({
  backend: 'wasm',
  modelJson: files.modelJson,
  weights: files.weights,
  inputName: files.inputName,
  outputName: files.outputName,
  inputSize: files.inputSize,
  wasmDir: resolveWasmDir(),
  warmup: false,
});
const scratch = new LetterboxScratch(files.inputSize);
const inputs = [];
for (const t of [5, 30, 60]) {
  scratch.fill(await readFrameYuv420(video, t));
  inputs.push(scratch.input.slice());
}
const shape = [1, files.inputSize, files.inputSize, 3];
const runners = {
  'tfjs-wasm': (x) => tfjs.infer(x),
  onnxruntime: (x) => session.run({ [built.record.inputName]: new ort.Tensor('float32', x, shape) }),
};
const times = { 'tfjs-wasm': [], onnxruntime: [] };
for (const x of inputs) for (const run of Object.values(runners)) await run(x); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const x of inputs) {
    // Alternate which runtime goes first so neither always runs on a warmer cache.
    const order = r % 2 ? ['onnxruntime', 'tfjs-wasm'] : ['tfjs-wasm', 'onnxruntime'];
    for (const name of order) {
      const t0 = performance.now();
      await runners[name](x);
      times[name].push(performance.now() - t0);
    }
  }
}
const stat = (a) => {
  const s = [...a].sort((p, q) => p - q);
  return { n: s.length, medianMs: +s[Math.floor(s.length / 2)].toFixed(1), p90Ms: +s[Math.floor(s.length * 0.9)].toFixed(1), minMs: +s[0].toFixed(1) };
};
const result = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stat(v)]));
console.log(
  JSON.stringify(
    {
      frames: inputs.length,
      rounds,
      ...result,
      speedup: +(result['tfjs-wasm'].medianMs / result.onnxruntime.medianMs).toFixed(2),
      tfjs: tfjs.detail,
      ort: ort.env.versions?.node ?? '1.30',
    },
    null,
    2,
  ),
);
tfjs.dispose();
await session.release();
