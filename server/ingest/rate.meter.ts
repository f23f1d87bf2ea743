/** Events per second over a sliding window, from a monotonically increasing counter. */
export class RateMeter {
  private samples: { at: number; count: number }[] = [];

  constructor(private readonly windowMs = 5000) {}

  record(count: number, at: number): void {
    this.samples.push({ at, count });
    while (this.samples.length > 2 && at - this.samples[1]!.at > this.windowMs) this.samples.shift();
  }

  /** Rate over the window; 0 once no sample arrived for a whole window. */
  rate(now: number): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last === first || now - last.at > this.windowMs) return 0;
    return Math.round(((last.count - first.count) / ((last.at - first.at) / 1000)) * 100) / 100;
  }

  reset(): void {
    this.samples = [];
  }
}
