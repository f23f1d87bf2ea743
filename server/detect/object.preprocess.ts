import type { Box } from '../domain/frame.js';

/**
 * Pixels on their way to the model. The main thread cuts the region out of the yuv420p
 * frame (one copy, only the region's bytes, into a buffer it then transfers to a worker);
 * the worker converts YUV → RGB and letterboxes into the model input in a single pass,
 * into a Float32Array it reuses for every job. Pure functions on typed arrays: no tfjs here.
 */

/** A yuv420p picture: Y plane (width × height), then U and V at (width/2) × (height/2). */
export interface Yuv420Image {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A model's input in pixels; a number is a square. */
export interface InputShape {
  width: number;
  height: number;
}
const asShape = (input: number | InputShape): InputShape => (typeof input === 'number' ? { width: input, height: input } : input);

/** How a region sits in the model input: scaled by `scale`, anchored at the top-left. */
export interface Letterbox {
  scale: number;
  /** Size of the picture inside the input, in input pixels; the rest is black padding. */
  width: number;
  height: number;
}

export const yuvBytes = (width: number, height: number): number => width * height + 2 * ((width >> 1) * (height >> 1));

/**
 * The region actually cut: chroma is subsampled 2×2, so edges move outward to even pixels
 * (and are clamped to the frame). Boxes mapped back use this box, not the requested one.
 */
export function alignRegion(frameWidth: number, frameHeight: number, region?: Box): Box {
  const maxX = frameWidth & ~1;
  const maxY = frameHeight & ~1;
  if (!region) return [0, 0, maxX, maxY];
  const even = (v: number, round: (n: number) => number) => round(v / 2) * 2;
  const x1 = Math.max(0, Math.min(maxX, even(region[0], Math.floor)));
  const y1 = Math.max(0, Math.min(maxY, even(region[1], Math.floor)));
  const x2 = Math.max(0, Math.min(maxX, even(region[2], Math.ceil)));
  const y2 = Math.max(0, Math.min(maxY, even(region[3], Math.ceil)));
  return [x1, y1, x2, y2];
}

/** Copies an aligned region out of a yuv420p frame into a new, transferable buffer. */
export function cropYuv420(frame: Yuv420Image, box: Box): Yuv420Image {
  const [x1, y1, x2, y2] = box;
  const w = x2 - x1;
  const h = y2 - y1;
  if (w < 2 || h < 2 || x1 % 2 || y1 % 2 || w % 2 || h % 2) throw new RangeError(`region ${box.join(',')} is empty or not aligned to even pixels`);
  const expected = yuvBytes(frame.width, frame.height);
  if (frame.data.length < expected)
    throw new RangeError(`frame data has ${frame.data.length} bytes, a ${frame.width}x${frame.height} yuv420p frame needs ${expected}`);
  const out = new Uint8Array(yuvBytes(w, h));
  for (let row = 0; row < h; row++) {
    const from = (y1 + row) * frame.width + x1;
    out.set(frame.data.subarray(from, from + w), row * w);
  }
  const fcw = frame.width >> 1;
  const fch = frame.height >> 1;
  const cw = w >> 1;
  const ch = h >> 1;
  for (let plane = 0; plane < 2; plane++) {
    const src = frame.width * frame.height + plane * fcw * fch;
    const dst = w * h + plane * cw * ch;
    for (let row = 0; row < ch; row++) {
      const from = src + ((y1 >> 1) + row) * fcw + (x1 >> 1);
      out.set(frame.data.subarray(from, from + cw), dst + row * cw);
    }
  }
  return { width: w, height: h, data: out };
}

/** Scale so the region fills the input on its tighter side; small regions are enlarged (the model sees people bigger). */
export function letterboxFor(width: number, height: number, input: number | InputShape): Letterbox {
  const s = asShape(input);
  const scale = Math.min(s.width / width, s.height / height);
  return { scale, width: Math.min(s.width, Math.round(width * scale)), height: Math.min(s.height, Math.round(height * scale)) };
}

/** Maps a box from model-input pixels back to frame pixels (region at `origin`). */
export function inputBoxToFrame(box: Box, lb: Letterbox, region: Box): Box {
  const [ox, oy, rx2, ry2] = region;
  const fx = (v: number) => Math.min(rx2, Math.max(ox, ox + v / lb.scale));
  const fy = (v: number) => Math.min(ry2, Math.max(oy, oy + v / lb.scale));
  return [fx(box[0]), fy(box[1]), fx(box[2]), fy(box[3])];
}

interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  w: Float32Array;
}

/**
 * How a model wants its input: CenterNet takes interleaved RGB (NHWC) padded with black;
 * YOLOX takes planar BGR (NCHW) padded with grey 114, as it was trained. Both 0–255.
 */
export interface InputLayout {
  planar: boolean;
  bgr: boolean;
  pad: number;
}
export const NHWC_RGB: InputLayout = { planar: false, bgr: false, pad: 0 };
export const NCHW_BGR_114: InputLayout = { planar: true, bgr: true, pad: 114 };

/**
 * Owns the model input and the per-axis sampling tables, sized once for the input shape,
 * so converting a region allocates nothing.
 */
