import { describe, expect, it } from 'vitest';
import { FramerError, Y4mFramer, type RawFrame } from '../../../server/ingest/frame.framer.js';
import { yuv420pSize } from '../../../server/domain/frame.js';

const W = 8;
const H = 6;
const SIZE = yuv420pSize(W, H);

/** A y4m stream of `n` frames; frame k is filled with bytes (k * 7 + i) & 0xff so any misalignment shows. */
function y4m(n: number, frameHeader = 'FRAME'): { bytes: Buffer; frames: Buffer[] } {
  const frames = Array.from({ length: n }, (_, k) => Buffer.from(Array.from({ length: SIZE }, (_, i) => (k * 7 + i) & 0xff)));
  const parts = [Buffer.from(`YUV4MPEG2 W${W} H${H} F5:1 Ip A1:1 C420jpeg XYSCSS=420JPEG\n`)];
  for (const f of frames) parts.push(Buffer.from(`${frameHeader}\n`), f);
  return { bytes: Buffer.concat(parts), frames };
}

function feed(bytes: Buffer, cuts: number[]): RawFrame[] {
  const out: RawFrame[] = [];
  const framer = new Y4mFramer((f) => out.push(f));
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    framer.push(bytes.subarray(at, c));
    at = c;
  }
  return out;
}

describe('Y4mFramer', () => {
  it('slices exact frames when a single chunk boundary falls at every possible byte', () => {
    const { bytes, frames } = y4m(3);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const got = feed(bytes, [cut]);
      expect(got.length, `cut at ${cut}`).toBe(3);
      got.forEach((f, k) => {
        expect(f.width).toBe(W);
        expect(f.height).toBe(H);
        expect(Buffer.from(f.data).equals(frames[k]!), `frame ${k}, cut at ${cut}`).toBe(true);
      });
    }
  });

  it('handles one byte per chunk and random chunkings', () => {
    const { bytes, frames } = y4m(5);
    const everyByte = Array.from({ length: bytes.length }, (_, i) => i);
    expect(feed(bytes, everyByte).map((f) => Buffer.from(f.data))).toEqual(frames);
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let round = 0; round < 50; round++) {
      const cuts = Array.from({ length: 1 + Math.floor(rand() * 20) }, () => Math.floor(rand() * bytes.length)).sort((a, b) => a - b);
      expect(feed(bytes, cuts).map((f) => Buffer.from(f.data))).toEqual(frames);
    }
  });

  it('gives each frame its own buffer, not a view of the pipe chunk', () => {
    const { bytes } = y4m(2);
    const got = feed(bytes, []);
    expect(got[0]!.data.buffer).not.toBe(got[1]!.data.buffer);
    expect(got[0]!.data.byteLength).toBe(SIZE);
  });

  it('accepts frame headers with parameters', () => {
    const { bytes, frames } = y4m(2, 'FRAME Ixyz');
    expect(feed(bytes, [70]).map((f) => Buffer.from(f.data))).toEqual(frames);
  });

  it('reports a stream out of sync instead of emitting shifted frames', () => {
    const { bytes } = y4m(2);
    const broken = Buffer.concat([bytes.subarray(0, bytes.length - SIZE - 6), Buffer.from('xxxxx'), bytes.subarray(bytes.length - SIZE - 6)]);
    expect(() => feed(broken, [])).toThrow(FramerError);
  });

  it('rejects a stream that is not YUV4MPEG2 or not 4:2:0', () => {
    expect(() => feed(Buffer.from('RIFF....\n'), [])).toThrow(/not a YUV4MPEG2/);
    expect(() => feed(Buffer.from('YUV4MPEG2 W8 H6 C444\n'), [])).toThrow(/yuv420p/);
    expect(() => feed(Buffer.alloc(5000, 0x41), [])).toThrow(/too long/);
  });
});
