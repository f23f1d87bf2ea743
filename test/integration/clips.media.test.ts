import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipCache } from '../../server/clips/clip.cache.js';
import { clipPaths } from '../../server/clips/clip.producer.js';
import { SnapshotService } from '../../server/events/snapshot.service.js';
import { Bus } from '../../server/shared/bus.js';
import type { ClipRecord } from '../../server/store/clip.repository.js';
import type { EventRecord } from '../../server/store/event.repository.js';
import type { Store } from '../../server/store/store.js';
import { concatCutter, openTestStore, probeDurationS, rawGet, recordSegments, startTestServer, tempDir, waitFor, type TestServer } from './events.fixture.js';

const DAY = 86_400_000;

describe('clips: export, media serving, faults and retention', () => {
  const dataDir = tempDir('clips');
  const bus = new Bus();
  let store: Store;
  let server: TestServer;
  let cameraId: number;
  let failNextCut = false;
  const base = Date.now() - 30_000;
  let readyClip: ClipRecord;
  let event: EventRecord;

  beforeAll(async () => {
    store = await openTestStore(dataDir);
    cameraId = (
      await store.cameras.create({
        name: 'Bến đò',
        areaId: null,
        ownerName: null,
        ownerKind: null,
        address: 'Bến đò Ấp 2',
        latitude: null,
        longitude: null,
        onvifUrl: null,
        credentialsEnc: null,
        streams: { detect: { url: 'rtsp://127.0.0.1/x' } },
        settings: {},
        defaultVisibility: 'internal',
        enabled: true,
        clockOffsetMs: null,
        demo: false,
      })
    ).id;
    await recordSegments(store, dataDir, cameraId, base, 10, 2); // [base, base + 20 s)

    // A crash mid-cut in a previous run: a pending clip and its half-written temporary file.
    event = await store.events.create({
      cameraId,
      areaId: null,
      trackId: 't',
      label: 'person',
      score: 0.9,
      box: null,
      zones: [],
      startAt: base + 6000,
      lastSeenAt: base + 9000,
      bestAt: null,
      visibility: 'internal',
    });
    await store.events.update(event.id, { endAt: base + 9000, endReason: 'lost' });
    const pending = await store.clips.create({
      cameraId,
      eventId: event.id,
      kind: 'event',
      startAt: base + 3000,
      endAt: base + 12_000,
      pinned: false,
      reason: null,
      createdBy: null,
    });
    const half = path.join(dataDir, clipPaths(pending).cut);
    mkdirSync(path.dirname(half), { recursive: true });
    writeFileSync(half, Buffer.alloc(1000, 1));

    const cut = concatCutter(store, {
      beforeWrite: async (out) => {
        if (!failNextCut) return;
        failNextCut = false;
        writeFileSync(out, Buffer.alloc(5000, 7)); // half a file, then the cutter dies
        throw new Error('ffmpeg killed');
      },
    });
    server = await startTestServer({ store, bus, dataDir, cutClip: cut });
    readyClip = await waitFor(async () => {
      const c = await store.clips.get(pending.id);
      return c?.state === 'ready' ? c : undefined;
    });
  });

  afterAll(async () => {
    await server?.close();
    await store?.db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (p: string, body: unknown) =>
    fetch(`${server.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const filesUnder = (rel: string) => (existsSync(path.join(dataDir, rel)) ? readdirSync(path.join(dataDir, rel), { recursive: true }).map(String) : []);

  it('a clip a crash left pending is ready at start, served from the recording; the half-written file is removed', async () => {
    expect(readyClip).toMatchObject({ state: 'ready', eventId: event.id, path: null });
    expect(filesUnder('clips').filter((f) => f.includes('.part'))).toEqual([]);
    const res = await fetch(`${server.url}/api/clips/${readyClip.id}/video.mp4`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    const file = path.join(dataDir, ClipCache.paths(readyClip.id).video);
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(file))).toBe(true);
    expect(await probeDurationS(file)).toBeGreaterThanOrEqual((readyClip.endAt - readyClip.startAt) / 1000 - 0.2);
  });

  it('exports a kept range as MP4 + manifest, pinned and audited', async () => {
    const res = await post('/api/clips/export', { cameraId, from: base + 2000, to: base + 8000, reason: 'Hồ sơ vụ việc 12/2026' });
    expect(res.status).toBe(201);
    const { clip, manifest } = (await res.json()) as {
      clip: { id: number; sha256: string; pinned: boolean; kind: string; manifestUrl: string };
      manifest: Record<string, unknown>;
    };
    expect(clip).toMatchObject({ kind: 'export', pinned: true });
    expect(manifest).toMatchObject({
      format: 'binhyen-export/1',
      clipId: clip.id,
      camera: { id: cameraId, name: 'Bến đò' },
      range: { from: base + 2000, to: base + 8000 },
      sha256: clip.sha256,
      exportedBy: { userId: null, ip: '127.0.0.1' },
      reason: 'Hồ sơ vụ việc 12/2026',
    });
    const video = Buffer.from(await (await fetch(`${server.url}/api/clips/${clip.id}/download`)).arrayBuffer());
    expect(createHash('sha256').update(video).digest('hex')).toBe(clip.sha256);
    const row = (await store.clips.get(clip.id))!;
    expect(await probeDurationS(path.join(dataDir, row.path!))).toBeGreaterThanOrEqual(6 - 0.2);
    const onDisk = JSON.parse(await (await fetch(`${server.url}${clip.manifestUrl}`)).text()) as Record<string, unknown>;
    expect(onDisk).toEqual(manifest);
    expect(server.audits).toEqual([
      expect.objectContaining({
        action: 'clip.export',
        resourceType: 'clip',
        resourceId: String(clip.id),
        detail: expect.objectContaining({ sha256: clip.sha256, reason: 'Hồ sơ vụ việc 12/2026' }),
      }),
    ]);
  });

  it('says clearly why a range cannot be exported', async () => {
    const gone = await post('/api/clips/export', { cameraId, from: base - 3_600_000, to: base - 3_000_000, reason: 'too old' });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { code: 'range_not_kept', params: { earliestKept: base } } });
    expect((await post('/api/clips/export', { cameraId, from: base, to: base + 7_200_000, reason: 'long' })).status).toBe(400);
    expect((await post('/api/clips/export', { cameraId, from: base + 5000, to: base, reason: 'backwards' })).status).toBe(400);
    expect((await post('/api/clips/export', { cameraId, from: base, to: base + 5000 })).status).toBe(400); // no reason
    expect((await post('/api/clips/export', { cameraId: 999, from: base, to: base + 5000, reason: 'x'.repeat(5) })).status).toBe(404);
  });

  it('a cut that dies half-way leaves the clip failed and no file marked ready', async () => {
    failNextCut = true;
    const res = await post('/api/clips/export', { cameraId, from: base + 2000, to: base + 4000, reason: 'crash test' });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: 'export_failed' } });
    const failed = (await store.clips.list({ kind: 'export', state: 'failed' }, { all: true }, { limit: 5, offset: 0, sort: 'id', order: 'desc' })).items[0]!;
    expect(failed).toMatchObject({ state: 'failed', path: null, sha256: null, error: 'ffmpeg killed' });
    expect(filesUnder('exports').filter((f) => f.includes(`export-${failed.id}`))).toEqual([]);
    const served = await fetch(`${server.url}/api/clips/${failed.id}/video.mp4`);
    expect(served.status).toBe(404);
    expect(await served.json()).toMatchObject({ error: { code: 'clip_failed' } });
  });

  it('refuses path tricks on every media route with a 4xx and never leaks a file', async () => {
    const routes = [
      (id: string) => `/api/events/${id}/snapshots/best.jpg`,
      (id: string) => `/api/events/${id}/snapshots/first.jpg`,
      (id: string) => `/api/clips/${id}/video.mp4`,
      (id: string) => `/api/clips/${id}/poster.jpg`,
      (id: string) => `/api/clips/${id}/download`,
      (id: string) => `/api/clips/${id}/manifest.json`,
    ];
    const ids = [
      '..',
      '%2e%2e',
      '..%2F..%2F..%2Fetc%2Fpasswd',
      '%2Fetc%2Fpasswd',
      '..%5C..%5Cwindows',
      '1%00',
      '%00',
      `${readyClip.id}%2F..%2F..%2Ftest.sqlite`,
      '..%252F..%252Fetc%252Fpasswd',
      '/etc/passwd',
      '1;ls',
      '-1',
      '0x1',
      '1e3',
      '9007199254740993',
    ];
    const tails = ['/../../../../etc/passwd', '/..%2F..%2F..%2Fetc%2Fpasswd', '%00.jpg', '/%2e%2e/%2e%2e/test.sqlite'];
    for (const route of routes) {
      for (const id of ids) {
        const res = await rawGet(server.port, route(id));
        expect(res.status, route(id)).toBeGreaterThanOrEqual(400);
        expect(res.status, route(id)).toBeLessThan(500);
        expect(res.body.toString('latin1')).not.toMatch(/root:|SQLite format/);
      }
      for (const tail of tails) {
        const res = await rawGet(server.port, route(String(readyClip.id)) + tail);
        expect(res.status, route(String(readyClip.id)) + tail).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.body.toString('latin1')).not.toMatch(/root:|SQLite format/);
      }
    }
    // A clean id still works, so the 4xx above were about the tricks.
    expect((await rawGet(server.port, `/api/clips/${readyClip.id}/poster.jpg`)).status).toBe(200);
  });

  it('retention deletes old clips and snapshots, keeps their rows and never touches pinned evidence', async () => {
    const old = Date.now() - 40 * DAY;
    const mk = async (pinned: boolean) => {
      const ev = await store.events.create({
        cameraId,
        areaId: null,
        trackId: 'old',
        label: 'person',
        score: 0.7,
        box: null,
        zones: [],
        startAt: old,
        lastSeenAt: old + 5000,
        bestAt: old,
        visibility: 'internal',
      });
      const snap = SnapshotService.pathFor(cameraId, ev.id, old, 'best');
      mkdirSync(path.dirname(path.join(dataDir, snap)), { recursive: true });
      writeFileSync(path.join(dataDir, snap), Buffer.alloc(3000, 1));
      await store.events.update(ev.id, { endAt: old + 5000, endReason: 'lost', snapshotPath: snap, snapshotBytes: 3000, pinned });
      const clip = await store.clips.create({
        cameraId,
        eventId: ev.id,
        kind: 'event',
        startAt: old - 3000,
        endAt: old + 8000,
        pinned,
        reason: null,
        createdBy: null,
      });
      const p = clipPaths(clip);
      mkdirSync(path.join(dataDir, p.dir), { recursive: true });
      writeFileSync(path.join(dataDir, p.video), Buffer.alloc(10_000, 2));
      await store.clips.update(clip.id, { state: 'ready', path: p.video, bytes: 10_000, sha256: 'a'.repeat(64) });
      return { ev, clip: (await store.clips.get(clip.id))!, snap };
    };
    const plain = await mk(false);
    const evidence = await mk(true);
    const report = await server.module.clips.retention.run();
    expect(report).toMatchObject({ clipsDeleted: 1, snapshotsDeleted: 1, bytesFreed: 13_000 });

    expect(existsSync(path.join(dataDir, plain.clip.path!))).toBe(false);
    expect(existsSync(path.join(dataDir, plain.snap))).toBe(false);
    expect(await store.clips.get(plain.clip.id)).toMatchObject({ sha256: 'a'.repeat(64), deletedAt: expect.any(Number) });
    expect(await store.events.get(plain.ev.id)).toMatchObject({ label: 'person', mediaDeletedAt: expect.any(Number), snapshotBytes: 0 });
    const gone = await fetch(`${server.url}/api/clips/${plain.clip.id}/video.mp4`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { code: 'clip_deleted', params: { reason: 'retention' } } });
    expect((await fetch(`${server.url}/api/events/${plain.ev.id}/snapshots/best.jpg`)).status).toBe(404);

    expect(existsSync(path.join(dataDir, evidence.clip.path!))).toBe(true);
    expect(existsSync(path.join(dataDir, evidence.snap))).toBe(true);
    // Recent clips are untouched.
    expect(await store.clips.get(readyClip.id)).toMatchObject({ state: 'ready', deletedAt: null });
  });

  it('under a disk quota deletes the oldest unpinned clip files first; pinned ones stay', async () => {
    // Pinned, the clip gets a file of its own; unpinned again, that file is ordinary event media.
    expect((await post(`/api/clips/${readyClip.id}/pin`, {})).status).toBe(200);
    const saved = await waitFor(async () => {
      const c = await store.clips.get(readyClip.id);
      return c?.path ? c : undefined;
    });
    expect(
      createHash('sha256')
        .update(readFileSync(path.join(dataDir, saved.path!)))
        .digest('hex'),
    ).toBe(saved.sha256);
    expect((await post(`/api/clips/${readyClip.id}/unpin`, {})).status).toBe(200);
    const quotaServer = await startTestServer({ store, bus, dataDir, cutClip: concatCutter(store), tuning: { eventMaxBytes: 1 } });
    try {
      expect(await store.clips.totalBytes()).toBeGreaterThan(0);
      const report = await quotaServer.module.clips.retention.run();
      expect(report.clipsDeleted).toBeGreaterThanOrEqual(1);
      // Only pinned media (the evidence clip, the exports) is left.
      expect(await store.clips.oldestDeletable(10)).toEqual([]);
      expect(existsSync(path.join(dataDir, saved.path!))).toBe(false);
    } finally {
      await quotaServer.close();
    }
  });
});
