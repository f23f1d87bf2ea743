import { describe, expect, it } from 'vitest';
import type { Box } from '../../../server/domain/geometry.js';
import { emitTrackUpdate, Tracker, trackerOptions, type TrackerOptions, type TrackUpdate } from '../../../server/detect/tracker.js';
import { yuv420pSize, type Frame } from '../../../server/domain/frame.js';
import { Bus } from '../../../server/shared/bus.js';

const FPS = 5;
const W = 640;
const H = 360;

interface Det {
  box: Box;
  label: string;
  score: number;
}

/** A scripted camera: frame i is captured at i × 200 ms; each step feeds detections to the tracker. */
function script(overrides: Partial<TrackerOptions> = {}) {
  const tracker = new Tracker(trackerOptions(3, FPS, overrides));
  let seq = 0;
  const frames: Frame[] = [];
  const step = (dets: Det[], motion: Box[] = [], checked?: Box[]): TrackUpdate => {
    const frame: Frame = { cameraId: 3, seq, capturedAt: 1_000_000 + seq * 200, width: W, height: H, data: new Uint8Array(yuv420pSize(W, H)).fill(seq % 256) };
    seq++;
    frames.push(frame);
    return tracker.update(dets, frame, motion, checked);
  };
  const now = () => 1_000_000 + (seq - 1) * 200;
  return { tracker, step, frames, now };
}

const person = (x: number, y = 100, score = 0.6): Det => ({ box: [x, y, x + 40, y + 100], label: 'person', score });

