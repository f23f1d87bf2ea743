import { describe, expect, it } from 'vitest';
import {
  boxArea,
  centreDistance,
  clampBox,
  iou,
  nms,
  overlapOfSmaller,
  pointInPolygon,
  polygonArea,
  rasterisePolygon,
  unionBox,
  type Point,
} from '../../../server/domain/geometry.js';

describe('boxes', () => {
  it('computes IoU, overlap of the smaller box, union and clamping', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150);
    expect(iou([0, 0, 10, 10], [10, 0, 20, 10])).toBe(0);
    expect(overlapOfSmaller([0, 0, 100, 100], [10, 10, 20, 20])).toBe(1);
    expect(unionBox([0, 5, 10, 10], [5, 0, 20, 8])).toEqual([0, 0, 20, 10]);
    expect(clampBox([-5, -5, 700, 50], 640, 360)).toEqual([0, 0, 640, 50]);
    expect(boxArea([5, 5, 4, 10])).toBe(0);
  });

  it('measures centre distance in box sizes, alike for near and far objects', () => {
    expect(centreDistance([0, 0, 10, 10], [10, 0, 20, 10])).toBeCloseTo(1);
    expect(centreDistance([0, 0, 100, 100], [100, 0, 200, 100])).toBeCloseTo(1);
  });

  it('suppresses overlapping boxes of one class, best score first', () => {
    const dets = [
      { box: [0, 0, 10, 10] as [number, number, number, number], label: 'person', score: 0.5 },
      { box: [1, 0, 11, 10] as [number, number, number, number], label: 'person', score: 0.9 },
      { box: [1, 0, 11, 10] as [number, number, number, number], label: 'car', score: 0.4 },
      { box: [50, 50, 60, 60] as [number, number, number, number], label: 'person', score: 0.3 },
    ];
    expect(nms(dets, 0.5).map((d) => [d.label, d.score])).toEqual([
      ['person', 0.9],
      ['car', 0.4],
      ['person', 0.3],
    ]);
    expect(nms(dets, 0.5, { classAware: false })).toHaveLength(2);
    const nested = [
      { box: [0, 0, 100, 100] as [number, number, number, number], label: 'person', score: 0.6 },
      { box: [0, 0, 30, 100] as [number, number, number, number], label: 'person', score: 0.7 },
    ];
    expect(nms(nested, 0.5)).toHaveLength(2);
    expect(nms(nested, 0.5, { containThreshold: 0.8 })).toHaveLength(1);
  });
});

describe('polygons', () => {
  const square: Point[] = [
    [0.25, 0.25],
    [0.75, 0.25],
    [0.75, 0.75],
    [0.25, 0.75],
  ];
  const triangle: Point[] = [
    [0.003, 0.002],
    [0.996, 0.004],
    [0.001, 0.997],
  ];

  it('measures area and point inclusion', () => {
    expect(polygonArea(square)).toBeCloseTo(0.25);
    expect(polygonArea(triangle)).toBeCloseTo(0.495, 2);
    expect(pointInPolygon(0.5, 0.5, square)).toBe(true);
    expect(pointInPolygon(0.1, 0.5, square)).toBe(false);
    expect(pointInPolygon(0.2, 0.2, triangle)).toBe(true);
    expect(pointInPolygon(0.8, 0.8, triangle)).toBe(false);
  });

  it('rasterises frame-relative polygons by pixel centre', () => {
    const out = new Uint8Array(100 * 80);
    rasterisePolygon(square, 100, 80, out, 1);
    expect(out.reduce((a, v) => a + v, 0)).toBe(50 * 40);
    expect(out[40 * 100 + 50]).toBe(1);
    expect(out[10 * 100 + 10]).toBe(0);
    const tri = new Uint8Array(100 * 100);
    rasterisePolygon(triangle, 100, 100, tri, 1);
    const filled = tri.reduce((a, v) => a + v, 0);
    expect(filled).toBeGreaterThan(4850);
    expect(filled).toBeLessThan(5050);
    // Every filled pixel's centre is inside the polygon.
    for (let i = 0; i < tri.length; i++) {
      if (tri[i]) expect(pointInPolygon(((i % 100) + 0.5) / 100, (Math.floor(i / 100) + 0.5) / 100, triangle)).toBe(true);
    }
  });

  it('rasterises a concave polygon with its notch left empty', () => {
    const u: Point[] = [
      [0, 0],
      [0.3, 0],
      [0.3, 0.7],
      [0.7, 0.7],
      [0.7, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ];
    const out = new Uint8Array(10 * 10);
    rasterisePolygon(u, 10, 10, out, 1);
    expect(out[2 * 10 + 5]).toBe(0);
    expect(out[2 * 10 + 1]).toBe(1);
    expect(out[9 * 10 + 5]).toBe(1);
  });
});
