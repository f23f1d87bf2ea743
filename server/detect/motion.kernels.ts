/**
 * The per-frame image kernels of the motion detector. Each works on preallocated typed arrays
 * (row-major, `w` pixels per row) and allocates nothing: they run on every frame of every camera.
 */

/**
 * Downscale of the grey plane by a whole factor `f`: each output pixel is the mean of the 2×2
 * pixels at the centre of its f×f block (like a bilinear resize, as Frigate does with OpenCV).
 * Reading 4 pixels instead of f² keeps the cost proportional to the shrunk image; the blur that
 * follows removes the noise a full box average would have. When `hist` is given, the grey-level
 * histogram of the output is added to it in the same pass (for the contrast stretch).
 */
export function downscale(src: Uint8Array, srcW: number, f: number, dst: Uint8Array, outW: number, outH: number, hist: Uint32Array | null): void {
  const o = f === 1 ? 0 : (f - 2) >> 1;
  const next = f === 1 ? 0 : 1;
  for (let oy = 0; oy < outH; oy++) {
    const r0 = (oy * f + o) * srcW + o;
    const r1 = r0 + next * srcW;
    const out = oy * outW;
    for (let ox = 0, x = 0; ox < outW; ox++, x += f) {
      const v = (src[r0 + x]! + src[r0 + x + next]! + src[r1 + x]! + src[r1 + x + next]! + 2) >> 2;
      dst[out + ox] = v;
      if (hist !== null) hist[v]!++;
    }
  }
}

/** Takes masked pixels back out of a histogram: overlays under a mask must not steer the stretch. */
export function unhistogram(img: Uint8Array, indices: Int32Array, hist: Uint32Array): void {
  for (let k = 0; k < indices.length; k++) hist[img[indices[k]!]!]!--;
}

/** Grey level below which `fraction` of the `total` histogram pixels lie. */
export function percentile(hist: Uint32Array, total: number, fraction: number): number {
  const target = total * fraction;
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc > target) return v;
  }
  return 255;
}

/** Fills `lut` to map [low, low + span] linearly onto [0, 255], clipping outside. */
export function stretchLut(lut: Uint8Array, low: number, span: number): void {
  for (let v = 0; v < 256; v++) {
    const s = ((v - low) * 255) / span;
    lut[v] = s <= 0 ? 0 : s >= 255 ? 255 : Math.round(s);
  }
}

export function applyLut(src: Uint8Array, dst: Uint8Array, n: number, lut: Uint8Array): void {
  for (let i = 0; i < n; i++) dst[i] = lut[src[i]!]!;
}

/**
 * 3×3 binomial blur ([1 2 1] ⊗ [1 2 1] / 16), edges clamped, of `lut[src]` (the contrast stretch
 * is applied on the fly; pass an identity table for none). Separable: two cheap passes.
 */
export function blur3(src: Uint8Array, w: number, h: number, lut: Uint8Array, tmp: Uint16Array, dst: Uint8Array): void {
  for (let y = 0; y < h; y++) {
    const r = y * w;
    let a = lut[src[r]!]!;
    let b = a;
    for (let x = 0; x < w; x++) {
      // Sliding window a, b, c = pixels x-1, x, x+1: one table lookup per pixel.
      const c = x < w - 1 ? lut[src[r + x + 1]!]! : b;
      tmp[r + x] = a + 2 * b + c;
      a = b;
      b = c;
    }
  }
  for (let y = 0; y < h; y++) {
    const r = y * w;
    const up = y > 0 ? r - w : r;
    const down = y < h - 1 ? r + w : r;
    for (let x = 0; x < w; x++) dst[r + x] = (tmp[up + x]! + 2 * tmp[r + x]! + tmp[down + x]! + 8) >> 4;
  }
}

/**
 * Difference against the running-average background, threshold, and background update in one
 * pass: changed[i] = 1 where |img − bg| > threshold and the mask counts the pixel; then
 * bg ← bg + alpha·(img − bg). Returns the number of changed pixels; `rows` receives the first and
 * last row holding a change (so dilation and blob search can skip still rows).
 */
