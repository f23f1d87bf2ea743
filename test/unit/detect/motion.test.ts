import { describe, expect, it } from 'vitest';
import { motionSettings, motionSettingsSchema, type MotionSettingsInput } from '../../../server/domain/camera.settings.motion.js';
import { iou, type Box } from '../../../server/domain/geometry.js';
import { MotionDetector, type MotionResult } from '../../../server/detect/motion.detector.js';
import { SyntheticCamera, type SyntheticBlock } from '../../../server/detect/motion.synthetic.js';
import { benchMotion } from '../../../server/bench/motion.bench.js';

const W = 320;
const H = 240;

function setup(overrides: MotionSettingsInput = {}, size = { width: W, height: H }) {
  const cam = new SyntheticCamera({ ...size, seed: 7 });
  const motion = new MotionDetector(motionSettings(overrides), size);
  /** Runs a frame and copies the result (the detector reuses its result object). */
  const step = (blocks: SyntheticBlock[] = [], brightness = 0): MotionResult => {
    const r = motion.detect(cam.frame(blocks, brightness));
    return { ...r, boxes: r.boxes.map((b) => [...b] as Box) };
  };
  return { cam, motion, step };
}

const blockBox = (b: SyntheticBlock): Box => [b.x, b.y, b.x + b.w, b.y + b.h];
const overlapArea = (a: Box, b: Box) => Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));

