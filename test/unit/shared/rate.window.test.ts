import { describe, expect, it } from 'vitest';
import { RateWindow } from '../../../server/shared/rate.window.js';

describe('RateWindow', () => {
  const clockAt = (t: { now: number }) => ({ now: () => t.now });

  it('lets `max` hits per key through in the window, then says how long to wait; other keys are not slowed', () => {
    const t = { now: 0 };
    const w = new RateWindow({ max: 2, windowMs: 60_000, clock: clockAt(t) });
    expect([w.take('a'), w.take('a')]).toEqual([0, 0]);
    t.now = 10_000;
    expect(w.take('a')).toBe(50); // the first hit leaves the window at 60 s
    expect(w.take('b')).toBe(0);
    t.now = 60_001; // both early hits have left the window
    expect([w.take('a'), w.take('a')]).toEqual([0, 0]);
    expect(w.take('a')).toBe(60);
  });

  it('does not count refused hits, and gives back a hit on request', () => {
    const t = { now: 0 };
    const w = new RateWindow({ max: 1, windowMs: 1000, clock: clockAt(t) });
    expect(w.take('a')).toBe(0);
    for (let i = 0; i < 5; i++) expect(w.take('a')).toBe(1);
    w.giveBack('a');
    expect(w.take('a')).toBe(0);
  });

  it('forgets the least recently used keys beyond its bound', () => {
    const t = { now: 0 };
    const w = new RateWindow({ max: 1, windowMs: 60_000, clock: clockAt(t), maxKeys: 2 });
    w.take('a');
    w.take('b');
    w.take('c'); // 'a' is forgotten
    expect(w.take('a')).toBe(0);
    expect(w.take('c')).toBeGreaterThan(0);
  });
});
