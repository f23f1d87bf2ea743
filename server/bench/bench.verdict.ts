/**
 * When is a camera count "held"? A pure function of what a commune run recorded, so it can
 * be tested on recorded samples. Held = every camera keeps ≥ 90 % of its analysed frame rate,
 * no backlog grows without bound, ≤ 1 % of the requested detection work is dropped, and the
 * busy cameras track as many people as the same footage gives one camera alone in naive mode
 * (≥ 90 %): quality is compared across modes, so dropping work is never a way to hold more.
 */
export interface CameraSample {
  cameraId: number;
  busy: boolean;
  analysedFps: number;
  regionsRequested: number;
  regionsDropped: number;
  /** Mean number of confirmed person tracks alive on this camera (sampled every 200 ms). */
  people: number;
}

export interface VerdictSamples {
  targetFps: number;
  cameras: CameraSample[];
  /**
   * Work waiting (pending clips and whatever backlog counters exist), sampled each second over
   * the window and the drain after it. The detection queue itself holds one job per camera by
   * construction (the newest frame supersedes), so what can pile up is downstream.
   */
  backlog: number[];
  /** People tracked by one busy camera alone in naive mode on the same footage; null: not measured. */
  referencePeople: number | null;
  /** Why the run did not finish, when it did not: never held. */
  error?: string | null;
}

export interface Verdict {
  held: boolean;
  reasons: string[];
  minAnalysedFps: number;
  dropRatio: number;
  busyPeople: number | null;
  backlogMax: number;
}

export const HELD = { fpsShare: 0.9, maxDropRatio: 0.01, peopleShare: 0.9 } as const;

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const r2 = (x: number) => Math.round(x * 100) / 100;

export function benchVerdict(s: VerdictSamples): Verdict {
  const reasons: string[] = s.error ? [`the run failed: ${s.error}`] : [];
  const minAnalysedFps = s.cameras.length ? Math.min(...s.cameras.map((c) => c.analysedFps)) : 0;
  if (!s.cameras.length && !s.error) reasons.push('no cameras');
  const slow = s.cameras.filter((c) => c.analysedFps < HELD.fpsShare * s.targetFps);
  if (slow.length) reasons.push(`${slow.length} camera(s) below ${HELD.fpsShare * 100} % of ${s.targetFps} fps (min ${r2(minAnalysedFps)})`);
  const backlogMax = s.backlog.length ? Math.max(...s.backlog) : 0;
  // One pending item per camera at most: work that piles up beyond that is a queue without bound.
  if (backlogMax > s.cameras.length) reasons.push(`backlog ${backlogMax} > ${s.cameras.length} cameras`);
  const requested = s.cameras.reduce((a, c) => a + c.regionsRequested, 0);
  const dropped = s.cameras.reduce((a, c) => a + c.regionsDropped, 0);
  const dropRatio = requested ? dropped / requested : 0;
  if (dropRatio > HELD.maxDropRatio) reasons.push(`dropped ${r2(dropRatio * 100)} % of detection work`);
  const busy = s.cameras.filter((c) => c.busy);
  const busyPeople = busy.length ? mean(busy.map((c) => c.people)) : null;
  if (s.referencePeople !== null && busyPeople !== null && busyPeople < HELD.peopleShare * s.referencePeople) {
    reasons.push(`people tracked per busy camera ${r2(busyPeople)} < ${HELD.peopleShare * 100} % of ${r2(s.referencePeople)} alone (naive)`);
  }
  return {
    held: reasons.length === 0, reasons, minAnalysedFps: r2(minAnalysedFps), dropRatio: Math.round(dropRatio * 10000) / 10000,
    busyPeople: busyPeople === null ? null : r2(busyPeople), backlogMax,
  };
}
