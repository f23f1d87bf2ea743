import type { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import type { ImageDecodes } from './report.photos.js';

/**
 * The decode check of uploaded photos, through the one ffmpeg port: the image is decoded in
 * full (`-xerror` stops at the first error), so a truncated or forged file is refused.
 */
export function ffmpegImageDecodes(ffmpeg: Pick<FfmpegAdapter, 'exec'>): ImageDecodes {
  return async (data, mime) => {
    const codec = mime === 'image/jpeg' ? 'mjpeg' : 'png';
    const r = await ffmpeg.exec(
      ['-nostdin', '-v', 'error', '-xerror', '-f', 'image2pipe', '-c:v', codec, '-i', 'pipe:0', '-frames:v', '1', '-f', 'null', '-'],
      {
        stdin: data,
        timeoutMs: 15_000,
        maxStdout: 1024,
      },
    );
    return r.code === 0 && !r.timedOut && r.stderr.trim() === '';
  };
}
