import { describe, expect, it } from 'vitest';
import { crc8, readStamp, stampStripHeight, writeStamp, writeStampYuv420p } from '../../server/demo/frame.stamp.js';

/** A frame with some texture under the strip, like a real picture. */
function picture(width: number, height: number): Uint8Array {
  const y = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    for (let x = 0; x < width; x++) y[row * width + x] = ((x * 3 + row * 5) % 200) + 20;
  }
  return y;
}

function nearest(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  const out = new Uint8Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    const sy = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / dh));
    for (let x = 0; x < dw; x++) out[y * dw + x] = src[sy * sw + Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / dw))] ?? 0;
  }
  return out;
}

function bilinear(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  const out = new Uint8Array(dw * dh);
  const at = (x: number, y: number) => src[Math.min(sh - 1, y) * sw + Math.min(sw - 1, x)] ?? 0;
  for (let y = 0; y < dh; y++) {
    const fy = Math.max(0, ((y + 0.5) * sh) / dh - 0.5);
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    for (let x = 0; x < dw; x++) {
      const fx = Math.max(0, ((x + 0.5) * sw) / dw - 0.5);
      const x0 = Math.floor(fx);
      const wx = fx - x0;
      const top = at(x0, y0) * (1 - wx) + at(x0 + 1, y0) * wx;
      const bottom = at(x0, y0 + 1) * (1 - wx) + at(x0 + 1, y0 + 1) * wx;
      out[y * dw + x] = Math.round(top * (1 - wy) + bottom * wy);
    }
  }
  return out;
}

/** Deterministic pseudo-random bytes (tests must not be flaky). */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const NOW = 1_764_000_123_456;

describe('frame stamp', () => {
  it('reads back what it wrote, at several frame sizes', () => {
    for (const [w, h] of [
      [768, 576],
      [1280, 720],
      [640, 480],
      [320, 180],
    ] as const) {
      const y = picture(w, h);
      writeStamp(y, w, h, NOW);
      expect(readStamp(y, w, h)).toBe(NOW);
    }
  });

  it('round-trips boundary values', () => {
    for (const v of [0, 1, 2 ** 32, 2 ** 48 - 1, NOW + 999]) {
      const y = picture(640, 480);
      writeStamp(y, 640, 480, v);
      expect(readStamp(y, 640, 480)).toBe(v);
    }
    expect(() => writeStamp(picture(64, 48), 64, 48, 2 ** 48)).toThrow(RangeError);
  });

  it('survives the downscales of the detection path', () => {
    const cases = [
      [768, 576, 640, 480],
      [1280, 720, 640, 360],
      [768, 576, 320, 240],
      [1280, 720, 320, 180],
    ] as const;
    for (const [sw, sh, dw, dh] of cases) {
      const y = picture(sw, sh);
      writeStamp(y, sw, sh, NOW);
      expect(readStamp(nearest(y, sw, sh, dw, dh), dw, dh), `nearest ${sw}x${sh}->${dw}x${dh}`).toBe(NOW);
      expect(readStamp(bilinear(y, sw, sh, dw, dh), dw, dh), `bilinear ${sw}x${sh}->${dw}x${dh}`).toBe(NOW);
    }
  });

  it('tolerates mild noise like compression artefacts', () => {
    const y = picture(640, 480);
    writeStamp(y, 640, 480, NOW);
    const n = noise(y.length, 7);
    for (let i = 0; i < y.length; i++) y[i] = Math.max(0, Math.min(255, (y[i] ?? 0) + ((n[i] ?? 0) % 41) - 20));
    expect(readStamp(y, 640, 480)).toBe(NOW);
  });

  it('returns null for frames without a stamp', () => {
    for (let seed = 1; seed <= 50; seed++) expect(readStamp(noise(640 * 480, seed), 640, 480)).toBeNull();
    expect(readStamp(picture(640, 480), 640, 480)).toBeNull();
    expect(readStamp(new Uint8Array(640 * 480), 640, 480)).toBeNull();
    expect(readStamp(new Uint8Array(640 * 480).fill(255), 640, 480)).toBeNull();
  });

  it('returns null when a data cell is flipped (CRC mismatch)', () => {
    const w = 640;
    const h = 480;
    const y = picture(w, h);
    writeStamp(y, w, h, NOW);
    // Invert the 11th cell of the first row (a data bit) over its whole area.
    const cw = w / 32;
    for (let row = 0; row < h / 32; row++) {
      for (let x = 10 * cw; x < 11 * cw; x++) y[row * w + x] = 251 - (y[row * w + x] ?? 0);
    }
    expect(readStamp(y, w, h)).toBeNull();
  });

  it('returns null when the frame is too small to carry a stamp', () => {
    expect(readStamp(new Uint8Array(40 * 30), 40, 30)).toBeNull();
  });

  it('greys the chroma under the strip and leaves the rest of the picture alone', () => {
    const w = 64 * 4;
    const h = 48 * 4;
    const frame = new Uint8Array(w * h * 1.5).fill(77);
    writeStampYuv420p(frame, w, h, NOW);
    expect(readStamp(frame, w, h)).toBe(NOW);
    expect(frame[w * h]).toBe(128);
    expect(frame[w * h + (w / 2) * (h / 2) - 1]).toBe(77);
    expect(frame[w * (h - 1)]).toBe(77);
    expect(stampStripHeight(h)).toBe(12);
  });

  it('computes the standard CRC-8 check value', () => {
    expect(crc8([...'123456789'].map((c) => c.charCodeAt(0)))).toBe(0xf4);
  });
});
