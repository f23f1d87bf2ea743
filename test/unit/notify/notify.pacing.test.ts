import { describe, expect, it } from 'vitest';
import { backoffMs, RateLimiter } from '../../../server/notify/notify.pacing.js';

describe('notification pacing', () => {
  it('doubles the retry delay per attempt up to the cap, with bounded jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, 1000, 5000, mid))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(backoffMs(1, 1000, 5000, () => 0)).toBe(800);
    expect(backoffMs(1, 1000, 5000, () => 1)).toBe(1200);
  });

  it('limits each channel target to its rate, with bursts of a tenth of a minute', () => {
    const rl = new RateLimiter(() => 60);
    const at0 = Array.from({ length: 10 }, () => rl.take('webhook|a', 0)).filter(Boolean).length;
    expect(at0).toBe(6);
    expect(rl.take('webhook|b', 0)).toBe(true); // another target has its own bucket
    expect(rl.take('webhook|a', 500)).toBe(false);
    expect(rl.take('webhook|a', 1000)).toBe(true); // one per second refills
  });
});
