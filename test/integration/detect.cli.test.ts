import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFootagePath } from '../../server/demo/footage.js';
import { tempDir } from '../support/tmp.js';

/** `binhyen detect` as users run it: the compiled CLI, the real model, real ffmpeg. */
const CLI = path.join(__dirname, '../../dist/server/cli.js');
const FOOTAGE = sampleFootagePath();
/** The default backend (auto) runs CenterNet on ONNX Runtime once its converted file is built, else on tfjs-wasm. */
const DEFAULT_BACKEND = existsSync(path.join(__dirname, '../../models/build/centernet.onnx')) ? 'onnx' : 'wasm';
const tmp = tempDir('binhyen-detect-');
afterAll(() => tmp.remove());

interface Line {
  type: string;
  label?: string;
  score?: number;
  start?: number;
  end?: number;
  box?: number[];
  [k: string]: unknown;
}

function detect(input: string, ...args: string[]): { lines: Line[]; summary: Line } {
  const r = spawnSync(process.execPath, [CLI, 'detect', input, '--json', ...args], {
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, BINHYEN_DATA_DIR: tmp.dir, BINHYEN_DETECT__WORKERS: '1' },
  });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
  const summary = lines.pop()!;
  expect(summary.type).toBe('summary');
  for (const l of lines) {
    expect(l).toMatchObject({ type: 'track', label: expect.any(String), score: expect.any(Number), start: expect.any(Number), end: expect.any(Number) });
    expect(l.box).toHaveLength(4);
    expect(l.end!).toBeGreaterThanOrEqual(l.start!);
  }
  return { lines, summary };
}

const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);

beforeAll(() => {
  if (!existsSync(FOOTAGE)) throw new Error(`sample footage missing at ${FOOTAGE}: run ./scripts/fetch-sample-footage`);
  // A grey square sliding over a noisy background: motion, but nothing the model knows.
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'color=c=0x406040:s=640x360:r=10:d=6,noise=alls=8:allf=t',
    '-f',
    'lavfi',
    '-i',
    'color=c=white:s=60x60:r=10:d=6',
    '-filter_complex',
    "[0][1]overlay=x='20+t*90':y=150",
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    path.join(tmp.dir, 'shape.mp4'),
  );
  // The street frozen: people, vans, nothing moving.
  ffmpeg('-ss', '30', '-i', FOOTAGE, '-frames:v', '1', path.join(tmp.dir, 'street.jpg'));
  ffmpeg(
    '-loop',
    '1',
    '-i',
    path.join(tmp.dir, 'street.jpg'),
    '-t',
    '8',
    '-r',
    '10',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    path.join(tmp.dir, 'static.mp4'),
  );
});

describe('binhyen detect', () => {
  it('prints a well-formed summary for a generated clip with a moving shape', () => {
    const { lines, summary } = detect(path.join(tmp.dir, 'shape.mp4'));
    expect(summary).toMatchObject({ backend: DEFAULT_BACKEND, frames: expect.any(Number), analysed: summary.frames });
    expect(summary.frames).toBeGreaterThanOrEqual(25);
    expect(summary.framesWithMotion as number).toBeGreaterThan(10);
    expect(lines.filter((l) => l.label === 'person')).toEqual([]);
  });

  it('finds nothing, and never runs the model, on a static scene', () => {
    const { lines, summary } = detect(path.join(tmp.dir, 'static.mp4'));
    expect(lines).toEqual([]);
    expect(summary.regions).toBe(0);
    expect(summary.tracks).toBe(0);
  });

  it('reports the people of a still image in source pixels', () => {
    const { lines } = detect(path.join(tmp.dir, 'street.jpg'));
    const people = lines.filter((l) => l.label === 'person');
    expect(people.length).toBeGreaterThanOrEqual(4);
    for (const p of people) expect(p.box![2]!).toBeLessThanOrEqual(768);
  });

  it('tracks the pedestrians of vtest.avi over the whole clip, with few vehicle tracks', () => {
    const { lines, summary } = detect(FOOTAGE, '--fps', '3');
    const people = lines.filter((l) => l.label === 'person');
    expect(people.length).toBeGreaterThanOrEqual(8);
    expect(Math.min(...people.map((p) => p.start!))).toBeLessThan(10);
    expect(Math.max(...people.map((p) => p.end!))).toBeGreaterThan(70);
    const vehicles = lines.filter((l) => ['car', 'truck', 'bus', 'motorcycle'].includes(l.label!));
    expect(vehicles.length).toBeLessThanOrEqual(4);
    expect(summary.byLabel).toMatchObject({ person: people.length });
  });
});
