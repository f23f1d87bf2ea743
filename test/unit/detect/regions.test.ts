import { describe, expect, it } from 'vitest';
import type { Box } from '../../../server/domain/geometry.js';
import {
  dedupeAcrossRegions,
  defaultRegionPolicy,
  fitRegion,
  mapToFrame,
  mergeRegionDetections,
  planRegions,
  regionBox,
  type Region,
} from '../../../server/detect/regions.planner.js';

const policy = defaultRegionPolicy({ width: 512, height: 512 });
const HD = { width: 1920, height: 1080 };

const contains = (r: Region, b: Box) => r.x <= b[0] && r.y <= b[1] && r.x + r.w >= b[2] && r.y + r.h >= b[3];
const inside = (r: Region, f: { width: number; height: number }) => r.x >= 0 && r.y >= 0 && r.x + r.w <= f.width && r.y + r.h <= f.height;

describe('planRegions', () => {
  it('plans nothing when nothing moves and no track needs a look', () => {
    expect(planRegions(HD, [], [], policy)).toEqual([]);
  });

  it('uses the whole frame when it is not much larger than the model input', () => {
    expect(planRegions({ width: 640, height: 360 }, [[10, 10, 50, 80]], [], policy)).toEqual([{ x: 0, y: 0, w: 640, h: 360 }]);
    expect(planRegions({ width: 320, height: 180 }, [], [[10, 10, 50, 80]], policy)).toEqual([{ x: 0, y: 0, w: 320, h: 180 }]);
  });

  it('gives two distant movers in a large frame a model-sized crop each', () => {
    const a: Box = [100, 100, 140, 200];
    const b: Box = [1600, 800, 1650, 900];
    const regions = planRegions(HD, [a], [b], policy);
    expect(regions).toHaveLength(2);
    for (const r of regions) {
      expect(r.w).toBe(512);
      expect(r.h).toBe(512);
      expect(inside(r, HD)).toBe(true);
      expect((r.x % 2) + (r.y % 2)).toBe(0);
    }
    expect(regions.some((r) => contains(r, a))).toBe(true);
    expect(regions.some((r) => contains(r, b))).toBe(true);
  });

  it('centres the crop on the mover and shifts it inside the frame at the edge', () => {
    const [r] = planRegions(HD, [[900, 500, 940, 600]], [], policy);
    expect(r!.x + r!.w / 2).toBeCloseTo(920, -1);
    expect(r!.y + r!.h / 2).toBeCloseTo(550, -1);
    const [edge] = planRegions(HD, [[1880, 1000, 1920, 1080]], [], policy);
    expect(edge).toEqual({ x: 1920 - 512, y: 1080 - 512, w: 512, h: 512 });
  });

  it('merges crops that overlap into one crop holding both movers', () => {
    const a: Box = [500, 400, 540, 500];
    const b: Box = [800, 420, 840, 520];
    const regions = planRegions(HD, [a, b], [], policy);
    expect(regions).toHaveLength(1);
    expect(contains(regions[0]!, a) && contains(regions[0]!, b)).toBe(true);
    expect(regions[0]!.w).toBe(regions[0]!.h);
  });

  it('makes a crop large enough for a large object, with the margin', () => {
    const big: Box = [600, 100, 1000, 1000];
    const [r] = planRegions(HD, [big], [], policy);
    expect(contains(r!, big)).toBe(true);
    expect(r!.h).toBe(1080); // 900 × 1.35 does not fit: cut to the frame height
    expect(r!.w).toBeGreaterThanOrEqual(1080);
  });

  it('merges down to maxRegions and keeps every mover inside some crop', () => {
    const boxes: Box[] = [
      [50, 50, 80, 100],
      [700, 50, 730, 100],
      [1400, 50, 1430, 100],
      [50, 700, 80, 760],
      [1400, 700, 1430, 760],
      [700, 980, 730, 1040],
    ];
    const regions = planRegions({ width: 3840, height: 2160 }, boxes, [], { ...policy, maxRegions: 3, wholeFrameCoverage: 1 });
    expect(regions.length).toBeLessThanOrEqual(3);
    for (const b of boxes) expect(regions.some((r) => contains(r, b))).toBe(true);
  });

  it('falls back to one whole-frame region when crops would cover most of the frame', () => {
    const boxes: Box[] = [
      [50, 50, 80, 100],
      [1800, 50, 1830, 100],
      [50, 900, 80, 960],
      [1800, 900, 1830, 960],
    ];
    expect(planRegions(HD, boxes, [], { ...policy, wholeFrameCoverage: 0.4 })).toEqual([{ x: 0, y: 0, w: 1920, h: 1080 }]);
  });

  it('honours a smaller minimum crop (small people appear larger to the model)', () => {
    const [r] = planRegions(HD, [[900, 500, 930, 560]], [], { ...policy, minCropSize: 256 });
    expect(r).toMatchObject({ w: 256, h: 256 });
  });
});

