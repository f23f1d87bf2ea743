import { beforeAll, describe, expect, it } from 'vitest';
import { ensureSampleFootage } from '../../../server/demo/footage.js';
import { JpegCodec } from '../../../server/events/jpeg.codec.js';
import type { YuvImage } from '../../../server/events/snapshot.draw.js';
import { silentLogger } from '../../../server/shared/log.js';
import { decodeJpeg, ffmpegJpeg, psnr, videoFrame } from '../../support/jpeg.js';

/** The snapshot JPEG codec, judged by ffmpeg's decoder on frames of the sample footage. */
let video: string;
beforeAll(async () => {
  const path = await ensureSampleFootage(silentLogger);
  if (!path) throw new Error('vtest.avi is missing and scripts/fetch-sample-footage could not fetch it');
  video = path;
});

/** Marker segments up to the scan, then the scan's length and what follows it. */
function segments(jpeg: Uint8Array): { markers: { marker: number; body: Uint8Array }[]; scan: Uint8Array; tail: Uint8Array } {
  const markers: { marker: number; body: Uint8Array }[] = [];
  let i = 2;
  for (;;) {
    const marker = jpeg[i + 1]!;
    const len = (jpeg[i + 2]! << 8) | jpeg[i + 3]!;
    markers.push({ marker, body: jpeg.subarray(i + 4, i + 2 + len) });
    i += 2 + len;
    if (marker === 0xda) break;
  }
  return { markers, scan: jpeg.subarray(i, jpeg.length - 2), tail: jpeg.subarray(jpeg.length - 2) };
}

async function roundTrip(codec: JpegCodec, img: YuvImage) {
  const jpeg = codec.encode(img);
  const decoded = await decodeJpeg(jpeg);
  expect(decoded.length).toBe(img.width * img.height * 1.5);
  return { jpeg, db: psnr(decoded, img.data, img.width, img.height), edgeDb: edgePsnr(decoded, img) };
}

/** Luma PSNR of the last 16-pixel column and row of macroblocks, where partial blocks are. */
function edgePsnr(decoded: Uint8Array, img: YuvImage): number {
  const { width: w, height: h } = img;
  const x0 = w - (w % 16 || 16),
    y0 = h - (h % 16 || 16);
  let se = 0,
    n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = y >= y0 ? 0 : x0; x < w; x++, n++) se += (decoded[y * w + x]! - img.data[y * w + x]!) ** 2;
  }
  return 10 * Math.log10((255 * 255 * n) / Math.max(se, 1));
}

