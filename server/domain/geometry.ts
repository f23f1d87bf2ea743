import type { Box } from './frame.js';

/**
 * Box and polygon helpers shared by motion, regions, tracking and zones. Boxes are
 * [x1, y1, x2, y2] with x2/y2 exclusive (a box covering pixel columns 0..9 is [0, y, 10, y']);
 * polygons are lists of [x, y] points, usually frame-relative (0..1).
 */
export type { Box };
export type Point = [number, number];
export type Polygon = Point[];

/** Anything NMS and the tracker can rank: a box with a class label and a score. */
export interface Scored {
  box: Box;
  label: string;
  score: number;
}

export const boxWidth = (b: Box): number => Math.max(0, b[2] - b[0]);
export const boxHeight = (b: Box): number => Math.max(0, b[3] - b[1]);
export const boxArea = (b: Box): number => boxWidth(b) * boxHeight(b);
export const boxCentre = (b: Box): Point => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];

export function intersectionArea(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

export function iou(a: Box, b: Box): number {
  const inter = intersectionArea(a, b);
  if (inter === 0) return 0;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

/** Intersection over the smaller box: 1 when one box lies inside the other (a person cut by a crop edge). */
export function overlapOfSmaller(a: Box, b: Box): number {
  const inter = intersectionArea(a, b);
  if (inter === 0) return 0;
  return inter / Math.max(1e-9, Math.min(boxArea(a), boxArea(b)));
}

export const unionBox = (a: Box, b: Box): Box => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];

export const clampBox = (b: Box, width: number, height: number): Box => [
  Math.min(Math.max(b[0], 0), width),
  Math.min(Math.max(b[1], 0), height),
  Math.min(Math.max(b[2], 0), width),
  Math.min(Math.max(b[3], 0), height),
];

/**
 * Distance between two box centres in units of the boxes' size (the mean of the geometric
 * sizes): 0 = same centre, 1 = the centres are one box-size apart. Scale-free, so a far-away
 * person and a near one are treated alike.
 */
export function centreDistance(a: Box, b: Box): number {
  const [ax, ay] = boxCentre(a);
  const [bx, by] = boxCentre(b);
  const size = (Math.sqrt(boxArea(a)) + Math.sqrt(boxArea(b))) / 2;
  return Math.hypot(ax - bx, ay - by) / Math.max(1, size);
}

export interface NmsOptions {
  /** Only boxes of the same label suppress each other (default true). */
  classAware?: boolean;
  /**
   * Also suppress a box when this fraction of the smaller box lies inside a better one
   * (catches the half-person cut by one crop's edge and whole in the other). Off by default.
   */
  containThreshold?: number;
}

/**
 * Greedy non-maximum suppression: best score first, drop what overlaps a kept box by more
 * than `iouThreshold`. Returns the kept items (same objects) in descending score order.
 */
export function nms<T extends Scored>(items: readonly T[], iouThreshold: number, opts: NmsOptions = {}): T[] {
  const classAware = opts.classAware ?? true;
  const contain = opts.containThreshold;
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const cand of sorted) {
    const suppressed = kept.some(
      (k) =>
        (!classAware || k.label === cand.label) &&
        (iou(k.box, cand.box) > iouThreshold || (contain !== undefined && overlapOfSmaller(k.box, cand.box) > contain)),
    );
    if (!suppressed) kept.push(cand);
  }
  return kept;
}

/** Shoelace area (absolute), in the polygon's own units. */
export function polygonArea(poly: readonly Point[]): number {
  let sum = 0;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    sum += (xj + xi) * (yj - yi);
  }
  return Math.abs(sum) / 2;
}

/** Even-odd rule: true when the point lies inside the polygon. */
export function pointInPolygon(x: number, y: number, poly: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Fills `out` (a width × height bitmap, row-major) with `value` for every pixel whose centre
 * lies inside the frame-relative polygon (coordinates 0..1). Scanline with the even-odd rule;
 * allocates a little, so call it when settings change, not per frame.
 */
export function rasterisePolygon(poly: readonly Point[], width: number, height: number, out: Uint8Array, value: number): void {
  const xs: number[] = [];
  for (let y = 0; y < height; y++) {
    const yc = (y + 0.5) / height;
    xs.length = 0;
    for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
      const [x0, y0] = poly[j]!;
      const [x1, y1] = poly[i]!;
      // Half-open rule so a vertex on the scanline is counted once.
      if (y0 <= yc !== y1 <= yc) xs.push(x0 + ((yc - y0) * (x1 - x0)) / (y1 - y0));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // Pixel px is inside when its centre (px + 0.5) / width lies in [xa, xb).
      const from = Math.max(0, Math.ceil(xs[k]! * width - 0.5));
      const to = Math.min(width - 1, Math.ceil(xs[k + 1]! * width - 0.5) - 1);
      if (to >= from) out.fill(value, y * width + from, y * width + to + 1);
    }
  }
}
