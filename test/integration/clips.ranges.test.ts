import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingLeases } from '../../server/ingest/recording.leases.js';
import { RecordingRetention } from '../../server/ingest/recording.retention.js';
import { Bus, type TrackMessage } from '../../server/shared/bus.js';
import { silentLogger } from '../../server/shared/log.js';
import type { Store } from '../../server/store/store.js';
import {
  concatCutter,
  openTestStore,
  probeDurationS,
  recordSegments,
  startTestServer,
  syntheticFrame,
  tempDir,
  waitFor,
  type TestServer,
  addTestCamera,
} from './events.fixture.js';

/**
 * Issue 19 items 3 and 8, issue 11 §3, with real SQLite, real segments and real ffmpeg: event
 * clips are ranges of the recording, ready when the index reaches their end, chained for long
 * events; recording retention never deletes what a cut holds; outages are listed as gaps.
 */
describe('clips as ranges of the recording', () => {
  const dataDir = tempDir('clip-ranges');
  const bus = new Bus();
  const holds = new RecordingLeases();
  let store: Store;
  let server: TestServer;
  let cam: number;
  let gapCam: number;
  let sweepDuringCut: (() => Promise<unknown>) | undefined;
  const base = Date.now() - 60_000;

  const camera = async (name: string) => (await addTestCamera(store, name, null, { settings: { rules: { minDurationMs: 0, minFrames: 1 } } })).id;

  beforeAll(async () => {
    store = await openTestStore(dataDir);
    cam = await camera('Chợ');
    gapCam = await camera('Cầu');
    await recordSegments(store, dataDir, cam, base, 20, 2); // [base, base + 40 s)
    await recordSegments(store, dataDir, gapCam, base, 5, 2); // [base, base + 10 s) … camera offline … [base + 20 s, base + 30 s)
    await recordSegments(store, dataDir, gapCam, base + 20_000, 5, 2);
    const cut = concatCutter(store, {
      beforeWrite: async () => {
        await sweepDuringCut?.();
      },
    });
    server = await startTestServer({ store, bus, dataDir, cutClip: cut, holds, maxClipS: 10, tuning: { clipMaxWaitMs: 600_000 } });
  });

  afterAll(async () => {
    await server?.close();
    await store?.db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const track = (trackId: string, cameraId: number, first: number, at: number): TrackMessage => {
    const box: [number, number, number, number] = [10, 10, 50, 150];
    return {
      cameraId,
      trackId,
      label: 'person',
      score: 0.8,
      box,
      frameWidth: 320,
      frameHeight: 180,
      firstSeenAt: first,
      lastSeenAt: at,
      hits: 1,
      stationary: false,
      best: { frame: syntheticFrame(cameraId, at), box, score: 0.8 },
    };
  };

  it('is pending until the segment holding its end is indexed, then ready at once, with nothing cut', async () => {
    // The last segment of the range is still being written: not in the index yet.
    const late = (await store.recordings.overlapping(cam, base + 10_000, base + 12_000))[0]!;
    await store.recordings.delete([late.id]);
    bus.emit('track.start', track('r1', cam, base + 5000, base + 5000));
    bus.emit('track.end', { ...track('r1', cam, base + 5000, base + 8000), reason: 'lost' }); // clip [base + 2 s, base + 11 s]
    const ev = await waitFor(async () =>
      (await store.events.list({ cameraId: cam }, { all: true }, { limit: 1, offset: 0, sort: 'id', order: 'desc' })).items.find((e) => e.endAt),
    );
    const pending = await waitFor(() => store.clips.byEvent(ev.id));
    await new Promise((r) => setTimeout(r, 600)); // a few readiness checks
    expect((await store.clips.get(pending.id))!.state).toBe('pending');
    expect(server.module.clips.counters()).toMatchObject({ pending: 1 });
    await store.recordings.add({ cameraId: cam, path: late.path, startAt: late.startAt, endAt: late.endAt, bytes: late.bytes });
    const ready = await waitFor(
      async () => {
        const c = await store.clips.get(pending.id);
        return c?.state === 'ready' ? c : undefined;
      },
      5000,
      20,
    );
    expect(ready).toMatchObject({ startAt: base + 2000, endAt: base + 11_000, path: null, gaps: [] });
    expect(existsSync(path.join(dataDir, 'clips'))).toBe(false);
    expect(server.module.clips.counters().pendingMax).toBeLessThanOrEqual(2); // the number of cameras in this run
  });

  it('splits a long event into chained clips of at most record.maxClipSeconds, each playable', async () => {
    bus.emit('track.start', track('r2', cam, base + 3000, base + 3000));
    bus.emit('track.end', { ...track('r2', cam, base + 3000, base + 30_000), reason: 'lost' }); // [base, base + 33 s]
    const ev = await waitFor(async () =>
      (await store.events.list({ cameraId: cam }, { all: true }, { limit: 1, offset: 0, sort: 'id', order: 'desc' })).items.find(
        (e) => e.trackId === 'r2' && e.endAt,
      ),
    );
    const chain = await waitFor(async () => {
      const cs = await store.clips.listByEvent(ev.id);
      return cs.length === 4 && cs.every((c) => c.state === 'ready') ? cs : undefined;
    });
    expect(chain.map((c) => [c.startAt - base, c.endAt - base])).toEqual([
      [0, 10_000],
      [10_000, 20_000],
      [20_000, 30_000],
      [30_000, 33_000],
    ]);
    const res = await fetch(`${server.url}/api/clips/${chain[1]!.id}/video.mp4`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(await probeDurationS(path.join(dataDir, 'cache/clips', `clip-${chain[1]!.id}.mp4`))).toBeLessThanOrEqual(10 + 2 + 0.2);
  });

  it('reports event-media bytes per camera-hour: snapshots and saved clip files only', async () => {
    const stats = await server.module.clips.mediaStats();
    const snaps = (await store.events.list({ cameraId: cam }, { all: true }, { limit: 10, offset: 0, sort: 'id', order: 'asc' })).items.reduce(
      (n, e) => n + e.snapshotBytes,
      0,
    );
    const row = stats.perCamera.find((p) => p.cameraId === cam)!;
    expect(snaps).toBeGreaterThan(0);
    expect(row).toMatchObject({ snapshotBytes: snaps, clipBytes: 0, recordedHours: 40 / 3600 }); // six clips so far, no file
    expect(row.bytesPerCameraHour).toBeCloseTo(snaps / (40 / 3600), 3);
  });

  it('lists an outage inside a clip as a gap instead of splicing both sides', async () => {
    const c = await store.clips.create({
      cameraId: gapCam,
      eventId: null,
      kind: 'event',
      startAt: base + 4000,
      endAt: base + 26_000,
      pinned: false,
      reason: null,
      createdBy: null,
    });
    await server.module.clips.clips.recover();
    const ready = await waitFor(async () => {
      const x = await store.clips.get(c.id);
      return x?.state !== 'pending' ? x : undefined;
    });
    expect(ready).toMatchObject({ state: 'ready' });
    expect(ready.gaps).toEqual([[base + 10_000, base + 20_000]]);
    expect(ready.durationMs).toBe(26_000 - 4000 - 10_000);
    const view = (await (await fetch(`${server.url}/api/clips/${c.id}`)).json()) as { gaps: [number, number][] };
    expect(view.gaps).toEqual([[base + 10_000, base + 20_000]]);
  });

  it('ends the events of a camera at its outage; the track carried across it makes a new event from its first sighting after', async () => {
    bus.emit('track.start', track('o1', gapCam, base + 5000, base + 5000));
    bus.emit('track.update', track('o1', gapCam, base + 5000, base + 8000));
    const first = await waitFor(
      async () => (await store.events.list({ cameraId: gapCam }, { all: true }, { limit: 5, offset: 0, sort: 'id', order: 'asc' })).items[0],
    );
    bus.emit('camera.state', { cameraId: gapCam, state: 'offline', reason: 'no packets', at: base + 10_000 });
    bus.emit('track.update', track('o1', gapCam, base + 5000, base + 22_000)); // the tracker kept the id across the outage
    bus.emit('track.end', { ...track('o1', gapCam, base + 5000, base + 26_000), reason: 'lost' });
    const evs = await waitFor(async () => {
      const items = (await store.events.list({ cameraId: gapCam }, { all: true }, { limit: 5, offset: 0, sort: 'id', order: 'asc' })).items;
      return items.length === 2 && items.every((e) => e.endAt) ? items : undefined;
    });
    expect(evs[0]).toMatchObject({ id: first.id, startAt: base + 5000, endAt: base + 8000, endReason: 'camera_offline' });
    expect(evs[1]).toMatchObject({ startAt: base + 22_000, endAt: base + 26_000, endReason: 'lost' });
  });

  it('recording retention skips the segments an export is cutting (a lease), and deletes them once released', async () => {
    const retention = new RecordingRetention({
      recordings: store.recordings,
      recordingsDir: dataDir,
      config: () => ({ recordingDays: 0, eventDays: 30, maxDiskGb: 0, minFreeGb: 0, keepRecentMinutes: 10 }),
      log: silentLogger,
      leases: holds,
      now: () => Date.now() + 86_400_000,
    });
    let swept: Awaited<ReturnType<RecordingRetention['sweep']>> | undefined;
    sweepDuringCut = async () => {
      swept = await retention.sweep();
    };
    const res = await fetch(`${server.url}/api/clips/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cameraId: cam, from: base + 20_000, to: base + 26_000, reason: 'lease test' }),
    });
    sweepDuringCut = undefined;
    expect(res.status).toBe(201);
    expect(swept!.deleted).toBeGreaterThan(0); // everything else of every camera went
    const kept = await store.recordings.overlapping(cam, base + 20_000, base + 26_000);
    expect(kept.map((r) => r.startAt - base)).toEqual([20_000, 22_000, 24_000]);
    expect(kept.every((r) => existsSync(r.path))).toBe(true);
    expect((await retention.sweep()).deleted).toBe(3);
  });
});
