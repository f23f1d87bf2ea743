import type { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import type { YuvImage } from './snapshot.draw.js';

/** Turns a yuv420p picture into a JPEG. */
export interface JpegEncoder {
  encode(img: YuvImage): Promise<Buffer>;
}

export interface FfmpegJpegOptions {
  /** mjpeg -q:v, 2 (best) … 31. */
  quality?: number;
  timeoutMs?: number;
  /** Encodes running at once; more wait (they are rare: start and a few best-frame updates per event). */
  maxConcurrent?: number;
}

/**
 * One ffmpeg process per snapshot. Measured here for 640×360: ≈ 56 ms wall and ≈ 50 ms of
 * CPU in the child, with < 4 ms of event-loop lag; the pure-JS jpeg-js encoder took 15–60 ms
 * of blocking main-thread time for the same frame, so the pipeline's event loop is spared.
 */
export class FfmpegJpegEncoder implements JpegEncoder {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(
    private readonly ffmpeg: Pick<FfmpegAdapter, 'exec'>,
    private readonly o: FfmpegJpegOptions = {},
  ) {}

  async encode(img: YuvImage): Promise<Buffer> {
    if (img.data.length < img.width * img.height * 1.5 || img.width % 2 || img.height % 2) {
      throw new Error(`not a yuv420p picture: ${img.width}x${img.height}, ${img.data.length} bytes`);
    }
    await this.acquire();
    try {
      return await this.run(img);
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < (this.o.maxConcurrent ?? 2)) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private async run(img: YuvImage): Promise<Buffer> {
    const args = [
      '-nostdin',
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      '-s',
      `${img.width}x${img.height}`,
      '-i',
      'pipe:0',
      '-frames:v',
      '1',
      '-q:v',
      String(this.o.quality ?? 4),
      '-f',
      'mjpeg',
      'pipe:1',
    ];
    const r = await this.ffmpeg.exec(args, {
      stdin: img.data.subarray(0, img.width * img.height * 1.5),
      timeoutMs: this.o.timeoutMs ?? 5000,
      maxStdout: 8 << 20,
    });
    if (r.code === 0 && r.stdout.length > 0) return r.stdout;
    throw new Error(`ffmpeg jpeg encode failed (${r.timedOut ? 'timed out' : (r.signal ?? r.code)}): ${r.stderr.trim()}`);
  }
}