describe('MotionDetector', () => {
  it('calibrates on the first frame, then reports nothing on a still, noisy scene', () => {
    const { step } = setup();
    const first = step();
    expect(first.calibrating).toBe(true);
    expect(first.boxes).toEqual([]);
    for (let i = 0; i < 30; i++) {
      const r = step();
      expect(r.boxes).toEqual([]);
      expect(r.changedFraction).toBeLessThan(0.01);
    }
  });

  it('puts one box around a block moving over a noisy background', () => {
    const { step } = setup();
    for (let i = 0; i < 5; i++) step();
    for (let i = 0; i < 12; i++) {
      const block = { x: 40 + i * 12, y: 100, w: 30, h: 40, value: 240 };
      const r = step([block]);
      expect(r.calibrating).toBe(false);
      expect(r.recalibrated).toBe(false);
      expect(r.boxes).toHaveLength(1);
      const box = r.boxes[0]!;
      expect(iou(box, blockBox(block))).toBeGreaterThan(0.6);
      // The box covers the block (dilation may add a shrunk pixel or two around it).
      expect(box[0]).toBeLessThanOrEqual(block.x);
      expect(box[2]).toBeGreaterThanOrEqual(block.x + block.w - 2);
    }
  });

  it('gives separate boxes to two distant movers', () => {
    const { step } = setup();
    for (let i = 0; i < 5; i++) step();
    let r: MotionResult | undefined;
    for (let i = 0; i < 3; i++) {
      r = step([
        { x: 20 + 5 * i, y: 20, w: 24, h: 30, value: 250 },
        { x: 250 - 5 * i, y: 180, w: 24, h: 30, value: 10 },
      ]);
    }
    expect(r!.boxes).toHaveLength(2);
    const [a, b] = [...r!.boxes].sort((p, q) => p[0] - q[0]);
    expect(a![2]).toBeLessThan(W / 2);
    expect(b![0]).toBeGreaterThan(W / 2);
  });

  it.each([0, 2, 3])('follows a mover and leaves nothing behind with %i dilation rounds', (dilation) => {
    const { step } = setup({ dilation });
    for (let i = 0; i < 5; i++) step();
    const places = [
      [20, 20],
      [250, 30],
      [40, 180],
      [260, 190],
      [150, 100],
    ] as const;
    for (const [x, y] of places) {
      const block = { x, y, w: 30, h: 36, value: 245 };
      const r = step([block]);
      expect(r.boxes.length).toBeGreaterThan(0);
      // Everything reported lies around the block (dilation grows it by a shrunk pixel a round)…
      const reach = (dilation + 1) * 2;
      const grown: Box = [x - reach, y - reach, x + block.w + reach, y + block.h + reach];
      for (const box of r.boxes) expect(iou(box, grown) > 0 && box.every((v, k) => (k < 2 ? v >= grown[k]! : v <= grown[k]!))).toBe(true);
      // … and covers most of it.
      const covered = r.boxes.reduce((sum, box) => sum + overlapArea(box, blockBox(block)), 0);
      expect(covered).toBeGreaterThan(0.8 * block.w * block.h);
    }
    expect(step().boxes).toEqual([]);
  });

  it('ignores blobs smaller than minArea', () => {
    const { step } = setup({ minArea: 0.01 });
    for (let i = 0; i < 5; i++) step();
    const r = step([{ x: 100, y: 100, w: 8, h: 8, value: 250 }]);
    expect(r.boxes).toEqual([]);
    expect(r.changedFraction).toBeGreaterThan(0);
  });

  it.each([true, false])('recalibrates instead of reporting motion on a global brightness jump (contrast stretch %s)', (contrastStretch) => {
    const { step } = setup({ contrastStretch });
    for (let i = 0; i < 10; i++) step();
    const jump = step([], 70);
    expect(jump.recalibrated).toBe(true);
    expect(jump.calibrating).toBe(true);
    expect(jump.boxes).toEqual([]);
    expect(jump.changedFraction).toBeGreaterThan(0.5);
    // The light stays on: no motion, calibration ends, and real motion is seen again.
    for (let i = 0; i < 5; i++) {
      const r = step([], 70);
      expect(r.boxes).toEqual([]);
      expect(r.recalibrated).toBe(false);
    }
    const after = step([{ x: 150, y: 60, w: 30, h: 40, value: 0 }], 70);
    expect(after.calibrating).toBe(false);
    expect(after.boxes).toHaveLength(1);
  });

  it('treats a lightning flash (one bright frame) as two recalibrations, never as motion', () => {
    const { step } = setup();
    for (let i = 0; i < 10; i++) step();
    const flash = step([], 110);
    const back = step();
    expect(flash.recalibrated).toBe(true);
    expect(back.recalibrated).toBe(true);
    expect([...flash.boxes, ...back.boxes]).toEqual([]);
    for (let i = 0; i < 3; i++) expect(step().boxes).toEqual([]);
  });

  it('never counts motion inside a mask, including its blurred edge', () => {
    // Left half masked; the block moves inside it, touching the mask's edge.
    const { step } = setup({
      masks: [
        [
          [0, 0],
          [0.5, 0],
          [0.5, 1],
          [0, 1],
        ],
      ],
    });
    for (let i = 0; i < 5; i++) step();
    for (let i = 0; i < 8; i++) {
      const r = step([{ x: 100 + 7 * i, y: 50, w: 60 - 7 * i, h: 60, value: 250 }]);
      expect(r.boxes).toEqual([]);
      expect(r.changedFraction).toBe(0);
    }
    const outside = step([{ x: 230, y: 50, w: 30, h: 40, value: 250 }]);
    expect(outside.boxes).toHaveLength(1);
    expect(outside.boxes[0]![0]).toBeGreaterThanOrEqual(W / 2);
  });

  it('keeps the masked area out of a box straddling the mask edge', () => {
    const { step } = setup({
      masks: [
        [
          [0, 0],
          [0.5, 0],
          [0.5, 1],
          [0, 1],
        ],
      ],
    });
    for (let i = 0; i < 5; i++) step();
    const r = step([{ x: 130, y: 50, w: 60, h: 40, value: 250 }]);
    expect(r.boxes).toHaveLength(1);
    expect(r.boxes[0]![0]).toBeGreaterThanOrEqual(W / 2 - 2);
    expect(r.boxes[0]![2]).toBeGreaterThanOrEqual(188);
  });

  it('reaches the frame edge for a mover in the corner, on a size that does not divide evenly', () => {
    const size = { width: 333, height: 251 };
    const { step, motion } = setup({}, size);
    expect(motion.analysisSize.factor).toBe(2);
    for (let i = 0; i < 5; i++) step();
    const r = step([{ x: 300, y: 220, w: 33, h: 31, value: 250 }]);
    expect(r.boxes).toHaveLength(1);
    expect(r.boxes[0]![2]).toBe(333);
    expect(r.boxes[0]![3]).toBe(251);
  });

  it('reuses its result and box arrays from frame to frame', () => {
    const { cam, motion } = setup();
    for (let i = 0; i < 5; i++) motion.detect(cam.frame());
    const a = motion.detect(cam.frame([{ x: 50, y: 50, w: 30, h: 30, value: 250 }]));
    const firstBox = a.boxes[0];
    const b = motion.detect(cam.frame([{ x: 60, y: 50, w: 30, h: 30, value: 250 }]));
    expect(b).toBe(a);
    expect(b.boxes[0]).toBe(firstBox);
  });

  it('reports the whole frame as moving when motion is disabled', () => {
    const { step } = setup({ enabled: false });
    expect(step().boxes).toEqual([[0, 0, W, H]]);
  });

  it('re-calibrates when the frame size changes', () => {
    const { motion } = setup();
    const big = new SyntheticCamera({ width: 640, height: 480 });
    const r = motion.detect(big.frame());
    expect(r.calibrating).toBe(true);
    expect(motion.analysisSize).toEqual({ width: 160, height: 120, factor: 4 });
  });

  it('rejects a frame whose buffer is shorter than its Y plane', () => {
    const { motion } = setup();
    expect(() => motion.detect({ cameraId: 1, seq: 0, capturedAt: 0, width: W, height: H, data: new Uint8Array(10) })).toThrow(/less than/);
  });
});

