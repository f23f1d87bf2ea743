import { copyFileSync, existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quarantineDirOf } from '../../server/ingest/recording.reconcile.js';
import { migrateLatest, openDb } from '../../server/store/db.js';
import { createStore, type Store } from '../../server/store/store.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { tempDir } from '../support/tmp.js';
import { addIdleCamera } from './auth.world.js';
import { waitFor } from './ingest.helpers.js';
import { testVideo } from '../support/media.js';

/**
 * Issue 19 item 6, for the cameras no recorder reconciles: start-up reconciliation ran per
 * started camera only, so the folders of removed or disabled cameras (and of ids the database
 * does not know) kept what a kill left in them for ever, unindexed. What a police evidence
 * system does instead: a removed camera's recordings stay indexed until their retention window
 * passes (the camera's own days, else the global days), then retention deletes them like any
 * other; what a kill left is indexed by its own timestamps or quarantined; an unknown id's
 * folder goes to quarantine; quarantined files go once older than the window; empty folders go.
 */
const DAY_MS = 86_400_000;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

describe('recordings of cameras that are removed, disabled or unknown', () => {
  const tmp = tempDir('binhyen-orphans-');
  const rec = (...p: string[]) => path.join(tmp.dir, 'recordings', ...p);
  const now = Date.now();
  let srv: TestServer;
  let store: Store;
  let removed: number;
  let disabled: number;
  const t = {
    recent: now - 3_600_000,
    old: now - 10 * DAY_MS,
    unindexed: now - 1_800_000,
    unknown: now - 900_000,
  };
  const liveMtime = now - 600_000;

  /** A real 2-second MPEG-TS segment at `rel` (under recordings/), optionally indexed. */
  let segment: string;
  const put = async (cameraId: number, startAt: number, indexed: boolean) => {
    const rel = `${cameraId}/${dayOf(startAt)}/${startAt}.ts`;
    mkdirSync(path.dirname(rec(rel)), { recursive: true });
    copyFileSync(segment, rec(rel));
    if (indexed) await store.recordings.add({ cameraId, path: rel, startAt, endAt: startAt + 2000, bytes: 1 });
    return rel;
  };

  beforeAll(async () => {
    segment = path.join(tmp.dir, 'segment.ts');
    testVideo(segment, { seconds: 2 });
    const db = openDb({ url: `sqlite:${path.join(tmp.dir, 'binhyen.sqlite')}` });
    await migrateLatest(db);
    store = createStore(db);
    removed = (await addIdleCamera(store, null, 'Đã gỡ')).id;
    disabled = (await addIdleCamera(store, null, 'Tạm tắt')).id;
    await store.cameras.update(disabled, { settings: { recording: { days: 30 } } });

    // The removed camera: a recent and an old indexed segment, a segment a kill left unindexed
    // in its day folder, what a kill left in live/ (one with video, one empty), quarantined files old and new.
    await put(removed, t.recent, true);
    await put(removed, t.old, true);
    await put(removed, t.unindexed, false);
    mkdirSync(rec(String(removed), 'live'), { recursive: true });
    copyFileSync(segment, rec(String(removed), 'live', '1700000000000-000007.ts'));
    utimesSync(rec(String(removed), 'live', '1700000000000-000007.ts'), liveMtime / 1000, liveMtime / 1000);
    writeFileSync(rec(String(removed), 'live', '1700000000000-000008.ts'), '');
    mkdirSync(quarantineDirOf(rec(), removed), { recursive: true });
    writeFileSync(path.join(quarantineDirOf(rec(), removed), 'old.ts'), 'x');
    utimesSync(path.join(quarantineDirOf(rec(), removed), 'old.ts'), t.old / 1000, t.old / 1000);
    writeFileSync(path.join(quarantineDirOf(rec(), removed), 'new.ts'), 'x');
    await store.cameras.remove(removed);
    // The disabled camera keeps its own 30 days; a folder of an id no camera has.
    await put(disabled, t.old, true);
    await put(999, t.unknown, false);
    await db.destroy();

    srv = await startTestServer({ dataDir: tmp.dir, retention: { minFreeGb: 0 } });
    store = srv.store;
    await waitFor('the start-up pass over idle folders', () => srv.logs.some((l) => l.includes('recordings of cameras not recording reconciled')), 10_000, 50);
  });
  afterAll(async () => {
    await srv?.stop();
    tmp.remove();
  });

  const rows = (cameraId: number) => store.recordings.overlapping(cameraId, 0, now + DAY_MS);
  const filesOf = (cameraId: number) => (existsSync(rec(String(cameraId))) ? readdirSync(rec(String(cameraId)), { recursive: true }).map(String) : []);

  it('indexes what a kill left for a removed camera, keeps its recordings for their window, quarantines an unknown id', async () => {
    expect(srv.logs.find((l) => l.includes('recordings of cameras not recording reconciled'))).toMatch(/"cameras":2,"unknownFolders":1/);
    const before = await rows(removed);
    // Nothing within its window was deleted because the camera was removed; what the kill left is indexed.
    expect(before.map((r) => r.startAt)).toEqual(expect.arrayContaining([t.recent, t.unindexed]));
    const salvaged = before.find((r) => ![t.old, t.recent, t.unindexed].includes(r.startAt));
    expect(salvaged, 'the live/ leftover, indexed at its last write minus its length').toBeDefined();
    expect(Math.abs(salvaged!.startAt - (liveMtime - 2000))).toBeLessThan(300);
    expect(existsSync(rec(String(removed), 'live'))).toBe(false); // the empty leftover deleted, the folder with it

    expect(existsSync(rec('999'))).toBe(false);
    expect(readdirSync(quarantineDirOf(rec(), 999))).toEqual([`${dayOf(t.unknown)}-${t.unknown}.ts`]);
  });

  it('lets retention delete them once their window passes, the camera’s own days first, and tidies what is left', async () => {
    await srv.retention.sweep();
    await srv.retention.tidy();
    const kept = await rows(removed);
    expect(kept.map((r) => r.startAt)).not.toContain(t.old); // past the global 7 days
    expect(kept.map((r) => r.startAt)).toEqual(expect.arrayContaining([t.recent, t.unindexed]));
    expect((await rows(disabled)).map((r) => r.startAt)).toEqual([t.old]); // its own 30 days
    // Nothing left unindexed: every file in the removed camera's folder has its row; the old day folder is gone.
    expect(
      filesOf(removed)
        .filter((f) => f.endsWith('.ts'))
        .sort(),
    ).toEqual(kept.map((r) => r.path.slice(String(removed).length + 1)).sort());
    expect(existsSync(rec(String(removed), dayOf(t.old)))).toBe(false);
    expect(readdirSync(quarantineDirOf(rec(), removed))).toEqual(['new.ts']);
  });
});
