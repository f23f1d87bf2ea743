import { afterEach, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { migrateDown, migrateLatest } from '../../server/store/db.js';
import { migrations } from '../../server/store/migrations/index.js';
import { createStore } from '../../server/store/store.js';
import { dbTargets, openMigrated } from '../support/db.js';

const ALL = migrations.map((m) => m.name);
const TABLES = [
  'areas',
  'users',
  'user_roles',
  'user_areas',
  'sessions',
  'cameras',
  'recordings',
  'events',
  'alerts',
  'alert_history',
  'notes',
  'event_comments',
  'clips',
  'audit_log',
  'settings',
];

async function hasTable(db: Knex, t: string) {
  return db.schema.hasTable(t);
}

describe.each(dbTargets)('store on $name', (target) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('migrates up to every table, down to none, and up again', async () => {
    const h = await target.open();
    cleanup = h.cleanup;
    expect(await migrateLatest(h.db)).toEqual(ALL);
    for (const t of TABLES) expect(await hasTable(h.db, t), t).toBe(true);
    await migrateDown(h.db);
    for (const t of TABLES) expect(await hasTable(h.db, t), t).toBe(false);
    expect(await migrateLatest(h.db)).toEqual(ALL);
    expect(await migrateLatest(h.db)).toEqual([]);
  });

  it('keeps settings an admin saved (JSON), replaces them, and forgets them back to the defaults', async () => {
    const h = await openMigrated(target);
    cleanup = h.cleanup;
    const store = createStore(h.db);
    expect(await store.settings.get('camera_network')).toBeUndefined();
    await store.settings.set('camera_network', { allow: ['127.0.0.0/8'], deny: [] }, null, 1000);
    await store.settings.set('camera_network', { allow: [], deny: ['fe80::/10'] }, null, 2000);
    expect(await store.settings.get('camera_network')).toEqual({
      key: 'camera_network',
      value: { allow: [], deny: ['fe80::/10'] },
      updatedAt: 2000,
      updatedBy: null,
    });
    await store.settings.clear('camera_network');
    expect(await store.settings.get('camera_network')).toBeUndefined();
  });

  it('stores areas as a hierarchy and finds descendants', async () => {
    const h = await openMigrated(target);
    cleanup = h.cleanup;
    const store = createStore(h.db);
    const commune = await store.areas.create({ parentId: null, kind: 'commune', name: 'Xã Bình An' });
    const hamlet = await store.areas.create({ parentId: commune.id, kind: 'hamlet', name: 'Ấp 3' });
    const group = await store.areas.create({ parentId: hamlet.id, kind: 'residents_group', name: 'Tổ 12' });
    const other = await store.areas.create({ parentId: commune.id, kind: 'hamlet', name: 'Ấp 4' });
    expect((await store.areas.descendantIds(hamlet.id)).sort()).toEqual([hamlet.id, group.id].sort());
    expect(await store.areas.descendantIds(other.id)).toEqual([other.id]);
    expect((await store.areas.get(group.id))?.name).toBe('Tổ 12');
  });

  it('keeps cameras with JSON streams and settings, counts them by state, and soft-deletes', async () => {
    const h = await openMigrated(target);
    cleanup = h.cleanup;
    const store = createStore(h.db);
    const cam = await store.cameras.create({
      name: 'Cổng nhà trọ',
      areaId: null,
      ownerName: 'Nhà trọ Hoa',
      ownerKind: 'boarding_house',
      address: null,
      latitude: 10.8,
      longitude: 106.7,
      onvifUrl: null,
      credentialsEnc: 'v1:abc',
      streams: { detect: { url: 'rtsp://10.0.0.2/sub' } },
      settings: { motion: { threshold: 30 } },
      defaultVisibility: 'shared',
      enabled: true,
      clockOffsetMs: null,
      demo: false,
    });
    expect(cam.streams.detect.url).toBe('rtsp://10.0.0.2/sub');
    expect(cam.settings.motion.threshold).toBe(30);
    expect(cam.settings.rules.minFrames).toBe(2); // the parts not stored come with their defaults
    expect(cam.settingsProblems).toEqual([]);
    expect(cam.enabled).toBe(true);
    // A stored value that no longer validates (hand edit, older version) is reported, and only that part falls back.
    await h
      .db('cameras')
      .where({ id: cam.id })
      .update({ settings: JSON.stringify({ motion: { threshold: 30 }, rules: { minFrames: 'soon' } }) });
    const reread = (await store.cameras.get(cam.id))!;
    expect(reread.settings.motion.threshold).toBe(30);
    expect(reread.settings.rules.minFrames).toBe(2);
    expect(reread.settingsProblems).toEqual([expect.stringMatching(/^rules\.minFrames: /)]);
    await store.cameras.setState(cam.id, 'online', null);
    expect(await store.cameras.countByState()).toEqual({ online: 1 });
    expect(await store.cameras.remove(cam.id)).toBe(true);
    expect(await store.cameras.get(cam.id)).toBeUndefined();
    expect((await store.cameras.getIncludingRemoved(cam.id))?.name).toBe('Cổng nhà trọ');
    expect(await store.cameras.count()).toBe(0);
  });

  it('indexes recordings by wall-clock time and rolls back a failed transaction', async () => {
    const h = await openMigrated(target);
    cleanup = h.cleanup;
    const store = createStore(h.db);
    const cam = await store.cameras.create({
      name: 'c',
      areaId: null,
      ownerName: null,
      ownerKind: null,
      address: null,
      latitude: null,
      longitude: null,
      onvifUrl: null,
      credentialsEnc: null,
      streams: { detect: { url: 'file:///x' } },
      settings: {},
      defaultVisibility: 'internal',
      enabled: true,
      clockOffsetMs: null,
      demo: true,
    });
    const t0 = Date.UTC(2026, 10, 29, 12, 0, 0);
    for (let i = 0; i < 5; i++)
      await store.recordings.add({ cameraId: cam.id, path: `/r/${i}.ts`, startAt: t0 + i * 4000, endAt: t0 + (i + 1) * 4000, bytes: 1000 });
    const hits = await store.recordings.overlapping(cam.id, t0 + 5000, t0 + 9000);
    expect(hits.map((r) => r.path)).toEqual(['/r/1.ts', '/r/2.ts']);
    expect(await store.recordings.totalBytes(cam.id)).toBe(5000);
    expect(typeof hits[0]!.startAt).toBe('number');
    // What start-up reconciliation and retention page through.
    expect((await store.recordings.pathsOf(cam.id)).map((r) => [typeof r.id, r.path])).toEqual([0, 1, 2, 3, 4].map((i) => ['number', `/r/${i}.ts`]));
    expect(await store.recordings.latestEnd(cam.id)).toBe(t0 + 20_000);
    expect((await store.recordings.oldest(2, cam.id, 1)).map((r) => r.path)).toEqual(['/r/1.ts', '/r/2.ts']);
    expect((await store.recordings.olderThan(t0 + 12_001, 10, cam.id, 2)).map((r) => r.path)).toEqual(['/r/2.ts']);
    await expect(
      store.transaction(async (tx) => {
        await tx.recordings.add({ cameraId: cam.id, path: '/r/x.ts', startAt: t0, endAt: t0 + 1, bytes: 1 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.recordings.totalBytes(cam.id)).toBe(5000);
  });
});
