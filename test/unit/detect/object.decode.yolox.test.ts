import { describe, expect, it } from 'vitest';
import { decodeYolox, yoloxGrid } from '../../../server/detect/object.decode.yolox.js';
import { decodeDetections } from '../../../server/detect/object.model.js';
import { COCO_LABELS, MODEL_REGISTRY } from '../../../server/detect/object.models.js';
import { letterboxFor } from '../../../server/detect/object.preprocess.js';

/**
 * YOLOX's raw output decoded by hand-placed anchors: grid order, the stride arithmetic,
 * objectness × class score, then the shared decoder's letterbox mapping and NMS.
 */

const CLASSES = 80;
const WIDTH = 5 + CLASSES;

/** Anchor index of cell (x, y) on the grid of `stride`, for a square input of `size`. */
function anchorOf(size: number, stride: number, x: number, y: number): number {
  let base = 0;
  for (const s of [8, 16, 32]) {
    if (s === stride) return base + y * (size / s) + x;
    base += (size / s) ** 2;
  }
  throw new Error(`no stride ${stride}`);
}

interface Anchor {
  stride: number;
  x: number;
  y: number;
  dx: number;
  dy: number;
  logW: number;
  logH: number;
  obj: number;
  cls: number;
  clsScore: number;
}
function output(size: number, anchors: Anchor[]): Float32Array {
  const out = new Float32Array(yoloxGrid(size).gx.length * WIDTH);
  for (const a of anchors) {
    const o = anchorOf(size, a.stride, a.x, a.y) * WIDTH;
    out.set([a.dx, a.dy, a.logW, a.logH, a.obj], o);
    out[o + 5 + a.cls] = a.clsScore;
    // A weaker second class: only the best one is reported.
    out[o + 5 + ((a.cls + 1) % CLASSES)] = a.clsScore / 2;
  }
  return out;
}

const rows = (r: Float32Array) => Array.from({ length: r.length / 6 }, (_, i) => Array.from(r.subarray(i * 6, i * 6 + 6)));

describe('YOLOX decoder', () => {
  it('lays the anchors out as the stride 8, 16 and 32 grids, row-major', () => {
    const g = yoloxGrid(416);
    expect(g.gx.length).toBe(52 * 52 + 26 * 26 + 13 * 13); // 3549, the exported model's N
    expect(yoloxGrid(320).gx.length).toBe(2100);
    const i = anchorOf(416, 16, 3, 5);
    expect([g.gx[i], g.gy[i], g.stride[i]]).toEqual([3, 5, 16]);
    expect([g.gx[52], g.gy[52], g.stride[52]]).toEqual([0, 1, 8]);
    expect(() => yoloxGrid(400)).toThrow(/multiple of 32/);
  });

  it('decodes centre offsets and log sizes per stride, scores objectness × class, best class only', () => {
    const out = output(416, [
      { stride: 16, x: 3, y: 5, dx: 0.5, dy: 0.25, logW: Math.log(2), logH: Math.log(4), obj: 0.9, cls: 2, clsScore: 0.8 },
      { stride: 32, x: 12, y: 0, dx: 0, dy: 0, logW: 0, logH: 0, obj: 0.6, cls: 0, clsScore: 0.9 },
      // High objectness, low class score: 0.9 × 0.3 = 0.27 is below the floor.
      { stride: 8, x: 10, y: 10, dx: 0, dy: 0, logW: 0, logH: 0, obj: 0.9, cls: 0, clsScore: 0.3 },
      // Below the floor on objectness alone.
      { stride: 8, x: 20, y: 20, dx: 0, dy: 0, logW: 0, logH: 0, obj: 0.2, cls: 0, clsScore: 1 },
    ]);
    const got = rows(decodeYolox(out, yoloxGrid(416), CLASSES, 0.4));
    // cx = (0.5 + 3) · 16 = 56, cy = (0.25 + 5) · 16 = 84, w = 2 · 16 = 32, h = 4 · 16 = 64.
    expect(got).toHaveLength(2);
    [40, 52, 72, 116, 0.72, 2].forEach((v, k) => expect(got[0]![k]).toBeCloseTo(v, 4));
    // cx = 12 · 32 = 384, w = 32.
    [368, -16, 400, 16, 0.54, 0].forEach((v, k) => expect(got[1]![k]).toBeCloseTo(v, 4));
  });

  it('keeps only the best candidates when noise floods it, and refuses an output of the wrong size', () => {
    const many: Anchor[] = Array.from({ length: 40 }, (_, i) => ({
      stride: 8,
      x: i,
      y: 0,
      dx: 0,
      dy: 0,
      logW: 0,
      logH: 0,
      obj: 0.5 + i / 100,
      cls: 0,
      clsScore: 1,
    }));
    const got = rows(decodeYolox(output(416, many), yoloxGrid(416), CLASSES, 0.4, 10));
    expect(got).toHaveLength(10);
    expect(Math.min(...got.map((r) => r[4]!))).toBeCloseTo(0.8, 4);
    expect(() => decodeYolox(new Float32Array(2100 * WIDTH), yoloxGrid(416), CLASSES, 0.4)).toThrow(/\[1, 3549, 85\]/);
  });

  it('maps boxes back through the letterbox of a crop, merges same-class duplicates, keeps per-label thresholds', () => {
    // A 208×104 crop at (100, 60) of the frame: scale 2, picture 416×208 at the top-left of the input.
    const region: [number, number, number, number] = [100, 60, 308, 164];
    const lb = letterboxFor(208, 104, 416);
    expect(lb).toEqual({ scale: 2, width: 416, height: 208 });
    const person = { stride: 16, x: 3, y: 5, dx: 0.5, dy: 0.25, logW: Math.log(2), logH: Math.log(4), cls: 0 };
    const out = output(416, [
      { ...person, obj: 0.9, clsScore: 0.9 },
      // The same person seen by the next cell: IoU ≈ 0.6, suppressed.
      { ...person, x: 4, dx: -0.3, obj: 0.8, clsScore: 0.9 },
      // A dog overlapping the person (IoU ≈ 0.7): another class, kept.
      { stride: 8, x: 7, y: 10, dx: 0.5, dy: 0, logW: Math.log(4), logH: Math.log(8), cls: 16, obj: 0.9, clsScore: 0.7 },
      // A car at 0.45: above minScore 0.4 but below its own 0.5.
      { stride: 32, x: 2, y: 2, dx: 0, dy: 0, logW: 0, logH: 0, obj: 0.9, cls: 2, clsScore: 0.5 },
    ]);
    const candidates = decodeYolox(out, yoloxGrid(416), CLASSES, 0.4);
    expect(candidates.length / 6).toBe(4);
    const dets = decodeDetections(candidates, lb, region, 3, {
      minScore: 0.4,
      minScores: { car: 0.5 },
      labels: COCO_LABELS,
      iouThreshold: MODEL_REGISTRY.yolox.iouThreshold,
    });
    expect(dets.map((d) => d.label)).toEqual(['person', 'dog']);
    // Input box [40, 52, 72, 116] ÷ 2 + (100, 60).
    expect(dets[0]).toMatchObject({ classIndex: 0, regionIndex: 3, box: [120, 86, 136, 118] });
    expect(dets[0]!.score).toBeCloseTo(0.81, 4);
  });
});
