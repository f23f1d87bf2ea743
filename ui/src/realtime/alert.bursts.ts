import type { AlertMessage } from '../api/types.js';

/**
 * Alerts of one camera that began within this long of each other are one burst: a group of
 * people walking past makes several alerts within a second or two, and the wall shows them as
 * one card with a count (as Frigate's review items and Protect's grouped detections do).
 */
export const BURST_GAP_MS = 30_000;
/** A camera that keeps alerting (a market morning) still gets a new card every few minutes. */
export const BURST_MAX_SPAN_MS = 5 * 60_000;

export interface AlertBurst {
  /** The newest alert: the card the burst shows. */
  head: AlertMessage;
  /** The others, newest first (empty for a lone alert). */
  rest: AlertMessage[];
  /** From the first alert's start to the head's. */
  spanMs: number;
}

/**
 * Groups a newest-first list (AlertFeed.list order) into bursts without reordering it: an
 * object alert joins the burst above it when it is from the same camera and began within
 * BURST_GAP_MS of the burst's oldest alert so far (and
 * within BURST_MAX_SPAN_MS of its head). Other kinds (camera offline, disk) stand alone.
 */
export function groupBursts(alerts: readonly AlertMessage[], gapMs = BURST_GAP_MS): AlertBurst[] {
  const out: AlertBurst[] = [];
  const open = new Map<number, AlertBurst>();
  for (const a of alerts) {
    const burst = a.kind === 'object' && a.cameraId !== null ? open.get(a.cameraId) : undefined;
    const oldest = burst ? (burst.rest.at(-1) ?? burst.head) : undefined;
    if (burst && oldest && oldest.startedAt - a.startedAt <= gapMs && burst.head.startedAt - a.startedAt <= BURST_MAX_SPAN_MS) {
      burst.rest.push(a);
      burst.spanMs = burst.head.startedAt - a.startedAt;
      continue;
    }
    const fresh: AlertBurst = { head: a, rest: [], spanMs: 0 };
    out.push(fresh);
    if (a.kind === 'object' && a.cameraId !== null) open.set(a.cameraId, fresh);
  }
  return out;
}
