import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipCache } from '../../server/clips/clip.cache.js';
import { moovBeforeMdat } from '../../server/clips/clip.ffmpeg.js';
import type { AlertMessage } from '../../server/domain/socket.events.js';
import { drawBox } from '../../server/events/snapshot.draw.js';
import { Bus, type TrackMessage } from '../../server/shared/bus.js';
import type { Store } from '../../server/store/store.js';
import {
  concatCutter,
  connectClient,
  openTestStore,
  probeDurationS,
  recordSegments,
  startTestServer,
  syntheticFrame,
  tempDir,
  waitFor,
  type TestClient,
  type TestServer,
  addTestCamera,
} from './events.fixture.js';
import { decodeJpeg, psnr } from '../support/jpeg.js';

/**
 * The whole path of issue 6 with real SQLite, real ffmpeg and a real socket.io client:
 * track messages → event row + snapshot file → alert pushed → acknowledged → resolved with a
 * public note → clip cut from recorded segments, playable, hashed, seekable.
 */
describe('track → event → alert → workflow → clip', () => {
  const dataDir = tempDir('events-flow');
  const bus = new Bus();
  let store: Store;
  let server: TestServer;
  let client: TestClient;
  let cameraId: number;
  const base = Date.now() - 40_000; // recording starts 40 s ago: the event's range is already recorded
  const received: AlertMessage[] = [];
  const updates: AlertMessage[] = [];

  beforeAll(async () => {
    store = await openTestStore(dataDir);
    const area = await store.areas.create({ parentId: null, kind: 'hamlet', name: 'Ấp 3' });
    cameraId = (await addTestCamera(store, 'Cổng sau', area.id)).id;
    await recordSegments(store, dataDir, cameraId, base, 15, 2); // [base, base + 30 s)
    server = await startTestServer({ store, bus, dataDir, cutClip: concatCutter(store) });
    client = connectClient(server.url);
    client.on('alert:new', (a) => received.push(a));
    client.on('alert:updated', (a) => updates.push(a));
    const sub = await client.timeout(5000).emitWithAck('alerts:subscribe', { afterId: 0 });
    expect(sub).toMatchObject({ ok: true, data: { alerts: [], lastId: 0, more: false } });
  });

  afterAll(async () => {
    client?.close();
    await server?.close();
    await store?.db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const track = (at: number, score: number, x = 100): TrackMessage => {
    const box: [number, number, number, number] = [x, 40, x + 40, 160];
    return {
      cameraId,
      trackId: `${cameraId}-1`,
      label: 'person',
      score,
      box,
      frameWidth: 320,
      frameHeight: 180,
      firstSeenAt: base + 10_000,
      lastSeenAt: at,
      hits: 1,
      stationary: false,
      best: { frame: syntheticFrame(cameraId, at), box, score },
    };
  };

  it('persists the event with a snapshot and pushes the alert to the police room', async () => {
    bus.emit('track.start', track(base + 10_000, 0.7));
    bus.emit('track.update', track(base + 11_500, 0.8)); // 1.5 s and 2 detections: qualifies
    const alert = await waitFor(() => received[0], 5000, 5);
    expect(alert).toMatchObject({
      kind: 'object',
      severity: 'normal',
      state: 'new',
      cameraId,
      cameraName: 'Cổng sau',
      label: 'person',
      visibility: 'internal',
    });
    // The alert goes out on confirmation, before the snapshot is encoded; the picture follows as an update.
    expect(alert.snapshotUrl).toBeNull();
    const withPicture = await waitFor(() => updates.find((u) => u.id === alert.id && u.snapshotUrl), 5000, 5);
    expect(withPicture.snapshotUrl).toMatch(new RegExp(`^/api/events/${alert.eventId}/snapshots/best\\.jpg`));

    const ev = (await store.events.get(alert.eventId!))!;
    expect(ev).toMatchObject({ cameraId, label: 'person', startAt: base + 10_000, endAt: null, visibility: 'internal' });
    expect(ev.snapshotPath).toMatch(/^snapshots\/\d+\/\d{4}-\d\d-\d\d\/event-\d+-best\.jpg$/);
    const jpeg = readFileSync(path.join(dataDir, ev.snapshotPath!));
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    // Another decoder (ffmpeg) shows the frame with the red box: the picture a person opens.
    const [y, u, v] = psnr(await decodeJpeg(jpeg), drawBox(syntheticFrame(cameraId, 0), [100, 40, 140, 160]).data, 320, 180);
    expect(Math.min(y, u, v)).toBeGreaterThan(30);
    expect(ev.snapshotBytes).toBeGreaterThan(jpeg.length);

    const res = await fetch(`${server.url}${withPicture.snapshotUrl}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer()).equals(jpeg)).toBe(true);
  });

  it('acknowledges, then resolves with a public note; each change is in the history and pushed', async () => {
    const alert = received[0]!;
    const post = (body: unknown) =>
      fetch(`${server.url}/api/alerts/${alert.id}/state`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const bad = await post({ state: 'resolved' });
    expect(bad.status).toBe(409);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_transition', params: { from: 'new', to: 'resolved' } } });

    expect((await post({ state: 'acknowledged', note: 'Đã nhận, đang xem camera' })).status).toBe(200);
    await waitFor(() => updates.find((u) => u.state === 'acknowledged'), 3000, 5);
    const done = await post({ state: 'resolved', note: 'Công an đã kiểm tra, không có đột nhập', noteVisibility: 'public' });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ alert: { state: 'resolved' }, note: { visibility: 'public' } });
    await waitFor(() => updates.find((u) => u.state === 'resolved'), 3000, 5);

    const detail = (await (await fetch(`${server.url}/api/events/${alert.eventId}`)).json()) as {
      history: { fromState: string | null; toState: string; note: string | null }[];
      notes: { visibility: string; body: string }[];
    };
    expect(detail.history.map((h) => [h.fromState, h.toState])).toEqual([
      [null, 'new'],
      ['new', 'acknowledged'],
      ['acknowledged', 'resolved'],
    ]);
    expect(detail.notes.map((n) => n.visibility)).toEqual(['internal', 'public']);
  });

  it('ends the event: its clip is the recorded range, ready without cutting, served on demand as a faststart MP4', async () => {
    const eventId = received[0]!.eventId!;
    bus.emit('track.update', track(base + 13_000, 0.9, 200));
    bus.emit('track.end', { ...track(base + 14_000, 0.9, 200), reason: 'lost' });
    const clip = await waitFor(
      async () => {
        const c = await store.clips.byEvent(eventId);
        return c && c.state !== 'pending' ? c : undefined;
      },
      30_000,
      100,
    );
    expect(clip).toMatchObject({ state: 'ready', kind: 'event', startAt: base + 7000, endAt: base + 17_000, error: null, gaps: [] });
    // No file of its own: an unpinned event clip costs no disk beyond the recording.
    expect(clip).toMatchObject({ path: null, sha256: null, bytes: null });
    expect(existsSync(path.join(dataDir, 'clips'))).toBe(false);
    const ev = (await store.events.get(eventId))!;
    expect(ev).toMatchObject({ endAt: base + 14_000, endReason: 'lost', score: 0.9 });

    const detail = (await (await fetch(`${server.url}/api/events/${eventId}`)).json()) as { clip: { videoUrl: string; posterUrl: string; durationMs: number } };
    expect(detail.clip).toMatchObject({ videoUrl: `/api/clips/${clip.id}/video.mp4`, posterUrl: `/api/clips/${clip.id}/poster.jpg`, durationMs: 11_000 }); // from the keyframe at base + 6 s
    const poster = await fetch(`${server.url}${detail.clip.posterUrl}`);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await poster.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    const video = Buffer.from(await (await fetch(`${server.url}${detail.clip.videoUrl}`)).arrayBuffer());
    const file = path.join(dataDir, ClipCache.paths(clip.id).video);
    expect(readFileSync(file).equals(video)).toBe(true);
    const duration = await probeDurationS(file);
    const wanted = (clip.endAt - clip.startAt) / 1000; // event 4 s + 3 s pre-roll + 3 s post-roll
    expect(duration).toBeGreaterThanOrEqual(wanted - 0.2);
    expect(duration).toBeLessThanOrEqual(wanted + 2 * 2 + 0.2); // within one 2 s segment each side
    expect(await moovBeforeMdat(file)).toBe(true);
    expect(readdirNoParts(path.dirname(file))).toBe(true);
  });

  it('pinning the event saves its clip as a file of its own, with a matching SHA-256', async () => {
    const eventId = received[0]!.eventId!;
    expect((await fetch(`${server.url}/api/events/${eventId}/pin`, { method: 'POST' })).status).toBe(200);
    const clip = await waitFor(
      async () => {
        const c = await store.clips.byEvent(eventId);
        return c?.path ? c : undefined;
      },
      30_000,
      100,
    );
    const file = path.join(dataDir, clip.path!);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(clip.sha256);
    expect(await moovBeforeMdat(file)).toBe(true);
  });

  it('serves the clip with HTTP range requests so the browser can seek', async () => {
    const clip = (await store.clips.byEvent(received[0]!.eventId!))!;
    const whole = readFileSync(path.join(dataDir, clip.path!)); // the pinned clip's own file
    const url = `${server.url}/api/clips/${clip.id}/video.mp4`;

    const full = await fetch(url);
    expect(full.status).toBe(200);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(full.headers.get('content-type')).toBe('video/mp4');
    expect(Number(full.headers.get('content-length'))).toBe(whole.length);
    await full.arrayBuffer();

    const mid = await fetch(url, { headers: { range: 'bytes=1000-1999' } });
    expect(mid.status).toBe(206);
    expect(mid.headers.get('content-range')).toBe(`bytes 1000-1999/${whole.length}`);
    expect(Buffer.from(await mid.arrayBuffer()).equals(whole.subarray(1000, 2000))).toBe(true);

    const tail = await fetch(url, { headers: { range: `bytes=${whole.length - 100}-` } });
    expect(tail.status).toBe(206);
    expect((await tail.arrayBuffer()).byteLength).toBe(100);

    const beyond = await fetch(url, { headers: { range: `bytes=${whole.length + 10}-` } });
    expect(beyond.status).toBe(416);
  });
});

function readdirNoParts(dir: string): boolean {
  return !readdirSync(dir).some((f) => f.includes('.part'));
}