export class LetterboxScratch {
  readonly input: Float32Array;
  readonly shape: InputShape;
  private readonly taps: Record<'lx' | 'ly' | 'cx' | 'cy', Taps>;

  constructor(
    input: number | InputShape,
    readonly layout: InputLayout = NHWC_RGB,
  ) {
    const { width, height } = (this.shape = asShape(input));
    this.input = new Float32Array(width * height * 3);
    const taps = (n: number): Taps => ({ i0: new Int32Array(n), i1: new Int32Array(n), w: new Float32Array(n) });
    this.taps = { lx: taps(width), ly: taps(height), cx: taps(width), cy: taps(height) };
  }

  /** Fills `input` with the region (BT.601 limited range, ffmpeg's default, to 0–255), bilinear, in the layout's order. */
  fill(img: Yuv420Image): Letterbox {
    const lb = letterboxFor(img.width, img.height, this.shape);
    const { lx, ly, cx, cy } = this.taps;
    const cw = img.width >> 1;
    const ch = img.height >> 1;
    bilinearTaps(lx, lb.width, img.width, lb.scale);
    bilinearTaps(ly, lb.height, img.height, lb.scale);
    bilinearTaps(cx, lb.width, cw, lb.scale * 2);
    bilinearTaps(cy, lb.height, ch, lb.scale * 2);
    const d = img.data;
    const uBase = img.width * img.height;
    const vBase = uBase + cw * ch;
    const out = this.input;
    const { planar, bgr } = this.layout;
    const plane = this.shape.width * this.shape.height;
    // Interleaved: a pixel's channels are 1 apart, rows 3 × width. Planar: channels a plane apart, rows width.
    const step = planar ? 1 : 3;
    const chan = planar ? plane : 1;
    const rowStride = this.shape.width * step;
    const first = bgr ? 2 * chan : 0;
    const last = bgr ? 0 : 2 * chan;
    for (let oy = 0; oy < lb.height; oy++) {
      const yr0 = ly.i0[oy]! * img.width;
      const yr1 = ly.i1[oy]! * img.width;
      const wy = ly.w[oy]!;
      const cr0 = cy.i0[oy]! * cw;
      const cr1 = cy.i1[oy]! * cw;
      const wcy = cy.w[oy]!;
      let o = oy * rowStride;
      for (let ox = 0; ox < lb.width; ox++, o += step) {
        const a = lx.i0[ox]!;
        const b = lx.i1[ox]!;
        const wx = lx.w[ox]!;
        const top = d[yr0 + a]! + (d[yr0 + b]! - d[yr0 + a]!) * wx;
        const bottom = d[yr1 + a]! + (d[yr1 + b]! - d[yr1 + a]!) * wx;
        const c = 1.164 * (top + (bottom - top) * wy - 16);
        const ca = cx.i0[ox]!;
        const cb = cx.i1[ox]!;
        const wcx = cx.w[ox]!;
        const u = sample(d, uBase, cr0, cr1, ca, cb, wcx, wcy) - 128;
        const v = sample(d, vBase, cr0, cr1, ca, cb, wcx, wcy) - 128;
        out[o + first] = clamp255(c + 1.596 * v);
        out[o + chan] = clamp255(c - 0.392 * u - 0.813 * v);
        out[o + last] = clamp255(c + 2.017 * u);
      }
    }
    this.pad(lb);
    return lb;
  }

  /** Right of the picture on its rows, and every row below it, in each channel. */
  private pad(lb: Letterbox): void {
    const { planar, pad } = this.layout;
    const out = this.input;
    const { width: w, height: h } = this.shape;
    if (!planar) {
      for (let oy = 0; oy < lb.height; oy++) out.fill(pad, (oy * w + lb.width) * 3, (oy + 1) * w * 3);
      out.fill(pad, lb.height * w * 3);
      return;
    }
    for (let p = 0; p < 3; p++) {
      const base = p * w * h;
      for (let oy = 0; oy < lb.height; oy++) out.fill(pad, base + oy * w + lb.width, base + (oy + 1) * w);
      out.fill(pad, base + lb.height * w, base + w * h);
    }
  }
}

function sample(d: Uint8Array, base: number, r0: number, r1: number, a: number, b: number, wx: number, wy: number): number {
  const top = d[base + r0 + a]! + (d[base + r0 + b]! - d[base + r0 + a]!) * wx;
  const bottom = d[base + r1 + a]! + (d[base + r1 + b]! - d[base + r1 + a]!) * wx;
  return top + (bottom - top) * wy;
}

const clamp255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Pixel-centre aligned bilinear taps (as OpenCV/ffmpeg bilinear): output i samples source (i + 0.5) / scale − 0.5. */
function bilinearTaps(t: Taps, outLen: number, srcLen: number, scale: number): void {
  const last = srcLen - 1;
  for (let i = 0; i < outLen; i++) {
    const s = Math.min(last, Math.max(0, (i + 0.5) / scale - 0.5));
    const i0 = Math.floor(s);
    t.i0[i] = i0;
    t.i1[i] = Math.min(last, i0 + 1);
    t.w[i] = s - i0;
  }
}
