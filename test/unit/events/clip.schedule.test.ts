import { describe, expect, it } from 'vitest';
import { chainRanges, gapsIn, headContinues } from '../../../server/clips/clip.ranges.js';
import { ClipService } from '../../../server/clips/clip.service.js';
import { ClipWorkQueue } from '../../../server/clips/clip.work.queue.js';
import { silentLogger } from '../../../server/shared/log.js';
import type { ClipPatch, ClipRecord, NewClip } from '../../../server/store/clip.repository.js';
import type { EventRecord } from '../../../server/store/event.repository.js';
import type { Recording } from '../../../server/store/recording.repository.js';
import { FakeClock } from './fake.clock.js';

const T0 = 1_800_000_000_000;

function setup(maxClipMs = 120_000, head?: { startAt: number; writtenUntil: number }) {
  const clock = new FakeClock(T0);
  const clips = new Map<number, ClipRecord>();
  const recordings: Recording[] = [];
  const produced: { id: number; at: number }[] = [];
  const queries = { count: 0 };
  const service = new ClipService({
    repos: {
      clips: {
        listByEvent: async (eventId: number) => [...clips.values()].filter((c) => c.eventId === eventId),
        create: async (c: NewClip, now: number) => {
          const clip = { ...c, id: clips.size + 1, state: 'pending', path: null, createdAt: now } as ClipRecord;
          clips.set(clip.id, clip);
          return clip;
        },
        update: async (id: number, p: ClipPatch) => {
          clips.set(id, { ...clips.get(id)!, ...p });
        },
        listPending: async () => [...clips.values()].filter((c) => c.state === 'pending'),
        listPinnedWithoutFile: async () => [],
      },
      recordings: {
        overlapping: async (_cam: number, from: number, to: number) => {
          queries.count++;
          return recordings.filter((r) => r.endAt > from && r.startAt < to);
        },
      },
    } as never,
    producer: {
      produce: async (c: ClipRecord) => {
        produced.push({ id: c.id, at: clock.now() });
        return { ...c, state: 'ready' as const };
      },
      fail: async (c: ClipRecord) => c,
    },
    files: { removePartials: async () => [] },
    writes: { run: (_what, fn) => fn() }, // retries are WriteRetry's own test
    queue: new ClipWorkQueue({ maxQueued: 10 }),
    clock,
    log: silentLogger,
    preRollMs: 5000,
    postRollMs: 5000,
    maxClipMs,
    settleMs: 2000,
    maxWaitMs: 30_000,
    retryMs: 250,
    head: async () => (head ? { file: 'live/x-000004.ts', ...head } : undefined),
  });
  const ev = { id: 7, cameraId: 2, startAt: T0, endAt: T0 + 10_000, lastSeenAt: T0 + 10_000, pinned: false } as EventRecord;
  const segment = (startAt: number) =>
    recordings.push({ id: recordings.length + 1, cameraId: 2, path: `s${startAt}`, startAt, endAt: startAt + 4000, bytes: 1 });
  return { clock, clips, recordings, produced, service, ev, segment, head, queries };
}

