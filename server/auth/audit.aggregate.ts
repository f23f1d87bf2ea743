import type { Logger } from '../shared/log.js';
import type { AuditLog, AuditRecord } from './audit.log.js';

/**
 * Audit for floods of refusals (rate-limited sign-ins, a busy password pool, 403s): the first
 * refusal of each key (address, user, what was refused) in a window is written at once, the
 * rest are counted and written as one summary row per key when the window closes, with
 * `detail.count`, `firstAt` and `lastAt`. Past `maxKeys` distinct keys in one window, further
 * keys are counted per action in one overflow row. So a flood costs at most about
 * 2 × maxKeys rows per window instead of one row (and one locked database write) per request,
 * and nothing refused goes unrecorded.
 */
export interface AggregatorOptions {
  windowMs: number;
  maxKeys: number;
}

interface Pending {
  record: AuditRecord;
  count: number;
  firstAt: number;
  lastAt: number;
  samples: Set<string>;
}
const MAX_SAMPLES = 20;

export class AuditAggregator {
  private readonly opened = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly audit: AuditLog,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly o: AggregatorOptions = { windowMs: 60_000, maxKeys: 200 },
  ) {}

  /**
   * Records one refusal; `key` says which refusals are "the same" (never includes secrets).
   * `sample` (e.g. "address user") is kept for the summary row, up to 20 distinct per key, when
   * the key is coarser than who was refused.
   */
  note(key: string, record: AuditRecord, sample?: string): void {
    if (!this.opened.has(key) && this.opened.size < this.o.maxKeys) {
      this.opened.add(key);
      this.write(record);
      return;
    }
    const k = this.opened.has(key) ? key : `overflow|${record.action}`;
    const at = this.now();
    const p = this.pending.get(k);
    const entry = p ?? {
      record: k === key ? record : { action: record.action, detail: { overflow: true } },
      count: 0,
      firstAt: at,
      lastAt: at,
      samples: new Set<string>(),
    };
    entry.count += 1;
    entry.lastAt = at;
    if (sample !== undefined && entry.samples.size < MAX_SAMPLES) entry.samples.add(sample.slice(0, 100));
    if (!p) this.pending.set(k, entry);
  }

  /** Writes the summary rows of the window and opens a new one. */
  async flush(): Promise<void> {
    const rows = [...this.pending.values()];
    this.pending.clear();
    this.opened.clear();
    for (const p of rows) {
      const samples = p.samples.size ? { samples: [...p.samples] } : {};
      this.write({ ...p.record, detail: { ...p.record.detail, count: p.count, firstAt: p.firstAt, lastAt: p.lastAt, ...samples } });
    }
    await this.audit.flush();
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.o.windowMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private write(r: AuditRecord): void {
    // AuditLog logs a failed append itself; a refusal must not fail because of it.
    this.audit.record(r).catch(() => this.log.debug('aggregated audit row not written', { action: r.action }));
  }
}
