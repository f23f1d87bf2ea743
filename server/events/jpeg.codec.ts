import type { YuvImage } from './snapshot.draw.js';
import {
  AC_CHROMA,
  AC_LUMA,
  CHROMA_QUANT,
  DC_CHROMA,
  DC_LUMA,
  LUMA_QUANT,
  ZIGZAG,
  huffmanCodes,
  scaledQuant,
  type HuffmanCodes,
  type HuffmanSpec,
} from './jpeg.tables.js';

/**
 * Baseline JPEG straight from a yuv420p picture: the planes are already 4:2:0 YCbCr, so there
 * is no RGB and no resampling, only the range change below, folded into the DCT's scaling.
 * Pure computation, no I/O; one instance reuses its buffers from one picture to the next.
 * About 5–7 ms of CPU for 640×360 (snapshot.encoder.ts runs it on a worker thread).
 */

/**
 * The luma detail of the ffmpeg `-q:v 4` snapshots it replaced (≈ 38 dB PSNR on the sample
 * footage at 640×360); files ≈ 20 % larger, as Annex K tables and fixed Huffman codes cost.
 */
export const DEFAULT_JPEG_QUALITY = 80;

// Camera frames are BT.601 limited range (Y 16…235, Cb/Cr 16…240); JFIF means full range,
// which is how browsers show it. Stretching is linear, so it is a scale on every DCT
// coefficient plus a different level shift: Y' − 128 = k·(Y − 16 − 128/k).
const Y_SCALE = 255 / 219;
const C_SCALE = 255 / 224;
const Y_SHIFT = 16 + 128 / Y_SCALE;
const C_SHIFT = 128;

/** The AAN DCT leaves coefficient (u, v) multiplied by 8·s[u]·s[v]; the quantiser divides it out. */
const AAN_SCALE = [1, 1.387039845, 1.306562965, 1.175875602, 1, 0.785694958, 0.5411961, 0.275899379];

/** Baseline limits on coefficient magnitude (AC: 10 bits; DC difference: 11 bits). */
const MAX_COEF = 1023;

/** 1 / (quantiser × AAN scale), times the range stretch, in zig-zag order. */
function divisors(quant: Uint8Array, stretch: number): Float64Array {
  const out = new Float64Array(64);
  for (let k = 0; k < 64; k++) {
    const i = ZIGZAG[k]!;
    out[k] = stretch / (quant[i]! * AAN_SCALE[i >> 3]! * AAN_SCALE[i & 7]! * 8);
  }
  return out;
}

export class JpegCodec {
  private readonly lumaQuant: Uint8Array;
  private readonly chromaQuant: Uint8Array;
  private readonly lumaDiv: Float64Array;
  private readonly chromaDiv: Float64Array;
  private readonly dcLuma = huffmanCodes(DC_LUMA);
  private readonly acLuma = huffmanCodes(AC_LUMA);
  private readonly dcChroma = huffmanCodes(DC_CHROMA);
  private readonly acChroma = huffmanCodes(AC_CHROMA);
  private readonly block = new Float64Array(64);
  private readonly coefs = new Int32Array(64);
  private out = new Uint8Array(64 << 10);
  private pos = 0;
  private bitBuf = 0;
  private bitCount = 0;

  constructor(readonly quality = DEFAULT_JPEG_QUALITY) {
    if (!Number.isFinite(quality) || quality < 1 || quality > 100) throw new RangeError(`quality: ${quality} is not between 1 and 100`);
    this.lumaQuant = scaledQuant(LUMA_QUANT, quality);
    this.chromaQuant = scaledQuant(CHROMA_QUANT, quality);
    this.lumaDiv = divisors(this.lumaQuant, Y_SCALE);
    this.chromaDiv = divisors(this.chromaQuant, C_SCALE);
  }

  /** The JPEG file, in a buffer of its own (it can be transferred to another thread). */
  encode(img: YuvImage): Uint8Array {
    const { width: w, height: h, data } = img;
    checkPicture(img);
    this.pos = 0;
    this.bitBuf = 0;
    this.bitCount = 0;
    this.writeHeaders(w, h);
    const cw = w >> 1,
      ch = h >> 1;
    const uOff = w * h,
      vOff = uOff + cw * ch;
    let dcY = 0,
      dcU = 0,
      dcV = 0;
    for (let my = 0; my < h; my += 16) {
      for (let mx = 0; mx < w; mx += 16) {
        this.reserve(4096); // more than one MCU can take, byte stuffing included
        for (let b = 0; b < 4; b++) {
          this.load(data, 0, w, h, mx + (b & 1) * 8, my + (b >> 1) * 8, Y_SHIFT);
          dcY = this.encodeBlock(this.lumaDiv, dcY, this.dcLuma, this.acLuma);
        }
        this.load(data, uOff, cw, ch, mx >> 1, my >> 1, C_SHIFT);
        dcU = this.encodeBlock(this.chromaDiv, dcU, this.dcChroma, this.acChroma);
        this.load(data, vOff, cw, ch, mx >> 1, my >> 1, C_SHIFT);
        dcV = this.encodeBlock(this.chromaDiv, dcV, this.dcChroma, this.acChroma);
      }
    }
    if (this.bitCount > 0) this.putBits(0x7f, 8 - this.bitCount); // pad the last byte with ones
    this.reserve(2);
    this.word(0xffd9);
    return this.out.slice(0, this.pos);
  }

