/**
 * Splits ffmpeg's fragmented MP4 output (stdout chunks, not aligned to boxes) into what Media
 * Source Extensions take: the init segment (ftyp + moov) once, then media fragments (moof +
 * mdat), each marked when it starts with a keyframe, so a viewer who joins late can start at
 * the last keyframe instead of waiting for the next one.
 */
export interface Fmp4Fragment {
  data: Buffer;
  key: boolean;
}
export interface Fmp4Sink {
  init(data: Buffer): void;
  fragment(f: Fmp4Fragment): void;
}

/** ISO BMFF sample flag: sample_is_non_sync_sample (ISO/IEC 14496-12 §8.8.3.1). */
const NON_SYNC = 0x00010000;

export class Fmp4Splitter {
  private buf: Buffer = Buffer.alloc(0);
  private init: Buffer[] = [];
  private moof: Buffer | null = null;

  constructor(private readonly sink: Fmp4Sink) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const size = boxSize(this.buf);
      if (size === null || this.buf.length < size) return;
      const box = this.buf.subarray(0, size);
      this.buf = this.buf.subarray(size);
      this.onBox(box.toString('latin1', 4, 8), Buffer.from(box));
    }
  }

  private onBox(type: string, box: Buffer): void {
    if (type === 'ftyp') this.init = [box];
    else if (type === 'moov') this.sink.init(Buffer.concat([...this.init, box]));
    else if (type === 'moof') this.moof = box;
    else if (type === 'mdat' && this.moof) {
      this.sink.fragment({ data: Buffer.concat([this.moof, box]), key: startsWithKeyframe(this.moof) });
      this.moof = null;
    }
  }
}

/** A box's whole size, or null until its header is in (size 1: 64-bit size follows the type). */
function boxSize(b: Buffer): number | null {
  if (b.length < 8) return null;
  const size = b.readUInt32BE(0);
  if (size === 1) return b.length < 16 ? null : Number(b.readBigUInt64BE(8));
  if (size < 8) throw new Error(`bad MP4 box size ${size}`);
  return size;
}

/** The children of a box's payload [from, to). */
function* children(b: Buffer, from: number, to: number): Generator<{ type: string; start: number; end: number }> {
  let at = from;
  while (at + 8 <= to) {
    const size = b.readUInt32BE(at);
    if (size < 8 || at + size > to) return;
    yield { type: b.toString('latin1', at + 4, at + 8), start: at, end: at + size };
    at += size;
  }
}

/** Whether the first sample of the first track run is a sync sample (a keyframe). */
export function startsWithKeyframe(moof: Buffer): boolean {
  for (const traf of children(moof, 8, moof.length)) {
    if (traf.type !== 'traf') continue;
    let defaultFlags: number | null = null;
    for (const c of children(moof, traf.start + 8, traf.end)) {
      const flags = moof.readUInt32BE(c.start + 8) & 0xffffff;
      if (c.type === 'tfhd') {
        // track_ID, then optional fields in order; default-sample-flags is 0x20.
        let at = c.start + 16;
        if (flags & 0x01) at += 8;
        for (const bit of [0x02, 0x08, 0x10]) if (flags & bit) at += 4;
        if (flags & 0x20) defaultFlags = moof.readUInt32BE(at);
      } else if (c.type === 'trun') {
        // sample_count, then data_offset (0x01), then first_sample_flags (0x04).
        let at = c.start + 16;
        if (flags & 0x01) at += 4;
        if (flags & 0x04) return (moof.readUInt32BE(at) & NON_SYNC) === 0;
        if (flags & 0x400) return (moof.readUInt32BE(at + (flags & 0x100 ? 4 : 0) + (flags & 0x200 ? 4 : 0)) & NON_SYNC) === 0;
        return defaultFlags !== null && (defaultFlags & NON_SYNC) === 0;
      }
    }
  }
  return false;
}
