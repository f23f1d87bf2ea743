import type { Clock } from './clock.js';

/**
 * Counts hits per key in a sliding window and refuses a key once it has `max` in the window
 * (the caller is told how many seconds until the oldest leaves it). In memory and bounded:
 * the least recently used keys are forgotten first, so random keys cannot grow it without end.
 * A restart forgets, which only ever helps someone who was refused.
 */
export class RateWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly o: { max: number; windowMs: number; clock: Pick<Clock, 'now'>; maxKeys?: number }) {}

  /** 0 when the key may go on (the hit is counted), else the seconds to wait (nothing counted). */
  take(key: string): number {
    const now = this.o.clock.now();
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.o.windowMs);
    if (list.length >= this.o.max) {
      this.hits.set(key, list);
      return Math.max(1, Math.ceil((list[list.length - this.o.max]! + this.o.windowMs - now) / 1000));
    }
    list.push(now);
    this.hits.delete(key); // re-insert: Map order is then least recently used first
    this.hits.set(key, list);
    const maxKeys = this.o.maxKeys ?? 50_000;
    while (this.hits.size > maxKeys) this.hits.delete(this.hits.keys().next().value as string);
    return 0;
  }

  /** Gives a hit back (the request it counted was refused for another reason before anything was stored). */
  giveBack(key: string): void {
    const list = this.hits.get(key);
    if (list?.length) list.pop();
  }
}
