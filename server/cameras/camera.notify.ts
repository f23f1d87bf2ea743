import { createHash, randomBytes } from 'node:crypto';
import type { Bus } from '../shared/bus.js';
import type { Logger } from '../shared/log.js';
import { parseNotify } from './onvif.notify.js';

/**
 * Where cameras on base notification post their Notify messages (POST /onvif/notify/:token).
 * Each subscription gets a random token that only the camera and this process know; it is kept
 * hashed, in memory only, and dies with the subscription. A camera that posts garbage or floods
 * gets refusals and at most one log line per window per subscription: never more work than a
 * bounded parse, and never the server down.
 */
export interface NotifyInboxDeps {
  bus: Bus;
  log: Logger;
  /** Posts accepted per subscription per window before 429. */
  maxPostsPerWindow?: number;
  windowMs?: number;
  now?: () => number;
}

export type NotifyOutcome = { status: 'unknown' } | { status: 'flooding' } | { status: 'refused'; reason: string } | { status: 'ok'; events: number };

interface Box {
  cameraId: number;
  windowStart: number;
  posts: number;
  logged: boolean;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export class NotifyInbox {
  private readonly boxes = new Map<string, Box>();
  private readonly now: () => number;

  constructor(private readonly d: NotifyInboxDeps) {
    this.now = d.now ?? Date.now;
  }

  /** A new token for one subscription of a camera; `close` forgets it (later posts get 404). */
  open(cameraId: number): { token: string; close: () => void } {
    const token = randomBytes(32).toString('base64url');
    const key = hash(token);
    this.boxes.set(key, { cameraId, windowStart: this.now(), posts: 0, logged: false });
    return { token, close: () => this.boxes.delete(key) };
  }

  get size(): number {
    return this.boxes.size;
  }

  /** Whether the token belongs to a live subscription (checked before a body is read). */
  knows(token: string): boolean {
    return this.box(token) !== undefined;
  }

  receive(token: string, body: string): NotifyOutcome {
    const box = this.box(token);
    if (!box) return { status: 'unknown' };
    const now = this.now();
    if (now - box.windowStart >= (this.d.windowMs ?? 10_000)) Object.assign(box, { windowStart: now, posts: 0, logged: false });
    if (++box.posts > (this.d.maxPostsPerWindow ?? 100)) {
      this.warnOnce(box, 'camera events: camera posts Notify too often, refusing until the window passes', {});
      return { status: 'flooding' };
    }
    const parsed = parseNotify(body);
    if (!parsed.ok) {
      this.warnOnce(box, 'camera events: unreadable Notify from the camera refused', { reason: parsed.reason });
      return { status: 'refused', reason: parsed.reason };
    }
    const at = now;
    for (const e of parsed.events) this.d.bus.emit('camera.event', { cameraId: box.cameraId, ...e, at });
    return { status: 'ok', events: parsed.events.length };
  }

  private box(token: string): Box | undefined {
    return token.length <= 100 ? this.boxes.get(hash(token)) : undefined;
  }

  private warnOnce(box: Box, message: string, extra: Record<string, unknown>): void {
    if (box.logged) return;
    box.logged = true;
    this.d.log.warn(message, { cameraId: box.cameraId, ...extra });
  }
}