describe('JpegCodec', () => {
  it('a real 640×360 frame decodes to the same picture (≥ 35 dB on each plane), about the size of ffmpeg -q:v 4', async () => {
    const frame = await videoFrame(video, 30, 640, 360);
    const { jpeg, db } = await roundTrip(new JpegCodec(), frame);
    for (const plane of db) expect(plane).toBeGreaterThanOrEqual(35);
    const before = await ffmpegJpeg(frame, 4);
    const [beforeY] = psnr(await decodeJpeg(before), frame.data, 640, 360);
    expect(db[0]).toBeGreaterThan(beforeY - 1); // the luma detail the old snapshots had
    expect(jpeg.length / before.length).toBeGreaterThan(0.7);
    expect(jpeg.length / before.length).toBeLessThan(1.5);

    const better = await roundTrip(new JpegCodec(95), frame);
    expect(better.jpeg.length).toBeGreaterThan(jpeg.length);
    expect(better.db[0]).toBeGreaterThan(db[0]);
  });

  it('sizes that are not multiples of 16 come back whole, their partial edge blocks as good as the rest, with one codec reused', async () => {
    const codec = new JpegCodec();
    // Crops of the 768×576 footage: real detail at its own scale, ending mid-block on both axes.
    const crops: [number, number, [number, number]][] = [
      [642, 362, [60, 100]],
      [100, 50, [300, 300]],
      [30, 18, [400, 300]],
      [768, 576, [0, 0]],
    ];
    const first = await videoFrame(video, 30, ...crops[0]!);
    const firstJpeg = codec.encode(first);
    for (const crop of crops) {
      const { db, edgeDb } = await roundTrip(codec, await videoFrame(video, 30, ...crop));
      for (const plane of [...db, edgeDb]) expect(plane, `${crop[0]}×${crop[1]}`).toBeGreaterThanOrEqual(35);
    }
    // Its buffers serve every picture and carry nothing over from the previous one.
    expect(Buffer.from(codec.encode(first)).equals(Buffer.from(firstJpeg))).toBe(true);
  });

  it('noise at quality 100, the largest coefficients and files there are, is still a valid baseline JPEG', async () => {
    const data = new Uint8Array(640 * 360 * 1.5);
    for (let i = 0, seed = 1; i < data.length; i++) data[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const { jpeg, db } = await roundTrip(new JpegCodec(100), { width: 640, height: 360, data });
    expect(jpeg.length).toBeGreaterThan(data.length); // past the codec's first output buffer
    // Below 16 and above 235 is outside a camera's range: those samples come back clipped (≈ 37 dB at best).
    for (const plane of db) expect(plane).toBeGreaterThan(34);
  });

  it('writes a baseline JFIF file: JFIF header, tables, 4:2:0 frame, a scan without stray markers, EOI', async () => {
    const jpeg = new JpegCodec().encode(await videoFrame(video, 30, 100, 50));
    expect([...jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    const { markers, scan, tail } = segments(jpeg);
    expect(markers.map((m) => m.marker)).toEqual([0xe0, 0xdb, 0xc0, 0xc4, 0xda]);
    expect(Buffer.from(markers[0]!.body.subarray(0, 7))).toEqual(Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1])); // "JFIF", 1.01
    const sof = markers[2]!.body;
    expect([...sof]).toEqual([8, 0, 50, 0, 100, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    // Huffman tables: DC and AC for luma (0) and chroma (1).
    const dht = markers[3]!.body;
    const classes: number[] = [];
    for (let i = 0; i < dht.length;) {
      classes.push(dht[i]!);
      i += 17 + dht.subarray(i + 1, i + 17).reduce((a, b) => a + b, 0);
    }
    expect(classes).toEqual([0x00, 0x10, 0x01, 0x11]);
    for (let i = 0; i < scan.length; i++) if (scan[i] === 0xff) expect(scan[i + 1], `byte ${i} of the scan`).toBe(0);
    expect([...tail]).toEqual([0xff, 0xd9]);
  });

  it("turns camera black and white (16, 235) into JFIF's 0 and 255, which is how a browser shows them; beyond them too, at any quality", async () => {
    const w = 64,
      h = 32;
    const data = new Uint8Array(w * h * 1.5).fill(128);
    const bands = [16, 235, 0, 255]; // 8 rows each: a row of blocks
    for (let y = 0; y < h; y++) data.fill(bands[y >> 3]!, y * w, (y + 1) * w);
    // At quality 100 the DC of 0 and 255 passes the baseline limit: clamped, it still decodes to 0 and 255.
    for (const quality of [80, 100]) {
      const full = await decodeJpeg(new JpegCodec(quality).encode({ width: w, height: h, data }), 'yuvj420p');
      const band = (i: number) => full.subarray(i * 8 * w, (i + 1) * 8 * w).reduce((a, b) => a + b, 0) / (8 * w);
      expect([band(0), band(1), band(2), band(3)].map(Math.round), `quality ${quality}`).toEqual([0, 255, 0, 255]);
      expect(full.subarray(w * h).every((v) => Math.abs(v - 128) <= 1)).toBe(true);
    }
  });

  it('refuses what is not a yuv420p picture, naming the field', () => {
    const codec = new JpegCodec();
    expect(() => codec.encode({ width: 641, height: 360, data: new Uint8Array(641 * 360 * 2) })).toThrow(/^width: 641 is not an even number/);
    expect(() => codec.encode({ width: 640, height: 0, data: new Uint8Array(10) })).toThrow(/^height: 0/);
    expect(() => codec.encode({ width: 640, height: 360, data: new Uint8Array(640 * 360) })).toThrow(
      /^data: 230400 bytes is less than a 640×360 yuv420p picture/,
    );
    expect(() => new JpegCodec(0)).toThrow(/^quality: 0 is not between 1 and 100/);
  });
});
