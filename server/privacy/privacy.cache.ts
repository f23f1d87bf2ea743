/**
 * A small byte-bounded LRU of promises: the first request for a masked variant starts the one
 * encode, every request after it (the same picture for 100 residents) awaits the same promise.
 * A failed encode is forgotten at once so the next request tries again.
 */
export class MaskedCache {
  private readonly entries = new Map<string, { value: Promise<Buffer>; bytes: number }>();
  private bytes = 0;
  /** Encodes started (misses): what the cache saves is requests − misses. */
  misses = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    this.misses++;
    const entry = { value: make(), bytes: 0 };
    this.entries.set(key, entry);
    entry.value.then(
      (buf) => {
        if (this.entries.get(key) !== entry) return;
        entry.bytes = buf.length;
        this.bytes += buf.length;
        this.evict();
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value;
  }

  private evict(): void {
    for (const [key, e] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      this.entries.delete(key);
      this.bytes -= e.bytes;
    }
  }
}
