import { describe, expect, it } from 'vitest';
import type { Box } from '../../../server/domain/frame.js';
import {
  LetterboxScratch,
  NCHW_BGR_114,
  alignRegion,
  cropYuv420,
  inputBoxToFrame,
  letterboxFor,
  yuvBytes,
  type Yuv420Image,
} from '../../../server/detect/object.preprocess.js';

type Yuv = [number, number, number];
/** A yuv420p image painted by a function of the (luma) pixel position. */
function paint(width: number, height: number, at: (x: number, y: number) => Yuv): Yuv420Image {
  const data = new Uint8Array(yuvBytes(width, height));
  const cw = width >> 1;
  const ch = height >> 1;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = at(x, y)[0];
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const [, u, v] = at(2 * x, 2 * y);
      data[width * height + y * cw + x] = u;
      data[width * height + cw * ch + y * cw + x] = v;
    }
  }
  return { width, height, data };
}

/** BT.601 limited range, as ffmpeg converts yuv420p to rgb24 by default. */
function rgbOf([y, u, v]: Yuv): Yuv {
  const c = 1.164 * (y - 16);
  const clamp = (n: number) => Math.min(255, Math.max(0, n));
  return [clamp(c + 1.596 * (v - 128)), clamp(c - 0.392 * (u - 128) - 0.813 * (v - 128)), clamp(c + 2.017 * (u - 128))];
}

const RED: Yuv = [81, 90, 240];
const BLUE: Yuv = [41, 240, 110];
const pixel = (s: LetterboxScratch, x: number, y: number) => Array.from(s.input.subarray((y * s.shape.width + x) * 3, (y * s.shape.width + x) * 3 + 3));

describe('region alignment and cropping', () => {
  it('widens a region to even pixels inside the frame, whole frame when none is given', () => {
    expect(alignRegion(768, 576)).toEqual([0, 0, 768, 576]);
    expect(alignRegion(768, 576, [11, 7, 100.4, 51])).toEqual([10, 6, 102, 52]);
    expect(alignRegion(768, 576, [-20, -5, 900, 600])).toEqual([0, 0, 768, 576]);
    expect(alignRegion(641, 361)).toEqual([0, 0, 640, 360]);
  });

  it('copies exactly the region’s Y, U and V samples into its own buffer', () => {
    const frame = paint(16, 8, (x, y) => [x + 16 * y, 100 + x, 200 - y]);
    const box: Box = [4, 2, 10, 6];
    const crop = cropYuv420(frame, box);
    expect(crop.width).toBe(6);
    expect(crop.height).toBe(4);
    expect(crop.data.byteLength).toBe(crop.data.buffer.byteLength);
    const expected = paint(6, 4, (x, y) => [x + 4 + 16 * (y + 2), 100 + x + 4, 200 - (y + 2)]);
    expect(Array.from(crop.data)).toEqual(Array.from(expected.data));
  });

  it('refuses unaligned or empty regions and short frame data', () => {
    const frame = paint(16, 8, () => [0, 0, 0]);
    expect(() => cropYuv420(frame, [1, 0, 5, 4])).toThrow(RangeError);
    expect(() => cropYuv420(frame, [4, 4, 4, 8])).toThrow(RangeError);
    expect(() => cropYuv420({ ...frame, data: frame.data.subarray(10) }, [0, 0, 4, 4])).toThrow(/bytes/);
  });
});

