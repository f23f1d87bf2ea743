import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import type { Point } from '../../server/domain/geometry.js';
import type { TestServer } from '../support/server.js';
import { seedEvent } from '../e2e/support/seed.js';
import { addUser, login, seedAreas, startAuthServer } from './auth.world.js';
import { waitFor } from './events.fixture.js';

const run = promisify(execFile);

/**
 * Issue 17 item 6 with real parts: a simulated RTSP camera recorded by the real server, a
 * "hide from residents" mask and a "hide from everyone" mask, and ffmpeg decoding exactly the
 * bytes the API serves. Residents get both polygons black in the event snapshot, the clip (a
 * masked rendition with its own SHA-256) and its poster; the police get the original, except
 * the "everyone" mask, which ffmpeg burned into the recording and the live JPEG.
 */
const W = 160;
const H = 90;
const forResidents: Point[] = [
  [0.1, 0.2],
  [0.4, 0.15],
  [0.42, 0.6],
  [0.12, 0.7],
];
const forEveryone: Point[] = [
  [0.6, 0.2],
  [0.9, 0.2],
  [0.9, 0.6],
  [0.6, 0.6],
];

/** The first picture of a JPEG or video, decoded by ffmpeg to W×H grey levels. */
async function decodeGrey(file: string): Promise<Buffer> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-frames:v', '1', '-vf', `scale=${W}:${H}`, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
    {
      encoding: 'buffer',
      maxBuffer: 1 << 20,
    },
  );
  return stdout;
}

/** Mean grey level of the pixels whose centres lie inside the polygon shrunk towards its centre (JPEG blurs edges). */
function meanInside(grey: Buffer, poly: Point[]): number {
  const cx = poly.reduce((s, p) => s + p[0], 0) / poly.length;
  const cy = poly.reduce((s, p) => s + p[1], 0) / poly.length;
  const inner = poly.map(([x, y]) => [cx + (x - cx) * 0.7, cy + (y - cy) * 0.7] as Point);
  let sum = 0;
  let n = 0;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      if (!inside((x + 0.5) / W, (y + 0.5) / H, inner)) continue;
      sum += grey[y * W + x]!;
      n++;
    }
  return sum / n;
}

