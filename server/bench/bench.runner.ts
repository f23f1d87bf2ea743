import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema } from '../config/config.schema.js';
import { sampleFootagePath } from '../demo/footage.js';
import { runDetection, type DetectSummary } from '../detect/detect.run.js';
import { createObjectDetector } from '../detect/object.pool.js';
import type { PipelineMode } from '../detect/camera.pipeline.js';
import { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import { readFileFrames } from '../ingest/file.frames.js';
import { silentLogger } from '../shared/log.js';
import { formatBench } from './bench.format.js';
import { CommuneFleet } from './commune.fleet.js';
import { CONFIRM_HITS, type LatencyStages } from './commune.run.js';
import { quantile, sweepCommune, type CommuneRow } from './commune.sweep.js';
import { runIngestBench, type IngestBenchResult } from './ingest.bench.js';
import { runLiveBench, type LiveBenchRow } from './live.bench.js';
import { vtestFrame } from './model.bench.js';
import { measureModelRates, TWIN_KEY, type ModelRate } from './model.rates.js';
import { benchMotion, type MotionBenchResult } from './motion.bench.js';
import { formatPrivacyBench, runPrivacyBench, type PrivacyBenchResult } from './privacy.bench.js';
import { runClusterBench, type ClusterBenchOptions, type ClusterBenchResult } from './cluster.bench.js';
import { formatClusterBench } from './cluster.format.js';

/**
 * `npm run bench`: raw model rates per backend and model (interleaved), motion cost, the
 * offline file run, then the commune scenario (N simulated RTSP cameras through the real
 * server, pipeline and naive swept in the same run, YOLOX at the largest count held), and
 * the ingest-only cost. Prints a table and writes one JSON object.
 */
export interface BenchOptions {
  out: string;
  quick: boolean;
  /** Print the JSON on stdout (the table then goes to stderr). */
  json: boolean;
  windowS: number;
  warmupS: number;
  drainS: number;
  pipelineSteps: number[];
  naiveSteps: number[];
  /** The cluster rows (1, 2, 3 node processes on PostgreSQL and Redis); skipped when either does not answer. */
  cluster: ClusterSettings;
  say(line: string): void;
}

export type ClusterSettings = Pick<ClusterBenchOptions, 'nodeCounts' | 'steps' | 'windowS' | 'warmupS' | 'postgresUrl' | 'redisUrl'>;

type Failed = { error: string };
const r1 = (x: number) => Math.round(x * 10) / 10;

async function attempt<T>(what: string, o: BenchOptions, fn: () => Promise<T>): Promise<T | Failed> {
  try {
    return await fn();
  } catch (err) {
    o.say(`  ${what} failed: ${(err as Error).message}`);
    return { error: (err as Error).message };
  }
}

async function fileRun(footage: string, ffmpeg: FfmpegAdapter, mode: PipelineMode, seconds: number): Promise<DetectSummary> {
  const config = configSchema.parse({}).detect;
  const detector = await createObjectDetector({ backend: 'auto', workers: 0, minScore: config.minScore }, { log: silentLogger });
  async function* frames() {
    for await (const f of readFileFrames({ ffmpeg, path: footage, fps: config.fps, width: config.width })) {
      if ((f.mediaTime ?? 0) > seconds) break;
      yield f;
    }
  }
  try {
    return await runDetection(frames(), { detector, config, log: silentLogger, mode });
  } finally {
    await detector.close();
  }
}

/** p50 and p95 of each stage of the alert path, ms. */
function stageQuantiles(stages: LatencyStages) {
  const q = (xs: number[]) => ({ p50Ms: quantile(xs, 0.5), p95Ms: quantile(xs, 0.95) });
  return { camera: q(stages.camera), detect: q(stages.detect), publish: q(stages.publish) };
}

/** The run the headline latency and clip figures come from: the largest pipeline count held. */
function reportRow(rows: CommuneRow[], held: number): CommuneRow | undefined {
  const pipeline = rows.filter((r) => r.mode === 'pipeline');
  return pipeline.find((r) => r.cameras === held && r.verdict.held) ?? pipeline[0];
}

export async function runBench(o: BenchOptions) {
  const footage = sampleFootagePath();
  const ffmpeg = await FfmpegAdapter.create();
  const frame = await vtestFrame({ log: silentLogger, workers: 1, video: footage, ffmpeg });
  o.say('model: raw rates per backend and model on a 16:9 band of a vtest frame, interleaved');
  const rates: ModelRate[] = await measureModelRates({ frame, rounds: o.quick ? 2 : 4, sliceMs: o.quick ? 1000 : 2500, log: silentLogger, say: o.say });
  o.say('motion: synthetic 640×480 scene with two movers');
  const motion: MotionBenchResult & { width: number; height: number } = { width: 640, height: 480, ...benchMotion({ width: 640, height: 480, frames: o.quick ? 100 : 500 }) };
  let file: { seconds: number; pipeline: DetectSummary; naive: DetectSummary } | { skipped: string } = { skipped: 'not run in --quick mode' };
  if (!o.quick) {
    o.say('file: vtest.avi, first 40 s at 5 fps, pipeline then naive (offline)');
    file = { seconds: 40, pipeline: await fileRun(footage, ffmpeg, 'pipeline', 40), naive: await fileRun(footage, ffmpeg, 'naive', 40) };
  }
  const maxCameras = Math.max(...o.pipelineSteps, ...o.naiveSteps) + 1;
  const fleet = new CommuneFleet({ footage, ffmpegPath: ffmpeg.info.path, log: silentLogger, maxCameras });
  o.say(`commune: simulated cameras 640×360 10 fps, 5 fps analysed, a quarter busy; ${o.windowS} s windows`);
  const sweep = await (async () => {
    try {
      return await sweepCommune({ fleet, pipelineSteps: o.pipelineSteps, naiveSteps: o.naiveSteps, bisect: o.quick ? 0 : 1, windowS: o.windowS, warmupS: o.warmupS, drainS: o.drainS, yolox: !o.quick, say: o.say });
    } finally {
      await fleet.stop();
    }
  })();
  let ingest: IngestBenchResult | Failed | { skipped: string } = { skipped: 'not run in --quick mode' };
  if (!o.quick) {
    o.say('ingest: 10 simulated cameras without detection');
    ingest = await attempt('ingest', o, () => runIngestBench({ cameras: 10, durationS: o.windowS, warmupS: o.warmupS, progress: (l) => o.say('  ' + l) }));
  }
  o.say('live video: one camera watched by 0, 1 and 10 viewers of its fMP4 remux');
  const liveVideo: { rows: LiveBenchRow[] } | Failed = await attempt('live video', o, () =>
    runLiveBench({ windowS: o.quick ? 10 : 30, warmupS: o.quick ? 3 : 5, say: o.say }),
  );
  o.say('privacy masks: recording with "hide from everyone" masks, residents\' JPEGs and clip renditions');
  const privacy: PrivacyBenchResult | Failed = await attempt('privacy', o, () =>
    runPrivacyBench({ ffmpeg, windowS: o.quick ? 5 : 10, warmupS: o.quick ? 2 : 3, say: o.say }),
  );
  const cluster: ClusterBenchResult | Failed = await attempt('cluster', o, () => runClusterBench({ ...o.cluster, footage, ffmpegPath: ffmpeg.info.path, say: o.say }));
  const report = reportRow(sweep.rows, sweep.held.pipeline);
  // The commune's 640×360 cameras run on CenterNet's 16:9 twin when it is built.
  const defaultRate = rates.find((r) => r.key === TWIN_KEY) ?? rates.find((r) => r.key === 'onnx/centernet') ?? rates[0];
  const floorMs = defaultRate ? Math.round(1000 / 5 + CONFIRM_HITS * defaultRate.medianMs) : null;
  const communeRuns = [...sweep.rows, ...('skipped' in sweep.yolox ? [] : [sweep.yolox])];
  const results = {
    at: new Date().toISOString(),
    quick: o.quick,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, ffmpeg: ffmpeg.info.version.text.split(' Copyright')[0]!, loadAvg: os.loadavg().map(r1) },
    model: { rates: Object.fromEntries(rates.map((r) => [r.key, r.perSecond])), detail: rates },
    motion, file,
    live: {
      held: sweep.held, ratio: sweep.held.naive ? r1(sweep.held.pipeline / sweep.held.naive) : null,
      reference: { people: sweep.reference.perCamera[0]?.people ?? null, personTracks: sweep.reference.perCamera[0]?.personTracks ?? null },
      sweep: sweep.rows, yolox: sweep.yolox,
    },
    latency: {
      cameras: report?.cameras ?? null, alerts: report?.latency.alerts ?? 0,
      p50Ms: report?.latencyP50Ms ?? null, p95Ms: report?.latencyP95Ms ?? null, floorMs,
      // The simulated camera's encoder and transport, before BinhYen sees the frame: part of the figure above.
      cameraP50Ms: report?.cameraLatencyP50Ms ?? null,
      // Where the time goes, per alert: the camera, detection (confirming frame, motion, model), publishing (rules, transaction, socket.io).
      stages: report ? stageQuantiles(report.latency.stages) : null,
      floor: `${1000 / 5} ms frame interval + ${CONFIRM_HITS} confirmation hits × ${defaultRate?.medianMs ?? '?'} ms median ${defaultRate?.key ?? ''} inference`,
    },
    clips: {
      cameras: report?.cameras ?? null, ready: report?.clips.ready ?? 0,
      readyP50Ms: quantile(report?.clips.readyMs ?? [], 0.5), readyP95Ms: report?.clipReadyP95Ms ?? null,
      pendingMax: report?.clips.pendingMax ?? null, pendingMaxAnyRun: Math.max(0, ...communeRuns.map((r) => r.clips.pendingMax)),
      failures: communeRuns.reduce((a, r) => a + r.clips.failures, 0),
    },
    snapshots: { failures: communeRuns.reduce((a, r) => a + r.snapshots.failures, 0) },
    disk: report?.disk ?? null,
    ingest,
    liveVideo,
    privacy,
    cluster,
  };
  mkdirSync(path.dirname(o.out), { recursive: true });
  writeFileSync(o.out, JSON.stringify(results, null, 2) + '\n');
  const table = formatBench(results) + ('error' in privacy ? '' : formatPrivacyBench(privacy)) + formatClusterBench(cluster) + `\nJSON: ${o.out}\n`;
  if (o.json) {
    process.stderr.write(table);
    process.stdout.write(JSON.stringify(results) + '\n');
  } else process.stdout.write(table);
  return results;
}
export type BenchResults = Awaited<ReturnType<typeof runBench>>;

