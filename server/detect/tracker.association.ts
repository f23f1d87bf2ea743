import type { Box } from '../domain/frame.js';
import { boxArea, centreDistance, iou, type Scored } from '../domain/geometry.js';

/**
 * Matching this frame's detections to live tracks. Greedy on a cost that mixes overlap and
 * centre distance (in box sizes), against each track's predicted box: with a handful of objects
 * per camera greedy is as good as Hungarian and simpler to reason about; prediction is what keeps
 * two people who cross apart.
 */
export interface AssociationGates {
  /** A pair may match when IoU is at least this … */
  minIou: number;
  /** … or when the centres are at most this many box sizes apart. */
  maxCentreDistance: number;
  /** Larger / smaller box area above this never match (a person is not suddenly a bus). */
  maxSizeRatio: number;
}

export interface Candidate {
  predicted: Box;
  label: string;
}

export interface Match {
  track: number;
  detection: number;
}

/** Labels that the detector confuses from frame to frame (a van is car, then truck) may continue one track. */
export function sameKind(a: string, b: string, groups: readonly (readonly string[])[]): boolean {
  return a === b || groups.some((g) => g.includes(a) && g.includes(b));
}

export function associate(
  tracks: readonly Candidate[],
  detections: readonly Scored[],
  gates: AssociationGates,
  groups: readonly (readonly string[])[],
): Match[] {
  const pairs: { track: number; detection: number; cost: number }[] = [];
  tracks.forEach((t, ti) => {
    detections.forEach((d, di) => {
      if (!sameKind(t.label, d.label, groups)) return;
      const cost = pairCost(t.predicted, d.box, gates);
      if (cost !== null) pairs.push({ track: ti, detection: di, cost: t.label === d.label ? cost : cost + 0.25 });
    });
  });
  pairs.sort((a, b) => a.cost - b.cost);
  const usedT = new Set<number>();
  const usedD = new Set<number>();
  const out: Match[] = [];
  for (const p of pairs) {
    if (usedT.has(p.track) || usedD.has(p.detection)) continue;
    usedT.add(p.track);
    usedD.add(p.detection);
    out.push({ track: p.track, detection: p.detection });
  }
  return out;
}

/** Lower is better; null when the pair is outside the gates. */
function pairCost(predicted: Box, box: Box, g: AssociationGates): number | null {
  const a = boxArea(predicted);
  const b = boxArea(box);
  if (a <= 0 || b <= 0 || Math.max(a, b) / Math.min(a, b) > g.maxSizeRatio) return null;
  const overlap = iou(predicted, box);
  const dist = centreDistance(predicted, box);
  if (overlap < g.minIou && dist > g.maxCentreDistance) return null;
  return 1 - overlap + dist;
}