function inside(x: number, y: number, poly: Point[]): boolean {
  let hit = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

const BLACK = 30;
const PICTURE = 45;

describe('privacy masks on what residents receive', () => {
  let srv: TestServer;
  let sim: SimulatedCamera;
  let cameraId: number;
  let police: string;
  let resident: string;
  let eventId: number;
  let clipId: number;
  const dir = () => path.join(srv.config.dataDir, 'test-media');

  /** GET as a user; the body saved to a file for ffmpeg. */
  async function fetchMedia(url: string, cookie: string, name: string) {
    const res = await fetch(`${srv.url}${url}`, { headers: { cookie, accept: 'image/jpeg,video/mp4' } });
    const body = Buffer.from(await res.arrayBuffer());
    const file = path.join(dir(), name);
    writeFileSync(file, body);
    return { status: res.status, headers: res.headers, body, file };
  }

  beforeAll(async () => {
    sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 640, height: 360, fps: 10 });
    await sim.start();
    srv = await startAuthServer({}, { detect: { fps: 1, workers: 1 }, record: { segmentSeconds: 2 } });
    mkdirSync(dir(), { recursive: true });
    const areas = await seedAreas(srv.store);
    await addUser(srv, 'congan', ['police'], [areas.commune]);
    await addUser(srv, 'todan', ['resident'], [areas.hamletA]);
    police = await login(srv, 'congan');
    resident = await login(srv, 'todan');
    const cam = await srv.cameras.service.register({
      name: 'Ngõ 3 chợ Đông',
      areaId: areas.hamletA,
      defaultVisibility: 'shared',
      streams: { detect: { url: sim.rtspUrl } },
      settings: {
        privacyMasks: [
          { points: forResidents, hide: 'residents' },
          { points: forEveryone, hide: 'everyone' },
        ],
      },
    });
    cameraId = cam.id;
    // A few recorded segments, then an event of the residents' area over them with a snapshot
    // grabbed from the camera itself and a clip cut from the recording when first asked for.
    const t0 = Date.now();
    await waitFor(async () => ((await srv.store.recordings.overlapping(cameraId, t0 - 60_000, Date.now())).length >= 3 ? true : undefined), 60_000, 250);
    const segs = await srv.store.recordings.overlapping(cameraId, t0 - 60_000, Date.now());
    const from = segs[0]!.startAt;
    const to = segs[segs.length - 1]!.endAt;
    const ev = await seedEvent(srv.store, { cameraId, areaId: areas.hamletA, at: from, visibility: 'shared' });
    eventId = ev.id;
    const snap = `snapshots/${cameraId}/event-${ev.id}-best.jpg`;
    mkdirSync(path.join(srv.config.dataDir, path.dirname(snap)), { recursive: true });
    await run('ffmpeg', ['-v', 'error', '-rtsp_transport', 'tcp', '-i', sim.rtspUrl, '-frames:v', '1', '-q:v', '3', '-y', path.join(srv.config.dataDir, snap)]);
    await srv.store.events.update(ev.id, { snapshotPath: snap });
    const clip = await srv.store.clips.create({
      cameraId,
      eventId: ev.id,
      kind: 'event',
      startAt: from,
      endAt: to,
      pinned: false,
      reason: null,
      createdBy: null,
    });
    await srv.store.clips.update(clip.id, {
      state: 'ready',
      path: null,
      posterPath: null,
      sha256: null,
      bytes: null,
      durationMs: to - from,
      finalisedAt: Date.now(),
    });
    clipId = clip.id;
  }, 120_000);

  afterAll(async () => {
    await srv?.stop();
    await sim?.stop();
  });

  it('event snapshot: black in both polygons for a resident, only in the "everyone" one for the police; one encode for many residents', async () => {
    const url = `/api/events/${eventId}/snapshots/best.jpg`;
    const before = srv.events.privacy.jpegEncodes;
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => fetchMedia(url, resident, `snap-resident-${i}.jpg`)));
    expect(many.every((r) => r.status === 200 && r.body.equals(many[0]!.body))).toBe(true);
    expect(srv.events.privacy.jpegEncodes - before).toBe(1);
    const mine = await decodeGrey(many[0]!.file);
    expect(meanInside(mine, forResidents)).toBeLessThan(BLACK);
    expect(meanInside(mine, forEveryone)).toBeLessThan(BLACK);

    const theirs = await decodeGrey((await fetchMedia(url, police, 'snap-police.jpg')).file);
    expect(meanInside(theirs, forResidents)).toBeGreaterThan(PICTURE);
    expect(meanInside(theirs, forEveryone)).toBeLessThan(BLACK);
  });

  it('clip: a resident gets a masked rendition with its own SHA-256; the police get the recording as kept', async () => {
    const r = await fetchMedia(`/api/clips/${clipId}/video.mp4`, resident, 'clip-resident.mp4');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-privacy-masked')).toBe('1');
    expect(r.headers.get('x-content-sha256')).toBe(createHash('sha256').update(r.body).digest('hex'));
    const mine = await decodeGrey(r.file);
    expect(meanInside(mine, forResidents)).toBeLessThan(BLACK);
    expect(meanInside(mine, forEveryone)).toBeLessThan(BLACK);

    const p = await fetchMedia(`/api/clips/${clipId}/video.mp4`, police, 'clip-police.mp4');
    expect(p.status).toBe(200);
    expect(p.headers.get('x-privacy-masked')).toBeNull();
    expect(p.body.equals(r.body)).toBe(false);
    const theirs = await decodeGrey(p.file);
    expect(meanInside(theirs, forResidents)).toBeGreaterThan(PICTURE);
    // burned in at recording time by ffmpeg: nobody sees behind it
    expect(meanInside(theirs, forEveryone)).toBeLessThan(BLACK);

    // The rendition is made once: asked again, the same file (same hash).
    const again = await fetchMedia(`/api/clips/${clipId}/video.mp4`, resident, 'clip-resident-2.mp4');
    expect(again.headers.get('x-content-sha256')).toBe(r.headers.get('x-content-sha256'));
  });

  it('clip poster: masked for a resident, the original for the police', async () => {
    const mine = await decodeGrey((await fetchMedia(`/api/clips/${clipId}/poster.jpg`, resident, 'poster-resident.jpg')).file);
    expect(meanInside(mine, forResidents)).toBeLessThan(BLACK);
    const theirs = await decodeGrey((await fetchMedia(`/api/clips/${clipId}/poster.jpg`, police, 'poster-police.jpg')).file);
    expect(meanInside(theirs, forResidents)).toBeGreaterThan(PICTURE);
  });

  it('live JPEG: the police see the "everyone" mask drawn by ffmpeg and the rest of the picture', async () => {
    const r = await waitFor(
      async () => {
        const m = await fetchMedia(`/api/cameras/${cameraId}/live.jpg`, police, 'live-police.jpg');
        return m.status === 200 ? m : undefined;
      },
      20_000,
      250,
    );
    const grey = await decodeGrey(r.file);
    expect(meanInside(grey, forEveryone)).toBeLessThan(BLACK);
    expect(meanInside(grey, forResidents)).toBeGreaterThan(PICTURE);
  });

  it('live JPEG for a viewer who is not staff: masked, once per frame however many ask', async () => {
    const frame = srv.ingest.latestJpeg(cameraId)!;
    const before = srv.events.privacy.jpegEncodes;
    const out = await Promise.all(Array.from({ length: 10 }, () => srv.events.privacy.jpeg(cameraId, frame.jpeg, 'resident', 'live')));
    expect(srv.events.privacy.jpegEncodes - before).toBe(1);
    const file = path.join(dir(), 'live-resident.jpg');
    writeFileSync(file, out[0]!);
    const grey = await decodeGrey(file);
    expect(meanInside(grey, forResidents)).toBeLessThan(BLACK);
    expect(meanInside(grey, forEveryone)).toBeLessThan(BLACK);
  });
});