/** `binhyen bench --privacy`: the privacy-mask costs alone, table and JSON. */
export async function runPrivacyOnly(o: { out: string; json: boolean; windowS: number }): Promise<PrivacyBenchResult> {
  const ffmpeg = await FfmpegAdapter.create();
  try {
    const privacy = await runPrivacyBench({ ffmpeg, windowS: o.windowS, say: (l) => process.stderr.write(l + '\n') });
    const results = {
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', ffmpeg: ffmpeg.info.version.text.split(' Copyright')[0]!, loadAvg: os.loadavg().map(r1) },
      privacy,
    };
    mkdirSync(path.dirname(o.out), { recursive: true });
    writeFileSync(o.out, JSON.stringify(results, null, 2) + '\n');
    const table = formatPrivacyBench(privacy) + `\nJSON: ${o.out}\n`;
    if (o.json) {
      process.stderr.write(table);
      process.stdout.write(JSON.stringify(results) + '\n');
    } else process.stdout.write(table);
    return privacy;
  } finally {
    await ffmpeg.close();
  }
}

/** `binhyen bench --cluster`: the cluster rows alone, table and JSON. */
export async function runClusterOnly(o: { out: string; json: boolean; cluster: ClusterSettings }): Promise<ClusterBenchResult> {
  const ffmpeg = await FfmpegAdapter.create();
  try {
    const say = (l: string) => process.stderr.write(l + '\n');
    const cluster = await runClusterBench({ ...o.cluster, footage: sampleFootagePath(), ffmpegPath: ffmpeg.info.path, say });
    const results = {
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', ffmpeg: ffmpeg.info.version.text.split(' Copyright')[0]!, loadAvg: os.loadavg().map(r1) },
      cluster,
    };
    mkdirSync(path.dirname(o.out), { recursive: true });
    writeFileSync(o.out, JSON.stringify(results, null, 2) + '\n');
    const table = formatClusterBench(cluster) + `\nJSON: ${o.out}\n`;
    if (o.json) {
      process.stderr.write(table);
      process.stdout.write(JSON.stringify(results) + '\n');
    } else process.stdout.write(table);
    return cluster;
  } finally {
    await ffmpeg.close();
  }
}
