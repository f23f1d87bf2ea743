import { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import { performance } from 'node:perf_hooks';
import { ensureSampleFootage } from '../demo/footage.js';
import type { ObjectBackendChoice } from '../detect/object.detector.js';
import type { ModelChoice } from '../detect/object.model.resolve.js';
import { createObjectDetector, type ObjectWorkerPool } from '../detect/object.pool.js';
import { yuvBytes, type Yuv420Image } from '../detect/object.preprocess.js';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

/**
 * Raw model speed: the object detector on one real frame, `workers` jobs kept in flight,
 * no motion gate and no queue. The per-inference time is measured inside the workers
 * (model only); the rate is jobs finished per wall-clock second (pre-processing and
 * thread hand-off included), which is the ceiling the pipeline is compared against.
 */

export interface ModelBenchOptions {
  log: Logger;
  workers: number;
  backend?: ObjectBackendChoice;
  /** Default: CenterNet (see object.model.resolve.ts). */
  model?: ModelChoice;
  /** Timed inferences (after two untimed ones per worker). Default 40. */
  iterations?: number;
  /** The frame to run on; default: vtest.avi at `frameTime` seconds (fetched when missing). */
  frame?: Yuv420Image;
  video?: string;
  frameTime?: number;
  ffmpeg?: Pick<FfmpegAdapter, 'exec'>;
}

export interface ModelBenchResult {
  backend: string;
  workers: number;
  /** Model inference in a worker, ms. */
  medianMs: number;
  p95Ms: number;
  /** Inferences per second with all workers busy. */
  perSecond: number;
  inferences: number;
  /** YUV → RGB letterbox in the worker, ms (median). */
  prepMedianMs: number;
  detail: Record<string, unknown>;
}

export async function benchModel(opts: ModelBenchOptions): Promise<ModelBenchResult> {
  const frame = opts.frame ?? (await vtestFrame(opts));
  const pool = await createObjectDetector({ backend: opts.backend ?? 'auto', workers: opts.workers, minScore: 0.4, model: opts.model }, { log: opts.log });
  try {
    const warm = 2 * pool.workers;
    await runClosedLoop(pool, frame, warm);
    pool.resetTimings();
    const iterations = opts.iterations ?? 40;
    const t0 = performance.now();
    await runClosedLoop(pool, frame, iterations);
    const wallMs = performance.now() - t0;
    const { inferMs, prepMs } = pool.timings();
    return {
      backend: pool.backend, workers: pool.workers,
      medianMs: round(inferMs.medianMs), p95Ms: round(inferMs.p95Ms),
      perSecond: round((iterations / wallMs) * 1000), inferences: iterations,
      prepMedianMs: round(prepMs.medianMs), detail: pool.detail,
    };
  } finally {
    await pool.close();
  }
}

/** Keeps one job per worker in flight until `count` jobs are done. */
async function runClosedLoop(pool: ObjectWorkerPool, frame: Yuv420Image, count: number): Promise<void> {
  let started = 0;
  const lane = async () => {
    while (started < count) {
      started++;
      await pool.detect([{ frame }]);
    }
  };
  await Promise.all(Array.from({ length: pool.workers }, lane));
}

const round = (v: number) => Math.round(v * 10) / 10;

export async function vtestFrame(opts: ModelBenchOptions): Promise<Yuv420Image> {
  const video = opts.video ?? (await ensureSampleFootage(opts.log));
  if (!video) throw new AppError('footage_missing', 'sample footage vtest.avi is not available; run scripts/fetch-sample-footage', 500);
  return readFrameYuv420(video, opts.frameTime ?? 30, { ffmpeg: opts.ffmpeg });
}

/**
 * One frame of a video as yuv420p at its own size, the first at or after `timeSec`
 * (ffmpeg's accurate input seek). Shared by the detector tests and benchmarks.
 */
export async function readFrameYuv420(video: string, timeSec: number, opts: { ffmpeg?: Pick<FfmpegAdapter, 'exec'> } = {}): Promise<Yuv420Image & { time: number }> {
  // yuv4mpeg carries the picture size in its header, so no ffprobe is needed (the bundled ffmpeg has none).
  const args = ['-v', 'error', '-nostdin', '-ss', String(timeSec), '-i', video, '-frames:v', '1', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', 'pipe:1'];
  const r = await (opts.ffmpeg ?? (await FfmpegAdapter.create())).exec(args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new AppError('ffmpeg_failed', `ffmpeg could not read ${video} at ${timeSec}s: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`, 500);
  const out = r.stdout;
  const headerEnd = out.indexOf(0x0a);
  const header = out.subarray(0, headerEnd).toString('latin1');
  const width = Number(/ W(\d+)/.exec(header)?.[1] ?? 0);
  const height = Number(/ H(\d+)/.exec(header)?.[1] ?? 0);
  const frameStart = out.indexOf('FRAME', headerEnd, 'latin1');
  const dataStart = frameStart < 0 ? -1 : out.indexOf(0x0a, frameStart) + 1;
  const size = yuvBytes(width, height);
  if (!width || !height || dataStart <= 0 || out.length < dataStart + size) {
    throw new AppError('footage_invalid', `${video} at ${timeSec}s did not give one yuv420p frame (${header.slice(0, 60)})`, 500);
  }
  return { width, height, data: new Uint8Array(out.buffer, out.byteOffset + dataStart, size), time: timeSec };
}

