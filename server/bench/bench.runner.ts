import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema } from '../config/config.schema.js';
import { sampleFootagePath } from '../demo/footage.js';
import { runDetection, type DetectSummary } from '../detect/detect.run.js';
import { createObjectDetector, type ObjectWorkerPool } from '../detect/object.pool.js';
import type { PipelineMode } from '../detect/camera.pipeline.js';
import { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import { readFileFrames } from '../ingest/file.frames.js';
import { silentLogger } from '../shared/log.js';
import { benchModel, type ModelBenchResult } from './model.bench.js';
import { benchMotion, type MotionBenchResult } from './motion.bench.js';
import { judge, runLive, SimFleet, type LiveRun } from './pipeline.bench.js';
import { runIngestBench, type IngestBenchResult } from './ingest.bench.js';
import { runLatencyBench, type LatencyResult } from './latency.bench.js';
import { formatBench } from './bench.format.js';

/**
 * `npm run bench`: the detection path measured on real footage (vtest.avi) and on simulated
 * RTSP cameras, with the naive baseline (model on every sampled frame, no motion gate) in the
 * same run so gains are ratios. Prints a table and writes JSON.
 */
export interface BenchOptions {
  out: string;
  /** Live measurement window per camera count, seconds. */
  windowS: number;
  warmupS: number;
  maxCameras: number;
  fileSeconds: number;
  ingestCameras: number;
  latencySeconds: number;
  say(line: string): void;
}

export interface BenchResults {
  at: string;
  machine: { cpus: number; model: string; memGb: number; node: string; ffmpeg: string };
  detector: { backend: string; workers: number; model: string };
  model: ModelBenchResult[];
  motion: MotionBenchResult & { width: number; height: number };
  file: { seconds: number; pipeline: DetectSummary; naive: DetectSummary; rawModelPerSecond: number; pipelineRegionsPerSecond: number; overhead: number };
  live: { runs: LiveRun[]; held: Record<PipelineMode, number>; ratio: number | null };
  ingest: IngestBenchResult | { error: string };
  latency: LatencyResult | { error: string };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

async function fileRun(footage: string, ffmpeg: FfmpegAdapter, detector: ObjectWorkerPool, mode: PipelineMode, seconds: number): Promise<DetectSummary> {
  const config = configSchema.parse({}).detect;
  async function* frames() {
    for await (const f of readFileFrames({ ffmpeg, path: footage, fps: config.fps, width: config.width })) {
      if ((f.mediaTime ?? 0) > seconds) break;
      yield f;
    }
  }
  detector.resetTimings();
  return runDetection(frames(), { detector, config, log: silentLogger, mode });
}

/** Raises the camera count until a count is not held (or the limit), for one mode. */
async function sweep(mode: PipelineMode, o: BenchOptions, base: Omit<Parameters<typeof runLive>[0], 'mode' | 'cameras'>, fleet: SimFleet): Promise<LiveRun[]> {
  const runs: LiveRun[] = [];
  for (let n = 1; n <= o.maxCameras; n++) {
    const run = await runLive({ ...base, mode, cameras: n }, fleet);
    const judged = judge(run, runs[0] ?? run);
    runs.push(judged);
    o.say(`  ${mode} × ${n}: ${judged.held ? 'held' : 'NOT held'} (${judged.why}); analysed ≥ ${judged.minAnalysedFps} fps, dropped ${Math.round(judged.dropRatio * 100)} %, people ${judged.personOccupancy}, CPU ${judged.serverCpuPercent} %`);
    if (!judged.held) break;
  }
  return runs;
}

const largestHeld = (runs: LiveRun[]) => runs.filter((r) => r.held).reduce((m, r) => Math.max(m, r.cameras), 0);

async function attempt<T>(what: string, o: BenchOptions, fn: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await fn();
  } catch (err) {
    o.say(`  ${what} failed: ${(err as Error).message}`);
    return { error: (err as Error).message };
  }
}

export async function runBench(o: BenchOptions): Promise<BenchResults> {
  const footage = sampleFootagePath();
  const ffmpeg = await FfmpegAdapter.create();
  o.say('model: raw CenterNet inference on a vtest frame');
  const model = [await benchModel({ log: silentLogger, workers: 1 }), await benchModel({ log: silentLogger, workers: os.cpus().length })];
  o.say('motion: synthetic 640×480 scene with two movers');
  const motion = { width: 640, height: 480, ...benchMotion({ width: 640, height: 480, frames: 500 }) };
  const detector = await createObjectDetector({ backend: 'auto', workers: 0, minScore: 0.4 }, { log: silentLogger });
  const fleet = new SimFleet(footage, ffmpeg.info.path);
  try {
    o.say(`file: vtest.avi, first ${o.fileSeconds} s at 5 fps, pipeline then naive`);
    const pipeline = await fileRun(footage, ffmpeg, detector, 'pipeline', o.fileSeconds);
    const naive = await fileRun(footage, ffmpeg, detector, 'naive', o.fileSeconds);
    const rawModelPerSecond = model[0]!.perSecond;
    const pipelineRegionsPerSecond = r2(pipeline.regions / (pipeline.ms.wall / 1000));
    o.say(`live: simulated RTSP cameras playing vtest.avi, ${o.windowS} s windows`);
    const base = { footage, ffmpeg, detector, windowS: o.windowS, warmupS: o.warmupS, fps: 5, width: 640, say: o.say };
    const naiveRuns = await sweep('naive', o, base, fleet);
    const pipelineRuns = await sweep('pipeline', o, base, fleet);
    await fleet.stop();
    const held = { naive: largestHeld(naiveRuns), pipeline: largestHeld(pipelineRuns) };
    o.say(`ingest: ${o.ingestCameras} simulated cameras without detection`);
    const ingest = await attempt('ingest', o, () => runIngestBench({ cameras: o.ingestCameras, durationS: o.windowS * 2, warmupS: o.warmupS, progress: (l) => o.say('  ' + l) }));
    const latency = await attempt('latency', o, () => runLatencyBench({ footage, seconds: o.latencySeconds, say: o.say }));
    const results: BenchResults = {
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, ffmpeg: ffmpeg.info.version.text.split(' Copyright')[0]! },
      detector: { backend: detector.backend, workers: detector.workers, model: detector.describe().source },
      model, motion,
      file: { seconds: o.fileSeconds, pipeline, naive, rawModelPerSecond, pipelineRegionsPerSecond, overhead: r2(pipelineRegionsPerSecond / rawModelPerSecond) },
      live: { runs: [...naiveRuns, ...pipelineRuns], held, ratio: held.naive ? r2(held.pipeline / held.naive) : null },
      ingest, latency,
    };
    mkdirSync(path.dirname(o.out), { recursive: true });
    writeFileSync(o.out, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(formatBench(results) + `\nJSON: ${o.out}\n`);
    return results;
  } finally {
    await fleet.stop();
    await detector.close();
  }
}
