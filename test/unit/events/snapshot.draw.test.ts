import { describe, expect, it } from 'vitest';
import { drawBox } from '../../../server/events/snapshot.draw.js';

describe('drawBox on yuv420p', () => {
  const w = 64,
    h = 32;
  const img = () => ({ width: w, height: h, data: new Uint8Array(w * h * 1.5).fill(128) });

  it('outlines the box in red on a copy and leaves the frame untouched', () => {
    const src = img();
    const out = drawBox(src, [10, 8, 40, 24], 2);
    expect(src.data.every((v) => v === 128)).toBe(true);
    const y = (x: number, yy: number) => out.data[yy * w + x];
    expect(y(10, 8)).toBe(81); // corner
    expect(y(25, 9)).toBe(81); // top edge, 2 px thick
    expect(y(25, 10)).toBe(128); // inside stays
    expect(y(40, 16)).toBe(81); // right edge
    expect(y(50, 16)).toBe(128); // outside
    const v = (x: number, yy: number) => out.data[w * h + (w / 2) * (h / 2) + yy * (w / 2) + x];
    expect(v(5, 4)).toBe(240); // V plane corner at half resolution
  });

  it('clamps boxes that leave the frame and ignores empty ones', () => {
    expect(() => drawBox(img(), [-20, -5, 200, 100])).not.toThrow();
    const out = drawBox(img(), [30, 30, 10, 10]);
    expect(out.data.every((v) => v === 128)).toBe(true);
  });
});