describe('motion settings schema', () => {
  it('gives working defaults', () => {
    const s = motionSettingsSchema.parse({});
    expect(s).toMatchObject({ enabled: true, threshold: 30, alpha: 0.01, masks: [] });
  });

  it.each([
    [
      {
        masks: [
          [
            [0, 0],
            [1, 1],
          ],
        ],
      },
      'at least 3 points',
    ],
    [
      {
        masks: [
          [
            [0, 0],
            [1.5, 0],
            [1, 1],
          ],
        ],
      },
      'between 0 and 1',
    ],
    [
      {
        masks: [
          [
            [0, 0],
            [0.5, 0.5],
            [1, 1],
          ],
        ],
      },
      'no area',
    ],
    [{ threshold: 0 }, ''],
    [{ alpha: 2 }, ''],
    [{ unknown: 1 }, ''],
  ])('rejects %j', (input, message) => {
    const r = motionSettingsSchema.safeParse(input);
    expect(r.success).toBe(false);
    if (message) expect(r.error!.issues.map((i) => i.message).join(' ')).toContain(message);
  });
});

describe('benchMotion', () => {
  it('measures a synthetic scene with movers at the given size', () => {
    const r = benchMotion({ width: 320, height: 180, frames: 20 });
    expect(r.analysis).toEqual({ width: 160, height: 90, factor: 2 });
    expect(r.framesWithMotion).toBeGreaterThan(15);
    expect(r.msPerFrame).toBeGreaterThan(0);
    expect(r.nsPerPixel).toBeCloseTo((r.msPerFrame * 1e6) / (160 * 90));
  });

  it('runs on given frames', () => {
    const cam = new SyntheticCamera({ width: 64, height: 48 });
    const r = benchMotion({
      width: 64,
      height: 48,
      frames: 10,
      source: [cam.frame(), cam.frame()],
      now: (() => {
        let t = 0;
        return () => (t += 5);
      })(),
    });
    expect(r.framesWithMotion).toBe(0);
    expect(r.msPerFrame).toBe(0.5);
  });
});