describe('letterbox', () => {
  it('scales the longer side to the input and maps boxes back to frame pixels', () => {
    const lb = letterboxFor(768, 576, 512);
    expect(lb).toEqual({ scale: 512 / 768, width: 512, height: 384 });
    expect(inputBoxToFrame([100, 50, 200, 150], lb, [0, 0, 768, 576])).toEqual([150, 75, 300, 225]);
    // A small crop is enlarged; boxes land inside the crop, offset by its origin.
    const small = letterboxFor(128, 256, 512);
    expect(small).toEqual({ scale: 2, width: 256, height: 512 });
    expect(inputBoxToFrame([20, 40, 300, 600], small, [100, 200, 228, 456])).toEqual([110, 220, 228, 456]);
  });

  it('converts BT.601 colours and pads with black', () => {
    const s = new LetterboxScratch(64);
    s.input.fill(7); // leftovers from an earlier, larger job must be cleared
    s.fill(paint(64, 32, () => RED));
    const want = rgbOf(RED);
    expect(want[0]).toBeGreaterThan(240);
    for (const [x, y] of [
      [0, 0],
      [31, 15],
      [63, 31],
    ] as const)
      pixel(s, x, y).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 3));
    expect(pixel(s, 10, 32)).toEqual([0, 0, 0]);
    expect(pixel(s, 63, 63)).toEqual([0, 0, 0]);
  });

  it('keeps chroma where it belongs when copying and when shrinking', () => {
    const halves = (w: number, h: number) => paint(w, h, (x) => (x < w / 2 ? RED : BLUE));
    for (const [w, h] of [
      [64, 32],
      [128, 64],
    ] as const) {
      const s = new LetterboxScratch(64);
      const lb = s.fill(halves(w, h));
      expect(lb.width).toBe(64);
      // Away from the seam each half keeps its own colour (a wrong chroma scale smears blue into red).
      for (const x of [2, 20, 29]) pixel(s, x, 5).forEach((v, i) => expect(v).toBeCloseTo(rgbOf(RED)[i]!, 0));
      for (const x of [35, 50, 62]) pixel(s, x, 5).forEach((v, i) => expect(v).toBeCloseTo(rgbOf(BLUE)[i]!, 0));
    }
  });

  it('fills a wide input (the 16:9 twin) on its tighter side, padding only what the picture leaves', () => {
    expect(letterboxFor(640, 360, { width: 512, height: 288 })).toEqual({ scale: 0.8, width: 512, height: 288 });
    expect(letterboxFor(640, 480, { width: 512, height: 288 })).toEqual({ scale: 0.6, width: 384, height: 288 });
    const s = new LetterboxScratch({ width: 64, height: 32 });
    s.input.fill(7);
    const lb = s.fill(paint(48, 32, (x) => (x < 24 ? RED : BLUE)));
    expect(lb).toEqual({ scale: 1, width: 48, height: 32 });
    expect(s.input.length).toBe(64 * 32 * 3);
    pixel(s, 2, 31).forEach((v, i) => expect(v).toBeCloseTo(rgbOf(RED)[i]!, 0));
    pixel(s, 47, 0).forEach((v, i) => expect(v).toBeCloseTo(rgbOf(BLUE)[i]!, 0));
    expect(pixel(s, 48, 0)).toEqual([0, 0, 0]);
    expect(pixel(s, 63, 31)).toEqual([0, 0, 0]);
  });

  it('enlarges a small region to fill the input', () => {
    const s = new LetterboxScratch(64);
    const lb = s.fill(paint(16, 8, (x) => (x < 8 ? RED : BLUE)));
    expect(lb).toEqual({ scale: 4, width: 64, height: 32 });
    pixel(s, 5, 10).forEach((v, i) => expect(v).toBeCloseTo(rgbOf(RED)[i]!, 0));
    pixel(s, 60, 31).forEach((v, i) => expect(v).toBeCloseTo(rgbOf(BLUE)[i]!, 0));
    expect(pixel(s, 0, 32)).toEqual([0, 0, 0]);
  });

  it('writes YOLOX’s layout: planar B, G, R planes, padded with 114 in every plane, same pixels as the RGB layout', () => {
    const img = paint(48, 24, (x) => (x < 24 ? RED : BLUE));
    const rgb = new LetterboxScratch(32);
    const bgr = new LetterboxScratch(32, NCHW_BGR_114);
    bgr.input.fill(7); // leftovers must be overwritten, padding included
    expect(bgr.fill(img)).toEqual(rgb.fill(img));
    const plane = 32 * 32;
    const at = (c: number, x: number, y: number) => bgr.input[c * plane + y * 32 + x]!;
    for (const [x, y] of [
      [0, 0],
      [5, 7],
      [20, 15],
      [31, 15],
    ] as const) {
      const [r, g, b] = pixel(rgb, x, y);
      expect([at(0, x, y), at(1, x, y), at(2, x, y)]).toEqual([b, g, r]);
    }
    expect(at(0, 3, 3)).toBeCloseTo(rgbOf(RED)[2]!, 0);
    expect(at(2, 3, 3)).toBeCloseTo(rgbOf(RED)[0]!, 0);
    // The picture is 32×16: rows 16–31 are padding in all three planes.
    for (let c = 0; c < 3; c++) expect([at(c, 0, 16), at(c, 31, 31), at(c, 15, 20)]).toEqual([114, 114, 114]);
    expect(bgr.input.filter((v) => v === 7)).toHaveLength(0);
    // A tall picture (16×32) pads to its right instead.
    bgr.fill(paint(24, 48, () => RED));
    for (let c = 0; c < 3; c++) {
      expect([at(c, 16, 0), at(c, 31, 31)]).toEqual([114, 114]);
      expect(at(c, 15, 31)).toBeCloseTo(rgbOf(RED)[2 - c]!, 0);
    }
  });
});
