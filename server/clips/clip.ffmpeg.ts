import { open } from 'node:fs/promises';
import type { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import { serverStopping } from './clip.work.queue.js';

/** MP4 post-processing behind one adapter: faststart remux and the poster frame. */
export interface Mp4Tools {
  /** True when the index (moov) comes before the media (mdat), so a browser can play while loading. */
  isFastStart(file: string): Promise<boolean>;
  /** Stream copy into `out` with the index moved to the front. */
  faststart(input: string, out: string, signal?: AbortSignal): Promise<void>;
  /** One JPEG frame at `atS` seconds. */
  poster(input: string, out: string, atS: number, signal?: AbortSignal): Promise<void>;
}

/** Reads top-level MP4 box headers only (a few bytes), never the media. */
export async function moovBeforeMdat(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(16);
    for (let pos = 0; pos + 8 <= size;) {
      const { bytesRead } = await fh.read(head, 0, 16, pos);
      if (bytesRead < 8) return false;
      const type = head.toString('latin1', 4, 8);
      if (type === 'moov') return true;
      if (type === 'mdat') return false;
      let boxSize = head.readUInt32BE(0);
      if (boxSize === 1 && bytesRead >= 16) boxSize = Number(head.readBigUInt64BE(8));
      if (boxSize < 8) return false; // 0 = "to the end of file": no moov after it
      pos += boxSize;
    }
    return false;
  } finally {
    await fh.close();
  }
}

export class FfmpegMp4Tools implements Mp4Tools {
  constructor(
    private readonly ffmpeg: Pick<FfmpegAdapter, 'exec'>,
    private readonly o: { timeoutMs?: number } = {},
  ) {}

  isFastStart(file: string): Promise<boolean> {
    return moovBeforeMdat(file);
  }

  faststart(input: string, out: string, signal?: AbortSignal): Promise<void> {
    return this.run(['-i', input, '-map', '0:v:0', '-map', '0:a?', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', '-y', out], signal);
  }

  poster(input: string, out: string, atS: number, signal?: AbortSignal): Promise<void> {
    return this.run(['-ss', Math.max(0, atS).toFixed(3), '-i', input, '-frames:v', '1', '-q:v', '4', '-f', 'mjpeg', '-y', out], signal);
  }

  private async run(args: string[], signal?: AbortSignal): Promise<void> {
    const r = await this.ffmpeg.exec(['-nostdin', '-hide_banner', '-loglevel', 'error', ...args], {
      timeoutMs: this.o.timeoutMs ?? 60_000,
      maxStdout: 1 << 20,
      signal,
    });
    if (r.aborted) throw serverStopping();
    if (r.code !== 0)
      throw new Error(
        `ffmpeg ${args.includes('mjpeg') ? 'poster' : 'faststart'} failed (${r.timedOut ? 'timed out' : (r.signal ?? r.code)}): ${r.stderr.trim()}`,
      );
  }
}
