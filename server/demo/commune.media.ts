import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../shared/log.js';
import { x264Args } from './simcam.media.js';
import { spawnChild } from './simcam.process.js';

/**
 * The two pictures of the commune benchmark, encoded once into the cache at 640×360, 10 fps
 * (keyframe every second, like the simulated camera's own cache):
 * - busy: real street footage (vtest.avi, cropped to 16:9), a BUSY_SECONDS loop, so a
 *   measuring window of the same length sees the whole loop whatever its phase;
 * - quiet: the same street without people (a temporal median of vtest, i.e. a real frame of
 *   that street) with sensor noise and a slow brightness drift over a QUIET_SECONDS loop, and
 *   a few seconds of real vtest footage spliced in: the occasional passer-by.
 */
export const COMMUNE_SIZE = { width: 640, height: 360, fps: 10 } as const;
export const BUSY_SECONDS = 20;
export const QUIET_SECONDS = 60;
/** Passer-by: this many seconds of vtest (from PASSER_FROM) in the middle of the quiet loop. */
const PASSER_SECONDS = 4;
const PASSER_FROM = 40;
const VERSION = 2;

export interface CommuneMedia {
  busy: string;
  quiet: string;
}

const CROP = 'crop=iw:iw*9/16:0:(ih-iw*9/16)/2';
const SCALE = `${CROP},scale=${COMMUNE_SIZE.width}:${COMMUNE_SIZE.height},setsar=1`;

export async function ensureCommuneMedia(ffmpegPath: string, cacheDir: string, vtest: string, logger: Logger): Promise<CommuneMedia> {
  const st = statSync(vtest);
  const key = createHash('sha256').update(`${VERSION}|${vtest}|${st.size}|${st.mtimeMs}`).digest('hex').slice(0, 12);
  mkdirSync(cacheDir, { recursive: true });
  const busy = join(cacheDir, `commune-busy-${key}.mp4`);
  const plate = join(cacheDir, `commune-plate-${key}.png`);
  const quiet = join(cacheDir, `commune-quiet-${key}.mp4`);
  // A camera's sub-stream is rate-capped: sensor noise would otherwise take megabits.
  const enc = [...x264Args(COMMUNE_SIZE.fps, 'veryfast'), '-maxrate', '768k', '-bufsize', '1536k', '-movflags', '+faststart'];
  await make(ffmpegPath, busy, logger, (out) => ['-i', vtest, '-t', String(BUSY_SECONDS), '-an', '-vf', `fps=${COMMUNE_SIZE.fps},${SCALE}`, ...enc, out]);
  // Every 8th frame, median over ~100 of them: the people walk away, the street stays.
  await make(ffmpegPath, plate, logger, (out) => [
    '-i',
    vtest,
    '-vf',
    `select='not(mod(n\\,8))',setpts=N/TB,${SCALE},tmedian=radius=49`,
    '-f',
    'image2',
    '-update',
    '1',
    out,
  ]);
  const still = (seconds: number) => ['-loop', '1', '-framerate', String(COMMUNE_SIZE.fps), '-t', String(seconds), '-i', plate];
  const half = (QUIET_SECONDS - PASSER_SECONDS) / 2;
  const graph = [
    `[0]format=yuv420p[a]`,
    `[1]fps=${COMMUNE_SIZE.fps},${SCALE},format=yuv420p[b]`,
    `[2]format=yuv420p[c]`,
    // Drift period = loop length: the loop point shows no jump in brightness.
    `[a][b][c]concat=n=3:v=1,noise=alls=6:allf=t,eq=brightness='0.05*sin(2*PI*t/${QUIET_SECONDS})':eval=frame[v]`,
  ].join(';');
  await make(ffmpegPath, quiet, logger, (out) => [
    ...still(half),
    '-ss',
    String(PASSER_FROM),
    '-t',
    String(PASSER_SECONDS),
    '-i',
    vtest,
    ...still(half),
    '-filter_complex',
    graph,
    '-map',
    '[v]',
    '-an',
    ...enc,
    out,
  ]);
  return { busy, quiet };
}

/** Runs ffmpeg once to make `target` (a cache file) unless it exists; written under a temporary name, then renamed. */
export async function make(ffmpegPath: string, target: string, logger: Logger, args: (out: string) => string[]): Promise<void> {
  if (existsSync(target)) return;
  const tmp = target.replace(/(\.\w+)$/, `.${process.pid}.part$1`);
  logger.info('commune bench: encoding a picture once into the cache', { target });
  const child = spawnChild(ffmpegPath, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args(tmp)], { name: 'ffmpeg-commune', logger });
  const code = await child.exited;
  if (code !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot prepare ${target} (ffmpeg exited ${String(code)}): ${child.stderrTail()}`);
  }
  renameSync(tmp, target);
}
