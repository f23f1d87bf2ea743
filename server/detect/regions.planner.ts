import type { Box } from '../domain/frame.js';
import { boxArea, intersectionArea, nms, overlapOfSmaller, type Scored } from '../domain/geometry.js';

/**
 * Where the object detector looks. The model takes a fixed input (CenterNet: 512×512); a crop
 * around what moves keeps a far-away person large enough to recognise, and still parts of the
 * scene cost nothing. Every number of the policy is a parameter so the bench can choose it.
 */

/** A crop of the detect frame, in frame pixels. */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface RegionPolicy {
  /** Model input size in pixels. */
  modelWidth: number;
  modelHeight: number;
  /** The whole frame is the one region when neither side exceeds the model's by more than this factor. */
  wholeFrameRatio: number;
  /** Smallest crop side in frame pixels (the shorter side for a non-square model). */
  minCropSize: number;
  /** Added around each box, as a fraction of its size (0.35 → 35 % bigger), so context and a moving object's next step fit. */
  margin: number;
  /** Two crops merge when they share more than this fraction of the smaller one (0: any overlap). */
  mergeOverlap: number;
  /** Most crops per frame; beyond it the closest crops are merged (each crop costs one inference). */
  maxRegions: number;
  /** When crops cover more than this fraction of the frame, one whole-frame region is cheaper. */
  wholeFrameCoverage: number;
}

export function defaultRegionPolicy(model: { width: number; height: number } = { width: 512, height: 512 }): RegionPolicy {
  return {
    modelWidth: model.width,
    modelHeight: model.height,
    wholeFrameRatio: 1.3,
    minCropSize: Math.min(model.width, model.height),
    margin: 0.35,
    mergeOverlap: 0,
    maxRegions: 4,
    wholeFrameCoverage: 0.6,
  };
}

interface Plan {
  region: Region;
  /** Union of the boxes this region must contain. */
  content: Box;
}

/**
 * Crops the detector should run on for one frame, given the frame's motion boxes and the boxes
 * of tracks that need checking. No boxes → no regions (a quiet camera costs no inference).
 */
export function planRegions(frame: { width: number; height: number }, motion: readonly Box[], tracks: readonly Box[], policy: RegionPolicy): Region[] {
  const { width: W, height: H } = frame;
  const whole: Region = { x: 0, y: 0, w: W, h: H };
  const boxes = [...motion, ...tracks].filter((b) => b[2] > b[0] && b[3] > b[1]);
  if (boxes.length === 0) return [];
  if (W <= policy.modelWidth * policy.wholeFrameRatio && H <= policy.modelHeight * policy.wholeFrameRatio) return [whole];
  let plans = boxes.map((b) => planAround([b[0], b[1], b[2], b[3]], W, H, policy));
  plans = mergeOverlapping(plans, W, H, policy);
  while (plans.length > policy.maxRegions) plans = mergeCheapestPair(plans, W, H, policy);
  const covered = plans.reduce((sum, p) => sum + p.region.w * p.region.h, 0);
  if (covered > policy.wholeFrameCoverage * W * H) return [whole];
  return plans.map((p) => p.region);
}

/**
 * A crop of the model's aspect ratio centred on `content` (enlarged by the margin, at least the
 * minimum size), shifted to lie inside the frame and cut to it when the frame is smaller.
 * Coordinates are even so a yuv420p crop keeps its chroma aligned.
 */
function planAround(content: Box, W: number, H: number, p: RegionPolicy): Plan {
  const aspect = p.modelWidth / p.modelHeight;
  const cw = (content[2] - content[0]) * (1 + p.margin);
  const ch = (content[3] - content[1]) * (1 + p.margin);
  const minH = aspect >= 1 ? p.minCropSize : p.minCropSize / aspect;
  const h0 = Math.max(ch, cw / aspect, minH);
  const w = Math.min(W, even(Math.ceil(h0 * aspect)));
  const h = Math.min(H, even(Math.ceil(h0)));
  const x = place((content[0] + content[2]) / 2 - w / 2, w, W);
  const y = place((content[1] + content[3]) / 2 - h / 2, h, H);
  return { region: { x, y, w, h }, content };
}

const even = (v: number): number => v + (v & 1);

/** Start of a span of length `len` near `start`, inside [0, size], on an even pixel when possible. */
function place(start: number, len: number, size: number): number {
  const s = Math.min(Math.max(0, Math.round(start)), size - len);
  return s & 1 && s > 0 ? s - 1 : s;
}

/** A region as a box [x1, y1, x2, y2] (what the object detector's requests take). */
export const regionBox = (r: Region): Box => [r.x, r.y, r.x + r.w, r.y + r.h];

function shouldMerge(a: Region, b: Region, p: RegionPolicy): boolean {
  const inter = intersectionArea(regionBox(a), regionBox(b));
  return inter > 0 && inter > p.mergeOverlap * Math.min(a.w * a.h, b.w * b.h);
}

function merge(a: Plan, b: Plan, W: number, H: number, p: RegionPolicy): Plan {
  const c = a.content;
  const d = b.content;
  const union: Box = [Math.min(c[0], d[0]), Math.min(c[1], d[1]), Math.max(c[2], d[2]), Math.max(c[3], d[3])];
  return planAround(union, W, H, p);
}

