import { yuv420pSize, type Frame } from '../domain/frame.js';

/**
 * Synthetic yuv420p frames for motion tests and the motion benchmark: a fixed textured
 * background (a street seen in grey), per-frame sensor noise, solid blocks that move, and an
 * optional global brightness shift (a light switched on). Deterministic for a given seed.
 */
export interface SyntheticBlock {
  x: number;
  y: number;
  w: number;
  h: number;
  /** Grey level of the block. */
  value: number;
}

export interface SyntheticScene {
  width: number;
  height: number;
  /** Seed of the fixed background texture. */
  seed?: number;
  /** Amplitude (±) of the per-frame noise. */
  noise?: number;
}

/** Small fast PRNG (mulberry32): reproducible noise without a dependency. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SyntheticCamera {
  private readonly texture: Uint8Array;
  private readonly noise: number;
  private seq = 0;

  constructor(private readonly scene: SyntheticScene) {
    const rand = prng(scene.seed ?? 1);
    this.noise = scene.noise ?? 6;
    // Smooth-ish texture: random levels on 8×8 cells plus fine grain, like a real scene.
    const { width, height } = scene;
    const cells = Math.ceil(width / 8) * Math.ceil(height / 8);
    const cellLevels = Array.from({ length: cells }, () => 60 + Math.floor(rand() * 130));
    this.texture = new Uint8Array(width * height);
    const cw = Math.ceil(width / 8);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        this.texture[y * width + x] = cellLevels[(y >> 3) * cw + (x >> 3)]! + Math.floor(rand() * 10);
      }
    }
  }

  /** The next frame: texture + noise + blocks, every level shifted by `brightness`. */
  frame(blocks: readonly SyntheticBlock[] = [], brightness = 0, capturedAt = this.seq * 200): Frame {
    const { width, height } = this.scene;
    const data = new Uint8Array(yuv420pSize(width, height)).fill(128);
    const rand = prng(0x9e3779b9 ^ this.seq);
    const amp = this.noise;
    for (let i = 0; i < width * height; i++) {
      data[i] = clamp(this.texture[i]! + brightness + Math.round((rand() * 2 - 1) * amp));
    }
    for (const b of blocks) {
      for (let y = Math.max(0, b.y); y < Math.min(height, b.y + b.h); y++) {
        for (let x = Math.max(0, b.x); x < Math.min(width, b.x + b.w); x++) data[y * width + x] = clamp(b.value + brightness);
      }
    }
    return { cameraId: 1, seq: this.seq++, capturedAt, width, height, data };
  }
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
