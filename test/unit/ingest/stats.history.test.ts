import { describe, expect, it } from 'vitest';
import { StatsHistory } from '../../../server/ingest/stats.history.js';

const row = (cameraId: number, frameFps: number) => ({ cameraId, frameFps, framesDropped: 0, cpuPercent: 1.5 });

describe('StatsHistory (the last hour of each camera, kept on the server)', () => {
  it('keeps one sample per spacing per camera, oldest first', () => {
    const h = new StatsHistory({ everyMs: 10_000 });
    h.record([row(1, 10), row(2, 5)], 0);
    h.record([row(1, 9)], 4_000); // too soon: skipped
    h.record([row(1, 8), row(2, 4)], 10_000);
    expect(h.of(1).map((s) => [s.at, s.frameFps])).toEqual([
      [0, 10],
      [10_000, 8],
    ]);
    expect(h.of(2)).toHaveLength(2);
    expect(h.of(3)).toEqual([]);
  });

  it('drops samples older than the window, and forgets a camera whose samples all aged out', () => {
    const h = new StatsHistory({ everyMs: 1_000, windowMs: 60_000 });
    for (let t = 0; t <= 120_000; t += 1_000) h.record([row(1, t / 1000)], t);
    h.record([row(2, 1)], 0);
    const kept = h.of(1);
    expect(kept).toHaveLength(60);
    expect(kept[0]!.at).toBe(61_000);
    expect(h.of(2)).toEqual([]);
  });
});