export function diffAndUpdate(
  img: Uint8Array,
  bg: Float32Array,
  mask: Uint8Array,
  w: number,
  h: number,
  threshold: number,
  alpha: number,
  changed: Uint8Array,
  rows: Int32Array,
): number {
  let count = 0;
  rows[0] = h;
  rows[1] = -1;
  for (let y = 0; y < h; y++) {
    const before = count;
    for (let i = y * w, end = i + w; i < end; i++) {
      const b = bg[i]!;
      const d = img[i]! - b;
      const hit = d > threshold || d < -threshold ? mask[i]! : 0;
      changed[i] = hit;
      count += hit;
      bg[i] = b + alpha * d;
    }
    if (count > before) {
      if (rows[0] === h) rows[0] = y;
      rows[1] = y;
    }
  }
  return count;
}

/**
 * One round of 3×3 binary dilation (separable), ANDed with the mask so masked pixels never join
 * a blob. `src` holds ones only in rows y0..y1 and `dst` is zero outside the rows written here,
 * y0 − 1 .. y1 + 1: only those rows are touched.
 */
export function dilate3(src: Uint8Array, w: number, h: number, tmp: Uint8Array, dst: Uint8Array, mask: Uint8Array, y0 = 0, y1 = h - 1): void {
  for (let y = y0; y <= y1; y++) {
    const r = y * w;
    const last = r + w - 1;
    if (w === 1) {
      tmp[r] = src[r]!;
      continue;
    }
    tmp[r] = src[r]! | src[r + 1]!;
    for (let i = r + 1; i < last; i++) tmp[i] = src[i - 1]! | src[i]! | src[i + 1]!;
    tmp[last] = src[last - 1]! | src[last]!;
  }
  const from = Math.max(0, y0 - 1);
  const to = Math.min(h - 1, y1 + 1);
  for (let y = from; y <= to; y++) {
    const r = y * w;
    const up = y - 1 >= y0 ? r - w : -1;
    const down = y + 1 <= y1 ? r + w : -1;
    const mid = y >= y0 && y <= y1 ? r : -1;
    for (let x = 0; x < w; x++) {
      const v = (up >= 0 ? tmp[up + x]! : 0) | (mid >= 0 ? tmp[mid + x]! : 0) | (down >= 0 ? tmp[down + x]! : 0);
      dst[r + x] = v & mask[r + x]!;
    }
  }
}

/** Bounding box and pixel count of one connected blob, in shrunk-image pixels (x2/y2 inclusive). */
export interface Blob {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  area: number;
}

/**
 * Flood-fills the 8-connected blob containing `seed` in the binary image, clearing its pixels
 * (so the caller's scan skips them) and writing its extent into `out`. `stack` holds w×h ints.
 */
export function floodBlob(bin: Uint8Array, w: number, h: number, seed: number, stack: Int32Array, out: Blob): void {
  let top = 0;
  stack[top++] = seed;
  bin[seed] = 0;
  let x1 = w,
    y1 = h,
    x2 = -1,
    y2 = -1,
    area = 0;
  while (top > 0) {
    const i = stack[--top]!;
    const y = (i / w) | 0;
    const x = i - y * w;
    area++;
    if (x < x1) x1 = x;
    if (x > x2) x2 = x;
    if (y < y1) y1 = y;
    if (y > y2) y2 = y;
    const yFrom = y > 0 ? y - 1 : y,
      yTo = y < h - 1 ? y + 1 : y;
    const xFrom = x > 0 ? x - 1 : x,
      xTo = x < w - 1 ? x + 1 : x;
    for (let ny = yFrom; ny <= yTo; ny++) {
      for (let nx = xFrom, j = ny * w + xFrom; nx <= xTo; nx++, j++) {
        if (bin[j] === 1) {
          bin[j] = 0;
          stack[top++] = j;
        }
      }
    }
  }
  out.x1 = x1;
  out.y1 = y1;
  out.x2 = x2;
  out.y2 = y2;
  out.area = area;
}
