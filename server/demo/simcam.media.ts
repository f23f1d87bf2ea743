import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../shared/log.js';
import { spawnChild } from './simcam.process.js';

/** Where the simulated camera's picture comes from. */
export type SimSource = { kind: 'pattern' } | { kind: 'file'; path: string };

export interface VideoSize {
  width: number;
  height: number;
  fps: number;
}

/** ffmpeg input arguments for a source, read in real time (`-re`), looping forever. */
export function sourceInputArgs(source: SimSource, size: VideoSize): string[] {
  if (source.kind === 'file') return ['-re', '-stream_loop', '-1', '-i', source.path];
  return ['-re', '-f', 'lavfi', '-i', patternFilter(size)];
}

/**
 * A generated picture that motion detection sees: testsrc2 moves a box and a counter over
 * a colour chart every frame.
 */
export function patternFilter(size: VideoSize): string {
  return `testsrc2=size=${size.width}x${size.height}:rate=${size.fps}`;
}

/** `fps=` before `scale=`: only the kept frames are scaled (pipeline.md). */
export function scaleFilter(size: VideoSize): string {
  return `fps=${size.fps},scale=${size.width}:${size.height}`;
}

/** H.264 the way a camera sends it: no B-frames, a keyframe every second so clients can join any time. */
export function x264Args(fps: number, preset: 'ultrafast' | 'veryfast'): string[] {
  const gop = String(Math.max(1, Math.round(fps)));
  return [
    '-c:v',
    'libx264',
    '-preset',
    preset,
    ...(preset === 'ultrafast' ? ['-tune', 'zerolatency'] : []),
    '-g',
    gop,
    '-keyint_min',
    gop,
    '-sc_threshold',
    '0',
    '-bf',
    '0',
    '-pix_fmt',
    'yuv420p',
  ];
}

/** Which codec a simulated camera sends: H.265 stands for a camera whose main stream browsers cannot play. */
export type VideoCodec = 'h264' | 'h265';

/** H.265 the same way: a keyframe every second, no B-frames (libx265, quiet). */
export function x265Args(fps: number): string[] {
  const gop = Math.max(1, Math.round(fps));
  return [
    '-c:v',
    'libx265',
    '-preset',
    'ultrafast',
    '-x265-params',
    `keyint=${gop}:min-keyint=${gop}:scenecut=0:bframes=0:log-level=error`,
    '-pix_fmt',
    'yuv420p',
  ];
}

/** Natural size and frame rate of a file, read from ffmpeg's own report (ffprobe may be absent). */
export async function probeFile(ffmpegPath: string, path: string, logger: Logger): Promise<VideoSize> {
  const child = spawnChild(ffmpegPath, ['-hide_banner', '-nostdin', '-i', path], { name: 'ffmpeg-probe', logger });
  let text = '';
  child.proc.stderr?.on('data', (chunk: string) => (text += chunk));
  await child.exited;
  const video = text.split('\n').find((l) => /Stream #.*Video:/.test(l));
  const dims = video?.match(/, (\d{2,5})x(\d{2,5})[\s,[]/);
  if (!video || !dims) throw new Error(`cannot read the video size of ${path}: ${child.stderrTail() || 'no video stream'}`);
  const fps = Number(video.match(/([\d.]+) fps/)?.[1] ?? video.match(/([\d.]+) tbr/)?.[1] ?? 10);
  return { width: Number(dims[1]), height: Number(dims[2]), fps: Number.isFinite(fps) && fps > 0 ? Math.round(fps) : 10 };
}

/** Bump when the encoding below changes, so old cache files are not reused. */
const CACHE_VERSION = 1;
/** The generated pattern loops after this many seconds in the cache. */
const PATTERN_SECONDS = 10;
const inFlight = new Map<string, Promise<string>>();

function cacheKey(source: SimSource, size: VideoSize, codec: VideoCodec): string {
  const id = source.kind === 'file' ? `${source.path}:${statSync(source.path).size}:${statSync(source.path).mtimeMs}` : 'pattern';
  const c = codec === 'h264' ? '' : `|${codec}`; // H.264 keys unchanged: existing caches stay valid
  return createHash('sha256').update(`${CACHE_VERSION}|${id}|${size.width}x${size.height}@${size.fps}${c}`).digest('hex').slice(0, 16);
}

/**
 * Encodes the source once into an H.264 MP4 in the cache (keyframe every second, no
 * B-frames), so many cameras can publish it with `-c copy` at almost no CPU. Concurrent
 * callers in this process share one encode; across processes the atomic rename makes the
 * last finished copy win, never a half-written one.
 */
export function ensureEncodedCopy(
  ffmpegPath: string,
  cacheDir: string,
  source: SimSource,
  size: VideoSize,
  logger: Logger,
  codec: VideoCodec = 'h264',
): Promise<string> {
  const key = cacheKey(source, size, codec);
  const target = join(cacheDir, `${key}.mp4`);
  if (existsSync(target)) return Promise.resolve(target);
  const running = inFlight.get(target);
  if (running) return running;
  const job = encode(ffmpegPath, target, source, size, logger, codec).finally(() => inFlight.delete(target));
  inFlight.set(target, job);
  return job;
}

async function encode(ffmpegPath: string, target: string, source: SimSource, size: VideoSize, logger: Logger, codec: VideoCodec): Promise<string> {
  mkdirSync(join(target, '..'), { recursive: true });
  const tmp = `${target}.${process.pid}.${Date.now()}.part.mp4`;
  const input = source.kind === 'file' ? ['-i', source.path] : ['-f', 'lavfi', '-i', patternFilter(size), '-t', String(PATTERN_SECONDS)];
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    ...input,
    '-an',
    '-vf',
    scaleFilter(size),
    ...(codec === 'h265' ? x265Args(size.fps) : x264Args(size.fps, 'veryfast')),
    '-movflags',
    '+faststart',
    tmp,
  ];
  logger.info('simulated camera: encoding source once into the cache', { source: source.kind === 'file' ? source.path : 'pattern', ...size });
  const child = spawnChild(ffmpegPath, args, { name: 'ffmpeg-cache', logger });
  const code = await child.exited;
  if (code !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot encode the simulated camera source (ffmpeg exited ${String(code)}): ${child.stderrTail()}`);
  }
  renameSync(tmp, target);
  return target;
}
