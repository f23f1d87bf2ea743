import { performance } from 'node:perf_hooks';
import { motionSettings, type MotionSettingsInput } from '../domain/camera.settings.motion.js';
import type { Frame } from '../domain/frame.js';
import { MotionDetector } from '../detect/motion.detector.js';
import { SyntheticCamera } from '../detect/motion.synthetic.js';

export interface MotionBenchOptions {
  width: number;
  height: number;
  /** Frames timed (after a warm-up of min(frames, 50) untimed frames). */
  frames: number;
  settings?: MotionSettingsInput;
  /** Frames to cycle through instead of the synthetic scene (all of width × height). */
  source?: readonly Frame[];
  /** Clock in ms; injectable so callers can measure with their own. */
  now?: () => number;
}

export interface MotionBenchResult {
  msPerFrame: number;
  /** Per pixel of the shrunk image motion works on (the figure pipeline.md quotes). */
  nsPerPixel: number;
  /** Per pixel of the detect frame, downscale included. */
  nsPerSourcePixel: number;
  analysis: { width: number; height: number; factor: number };
  /** Frames that produced at least one motion box, as a sanity check that work was done. */
  framesWithMotion: number;
}

/**
 * Times MotionDetector.detect on a scene with two movers over a textured, noisy background
 * (or on given frames). Frames are generated before timing so only motion is measured.
 */
export function benchMotion(opts: MotionBenchOptions): MotionBenchResult {
  const { width, height } = opts;
  const now = opts.now ?? (() => performance.now());
  const frames = opts.source?.length ? opts.source : syntheticFrames(width, height, 24);
  const motion = new MotionDetector(motionSettings(opts.settings ?? {}), { width, height });
  const warmUp = Math.min(opts.frames, 50);
  for (let i = 0; i < warmUp; i++) motion.detect(frames[i % frames.length]!);
  let framesWithMotion = 0;
  const start = now();
  for (let i = 0; i < opts.frames; i++) {
    if (motion.detect(frames[i % frames.length]!).boxes.length > 0) framesWithMotion++;
  }
  const ms = now() - start;
  const analysis = motion.analysisSize;
  const msPerFrame = ms / Math.max(1, opts.frames);
  return {
    msPerFrame,
    nsPerPixel: (msPerFrame * 1e6) / (analysis.width * analysis.height),
    nsPerSourcePixel: (msPerFrame * 1e6) / (width * height),
    analysis,
    framesWithMotion,
  };
}

/** A loop that starts and ends on the same picture, so cycling it never looks like a jump cut. */
function syntheticFrames(width: number, height: number, count: number): Frame[] {
  const cam = new SyntheticCamera({ width, height, seed: 3 });
  const bw = Math.max(4, Math.round(width / 16));
  const bh = Math.max(8, Math.round(height / 6));
  const out: Frame[] = [];
  for (let i = 0; i < count; i++) {
    const t = i < count / 2 ? i : count - i;
    const step = Math.round((t * width) / (2 * count));
    out.push(
      cam.frame([
        { x: Math.round(width * 0.1) + step, y: Math.round(height * 0.3), w: bw, h: bh, value: 235 },
        { x: Math.round(width * 0.8) - step, y: Math.round(height * 0.6), w: bw, h: bh, value: 20 },
      ]),
    );
  }
  return out;
}
