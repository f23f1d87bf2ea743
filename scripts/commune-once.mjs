#!/usr/bin/env node
// One run of the bench's commune scenario at a chosen camera count, for profiling a change
// without the whole sweep: prints the analysed fps, CPU, alert latency per stage and clip
// readiness as JSON. Uses the built server (npm run build:server first).
// Usage: node scripts/commune-once.mjs [--cameras 20] [--mode pipeline|naive] [--window 20] [--warmup 20] [--drain 10]
import { parseArgs } from 'node:util';
import { CommuneFleet } from '../dist/server/bench/commune.fleet.js';
import { runCommune } from '../dist/server/bench/commune.run.js';
import { quantile } from '../dist/server/bench/commune.sweep.js';
import { sampleFootagePath } from '../dist/server/demo/footage.js';
import { FfmpegAdapter } from '../dist/server/ingest/ffmpeg.adapter.js';
import { silentLogger } from '../dist/server/shared/log.js';

const { values } = parseArgs({
  options: {
    cameras: { type: 'string', default: '20' },
    mode: { type: 'string', default: 'pipeline' },
    window: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '20' },
    drain: { type: 'string', default: '10' },
  },
});
const n = Number(values.cameras);
const ffmpeg = await FfmpegAdapter.create();
const fleet = new CommuneFleet({ footage: sampleFootagePath(), ffmpegPath: ffmpeg.info.path, log: silentLogger, maxCameras: n + 1 });
/** Why the model ran, summed over the busy cameras and over the quiet ones. */
const modelRunsBy = (rows) => {
  const sum = (list) =>
    list.reduce((acc, r) => {
      for (const [k, v] of Object.entries(r.modelRuns)) acc[k] = (acc[k] ?? 0) + v;
      return acc;
    }, {});
  return { busy: sum(rows.filter((r) => r.busy)), quiet: sum(rows.filter((r) => !r.busy)) };
};
const q = (xs) => ({ p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), n: xs.length });
try {
  const run = await runCommune({
    mode: values.mode,
    cameras: n,
    detect: {},
    windowS: Number(values.window),
    warmupS: Number(values.warmup),
    drainS: Number(values.drain),
    fleet,
    say: (l) => console.error(l),
  });
  const fps = run.perCamera.map((c) => c.analysedFps);
  console.log(
    JSON.stringify(
      {
        cameras: n,
        mode: run.mode,
        minFps: Math.min(...fps),
        analysedFps: run.analysedFps,
        modelCallsPerSecond: run.modelCallsPerSecond,
        cpu: run.cpu,
        latency: q(run.latency.samplesMs),
        stages: { camera: q(run.latency.stages.camera), detect: q(run.latency.stages.detect), publish: q(run.latency.stages.publish) },
        clips: { ...q(run.clips.readyMs), pendingMax: run.clips.pendingMax, failures: run.clips.failures },
        modelRuns: modelRunsBy(run.perCamera),
        snapshots: run.snapshots,
        errors: run.errors,
      },
      null,
      1,
    ),
  );
} finally {
  await fleet.stop();
}
