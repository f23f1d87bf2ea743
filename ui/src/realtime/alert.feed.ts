import type { AlertCatchUp, AlertCursor, AlertMessage } from '../api/types.js';

/**
 * The alerts the wall holds: newest first, de-duplicated by id, never more than `cap`
 * (the wall runs for days). It keeps the cursor for catching up after a reconnect: the
 * last id covered by a complete catch-up, and the server time of that catch-up.
 * Pure data, no timers or sockets, so it is tested without a browser.
 */
export type Applied = 'added' | 'updated' | 'ignored';

export class AlertFeed {
  private readonly byId = new Map<number, AlertMessage>();
  private sorted: AlertMessage[] | null = [];
  /** Every alert id ≤ this one has been seen (live or in a catch-up). */
  private afterId = 0;
  private changedSince: number | undefined;
  /** True between a (re)connect and the end of its catch-up: live ids must not move the cursor then. */
  private catchingUp = true;

  constructor(readonly cap = 200) {}

  get size(): number {
    return this.byId.size;
  }

  /** Newest first by the time shown on the card (when it began), then by id. */
  list(): AlertMessage[] {
    this.sorted ??= [...this.byId.values()].sort((a, b) => b.startedAt - a.startedAt || b.id - a.id);
    return this.sorted;
  }

  get(id: number): AlertMessage | undefined {
    return this.byId.get(id);
  }

  /** A newer version replaces an older one; an older one (late catch-up page) is ignored. */
  upsert(a: AlertMessage): Applied {
    const cur = this.byId.get(a.id);
    if (cur && cur.updatedAt > a.updatedAt) return 'ignored';
    if (cur && cur.updatedAt === a.updatedAt && cur.state === a.state && cur.visibility === a.visibility && cur.snapshotUrl === a.snapshotUrl) return 'ignored';
    if (!cur && this.byId.size >= this.cap && a.id < this.oldestId()) return 'ignored';
    this.byId.set(a.id, a);
    this.sorted = null;
    this.trim();
    return cur ? 'updated' : 'added';
  }

  /** A live push: alert:new or alert:updated. */
  live(a: AlertMessage): Applied {
    const r = this.upsert(a);
    if (!this.catchingUp && a.id > this.afterId) this.afterId = a.id;
    return r;
  }

  withdraw(id: number): boolean {
    const had = this.byId.delete(id);
    if (had) this.sorted = null;
    return had;
  }

  /** Called when the socket (re)connects: the catch-up decides the cursor until it is complete. */
  beginCatchUp(): AlertCursor {
    this.catchingUp = true;
    return this.cursor();
  }

  cursor(): AlertCursor {
    return { afterId: this.afterId, ...(this.changedSince !== undefined ? { changedSince: this.changedSince } : {}) };
  }

  /**
   * One page of a catch-up answer. Returns the alerts that were new to the wall. The first
   * page's serverTime becomes the next `changedSince` (changes after it arrive live).
   */
  applyCatchUp(c: AlertCatchUp, firstPage: boolean): AlertMessage[] {
    const added: AlertMessage[] = [];
    for (const a of c.changed) this.upsert(a);
    for (const a of c.alerts) if (this.upsert(a) === 'added') added.push(a);
    this.afterId = Math.max(this.afterId, c.lastId);
    if (firstPage) this.changedSince = c.serverTime;
    if (!c.more) this.catchingUp = false;
    return added;
  }

  /**
   * Starts from a page of the newest alerts (REST) instead of replaying history: the wall
   * shows the latest `cap`, and the catch-up only covers what comes after them.
   */
  reset(newest: AlertMessage[], serverTime: number | undefined): void {
    this.byId.clear();
    this.sorted = null;
    for (const a of newest) this.byId.set(a.id, a);
    this.trim();
    this.afterId = newest.reduce((m, a) => Math.max(m, a.id), 0);
    this.changedSince = serverTime;
    this.catchingUp = true;
  }

  private oldestId(): number {
    let min = Infinity;
    for (const id of this.byId.keys()) if (id < min) min = id;
    return min;
  }

  private trim(): void {
    if (this.byId.size <= this.cap) return;
    const ids = [...this.byId.keys()].sort((a, b) => a - b);
    for (const id of ids.slice(0, this.byId.size - this.cap)) this.byId.delete(id);
    this.sorted = null;
  }
}
