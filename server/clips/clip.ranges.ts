import type { Recording } from '../store/recording.repository.js';
import type { LiveSegment } from './clip.types.js';

/** A wall-clock range [startAt, endAt). */
export interface Range {
  startAt: number;
  endAt: number;
}

/**
 * The clips of an event (issue 11 §3): [start − pre-roll, end + post-roll] cut into chained
 * clips of at most `maxMs`, so nothing waits for an event that never ends. Boundaries depend
 * only on the event's start, so calling this again as the event goes on yields the same
 * first clips plus new ones. While the event is open only the clips wholly before its last
 * sighting are final; the rest come at its end.
 */
export function chainRanges(ev: { startAt: number; endAt: number | null; lastSeenAt: number | null }, preMs: number, postMs: number, maxMs: number): Range[] {
  const from = ev.startAt - preMs;
  const open = ev.endAt === null;
  const to = open ? (ev.lastSeenAt ?? ev.startAt) : Math.max(ev.endAt!, ev.startAt) + postMs;
  const out: Range[] = [];
  for (let a = from; a < to; a += maxMs) {
    const b = Math.min(a + maxMs, to);
    if (open && b - a < maxMs) break;
    out.push({ startAt: a, endAt: b });
  }
  return out;
}

/**
 * Parts of [from, to) no segment covers for longer than `toleranceMs`: camera outages the
 * clip must show instead of splicing both sides into one continuous-looking video.
 */
export function gapsIn(segs: Pick<Recording, 'startAt' | 'endAt'>[], from: number, to: number, toleranceMs = 1000): [number, number][] {
  const gaps: [number, number][] = [];
  let at = from;
  for (const s of segs) {
    if (s.startAt >= to) break;
    if (s.startAt - at > toleranceMs) gaps.push([at, Math.min(s.startAt, to)]);
    at = Math.max(at, s.endAt);
    if (at >= to) break;
  }
  if (to - at > toleranceMs) gaps.push([at, to]);
  return gaps;
}

/** Neighbouring segments of one run share their edge to within rounding; more is a gap (or an index still catching up). */
const HEAD_EDGE_MS = 500;

/**
 * Whether the segment being written continues the indexed ones (or, with none indexed, holds
 * the range's start), so that the range may end in it: then a clip is playable as soon as
 * the camera's picture past its end is on disk, not when that segment closes seconds later.
 */
export function headContinues(segs: Pick<Recording, 'endAt'>[], head: LiveSegment | undefined, from: number, to: number): head is LiveSegment {
  if (!head || head.startAt >= to || head.writtenUntil <= head.startAt) return false;
  const lastEnd = segs.at(-1)?.endAt;
  if (lastEnd !== undefined && lastEnd >= to) return false;
  return lastEnd === undefined ? head.startAt <= from : Math.abs(head.startAt - lastEnd) <= HEAD_EDGE_MS;
}
