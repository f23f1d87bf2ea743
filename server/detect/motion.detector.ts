import type { MotionSettings } from '../domain/camera.settings.motion.js';
import type { Box, Frame } from '../domain/frame.js';
import { rasterisePolygon } from '../domain/geometry.js';
import { applyLut, blur3, diffAndUpdate, dilate3, downscale, floodBlob, percentile, stretchLut, unhistogram, type Blob } from './motion.kernels.js';

export interface MotionResult {
  /** Moving areas in frame pixels. Reused by the next detect() call: copy what you keep. */
  boxes: Box[];
  /** Fraction of the counted (unmasked) shrunk pixels that differ from the background. */
  changedFraction: number;
  /** True while the background is being (re)learnt; no boxes are reported then. */
  calibrating: boolean;
  /** True on the frame where a global change (light, IR switch, lightning) reset the background. */
  recalibrated: boolean;
}

/** Below this grey-level span the stretch would mostly amplify sensor noise (gain capped at ≈ 6). */
const MIN_STRETCH_SPAN = 40;
/** How fast the stretch follows the scene's percentiles: slow, so a sudden change still shows as change. */
const STRETCH_RATE = 0.1;

/**
 * Motion on the Y plane, after Frigate's detector: shrink, stretch, blur, compare with a
 * running-average background, threshold, dilate, connected blobs → boxes. All buffers are
 * allocated when the frame size is set, never per frame. One instance per camera.
 */
export class MotionDetector {
  private width = 0;
  private height = 0;
  private factor = 1;
  private sw = 0;
  private sh = 0;
  private countedPixels = 0;
  private raw: Uint8Array = new Uint8Array(0);
  private stretched: Uint8Array = new Uint8Array(0);
  private blurred: Uint8Array = new Uint8Array(0);
  private blurTmp = new Uint16Array(0);
  private background = new Float32Array(0);
  private changed: Uint8Array = new Uint8Array(0);
  private dilateTmp: Uint8Array = new Uint8Array(0);
  private dilated: Uint8Array = new Uint8Array(0);
  private mask: Uint8Array = new Uint8Array(0);
  private stack = new Int32Array(0);
  private maskedIndices = new Int32Array(0);
  private readonly identity = Uint8Array.from({ length: 256 }, (_, v) => v);
  private readonly hist = new Uint32Array(256);
  /** First and last row with a change in the current frame. */
  private readonly rows = new Int32Array(2);
  private readonly lut = new Uint8Array(256);
  private readonly blob: Blob = { x1: 0, y1: 0, x2: 0, y2: 0, area: 0 };
  private readonly boxPool: Box[] = [];
  private readonly result: MotionResult = { boxes: [], changedFraction: 0, calibrating: true, recalibrated: false };
  private initialised = false;
  private calibrating = true;
  private calibrationCount = 0;
  private stretchLow = 0;
  private stretchHigh = 255;
  private framePercentiles: [number, number] = [0, 255];

  constructor(
    private readonly settings: MotionSettings,
    frameSize: { width: number; height: number },
  ) {
    this.configure(frameSize.width, frameSize.height);
  }

  /** Size of the shrunk image motion works on, and the whole factor it was divided by. */
  get analysisSize(): { width: number; height: number; factor: number } {
    return { width: this.sw, height: this.sh, factor: this.factor };
  }

  /** Forget the background (e.g. after the camera moved); the next frames calibrate again. */
  reset(): void {
    this.initialised = false;
    this.calibrating = true;
    this.calibrationCount = 0;
  }

