/** Median and 95th percentile of the last N durations, without growing memory. */

export interface TimingSummary {
  count: number;
  medianMs: number;
  p95Ms: number;
  meanMs: number;
}

export class TimingRing {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    this.filled = Math.min(this.filled + 1, this.values.length);
  }

  clear(): void {
    this.next = 0;
    this.filled = 0;
  }

  summary(): TimingSummary {
    return summarise(Array.from(this.values.subarray(0, this.filled)));
  }
}

/** Nearest-rank percentiles (p95 of 20 samples is the 19th smallest). */
export function summarise(samples: readonly number[]): TimingSummary {
  if (!samples.length) return { count: 0, medianMs: 0, p95Ms: 0, meanMs: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { count: sorted.length, medianMs: rank(0.5), p95Ms: rank(0.95), meanMs: mean };
}