describe('event clips as ranges of the recording', () => {
  it('writes the clip pending at once and marks it ready, without cutting, when the index reaches end + post-roll', async () => {
    const s = setup();
    s.service.scheduleForEvent(s.ev);
    await s.service.idle();
    expect([...s.clips.values()]).toEqual([expect.objectContaining({ eventId: 7, startAt: T0 - 5000, endAt: T0 + 15_000, state: 'pending', kind: 'event' })]);
    for (let t = T0 - 8000; t < T0 + 12_000; t += 4000) s.segment(t); // recording reaches T0 + 12 s only
    s.clock.advance(17_000); // = clip end + settle
    await s.service.idle();
    expect(s.clips.get(1)!.state).toBe('pending'); // not covered yet: waits
    expect(s.service.counters()).toMatchObject({ pending: 1 });
    s.segment(T0 + 12_000); // the segment holding the post-roll is closed and indexed
    s.clock.advance(250);
    await s.service.idle();
    expect(s.clips.get(1)).toMatchObject({ state: 'ready', finalisedAt: T0 + 17_250, durationMs: 23_000, gaps: [] });
    expect(s.produced).toEqual([]); // nothing cut: served from the recording on demand
    expect(s.service.counters()).toMatchObject({ pending: 0, pendingMax: 1 });
  });

  it('is ready as soon as the segment being written holds the end, without waiting for it to close', async () => {
    const head = { startAt: T0 + 12_000, writtenUntil: T0 + 14_000 };
    const s = setup(120_000, head);
    s.service.scheduleForEvent(s.ev);
    await s.service.idle();
    for (let t = T0 - 8000; t < T0 + 12_000; t += 4000) s.segment(t); // indexed up to T0 + 12 s
    s.clock.advance(17_000);
    await s.service.idle();
    expect(s.clips.get(1)!.state).toBe('pending'); // written only up to T0 + 14 s: the end (T0 + 15 s) is not on disk
    head.writtenUntil = T0 + 15_100;
    s.clock.advance(250);
    await s.service.idle();
    expect(s.clips.get(1)).toMatchObject({ state: 'ready', finalisedAt: T0 + 17_250, durationMs: 23_000, gaps: [] });
  });

  it('while the segment being written is short of the end, checks read it and leave the database alone', async () => {
    const head = { startAt: T0 + 12_000, writtenUntil: T0 + 13_000 };
    const s = setup(120_000, head);
    s.service.scheduleForEvent(s.ev);
    await s.service.idle();
    for (let t = T0 - 8000; t < T0 + 12_000; t += 4000) s.segment(t);
    s.clock.advance(17_000);
    for (let i = 0; i < 8; i++) {
      await s.service.idle();
      s.clock.advance(250);
    }
    expect(s.clips.get(1)!.state).toBe('pending');
    expect(s.queries.count).toBe(0); // eight checks, no query: a backlog of clips cannot crowd out alerts' writes
    head.writtenUntil = T0 + 15_100;
    await s.service.idle();
    s.clock.advance(250);
    await s.service.idle();
    expect(s.clips.get(1)).toMatchObject({ state: 'ready', gaps: [] });
    expect(s.queries.count).toBe(1);
  });

  it('takes the segment being written only where it continues what is indexed', () => {
    const segs = [{ endAt: 10_000 }];
    expect(headContinues(segs, { file: 'f', startAt: 10_040, writtenUntil: 16_000 }, 0, 15_000)).toBe(true);
    expect(headContinues(segs, { file: 'f', startAt: 14_000, writtenUntil: 16_000 }, 0, 15_000)).toBe(false); // the index lags: a segment in between
    expect(headContinues([{ endAt: 15_000 }], { file: 'f', startAt: 15_000, writtenUntil: 16_000 }, 0, 15_000)).toBe(false); // indexed already
    expect(headContinues([], { file: 'f', startAt: 1000, writtenUntil: 16_000 }, 2000, 15_000)).toBe(true);
    expect(headContinues([], { file: 'f', startAt: 3000, writtenUntil: 16_000 }, 2000, 15_000)).toBe(false); // misses the start
    expect(headContinues(segs, undefined, 0, 15_000)).toBe(false);
  });

  it('serves what there is once the recording is overdue (camera went offline), listing the gap', async () => {
    const s = setup();
    s.segment(T0 - 4000);
    s.service.scheduleForEvent(s.ev);
    for (let i = 0; i < 50; i++) {
      s.clock.advance(1000);
      await s.service.idle();
    }
    expect(s.clips.get(1)).toMatchObject({ state: 'ready', finalisedAt: T0 + 15_000 + 30_000, gaps: [[T0, T0 + 15_000]] });
  });

  it('saves a pinned clip as a file of its own once ready', async () => {
    const s = setup();
    s.service.scheduleForEvent({ ...s.ev, pinned: true });
    await s.service.idle();
    for (let t = T0 - 8000; t < T0 + 20_000; t += 4000) s.segment(t);
    s.clock.advance(17_000);
    await s.service.idle();
    expect(s.produced).toEqual([{ id: 1, at: T0 + 17_000 }]);
  });

  it('chains clips of a long event as it goes, each final once recorded, and never makes one twice', async () => {
    const s = setup(60_000);
    const open = { ...s.ev, endAt: null, lastSeenAt: T0 + 50_000 };
    s.service.scheduleForEvent(open);
    await s.service.idle();
    expect(s.clips.size).toBe(0); // the first minute is not over yet
    s.service.scheduleForEvent({ ...open, lastSeenAt: T0 + 130_000 });
    await s.service.idle();
    expect([...s.clips.values()].map((c) => [c.startAt - T0, c.endAt - T0])).toEqual([
      [-5000, 55_000],
      [55_000, 115_000],
    ]);
    s.service.scheduleForEvent({ ...open, endAt: T0 + 140_000, lastSeenAt: T0 + 140_000 });
    s.service.scheduleForEvent({ ...open, endAt: T0 + 140_000, lastSeenAt: T0 + 140_000 }); // closed again after a restart
    await s.service.idle();
    expect([...s.clips.values()].map((c) => [c.startAt - T0, c.endAt - T0])).toEqual([
      [-5000, 55_000],
      [55_000, 115_000],
      [115_000, 145_000],
    ]);
    expect(await s.service.recover()).toBe(3);
    await s.service.stop();
  });
});

describe('clip ranges', () => {
  it('chains at most maxMs per clip and lists the outages inside a range', () => {
    expect(chainRanges({ startAt: 0, endAt: 10_000, lastSeenAt: 10_000 }, 1000, 1000, 5000)).toEqual([
      { startAt: -1000, endAt: 4000 },
      { startAt: 4000, endAt: 9000 },
      { startAt: 9000, endAt: 11_000 },
    ]);
    const segs = [
      { startAt: 0, endAt: 4000 },
      { startAt: 4000, endAt: 8000 },
      { startAt: 30_000, endAt: 34_000 },
    ];
    expect(gapsIn(segs, 1000, 33_000)).toEqual([[8000, 30_000]]);
    expect(gapsIn(segs, 0, 8500)).toEqual([]); // under the tolerance
  });
});