  detect(frame: Frame): MotionResult {
    const r = this.result;
    r.recalibrated = false;
    r.boxes.length = 0;
    if (!this.settings.enabled) return this.wholeFrame(frame);
    if (frame.width !== this.width || frame.height !== this.height) this.configure(frame.width, frame.height);
    if (frame.data.length < this.width * this.height) {
      throw new Error(
        `motion: frame ${frame.seq} of camera ${frame.cameraId} has ${frame.data.length} bytes, less than its ${this.width}×${this.height} Y plane`,
      );
    }
    const img = this.prepare(frame.data);
    if (!this.initialised) {
      this.relearn(img, false);
      return this.finish(0, true);
    }
    const alpha = this.calibrating ? this.settings.calibrationAlpha : this.settings.alpha;
    const count = diffAndUpdate(img, this.background, this.mask, this.sw, this.sh, this.settings.threshold, alpha, this.changed, this.rows);
    const fraction = this.countedPixels > 0 ? count / this.countedPixels : 0;
    if (fraction > this.settings.globalChangeFraction) {
      this.relearn(img, true);
      r.recalibrated = true;
      return this.finish(fraction, true);
    }
    if (this.calibrating) {
      this.calibrationCount++;
      const settled = fraction <= this.settings.settleFraction || this.calibrationCount >= this.settings.calibrationFrames;
      if (!settled) return this.finish(fraction, true);
      this.calibrating = false;
    }
    if (count > 0) this.collectBoxes();
    return this.finish(fraction, false);
  }

  /** Shrink (+ stretch, + blur) the Y plane; returns the image to compare with the background. */
  private prepare(y: Uint8Array): Uint8Array {
    const stretch = this.settings.contrastStretch;
    if (stretch) this.hist.fill(0);
    downscale(y, this.width, this.factor, this.raw, this.sw, this.sh, stretch ? this.hist : null);
    if (!stretch) return this.smooth(this.identity);
    unhistogram(this.raw, this.maskedIndices, this.hist);
    this.measureContrast();
    return this.smooth(this.stretchTable());
  }

  /** Stretch through `lut` and blur, fused in one pass when blur is on. */
  private smooth(lut: Uint8Array): Uint8Array {
    const n = this.sw * this.sh;
    if (this.settings.blur) {
      blur3(this.raw, this.sw, this.sh, lut, this.blurTmp, this.blurred);
      return this.blurred;
    }
    if (lut === this.identity) return this.raw;
    applyLut(this.raw, this.stretched, n, lut);
    return this.stretched;
  }

  private measureContrast(): void {
    const total = this.countedPixels;
    this.framePercentiles[0] = percentile(this.hist, total, 0.04);
    this.framePercentiles[1] = percentile(this.hist, total, 0.96);
    if (!this.initialised) {
      this.stretchLow = this.framePercentiles[0];
      this.stretchHigh = this.framePercentiles[1];
    } else {
      this.stretchLow += (this.framePercentiles[0] - this.stretchLow) * STRETCH_RATE;
      this.stretchHigh += (this.framePercentiles[1] - this.stretchHigh) * STRETCH_RATE;
    }
  }

  private stretchTable(): Uint8Array {
    stretchLut(this.lut, this.stretchLow, Math.max(this.stretchHigh - this.stretchLow, MIN_STRETCH_SPAN));
    return this.lut;
  }

  /**
   * Take the current frame as the background. After a global change the stretch jumps to this
   * frame's own levels too (re-preparing the image), else the next frame would differ again.
   */
  private relearn(img: Uint8Array, global: boolean): void {
    let current = img;
    if (global && this.settings.contrastStretch) {
      [this.stretchLow, this.stretchHigh] = this.framePercentiles;
      current = this.smooth(this.stretchTable());
    }
    this.background.set(current);
    this.initialised = true;
    this.calibrating = true;
    this.calibrationCount = 0;
  }

  /**
   * Dilate, then flood each blob into a box. Only rows near a change are touched; both binary
   * buffers are left all-zero (flooding clears the final one) so the next frame can rely on it.
   */
  private collectBoxes(): void {
    const { sw, sh } = this;
    let [y0, y1] = [this.rows[0]!, this.rows[1]!];
    let bin = this.changed;
    for (let k = 0; k < this.settings.dilation; k++) {
      const out = bin === this.dilated ? this.changed : this.dilated;
      dilate3(bin, sw, sh, this.dilateTmp, out, this.mask, y0, y1);
      bin = out;
      y0 = Math.max(0, y0 - 1);
      y1 = Math.min(sh - 1, y1 + 1);
    }
    const minArea = Math.max(1, Math.ceil(this.settings.minArea * sw * sh));
    for (let i = y0 * sw, end = (y1 + 1) * sw; i < end; i++) {
      if (bin[i] !== 1) continue;
      floodBlob(bin, sw, sh, i, this.stack, this.blob);
      if (this.blob.area >= minArea) this.addBox(this.blob);
    }
    // An intermediate round left ones in `dilated`; `changed` is rewritten by every diff anyway.
    if (bin !== this.dilated) this.dilated.fill(0, y0 * sw, (y1 + 1) * sw);
  }

