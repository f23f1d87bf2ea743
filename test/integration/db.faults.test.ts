import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { rmSync } from 'node:fs';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.js';
import { HealthMonitor } from '../../server/api/health.monitor.js';
import { healthRoutes, type HealthBody } from '../../server/api/health.routes.js';
import { createAuthorizer } from '../../server/auth/authorize.js';
import { Bus, type TrackMessage } from '../../server/shared/bus.js';
import { systemClock } from '../../server/shared/clock.js';
import { silentLogger } from '../../server/shared/log.js';
import { migrateLatest, openDb, pingDb } from '../../server/store/db.js';
import { createStore, type Store } from '../../server/store/store.js';
import { retryingRecordings, WriteRetry } from '../../server/store/write.retry.js';
import {
  concatCutter,
  principalFrom,
  startTestServer,
  syntheticFrame,
  tempDir,
  testPolicy,
  waitFor,
  type TestServer,
  addTestCamera,
} from './events.fixture.js';

/**
 * Issue 19 items 5 and 7 with a real SQLite file locked by another connection (as another
 * process would) and a starved connection pool: writes wait and land with their original
 * timestamps, and /api/health keeps answering from memory, saying `degraded`.
 */
describe('a locked or starved database', () => {
  const dataDir = tempDir('db-faults');
  const file = path.join(dataDir, 'test.sqlite');
  const bus = new Bus();
  let store: Store;
  let other: Knex;
  let server: TestServer;
  let health: HealthMonitor;
  let http: Server;
  let url: string;
  let cameraId: number;

  beforeAll(async () => {
    const db = openDb({ url: `sqlite:${file}`, busyTimeoutMs: 100 });
    await migrateLatest(db);
    store = createStore(db);
    other = openDb({ url: `sqlite:${file}`, busyTimeoutMs: 100 });
    cameraId = (await addTestCamera(store, 'Đình', null, { settings: { rules: { minDurationMs: 0, minFrames: 1 } } })).id;
    server = await startTestServer({ store, bus, dataDir, cutClip: concatCutter(store) });
    health = new HealthMonitor({
      ping: () => pingDb(store.db),
      cameraStates: () => store.cameras.countByState(),
      counters: () => server.module.counters(),
      clock: systemClock,
      intervalMs: 100,
      timeoutMs: 300,
      maxQueuedWrites: 0,
    });
    await health.start();
    const app = createApp({
      routers: [
        healthRoutes({
          monitor: health,
          dbClient: 'sqlite3',
          authorizer: { ...createAuthorizer(testPolicy), principalOf: (req) => principalFrom(undefined, req.socket.remoteAddress ?? '') },
          version: 't',
          startedAt: Date.now(),
          detector: () => ({ backend: 'none', error: null }),
          disk: () => ({ state: 'ok', freeBytes: null, minFreeBytes: 0, message: null, since: 0 }),
        }),
      ],
      log: silentLogger,
    });
    http = createServer(app);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as { port: number }).port}/api/health`;
  });

  afterAll(async () => {
    health?.stop();
    http?.close();
    await server?.close();
    await other?.destroy();
    await store?.db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The answer must come while the database is stuck: a hang is the failure being tested. */
  const ask = async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return { status: res.status, body: (await res.json()) as HealthBody };
  };

  it('health answers ok from memory with the pipeline counters', async () => {
    expect(await ask()).toMatchObject({
      status: 200,
      body: { status: 'ok', db: { ok: true, client: 'sqlite3' }, pipeline: { snapshotFailures: 0, clipsPending: 0, writesQueued: 0 } },
    });
  });

  it('a recording-index insert and an event start during a lock wait, then land with their original times', async () => {
    const writes = new WriteRetry({ clock: systemClock, log: silentLogger, backoffMs: [50] });
    const recordings = retryingRecordings(store.recordings, writes);
    await other.raw('BEGIN IMMEDIATE'); // another process holds the write lock
    const segAt = Date.now() - 4000;
    const indexed = recordings.add({ cameraId, path: 'x/seg.ts', startAt: segAt, endAt: segAt + 2000, bytes: 10 });
    const at = Date.now();
    const box: [number, number, number, number] = [10, 10, 50, 150];
    const m: TrackMessage = {
      cameraId,
      trackId: 'locked',
      label: 'person',
      score: 0.8,
      box,
      frameWidth: 320,
      frameHeight: 180,
      firstSeenAt: at,
      lastSeenAt: at,
      hits: 1,
      stationary: false,
      best: { frame: syntheticFrame(cameraId, at), box, score: 0.8 },
    };
    bus.emit('track.start', m);
    await waitFor(() => writes.counters.queued === 1 && server.module.writes.counters.queued === 1, 5000, 10);
    // Health keeps answering, and says the database is falling behind.
    expect(await ask()).toMatchObject({ body: { status: 'degraded', pipeline: { writesQueued: 1, writesBackingUp: true } } });
    await new Promise((r) => setTimeout(r, 500));
    await other.raw('COMMIT');
    const rec = await indexed;
    expect(rec).toMatchObject({ startAt: segAt, endAt: segAt + 2000 });
    expect(writes.counters).toMatchObject({ queued: 0, failed: 0, retried: expect.any(Number) });
    expect(writes.counters.retried).toBeGreaterThan(0);
    const ev = await waitFor(
      async () => (await store.events.list({ cameraId }, { all: true }, { limit: 1, offset: 0, sort: 'id', order: 'desc' })).items[0],
      5000,
      20,
    );
    expect(ev).toMatchObject({ trackId: 'locked', startAt: at });
    expect(await store.alerts.byEvent(ev.id)).toMatchObject({ createdAt: expect.any(Number) });
    expect((await store.alerts.byEvent(ev.id))!.createdAt).toBeLessThan(Date.now() - 400); // the time of the decision, not of the write
  });

  it('health says degraded (and still answers) while the connection pool is starved, ok again after', async () => {
    let release!: () => void;
    const held = store.db.transaction(
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    await waitFor(async () => (await ask()).body.db.ok === false, 5000, 50);
    const during = await ask();
    expect(during).toMatchObject({
      status: 503,
      body: { status: 'degraded', db: { ok: false, error: expect.stringMatching(/no answer|previous database probe/) } },
    });
    release();
    await held;
    await waitFor(async () => (await ask()).body.status === 'ok', 5000, 50);
  });
});
