import type { YuvImage } from '../../server/events/snapshot.draw.js';
import { FfmpegAdapter } from '../../server/ingest/ffmpeg.adapter.js';

/** ffmpeg as the judge of our JPEGs: what a decoder other than ours makes of them. */
let adapter: Promise<FfmpegAdapter> | undefined;
const ffmpeg = () => (adapter ??= FfmpegAdapter.create());

async function run(args: string[], stdin?: Uint8Array): Promise<Buffer> {
  const r = await (await ffmpeg()).exec(['-v', 'error', '-nostdin', ...args], { stdin, timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** The decoded picture as yuv420p (limited range, like camera frames); `yuvj420p` gives JPEG's own full-range samples. */
export function decodeJpeg(jpeg: Uint8Array, pixFmt: 'yuv420p' | 'yuvj420p' = 'yuv420p'): Promise<Buffer> {
  return run(['-f', 'jpeg_pipe', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', pixFmt, 'pipe:1'], jpeg);
}

/** One frame of a video at `timeSec` as yuv420p: scaled to width × height, or the width × height crop at `at`. */
export async function videoFrame(video: string, timeSec: number, width: number, height: number, at?: [number, number]): Promise<YuvImage> {
  const filter = at ? `crop=${width}:${height}:${at[0]}:${at[1]}` : `scale=${width}:${height}`;
  const args = ['-ss', String(timeSec), '-i', video, '-frames:v', '1', '-vf', filter, '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1'];
  return { width, height, data: new Uint8Array(await run(args)) };
}

/** What the snapshots used to be: ffmpeg's mjpeg encoder at -q:v `q`. */
export function ffmpegJpeg(img: YuvImage, q: number): Promise<Buffer> {
  const input = ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${img.width}x${img.height}`, '-i', 'pipe:0'];
  return run([...input, '-frames:v', '1', '-q:v', String(q), '-f', 'mjpeg', 'pipe:1'], img.data);
}

/** PSNR in dB of each plane (Y, U, V) of two yuv420p pictures of the given size. */
export function psnr(a: Uint8Array, b: Uint8Array, width: number, height: number): [number, number, number] {
  const y = width * height,
    c = (width >> 1) * (height >> 1);
  const plane = (off: number, n: number) => {
    let se = 0;
    for (let i = off; i < off + n; i++) se += (a[i]! - b[i]!) ** 2;
    return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / se);
  };
  return [plane(0, y), plane(y, c), plane(y + c, c)];
}
