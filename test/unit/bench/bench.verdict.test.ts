import { describe, expect, it } from 'vitest';
import { benchVerdict, type CameraSample, type VerdictSamples } from '../../../server/bench/bench.verdict.js';

/**
 * The bench's held / not-held decision on samples recorded from `binhyen bench --quick`
 * (pipeline × 4 on a loaded machine) and on variants of a held run that break one rule each.
 */
const recordedLoaded: VerdictSamples = {
  targetFps: 5,
  referencePeople: 1.29,
  cameras: [
    { cameraId: 1, busy: true, analysedFps: 1.5, regionsRequested: 23, regionsDropped: 2, people: 1.54 },
    { cameraId: 2, busy: false, analysedFps: 1.6, regionsRequested: 20, regionsDropped: 2, people: 0.05 },
    { cameraId: 3, busy: false, analysedFps: 5, regionsRequested: 3, regionsDropped: 0, people: 0.07 },
    { cameraId: 4, busy: false, analysedFps: 4, regionsRequested: 4, regionsDropped: 0, people: 0 },
  ],
  backlog: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 4, 3, 3, 3],
};

const cam = (cameraId: number, busy: boolean, over: Partial<CameraSample> = {}): CameraSample => ({
  cameraId, busy, analysedFps: 5, regionsRequested: busy ? 100 : 2, regionsDropped: 0, people: busy ? 1.3 : 0, ...over,
});
const held = (over: Partial<VerdictSamples> = {}): VerdictSamples => ({
  targetFps: 5, referencePeople: 1.29, cameras: [cam(1, true), cam(2, false), cam(3, false), cam(4, false)], backlog: [0, 0, 1, 2, 1, 0], ...over,
});

describe('benchVerdict', () => {
  it('holds when every rule is met', () => {
    const v = benchVerdict(held());
    expect(v).toMatchObject({ held: true, reasons: [], minAnalysedFps: 5, dropRatio: 0, busyPeople: 1.3, backlogMax: 2 });
  });

  it('does not hold the recorded loaded run: cameras below 90 % of their rate and 8 % of the work dropped', () => {
    const v = benchVerdict(recordedLoaded);
    expect(v.held).toBe(false);
    expect(v.reasons).toEqual(['3 camera(s) below 90 % of 5 fps (min 1.5)', 'dropped 8 % of detection work']);
    expect(v.dropRatio).toBe(0.08);
  });

  it('needs every camera at 90 % of its analysed rate, not the average', () => {
    const at = (fps: number) => benchVerdict(held({ cameras: [cam(1, true), cam(2, false, { analysedFps: fps }), cam(3, false), cam(4, false)] }));
    expect(at(4.5).held).toBe(true);
    expect(at(4.4)).toMatchObject({ held: false, reasons: ['1 camera(s) below 90 % of 5 fps (min 4.4)'] });
  });

  it('does not hold when work piles up beyond one pending item per camera', () => {
    expect(benchVerdict(held({ backlog: [0, 1, 4] })).held).toBe(true);
    expect(benchVerdict(held({ backlog: [0, 2, 5, 3] }))).toMatchObject({ held: false, reasons: ['backlog 5 > 4 cameras'] });
  });

  it('allows at most 1 % of the requested detection work dropped, over all cameras', () => {
    // 1 of 104 requested regions is under 1 %, 2 of 104 over.
    const dropping = (n: number) => held({ cameras: [cam(1, true, { regionsRequested: 98, regionsDropped: n }), cam(2, false), cam(3, false), cam(4, false)] });
    expect(benchVerdict(dropping(1)).held).toBe(true);
    expect(benchVerdict(dropping(2))).toMatchObject({ held: false, reasons: ['dropped 1.92 % of detection work'] });
  });

  it('compares people tracked per busy camera with one busy camera alone in naive mode; quiet cameras do not count', () => {
    const busy = (people: number) => held({ cameras: [cam(1, true, { people }), cam(2, false, { people: 3 }), cam(3, false), cam(4, false), cam(5, true, { people })] });
    expect(benchVerdict(busy(1.17)).held).toBe(true);
    expect(benchVerdict(busy(1.1))).toMatchObject({ held: false, busyPeople: 1.1, reasons: ['people tracked per busy camera 1.1 < 90 % of 1.29 alone (naive)'] });
  });

  it('does not judge tracking without a reference, and never holds an empty run', () => {
    expect(benchVerdict(held({ referencePeople: null, cameras: [cam(1, true, { people: 0 })], backlog: [0, 1] })).held).toBe(true);
    expect(benchVerdict(held({ cameras: [], backlog: [] }))).toMatchObject({ held: false, reasons: ['no cameras'] });
  });

  it('never holds a run that failed, and says why (the sweep goes on past it)', () => {
    const error = 'Knex: Timeout acquiring a connection. The pool is probably full.';
    expect(benchVerdict(held({ cameras: [], backlog: [], error }))).toMatchObject({ held: false, reasons: [`the run failed: ${error}`] });
    expect(benchVerdict(held({ error })).held).toBe(false);
  });
});