/** Merge overlapping crops until none overlap (a merge can make a crop reach a third one). */
function mergeOverlapping(plans: Plan[], W: number, H: number, p: RegionPolicy): Plan[] {
  const out = [...plans];
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      if (!shouldMerge(out[i]!.region, out[j]!.region, p)) continue;
      out[i] = merge(out[i]!, out[j]!, W, H, p);
      out.splice(j, 1);
      j = i; // the grown crop may now overlap crops already passed
    }
  }
  return out;
}

/** Merge the two crops whose merged crop is smallest (fewest pixels the model must scale down). */
function mergeCheapestPair(plans: Plan[], W: number, H: number, p: RegionPolicy): Plan[] {
  let best: { i: number; j: number; plan: Plan; area: number } | undefined;
  for (let i = 0; i < plans.length; i++) {
    for (let j = i + 1; j < plans.length; j++) {
      const plan = merge(plans[i]!, plans[j]!, W, H, p);
      const area = plan.region.w * plan.region.h;
      if (!best || area < best.area) best = { i, j, plan, area };
    }
  }
  if (!best) return plans;
  const out = plans.filter((_, k) => k !== best.i && k !== best.j);
  return mergeOverlapping([...out, best.plan], W, H, p);
}

/**
 * How a region is resized into the model input, keeping its aspect ratio: scaled by `scale`
 * to `width` × `height` model pixels and placed at (`padX`, `padY`); the rest is padding.
 * The object detector builds its input from this so boxes map back exactly.
 */
export interface Fit {
  scale: number;
  width: number;
  height: number;
  padX: number;
  padY: number;
}

export function fitRegion(region: Region, model: { width: number; height: number }, align: 'top-left' | 'centre' = 'top-left'): Fit {
  const scale = Math.min(model.width / region.w, model.height / region.h);
  const width = Math.min(model.width, Math.round(region.w * scale));
  const height = Math.min(model.height, Math.round(region.h * scale));
  const padX = align === 'centre' ? Math.floor((model.width - width) / 2) : 0;
  const padY = align === 'centre' ? Math.floor((model.height - height) / 2) : 0;
  return { scale, width, height, padX, padY };
}

/** A box in model-input pixels → frame pixels, clipped to the region it was found in. */
export function mapToFrame(box: Box, region: Region, fit: Fit): Box {
  const sx = region.w / fit.width;
  const sy = region.h / fit.height;
  const clip = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  return [
    clip(region.x + (box[0] - fit.padX) * sx, region.x, region.x + region.w),
    clip(region.y + (box[1] - fit.padY) * sy, region.y, region.y + region.h),
    clip(region.x + (box[2] - fit.padX) * sx, region.x, region.x + region.w),
    clip(region.y + (box[3] - fit.padY) * sy, region.y, region.y + region.h),
  ];
}

export interface MergeOptions {
  /** IoU above which the lower-scored of two same-class detections is dropped (default 0.5). */
  iouThreshold?: number;
  /**
   * A detection cut by its crop's inner edge is dropped when this fraction of it lies inside a
   * larger same-class detection from another crop (default 0.6): the half person at one crop's
   * border, seen whole in its neighbour. Detections inside one crop are never dropped this way,
   * so a partly hidden person behind another stays.
   */
  containThreshold?: number;
}

/**
 * Detections in frame pixels, each tagged with the index of the region it was found in (what
 * the object detector returns) → one list: objects cut by a crop edge dropped when another
 * crop saw them whole, then class-aware NMS where crops overlap.
 */
export function dedupeAcrossRegions<T extends Scored & { regionIndex: number }>(
  frame: { width: number; height: number },
  regions: readonly Region[],
  detections: readonly T[],
  opts: MergeOptions = {},
): T[] {
  const iouThreshold = opts.iouThreshold ?? 0.5;
  const contain = opts.containThreshold ?? 0.6;
  const live = detections.filter((d) => boxArea(d.box) > 0);
  const cut = live.map((d) => {
    const r = regions[d.regionIndex];
    return r !== undefined && cutByInnerEdge(d.box, r, frame);
  });
  const kept = live.filter(
    (d, i) =>
      !cut[i] ||
      !live.some((o) => o.regionIndex !== d.regionIndex && o.label === d.label && boxArea(o.box) > boxArea(d.box) && overlapOfSmaller(o.box, d.box) > contain),
  );
  return nms(kept, iouThreshold, { classAware: true });
}

/** Same, for detections still in model-input pixels: mapped back through each region's fit first. */
export function mergeRegionDetections<T extends Scored>(
  frame: { width: number; height: number },
  perRegion: readonly { region: Region; fit: Fit; detections: readonly T[] }[],
  opts: MergeOptions = {},
): (T & { regionIndex: number })[] {
  const mapped = perRegion.flatMap(({ region, fit, detections }, regionIndex) =>
    detections.map((d) => ({ ...d, box: mapToFrame(d.box, region, fit), regionIndex })),
  );
  return dedupeAcrossRegions(
    frame,
    perRegion.map((p) => p.region),
    mapped,
    opts,
  );
}

/** True when the box touches a side of its crop that lies inside the frame (the object may go on beyond it). */
function cutByInnerEdge(box: Box, r: Region, frame: { width: number; height: number }): boolean {
  const tol = 2;
  return (
    (r.x > 0 && box[0] <= r.x + tol) ||
    (r.y > 0 && box[1] <= r.y + tol) ||
    (r.x + r.w < frame.width && box[2] >= r.x + r.w - tol) ||
    (r.y + r.h < frame.height && box[3] >= r.y + r.h - tol)
  );
}

export { nms };