  /** Blob (shrunk pixels, inclusive) → box in frame pixels; the last shrunk row/column reaches the frame edge. */
  private addBox(b: Blob): void {
    const boxes = this.result.boxes;
    const f = this.factor;
    const x1 = b.x1 * f;
    const y1 = b.y1 * f;
    const x2 = b.x2 === this.sw - 1 ? this.width : (b.x2 + 1) * f;
    const y2 = b.y2 === this.sh - 1 ? this.height : (b.y2 + 1) * f;
    if (boxes.length >= this.settings.maxBoxes) {
      const last = boxes[boxes.length - 1]!;
      last[0] = Math.min(last[0], x1);
      last[1] = Math.min(last[1], y1);
      last[2] = Math.max(last[2], x2);
      last[3] = Math.max(last[3], y2);
      return;
    }
    let box = this.boxPool[boxes.length];
    if (!box) {
      box = [0, 0, 0, 0];
      this.boxPool.push(box);
    }
    box[0] = x1;
    box[1] = y1;
    box[2] = x2;
    box[3] = y2;
    boxes.push(box);
  }

  private finish(fraction: number, calibrating: boolean): MotionResult {
    if (calibrating) this.result.boxes.length = 0;
    this.result.changedFraction = fraction;
    this.result.calibrating = calibrating;
    return this.result;
  }

  private wholeFrame(frame: Frame): MotionResult {
    const box = (this.boxPool[0] ??= [0, 0, 0, 0]);
    box[0] = 0;
    box[1] = 0;
    box[2] = frame.width;
    box[3] = frame.height;
    this.result.boxes.push(box);
    this.result.changedFraction = 0;
    this.result.calibrating = false;
    return this.result;
  }

  /** Size-dependent buffers and the mask bitmap: done once per frame size (allocation allowed here). */
  private configure(width: number, height: number): void {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new Error(`motion: invalid frame size ${width}×${height}`);
    }
    this.width = width;
    this.height = height;
    this.factor = Math.max(1, Math.min(Math.round(height / this.settings.frameHeight), width, height));
    this.sw = Math.floor(width / this.factor);
    this.sh = Math.floor(height / this.factor);
    const n = this.sw * this.sh;
    this.raw = new Uint8Array(n);
    this.stretched = new Uint8Array(n);
    this.blurred = new Uint8Array(n);
    this.blurTmp = new Uint16Array(n);
    this.background = new Float32Array(n);
    this.changed = new Uint8Array(n);
    this.dilateTmp = new Uint8Array(n);
    this.dilated = new Uint8Array(n);
    this.stack = new Int32Array(n);
    this.mask = buildMask(this.settings, this.sw, this.sh);
    const masked: number[] = [];
    this.mask.forEach((v, i) => v === 0 && masked.push(i));
    this.maskedIndices = Int32Array.from(masked);
    this.countedPixels = n - masked.length;
    this.reset();
  }
}

/**
 * 1 where motion counts, 0 under a mask. With blur on, masks grow by the blur's one-pixel
 * reach, so a flickering timestamp cannot bleed into the pixels beside it.
 */
function buildMask(settings: MotionSettings, w: number, h: number): Uint8Array {
  const mask = new Uint8Array(w * h).fill(1);
  if (settings.masks.length === 0) return mask;
  for (const poly of settings.masks) rasterisePolygon(poly, w, h, mask, 0);
  if (!settings.blur) return mask;
  const masked = mask.map((v) => 1 - v);
  const grown = new Uint8Array(w * h);
  dilate3(masked, w, h, new Uint8Array(w * h), grown, new Uint8Array(w * h).fill(1));
  return grown.map((v) => 1 - v);
}
