import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../server/domain/socket.events.js';
import { ThreadJpegEncoder, type JpegEncoder } from '../../server/events/snapshot.encoder.js';
import { Bus, type TrackMessage } from '../../server/shared/bus.js';
import type { Store } from '../../server/store/store.js';
import {
  concatCutter,
  connectClient,
  openTestStore,
  startTestServer,
  syntheticFrame,
  tempDir,
  waitFor,
  type TestClient,
  type TestServer,
  addTestCamera,
} from './events.fixture.js';

/**
 * Issue 11 §3 and issue 19 item 4 with real SQLite, real snapshot encodes (on the encoder's thread) and a real socket.io
 * client: the alert is pushed on confirmation with the snapshot following as an update, a
 * failing encode is retried and counted, the event and its alert are one transaction, and an
 * event a killed run left without its alert gets it at the next start.
 */
describe('alert on confirmation, snapshot after', () => {
  const dataDir = tempDir('alert-latency');
  const bus = new Bus();
  let store: Store;
  let server: TestServer;
  let client: TestClient;
  let cameraId: number;
  let trackNo = 0;
  /** Encodes to fail before the real encoder runs (Infinity: every one). */
  let failNext = 0;
  const real = new ThreadJpegEncoder();
  const received: AlertMessage[] = [];
  const updates: AlertMessage[] = [];

  beforeAll(async () => {
    store = await openTestStore(dataDir);
    cameraId = (await addTestCamera(store, 'Ngã ba', null, { settings: { rules: { minDurationMs: 0, minFrames: 1, alerts: { cooldownSeconds: 0 } } } })).id;
    // A run killed 1 s after an event started, by the old two-step code: the event row, no alert.
    await store.events.create({
      cameraId,
      areaId: null,
      trackId: 'killed',
      label: 'person',
      score: 0.8,
      box: null,
      zones: [],
      startAt: Date.now() - 2000,
      lastSeenAt: Date.now() - 1000,
      bestAt: null,
      visibility: 'internal',
    });
    const encoder: JpegEncoder = {
      encode: async (img) => {
        if (failNext > 0) {
          failNext--;
          throw new Error('encoder timed out (injected)');
        }
        return real.encode(img);
      },
    };
    server = await startTestServer({ store, bus, dataDir, cutClip: concatCutter(store), encoder, tuning: { snapshotBackoffMs: [50, 50] } });
    client = connectClient(server.url);
    client.on('alert:new', (a) => received.push(a));
    client.on('alert:updated', (a) => updates.push(a));
    await client.timeout(5000).emitWithAck('alerts:subscribe', { afterId: 0 });
  });

  afterAll(async () => {
    client?.close();
    await server?.close();
    await real.close();
    await store?.db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const person = (): TrackMessage => {
    const at = Date.now();
    const box: [number, number, number, number] = [10, 10, 50, 150];
    return {
      cameraId,
      trackId: `lat-${++trackNo}`,
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
  };

  it('raises at start the alert of an event a killed run left without one', async () => {
    const [alert] = (await store.alerts.list({}, { all: true }, { limit: 5, offset: 0, sort: 'id', order: 'asc' })).items;
    expect(alert).toMatchObject({ kind: 'object', state: 'new', cameraId });
    const ev = (await store.events.get(alert!.eventId!))!;
    expect(ev).toMatchObject({ trackId: 'killed', endReason: 'server_restart' });
    const history = await store.alerts.history(alert!.id);
    expect(history[0]!.note).toMatch(/raised at restart/);
  });

  it('pushes alert:new before the snapshot exists, then alert:updated with it', async () => {
    const before = { ...server.module.events.snapshotCounters };
    bus.emit('track.start', person());
    const alert = await waitFor(() => received[0], 5000, 5);
    expect(alert.snapshotUrl).toBeNull();
    const updated = await waitFor(() => updates.find((u) => u.id === alert.id && u.snapshotUrl), 5000, 5);
    expect(updated.snapshotUrl).toMatch(new RegExp(`^/api/events/${alert.eventId}/snapshots/best\\.jpg`));
    expect((await store.events.get(alert.eventId!))!.snapshotPath).toMatch(/best\.jpg$/);
    expect(server.module.events.snapshotCounters).toMatchObject({ written: before.written + 1, failed: before.failed });
  });

  it('retries a failed snapshot encode and counts it; a snapshot that never comes is counted, never silent', async () => {
    const before = { ...server.module.events.snapshotCounters };
    failNext = 1;
    bus.emit('track.start', person());
    const a = await waitFor(() => received[1], 5000, 5);
    await waitFor(() => updates.find((u) => u.id === a.id && u.snapshotUrl), 5000, 5);
    expect(server.module.events.snapshotCounters).toMatchObject({ retried: before.retried + 1, written: before.written + 1, failed: before.failed });

    failNext = Infinity;
    bus.emit('track.start', person());
    const b = await waitFor(() => received[2], 5000, 5);
    await waitFor(() => server.module.events.snapshotCounters.failed === before.failed + 1, 5000, 5);
    failNext = 0;
    expect((await store.events.get(b.eventId!))!.snapshotPath).toBeNull();
    expect(server.module.events.snapshotCounters.retried).toBe(before.retried + 3);
  });

  it('writes the event and its alert in one transaction: an alert insert that fails leaves no event behind', async () => {
    const events = async () => (await store.events.list({ cameraId }, { all: true }, { limit: 1, offset: 0, sort: 'id', order: 'desc' })).total;
    const n = await events();
    await store.db.raw(`CREATE TRIGGER no_alerts BEFORE INSERT ON alerts BEGIN SELECT RAISE(ABORT, 'injected: disk I/O error'); END`);
    try {
      bus.emit('track.start', person());
      await server.module.events.lifecycle.idle();
      expect(await events()).toBe(n);
    } finally {
      await store.db.raw('DROP TRIGGER no_alerts');
    }
    expect(received).toHaveLength(3);
  });
});
