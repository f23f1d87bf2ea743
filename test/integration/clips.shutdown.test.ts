import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountServices } from '../../server/auth/auth.module.js';
import { configFrom } from '../../server/config/config.load.js';
import { silentLogger } from '../../server/shared/log.js';
import { migrateLatest, openDb } from '../../server/store/db.js';
import { createStore } from '../../server/store/store.js';
import { addIdleCamera, call, login, PASSWORD } from './auth.world.js';
import { waitFor } from './ingest.helpers.js';
import { alive, cmdline, descendants, spawnServer, type ServerProcess } from '../support/procs.js';
import { tempDir } from '../support/tmp.js';
import { testVideo } from '../support/media.js';

/**
 * Issue 19 item 9: a clip cut in progress could hold a stop past the 20 s stop grace
 * (docker-compose.yml stop_grace_period). The real server process exports a 40-minute range
 * (2400 one-second segments, real ffmpeg); SIGTERM arrives while its ffmpeg runs. The stop
 * must kill that ffmpeg, leave no file under the export's final name, keep the export's row
 * pending, and the next start must finish the export.
 */
const STOP_GRACE_MS = 20_000;
const SEGMENTS = 2400;

describe('stopping the server during an export', () => {
  const tmp = tempDir('binhyen-clipstop-');
  const env = { BINHYEN_DATA_DIR: tmp.dir, BINHYEN_RETENTION__MIN_FREE_GB: '0', BINHYEN_DETECT__WORKERS: '1' };
  let cameraId: number;
  let server: ServerProcess | undefined;
  const from = Date.now() - (SEGMENTS + 60) * 1000;
  const to = from + SEGMENTS * 1000;

  beforeAll(async () => {
    // A camera that is not running, its recording already indexed: every segment a hard link to one real MPEG-TS second.
    const db = openDb({ url: `sqlite:${path.join(tmp.dir, 'binhyen.sqlite')}` });
    await migrateLatest(db);
    const store = createStore(db);
    cameraId = (await addIdleCamera(store, null, 'Cổng trường')).id;
    const config = configFrom({ dataDir: tmp.dir, auth: { scryptLog2N: 10 } });
    await createAccountServices({ store, config, log: silentLogger }).users.add(
      { username: 'canbo', roles: ['police'], areaIds: [], password: PASSWORD },
      { name: 'cli' },
    );
    const one = path.join(tmp.dir, 'one.ts');
    testVideo(one, { size: '640x360', seconds: 1 });
    for (let i = 0; i < SEGMENTS; i++) {
      const startAt = from + i * 1000;
      const day = new Date(startAt).toISOString().slice(0, 10);
      mkdirSync(path.join(tmp.dir, 'recordings', String(cameraId), day), { recursive: true });
      const rel = `${cameraId}/${day}/${startAt}.ts`;
      linkSync(one, path.join(tmp.dir, 'recordings', rel));
      await store.recordings.add({ cameraId, path: rel, startAt, endAt: startAt + 1000, bytes: 1 });
    }
    await db.destroy();
  }, 60_000);

  afterAll(() => {
    if (server?.proc.exitCode === null) server.proc.kill('SIGKILL');
    tmp.remove();
  });

  const exportFiles = () => {
    const dir = path.join(tmp.dir, 'exports');
    return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
  };

  it('kills the export on SIGTERM, stops within the grace, and finishes the export at the next start', async () => {
    server = spawnServer(env);
    const url = await server.url;
    const cookie = await login({ url }, 'canbo');
    const answer = call({ url }, 'POST', '/api/clips/export', { cookie, body: { cameraId, from, to, reason: 'Công văn 12/CA' } }).catch((err: Error) => err);

    const pid = server.proc.pid!;
    const cut = await waitFor('the export ffmpeg', () => descendants(pid).find((p) => cmdline(p.pid).includes('.ffconcat')), 15_000, 20);
    const running = descendants(pid);
    const stopAt = Date.now();
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const stopMs = Date.now() - stopAt;
    console.info(`stopped ${stopMs} ms after SIGTERM with the export's ffmpeg running`);
    expect(stopMs).toBeLessThan(STOP_GRACE_MS);
    expect(
      running.filter((p) => alive(p.pid)),
      'processes left running',
    ).toEqual([]);
    expect(alive(cut.pid)).toBe(false);
    const reply = await answer;
    if (!(reply instanceof Error)) expect(reply).toMatchObject({ status: 503, body: { error: { code: 'server_stopping' } } });

    // Nothing under a final name, no temporary file either; the row waits to be finished.
    expect(exportFiles().filter((f) => /\.(mp4|json|jpg)$/.test(f) && !f.includes('.part'))).toEqual([]);
    const db = openDb({ url: `sqlite:${path.join(tmp.dir, 'binhyen.sqlite')}` });
    const [row] = await createStore(db)
      .clips.list({ kind: 'export' }, { all: true }, { limit: 10, offset: 0, sort: 'id', order: 'asc' })
      .then((r) => r.items);
    await db.destroy();
    expect(row).toMatchObject({ state: 'pending', path: null, error: null, startAt: from, endAt: to });

    // The next start finishes it: the file under its final name, its SHA-256, the manifest naming who asked.
    server = spawnServer(env);
    const url2 = await server.url;
    const cookie2 = await login({ url: url2 }, 'canbo');
    const ready = await waitFor(
      'the export to finish after the restart',
      async () => {
        const r = await call<{ state: string; sha256: string | null }>({ url: url2 }, 'GET', `/api/clips/${row!.id}`, { cookie: cookie2 });
        return r.body.state !== 'pending' && r.body;
      },
      // Remuxing 40 minutes (2,400 files) takes 10–20 s here, more beside two other test lanes.
      60_000,
      250,
    );
    expect(ready.state).toBe('ready');
    const files = exportFiles();
    const video = files.find((f) => f.endsWith(`export-${row!.id}.mp4`));
    const manifest = files.find((f) => f.endsWith(`export-${row!.id}.json`));
    expect(video && manifest, files.join(', ')).toBeTruthy();
    expect(
      createHash('sha256')
        .update(readFileSync(path.join(tmp.dir, 'exports', video!)))
        .digest('hex'),
    ).toBe(ready.sha256);
    expect(JSON.parse(readFileSync(path.join(tmp.dir, 'exports', manifest!), 'utf8'))).toMatchObject({
      clipId: row!.id,
      sha256: ready.sha256,
      reason: 'Công văn 12/CA',
      exportedBy: { username: 'canbo' },
    });
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 120_000);
});