  /**
   * One 8×8 block of a plane, level-shifted. Blocks over the right or bottom edge repeat the
   * last column and row: a flat continuation costs almost no bits and leaves no ringing.
   */
  private load(src: Uint8Array, off: number, pw: number, ph: number, x0: number, y0: number, shift: number): void {
    const blk = this.block;
    if (x0 + 8 <= pw && y0 + 8 <= ph) {
      for (let r = 0, p = off + y0 * pw + x0; r < 64; r += 8, p += pw) {
        for (let c = 0; c < 8; c++) blk[r + c] = src[p + c]! - shift;
      }
      return;
    }
    for (let r = 0; r < 8; r++) {
      const row = off + Math.min(y0 + r, ph - 1) * pw;
      for (let c = 0; c < 8; c++) blk[r * 8 + c] = src[row + Math.min(x0 + c, pw - 1)]! - shift;
    }
  }

  /** DCT, quantisation and Huffman coding of the loaded block; returns its DC for the next prediction. */
  private encodeBlock(div: Float64Array, prevDc: number, dc: HuffmanCodes, ac: HuffmanCodes): number {
    fdct(this.block);
    const blk = this.block,
      q = this.coefs;
    for (let k = 0; k < 64; k++) {
      const x = blk[ZIGZAG[k]!]! * div[k]!;
      // Round half away from zero; |x| beyond the baseline limit is clamped first.
      q[k] = x >= MAX_COEF ? MAX_COEF : x <= -MAX_COEF ? -MAX_COEF : x < 0 ? -((0.5 - x) | 0) : (x + 0.5) | 0;
    }
    const diff = q[0]! - prevDc;
    const dcCat = category(diff);
    this.putBits(dc.code[dcCat]!, dc.size[dcCat]!);
    if (dcCat) this.putBits(diff < 0 ? diff - 1 : diff, dcCat);
    let run = 0;
    for (let k = 1; k < 64; k++) {
      const v = q[k]!;
      if (v === 0) {
        run++;
        continue;
      }
      for (; run > 15; run -= 16) this.putBits(ac.code[0xf0]!, ac.size[0xf0]!);
      const cat = category(v);
      const sym = (run << 4) | cat;
      const size = ac.size[sym]!;
      const bits = v < 0 ? v - 1 : v;
      // Code and magnitude in one call when they fit the 24 bits putBits takes.
      if (size + cat <= 24) this.putBits((ac.code[sym]! << cat) | (bits & ((1 << cat) - 1)), size + cat);
      else {
        this.putBits(ac.code[sym]!, size);
        this.putBits(bits, cat);
      }
      run = 0;
    }
    if (run > 0) this.putBits(ac.code[0]!, ac.size[0]!); // end of block
    return q[0]!;
  }

