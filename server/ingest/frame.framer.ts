import { yuv420pSize } from '../domain/frame.js';

/**
 * Slices ffmpeg's stdout (YUV4MPEG2, yuv420p) into exact frames. Stdout chunks do not align
 * with frames: a chunk may end inside the stream header, inside a FRAME marker or anywhere
 * in the picture data. Each frame's bytes are copied into a buffer of their own, so a frame
 * never pins the (larger) pipe chunk it arrived in.
 */

export interface RawFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

export class FramerError extends Error {
  override name = 'FramerError';
}

const NL = 0x0a;
const MAX_HEADER = 1024;
const FRAME_TAG = 'FRAME';

type Phase = 'stream-header' | 'frame-header' | 'data';

export class Y4mFramer {
  private phase: Phase = 'stream-header';
  private header: number[] = [];
  private width = 0;
  private height = 0;
  private frameSize = 0;
  private current: Uint8Array | undefined;
  private filled = 0;

  constructor(
    private readonly onFrame: (f: RawFrame) => void,
    private readonly maxPixels = 8192 * 8192,
  ) {}

  get size(): { width: number; height: number } | undefined {
    return this.width ? { width: this.width, height: this.height } : undefined;
  }

  /** Feeds one stdout chunk; calls onFrame for every frame it completes. Throws on a malformed stream. */
  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.phase === 'data') i = this.fill(chunk, i);
      else i = this.readHeaderLine(chunk, i);
    }
  }

  private fill(chunk: Uint8Array, from: number): number {
    const cur = (this.current ??= new Uint8Array(this.frameSize));
    const n = Math.min(this.frameSize - this.filled, chunk.length - from);
    cur.set(chunk.subarray(from, from + n), this.filled);
    this.filled += n;
    if (this.filled === this.frameSize) {
      this.current = undefined;
      this.filled = 0;
      this.phase = 'frame-header';
      this.onFrame({ width: this.width, height: this.height, data: cur });
    }
    return from + n;
  }

  private readHeaderLine(chunk: Uint8Array, from: number): number {
    const nl = chunk.indexOf(NL, from);
    const end = nl === -1 ? chunk.length : nl;
    for (let k = from; k < end; k++) this.header.push(chunk[k]!);
    if (this.header.length > MAX_HEADER) throw new FramerError('YUV4MPEG header line too long: not a y4m stream');
    if (nl === -1) return chunk.length;
    const line = String.fromCharCode(...this.header);
    this.header = [];
    if (this.phase === 'stream-header') {
      this.parseStreamHeader(line);
      this.phase = 'frame-header';
    } else {
      if (!line.startsWith(FRAME_TAG)) throw new FramerError(`expected FRAME marker, got "${line.slice(0, 16)}": stream out of sync`);
      this.phase = 'data';
    }
    return nl + 1;
  }

  private parseStreamHeader(line: string): void {
    const parts = line.split(' ');
    if (parts[0] !== 'YUV4MPEG2') throw new FramerError('stdout is not a YUV4MPEG2 stream');
    const w = Number(parts.find((p) => p.startsWith('W'))?.slice(1));
    const h = Number(parts.find((p) => p.startsWith('H'))?.slice(1));
    const colour = parts.find((p) => p.startsWith('C'))?.slice(1) ?? '420jpeg';
    if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0 || w * h > this.maxPixels) {
      throw new FramerError(`bad frame size in YUV4MPEG header: ${w}x${h}`);
    }
    if (!colour.startsWith('420') || w % 2 || h % 2) throw new FramerError(`expected even-sized yuv420p frames, got C${colour} ${w}x${h}`);
    this.width = w;
    this.height = h;
    this.frameSize = yuv420pSize(w, h);
  }
}
