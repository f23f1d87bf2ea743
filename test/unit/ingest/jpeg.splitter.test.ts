import { describe, expect, it } from 'vitest';
import { JpegSplitter } from '../../../server/ingest/jpeg.splitter.js';

/** A fake JPEG: SOI, some bytes including stuffed FF 00 and a marker-like FF D8 inside, EOI. */
const jpeg = (k: number) => Buffer.from([0xff, 0xd8, 0xff, 0xe0, k, 0xff, 0x00, k + 1, 0xff, 0xd8, 0x12, 0xff, 0xd9]);

function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  const s = new JpegSplitter((j) => out.push(j));
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    s.push(bytes.subarray(at, c));
    at = c;
  }
  return out;
}

describe('JpegSplitter', () => {
  const images = [jpeg(1), jpeg(2), jpeg(3)];
  const stream = Buffer.concat(images);

  it('splits back-to-back JPEGs with the chunk boundary anywhere', () => {
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b += 5) expect(split(stream, [a, b]), `cuts ${a},${b}`).toEqual(images);
    }
  });

  it('handles one byte per chunk (the FF D9 marker split across chunks)', () => {
    expect(
      split(
        stream,
        Array.from({ length: stream.length }, (_, i) => i),
      ),
    ).toEqual(images);
  });

  it('drops garbage that does not start with SOI and resynchronises', () => {
    const out = split(Buffer.concat([Buffer.from([1, 2, 3, 0xff, 0xd9]), jpeg(9)]), []);
    expect(out).toEqual([jpeg(9)]);
  });

  it('bounds memory when no end marker arrives', () => {
    const out: Buffer[] = [];
    const s = new JpegSplitter((j) => out.push(j), 1000);
    s.push(Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(2000, 1)]));
    s.push(jpeg(4));
    expect(out).toEqual([jpeg(4)]);
  });
});
