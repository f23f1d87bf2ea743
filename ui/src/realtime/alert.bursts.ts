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
  /**
   * The burst's first alert: the card it shows. It stays the same while newer alerts join, so
   * the card an officer is working on never folds away under a newer one.
   */
  head: AlertMessage;
  /** The newer alerts of the burst, newest first (empty for a lone alert). */
  rest: AlertMessage[];
  /** From the head's start to the newest alert's. */
  spanMs: number;
}

/**
 * Groups a newest-first list (AlertFeed.list order) into bursts, each placed where its newest
 * alert is: an object alert joins the burst above it when it is from the same camera and began
 * within BURST_GAP_MS of the burst's oldest alert so far (and within BURST_MAX_SPAN_MS of its
 * newest). Other kinds (camera offline, disk) stand alone.
 */
export function groupBursts(alerts: readonly AlertMessage[], gapMs = BURST_GAP_MS): AlertBurst[] {
  const groups: AlertMessage[][] = [];
  const open = new Map<number, AlertMessage[]>();
  for (const a of alerts) {
    const group = a.kind === 'object' && a.cameraId !== null ? open.get(a.cameraId) : undefined;
    const oldest = group?.at(-1);
    if (group && oldest && oldest.startedAt - a.startedAt <= gapMs && group[0]!.startedAt - a.startedAt <= BURST_MAX_SPAN_MS) {
      group.push(a);
      continue;
    }
    const fresh = [a];
    groups.push(fresh);
    if (a.kind === 'object' && a.cameraId !== null) open.set(a.cameraId, fresh);
  }
  return groups.map((g) => ({ head: g.at(-1)!, rest: g.slice(0, -1), spanMs: g[0]!.startedAt - g.at(-1)!.startedAt }));
}