  /** Appends the low `n` (≤ 24) bits of `v`, stuffing a zero byte after every 0xFF. */
  private putBits(v: number, n: number): void {
    const buf = (this.bitBuf << n) | (v & ((1 << n) - 1));
    let count = this.bitCount + n;
    const out = this.out;
    while (count >= 8) {
      count -= 8;
      const byte = (buf >>> count) & 0xff;
      out[this.pos++] = byte;
      if (byte === 0xff) out[this.pos++] = 0;
    }
    this.bitBuf = buf & ((1 << count) - 1);
    this.bitCount = count;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.out.length) return;
    const bigger = new Uint8Array(Math.max(this.out.length * 2, this.pos + n));
    bigger.set(this.out.subarray(0, this.pos));
    this.out = bigger;
  }

  private byte(v: number): void {
    this.out[this.pos++] = v;
  }

  private word(v: number): void {
    this.out[this.pos++] = v >> 8;
    this.out[this.pos++] = v & 0xff;
  }

  private writeHeaders(w: number, h: number): void {
    this.reserve(1024);
    this.word(0xffd8); // SOI
    this.word(0xffe0); // APP0: JFIF 1.01, no density, no thumbnail
    this.word(16);
    for (const c of 'JFIF\0') this.byte(c.charCodeAt(0));
    for (const b of [1, 1, 0, 0, 1, 0, 1, 0, 0]) this.byte(b);
    this.word(0xffdb); // DQT: two 8-bit tables, zig-zag order
    this.word(2 + 2 * 65);
    [this.lumaQuant, this.chromaQuant].forEach((t, id) => {
      this.byte(id);
      for (let k = 0; k < 64; k++) this.byte(t[ZIGZAG[k]!]!);
    });
    this.word(0xffc0); // SOF0: 8-bit, Y at 2×2, Cb and Cr at 1×1
    this.word(17);
    this.byte(8);
    this.word(h);
    this.word(w);
    this.byte(3);
    for (const [id, sampling, table] of [
      [1, 0x22, 0],
      [2, 0x11, 1],
      [3, 0x11, 1],
    ]) {
      this.byte(id!);
      this.byte(sampling!);
      this.byte(table!);
    }
    const tables: [number, HuffmanSpec][] = [
      [0x00, DC_LUMA],
      [0x10, AC_LUMA],
      [0x01, DC_CHROMA],
      [0x11, AC_CHROMA],
    ];
    this.word(0xffc4); // DHT
    this.word(2 + tables.reduce((n, [, t]) => n + 17 + t.values.length, 0));
    for (const [cls, t] of tables) {
      this.byte(cls);
      for (const n of t.bits) this.byte(n);
      for (const v of t.values) this.byte(v);
    }
    this.word(0xffda); // SOS: the three components interleaved, full spectrum
    this.word(12);
    this.byte(3);
    for (const [id, tables] of [
      [1, 0x00],
      [2, 0x11],
      [3, 0x11],
    ]) {
      this.byte(id!);
      this.byte(tables!);
    }
    for (const b of [0, 63, 0]) this.byte(b);
  }
}

/** What JPEG and yuv420p allow: even sizes up to 65534, and the three planes present. */
export function checkPicture(img: YuvImage): void {
  const { width: w, height: h, data } = img;
  for (const [field, v] of [
    ['width', w],
    ['height', h],
  ] as const) {
    if (!Number.isInteger(v) || v < 2 || v > 65534 || v % 2)
      throw new RangeError(`${field}: ${v} is not an even number of pixels from 2 to 65534 (yuv420p, JPEG)`);
  }
  if (data.length < w * h * 1.5) throw new RangeError(`data: ${data.length} bytes is less than a ${w}×${h} yuv420p picture (${w * h * 1.5})`);
}

/** Bits needed for |v| (the JPEG magnitude category); 0 for 0. */
function category(v: number): number {
  return 32 - Math.clz32(v < 0 ? -v : v);
}

/** The AAN float forward DCT (as libjpeg's jfdctflt.c), rows then columns, in place. */
function fdct(d: Float64Array): void {
  for (let i = 0; i < 8; i++) pass(d, i * 8, 1);
  for (let i = 0; i < 8; i++) pass(d, i, 8);
}

function pass(d: Float64Array, o: number, s: number): void {
  const d0 = d[o]!,
    d1 = d[o + s]!,
    d2 = d[o + 2 * s]!,
    d3 = d[o + 3 * s]!,
    d4 = d[o + 4 * s]!,
    d5 = d[o + 5 * s]!,
    d6 = d[o + 6 * s]!,
    d7 = d[o + 7 * s]!;
  const t0 = d0 + d7,
    t7 = d0 - d7,
    t1 = d1 + d6,
    t6 = d1 - d6,
    t2 = d2 + d5,
    t5 = d2 - d5,
    t3 = d3 + d4,
    t4 = d3 - d4;
  // Even part.
  const t10 = t0 + t3,
    t13 = t0 - t3,
    t11 = t1 + t2,
    t12 = t1 - t2;
  d[o] = t10 + t11;
  d[o + 4 * s] = t10 - t11;
  const z1 = (t12 + t13) * 0.707106781;
  d[o + 2 * s] = t13 + z1;
  d[o + 6 * s] = t13 - z1;
  // Odd part.
  const o10 = t4 + t5,
    o11 = t5 + t6,
    o12 = t6 + t7;
  const z5 = (o10 - o12) * 0.382683433;
  const z2 = 0.5411961 * o10 + z5;
  const z4 = 1.306562965 * o12 + z5;
  const z3 = o11 * 0.707106781;
  const z11 = t7 + z3,
    z13 = t7 - z3;
  d[o + 5 * s] = z13 + z2;
  d[o + 3 * s] = z13 - z2;
  d[o + s] = z11 + z4;
  d[o + 7 * s] = z11 - z4;
}
