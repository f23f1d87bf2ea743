import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { combineStates } from '../../../server/ingest/camera.stats.js';
import { ProcSampler } from '../../../server/ingest/proc.sampler.js';
import { RateMeter } from '../../../server/ingest/rate.meter.js';

describe('combineStates', () => {
  it('shows the worse of the two sessions and names the stream at fault', () => {
    expect(
      combineStates(
        [
          { role: 'detect', state: 'online', reason: null },
          { role: 'record', state: 'offline', reason: 'connection refused' },
        ],
        true,
      ),
    ).toEqual({ state: 'offline', reason: 'recording stream: connection refused' });
    expect(combineStates([{ role: 'main', state: 'stalled', reason: 'no video for 10 s' }], false)).toEqual({ state: 'stalled', reason: 'no video for 10 s' });
  });

  it('prefers a reason among equals (the H.265 note of the record stream) and ignores stopped sessions', () => {
    expect(
      combineStates(
        [
          { role: 'detect', state: 'online', reason: null },
          { role: 'record', state: 'online', reason: 'H.265 (HEVC) stream' },
        ],
        true,
      ).reason,
    ).toBe('recording stream: H.265 (HEVC) stream');
    expect(
      combineStates(
        [
          { role: 'detect', state: 'stopped', reason: null },
          { role: 'record', state: 'online', reason: null },
        ],
        true,
      ).state,
    ).toBe('online');
    expect(combineStates([], false)).toEqual({ state: 'stopped', reason: null });
  });
});

describe('ProcSampler', () => {
  it('reads CPU share of one core between samples, and RSS, from /proc', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'binhyen-proc-'));
    mkdirSync(path.join(root, '42'));
    const stat = (utime: number, stime: number) =>
      writeFileSync(path.join(root, '42', 'stat'), `42 (ff mpeg) S 1 42 42 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 1000 12345 678`);
    writeFileSync(path.join(root, '42', 'status'), 'Name:\tffmpeg\nVmRSS:\t   65432 kB\n');
    writeFileSync(path.join(root, 'uptime'), '110.00 200.00\n');
    let now = 0;
    const s = new ProcSampler(root, () => now);
    stat(50, 50); // 1 s of CPU over the 100 s since it started at tick 1000 (10 s after boot)
    expect(await s.sample(42)).toEqual({ cpuPercent: 1, rssBytes: 65432 * 1024 });
    now = 2000;
    stat(100, 100); // +100 ticks = 1 s of CPU in 2 s
    expect((await s.sample(42))!.cpuPercent).toBe(50);
    expect(await s.sample(999)).toBeUndefined();
  });
});

describe('RateMeter', () => {
  it('measures events per second over its window and drops to 0 when they stop', () => {
    const m = new RateMeter(5000);
    for (let i = 0; i <= 50; i++) m.record(i, i * 200);
    expect(m.rate(10_000)).toBe(5);
    expect(m.rate(16_000)).toBe(0);
  });
});
