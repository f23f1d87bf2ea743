import path from 'node:path';
import { loadConfig } from '../config/config.load.js';
import { runDetection, type TrackLine } from '../detect/detect.run.js';
import { startObjectDetector } from '../detect/detection.path.js';
import { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import { readFileFrames } from '../ingest/file.frames.js';
import { StreamSession } from '../ingest/stream.session.js';
import { sourceFromStream } from '../ingest/stream.source.js';
import type { Frame } from '../domain/frame.js';
import { AppError } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/log.js';
import type { Command } from './cli.commands.js';

const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
const STILL = /\.(jpe?g|png|bmp|webp)$/i;

/** `binhyen detect <file|url>`: the live pipeline on a video file, an RTSP/HTTP URL or a still image. */
export const detectCommand: Command = {
  summary: 'Detect and track objects in a video file, a camera URL or a still image',
  usage: 'binhyen detect <file|url> [--fps N] [--width W] [--seconds S] [--naive] [--json]',
  options: {
    fps: { type: 'string' },
    width: { type: 'string' },
    seconds: { type: 'string' },
    naive: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  allowPositionals: true,
  async run({ values, positionals }) {
    const input = positionals[0];
    if (!input || positionals.length > 1) throw new AppError('usage', 'give exactly one file or URL', 2);
    const config = loadConfig();
    const fps = positiveNumber(values.fps, 'fps') ?? config.detect.fps;
    const width = positiveNumber(values.width, 'width') ?? config.detect.width;
    const log = createLogger(values.json ? 'warn' : config.logLevel);
    const ffmpeg = await FfmpegAdapter.create({ configuredPath: config.ffmpegPath });
    // The same detector as the server's (detection.path.ts), so `binhyen detect` shows what a camera would get.
    const { pool: detector, error } = await startObjectDetector(config.detect, log);
    if (!detector) throw new AppError('detector_unavailable', `the object detector could not start: ${error}`, 1);
    const print = (line: object) => process.stdout.write(JSON.stringify(line) + '\n');
    const onTrack = (t: TrackLine) =>
      values.json
        ? print(t)
        : process.stdout.write(
            `${t.label.padEnd(12)} ${t.start.toFixed(1).padStart(7)}s – ${t.end.toFixed(1).padStart(7)}s  score ${t.score.toFixed(2)}  box ${t.box.join(',')}\n`,
          );
    try {
      const still = STILL.test(input);
      const seconds = positiveNumber(values.seconds, 'seconds');
      // An image is one frame lasting 1/25 s: a lower fps filter would round it away.
      const frames = framesOf(input, { ffmpeg, fps: still ? 25 : fps, width, log, seconds });
      const summary = await runDetection(frames, {
        detector,
        log,
        onTrack,
        config: { ...config.detect, fps: still ? 1 : fps },
        sourceWidth: isUrl(input) ? undefined : (await ffmpeg.probe(path.resolve(input))).width,
        // A still has no motion and one frame: the model looks at the whole image and every detection is reported.
        still,
        mode: values.naive ? 'naive' : 'pipeline',
      });
      if (values.json) print(summary);
      else
        process.stdout.write(
          `\n${summary.tracks} track(s) ${JSON.stringify(summary.byLabel)} in ${summary.frames} frames; backend ${summary.backend}; motion ${summary.ms.motion} ms/frame; inference ${summary.ms.inference} ms median\n`,
        );
      return 0;
    } finally {
      await detector.close();
    }
  },
};

function positiveNumber(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new AppError('validation', `--${name} must be a positive number`, 2, { field: name });
  return n;
}

interface FrameSourceOptions {
  ffmpeg: FfmpegAdapter;
  fps: number;
  width: number;
  log: Logger;
  seconds?: number;
}

/** Files are read as fast as they decode (every sampled frame); URLs are live, for `seconds` (default 30). */
async function* framesOf(input: string, o: FrameSourceOptions): AsyncGenerator<Frame> {
  if (!isUrl(input)) {
    for await (const f of readFileFrames({ ffmpeg: o.ffmpeg, path: path.resolve(input), fps: o.fps, width: o.width, log: o.log })) {
      if (o.seconds !== undefined && (f.mediaTime ?? 0) > o.seconds) break;
      yield f;
    }
    return;
  }
  const session = new StreamSession(
    { cameraId: 0, role: 'main', source: sourceFromStream({ url: input }, { transport: 'tcp' }), frames: { fps: o.fps, width: o.width } },
    {
      ffmpeg: o.ffmpeg,
      log: o.log,
      settings: LIVE_SETTINGS,
      onState: (_r, state, reason) => state === 'offline' && o.log.warn(`stream offline: ${reason ?? ''}`),
    },
  );
  const frames = session.frames();
  await session.start();
  const until = Date.now() + (o.seconds ?? 30) * 1000;
  try {
    for await (const f of frames) {
      const t = (f.capturedAt - (until - (o.seconds ?? 30) * 1000)) / 1000;
      yield { ...f, mediaTime: t };
      if (Date.now() >= until) break;
    }
  } finally {
    await session.stop();
  }
}

const LIVE_SETTINGS = {
  stallTimeoutMs: 10_000,
  startTimeoutMs: 15_000,
  backoffInitialMs: 1000,
  backoffMaxMs: 5000,
  healthyResetMs: 30_000,
  offlineAfterFailures: 3,
  killGraceMs: 2000,
  socketTimeoutMs: 5000,
  decodeThreads: 1,
  stderrLines: 20,
};