describe('mapping back and NMS across crops', () => {
  it('maps a square crop scaled up to the model input back to frame pixels', () => {
    const region = { x: 100, y: 200, w: 256, h: 256 };
    const fit = fitRegion(region, { width: 512, height: 512 });
    expect(fit).toEqual({ scale: 2, width: 512, height: 512, padX: 0, padY: 0 });
    expect(mapToFrame([0, 0, 512, 512], region, fit)).toEqual([100, 200, 356, 456]);
    expect(mapToFrame([100, 50, 200, 250], region, fit)).toEqual([150, 225, 200, 325]);
  });

  it('maps a letterboxed (wide) region back, clipping what falls in the padding', () => {
    const region = { x: 0, y: 0, w: 1024, h: 512 };
    for (const align of ['top-left', 'centre'] as const) {
      const fit = fitRegion(region, { width: 512, height: 512 }, align);
      expect(fit.scale).toBe(0.5);
      expect([fit.width, fit.height]).toEqual([512, 256]);
      const box: Box = [10, fit.padY + 20, 60, fit.padY + 120];
      expect(mapToFrame(box, region, fit)).toEqual([20, 40, 120, 240]);
      expect(mapToFrame([0, fit.padY + 200, 10, fit.padY + 400], region, fit)[3]).toBe(512);
    }
  });

  it('keeps one detection of a person seen in two overlapping crops', () => {
    const r1 = { x: 0, y: 0, w: 512, h: 512 };
    const r2 = { x: 300, y: 0, w: 512, h: 512 };
    const merged = mergeRegionDetections({ width: 1920, height: 1080 }, [
      { region: r1, fit: fitRegion(r1, { width: 512, height: 512 }), detections: [{ box: [350, 100, 400, 220], label: 'person', score: 0.7 }] },
      { region: r2, fit: fitRegion(r2, { width: 512, height: 512 }), detections: [{ box: [52, 102, 101, 221], label: 'person', score: 0.6 }] },
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ score: 0.7, regionIndex: 0, box: [350, 100, 400, 220] });
  });

  it('drops the half person cut by one crop edge when the neighbouring crop saw it whole', () => {
    const regions: Region[] = [
      { x: 0, y: 0, w: 512, h: 512 },
      { x: 400, y: 0, w: 512, h: 512 },
    ];
    const dets = [
      { box: [480, 100, 512, 220] as Box, label: 'person', score: 0.7, regionIndex: 0 }, // cut by crop 0's right edge
      { box: [470, 98, 530, 222] as Box, label: 'person', score: 0.6, regionIndex: 1 },
    ];
    const out = dedupeAcrossRegions(HD, regions, dets);
    expect(out.map((d) => d.regionIndex)).toEqual([1]);
  });

  it('keeps overlapping people within one crop, and different classes in the same place', () => {
    const regions: Region[] = [{ x: 0, y: 0, w: 512, h: 512 }];
    const dets = [
      { box: [100, 100, 160, 260] as Box, label: 'person', score: 0.8, regionIndex: 0 },
      { box: [130, 120, 165, 240] as Box, label: 'person', score: 0.5, regionIndex: 0 }, // mostly inside the first, IoU 0.35
      { box: [100, 100, 160, 260] as Box, label: 'bicycle', score: 0.5, regionIndex: 0 },
    ];
    expect(dedupeAcrossRegions(HD, regions, dets)).toHaveLength(3);
  });

  it('exposes a region as a box for detector requests', () => {
    expect(regionBox({ x: 2, y: 4, w: 10, h: 20 })).toEqual([2, 4, 12, 24]);
  });
});