describe('Tracker', () => {
  it('confirms a track on its second hit, with an id per camera', () => {
    const { step } = script();
    expect(step([person(100)]).started).toEqual([]);
    const u = step([person(104)]);
    expect(u.started).toHaveLength(1);
    expect(u.started[0]).toMatchObject({
      cameraId: 3,
      trackId: '3-1',
      label: 'person',
      score: 0.6,
      box: [104, 100, 144, 200],
      frameWidth: W,
      frameHeight: H,
      firstSeenAt: 1_000_000,
      lastSeenAt: 1_000_200,
      stationary: false,
    });
    const next = step([person(108, 100, 0.7)]);
    expect(next.updated.map((m) => [m.trackId, m.score])).toEqual([['3-1', 0.7]]);
  });

  it('never makes a track from a single spurious detection', () => {
    const { step } = script();
    const all: TrackUpdate[] = [step([person(300)])];
    for (let i = 0; i < 40; i++) all.push(step([]));
    expect(all.flatMap((u) => [...u.started, ...u.updated, ...u.ended])).toEqual([]);
  });

  it('confirms through a one-frame gap (detector flicker)', () => {
    const { step } = script();
    step([person(100)]);
    step([]);
    expect(step([person(108)]).started).toHaveLength(1);
  });

  it('ends a confirmed track after maxMisses checked frames without it', () => {
    const { step } = script();
    step([person(100)]);
    step([person(104)]);
    const maxMisses = FPS * 5;
    for (let i = 1; i < maxMisses; i++) expect(step([]).ended).toEqual([]);
    const u = step([]);
    expect(u.ended).toHaveLength(1);
    expect(u.ended[0]).toMatchObject({ trackId: '3-1', reason: 'lost', lastSeenAt: 1_000_200 });
  });

  it('ends a confirmed track missed by sparse checks once it has been unseen for lostAfterMs, not after maxMisses checks', () => {
    const { step, now } = script();
    step([person(100)]);
    step([person(104)]);
    const lastSeen = now();
    // The model looks every third frame (600 ms), as between periodic track checks; other frames are motion alone.
    let endedAt: number | undefined;
    for (let i = 1; i <= 60 && endedAt === undefined; i++) {
      const u = i % 3 === 0 ? step([]) : step([], [], []);
      if (u.ended.length) endedAt = now();
    }
    expect(endedAt! - lastSeen).toBeGreaterThanOrEqual(5000);
    expect(endedAt! - lastSeen).toBeLessThan(6000); // 25 checks would have taken 15 s
  });

  it('does not count frames where the detector did not look at the track as misses', () => {
    const { step } = script();
    step([person(100)]);
    step([person(104)]);
    for (let i = 0; i < 40; i++) expect(step([], [], [[400, 0, 640, 360]]).ended).toEqual([]);
    const back = step([person(106)]);
    expect(back.updated.map((m) => m.trackId)).toEqual(['3-1']);
  });

  it('ends a track unseen for maxUnseenMs even when the detector never looked (work dropped under load)', () => {
    const { step } = script({ maxUnseenMs: 3000 });
    step([person(100)]);
    step([person(104)]);
    const ends = Array.from({ length: 16 }, () => step([], [], []).ended.length);
    expect(ends.indexOf(1)).toBe(15); // 3.2 s after the last sighting
  });

  it('ignores empty or invalid detection boxes', () => {
    const { step } = script();
    const bad: Det = { box: [10, 10, 10, 50], label: 'person', score: 0.9 };
    step([bad, { box: [0, 0, 20, 20], label: 'person', score: Number.NaN }]);
    expect(step([bad]).started).toEqual([]);
  });

  it('keeps identities of two people crossing each other', () => {
    const { step } = script();
    const ids = new Map<string, string>();
    for (let i = 0; i < 20; i++) {
      const a = { ...person(100 + 20 * i, 100), tag: 'a' };
      const b = { ...person(480 - 20 * i, 110), tag: 'b' };
      // Detection order must not matter.
      const u = step(i % 2 ? [b, a] : [a, b]);
      for (const m of [...u.started, ...u.updated]) {
        const tag = Math.abs(m.box[0] - a.box[0]) < 1 ? 'a' : 'b';
        if (!ids.has(m.trackId)) ids.set(m.trackId, tag);
        expect(ids.get(m.trackId), `frame ${i}`).toBe(tag);
      }
    }
    expect([...ids.entries()].sort()).toEqual([
      ['3-1', 'a'],
      ['3-2', 'b'],
    ]);
  });

  it('keeps people and cars apart at the same place, but follows a car the detector calls a truck', () => {
    const { step } = script();
    const car = (label: string): Det => ({ box: [200, 150, 320, 230], label, score: 0.5 });
    step([person(240, 130), car('car')]);
    const u = step([person(242, 130), car('truck')]);
    expect(u.started.map((m) => m.label).sort()).toEqual(['car', 'person']);
    const later = step([person(244, 130), car('car')]);
    expect(later.updated.map((m) => m.trackId).sort()).toEqual(['3-1', '3-2']);
  });

  it('marks a track stationary when it stops, and re-checks it only on motion or after the interval', () => {
    const { step, tracker, now } = script({ stationaryFrames: 5, recheckMs: 4000 });
    for (let i = 0; i < 4; i++) step([person(100 + 15 * i)]);
    let last: TrackUpdate | undefined;
    for (let i = 0; i < 6; i++) last = step([person(146 + (i % 2))]);
    expect(last!.updated[0]!.stationary).toBe(true);
    expect(tracker.needsCheck(now() + 200)).toBe(false);
    expect(tracker.regionsToCheck([], now() + 200)).toEqual([]);
    // Motion elsewhere does not wake it; motion over it does.
    expect(tracker.regionsToCheck([[500, 0, 600, 50]], now() + 200)).toEqual([]);
    expect(tracker.regionsToCheck([[150, 150, 170, 170]], now() + 200)).toHaveLength(1);
    // The interval wakes it too.
    expect(tracker.needsCheck(now() + 4000)).toBe(true);
    // It moves off again: no longer stationary.
    for (let i = 1; i <= 2; i++) last = step([person(146 + 25 * i)]);
    expect(last!.updated[0]!.stationary).toBe(false);
  });

  it('checks a stationary track every frame once it has been missed, then ends it', () => {
    const { step, tracker, now } = script({ stationaryFrames: 3, maxMisses: 4 });
    for (let i = 0; i < 6; i++) step([person(100)]);
    expect(tracker.regionsToCheck([], now() + 200)).toEqual([]);
    step([]); // looked (whole frame) and missed
    expect(tracker.regionsToCheck([], now() + 200)).toHaveLength(1);
    step([]);
    step([]);
    expect(step([]).ended.map((m) => m.reason)).toEqual(['lost']);
  });

  it('asks for every moving and unconfirmed track, at its predicted place', () => {
    const { step, tracker, now } = script();
    step([person(100)]);
    step([person(110)]);
    step([person(300, 50)]);
    const boxes = tracker.regionsToCheck([], now() + 200);
    expect(boxes).toHaveLength(2);
    // Moving 10 px per frame: predicted one frame ahead.
    expect(boxes.some((b) => Math.abs(b[0] - 130) < 1)).toBe(true);
  });

  it('keeps the best score and a copy of its frame', () => {
    const { step, frames } = script();
    step([person(100, 100, 0.5)]);
    step([person(104, 100, 0.8)]);
    const u = step([person(108, 100, 0.6)]);
    const best = u.updated[0]!.best;
    expect(best.score).toBe(0.8);
    expect(u.updated[0]!.score).toBe(0.8);
    expect(best.box).toEqual([104, 100, 144, 200]);
    expect(best.frame.seq).toBe(1);
    expect(best.frame.data === frames[1]!.data).toBe(false);
    frames[1]!.data.fill(255); // upstream reuses its buffer
    expect(best.frame.data[0]).toBe(1);
  });

  it('copies a frame once however many tracks take it as their best', () => {
    const { step } = script();
    step([person(100), person(400)]);
    const u = step([person(102, 100, 0.9), person(402, 100, 0.9)]);
    expect(u.started).toHaveLength(2);
    expect(u.started[0]!.best.frame).toBe(u.started[1]!.best.frame);
  });

  it('ends every confirmed track on stop, and publishes on the bus in order', () => {
    const { step, tracker } = script();
    step([person(100), person(400)]);
    step([person(102), person(402)]);
    step([person(500, 10)]); // tentative: forgotten silently
    const ended = tracker.stop();
    expect(ended.map((m) => [m.trackId, m.reason])).toEqual([
      ['3-1', 'stopped'],
      ['3-2', 'stopped'],
    ]);
    expect(tracker.live()).toEqual([]);

    const bus = new Bus();
    const seen: string[] = [];
    bus.on('track.start', (m) => seen.push(`start ${m.trackId}`));
    bus.on('track.update', (m) => seen.push(`update ${m.trackId}`));
    bus.on('track.end', (m) => seen.push(`end ${m.trackId} ${m.reason}`));
    const t2 = script();
    t2.step([person(100)]);
    emitTrackUpdate(bus, t2.step([person(101)]));
    emitTrackUpdate(bus, t2.step([person(102)]));
    emitTrackUpdate(bus, { started: [], updated: [], ended: t2.tracker.stop() });
    expect(seen).toEqual(['start 3-1', 'update 3-1', 'end 3-1 stopped']);
  });
});
