/** Retry delay after `attempts` failures: base·2^(n−1), capped, with ±20 % jitter so receivers coming back are not stampeded. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** A token bucket per key (channel + target): `perMinute` sends, in bursts of up to a tenth of a minute's worth. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perMinute: (key: string) => number) {}

  take(key: string, now: number): boolean {
    const rate = this.perMinute(key) / 60_000;
    const cap = Math.max(1, Math.ceil(this.perMinute(key) / 10));
    const b = this.buckets.get(key) ?? { tokens: cap, at: now };
    b.tokens = Math.min(cap, b.tokens + (now - b.at) * rate);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
