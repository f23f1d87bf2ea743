import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertCatchUp, AlertMessage } from '../../server/domain/socket.events.js';
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
 * Alerts across reconnects and restarts, camera-offline alerts, and what residents receive:
 * the cursor is answered from the database, so nothing is lost.
 */
describe('alert delivery across reconnects and restarts', () => {
  const dataDir = tempDir('alerts');
  let bus = new Bus();
  let store: Store;
  let server: TestServer;
  let cameraId: number;
  let sharedCameraId: number;
  let areaId: number;
  const clients: TestClient[] = [];
  let trackNo = 0;

  const camera = (name: string, area: number, defaultVisibility: 'internal' | 'shared') =>
    addTestCamera(store, name, area, { settings: { rules: { minDurationMs: 0, minFrames: 1, alerts: { cooldownSeconds: 0 } } }, defaultVisibility });

  beforeAll(async () => {
    store = await openTestStore(dataDir);
    areaId = (await store.areas.create({ parentId: null, kind: 'hamlet', name: 'Ấp 1' })).id;
    cameraId = (await camera('Chợ', areaId, 'internal')).id;
    sharedCameraId = (await camera('Ngõ 5', areaId, 'shared')).id;
    server = await startTestServer({ store, bus, dataDir, cutClip: concatCutter(store), tuning: { clipMaxWaitMs: 0 } });
  });

  afterAll(async () => {
    clients.forEach((c) => c.close());
    await server?.close();
    await store?.db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const connect = async (as?: string, cursor: { afterId?: number; changedSince?: number } = {}) => {
    const c = connectClient(server.url, as);
    clients.push(c);
    const live: AlertMessage[] = [];
    const withdrawn: number[] = [];
    c.on('alert:new', (a) => live.push(a));
    c.on('alert:withdrawn', (m) => withdrawn.push(m.id));
    const reply = await c.timeout(5000).emitWithAck('alerts:subscribe', cursor);
    if (!reply.ok) throw new Error(reply.error.message);
    return { c, live, withdrawn, catchUp: reply.data as AlertCatchUp };
  };

  /** One person track that qualifies at once (rules: no minimum duration) and ends. */
  const personEvent = (cam: number) => {
    const at = Date.now();
    const id = `${cam}-${++trackNo}`;
    const m: TrackMessage = {
      cameraId: cam,
      trackId: id,
      label: 'person',
      score: 0.8,
      box: [10, 10, 50, 150],
      frameWidth: 320,
      frameHeight: 180,
      firstSeenAt: at,
      lastSeenAt: at,
      hits: 1,
      stationary: false,
      best: { frame: syntheticFrame(cam, at), box: [10, 10, 50, 150], score: 0.8 },
    };
    bus.emit('track.start', m);
    return m;
  };
  const alertCount = async () => (await store.alerts.list({}, { all: true }, { limit: 1, offset: 0, sort: 'id', order: 'desc' })).total;

  it('a reconnecting client gets what it missed, from its last id, and changes since its last catch-up', async () => {
    const first = await connect();
    personEvent(cameraId);
    const a1 = await waitFor(() => first.live[0], 5000, 5);
    const serverTime = first.catchUp.serverTime;
    first.c.close();

    // While disconnected: two new alerts, and the old one acknowledged.
    personEvent(cameraId);
    personEvent(cameraId);
    await waitFor(async () => ((await alertCount()) === 3 ? true : undefined));
    await fetch(`${server.url}/api/alerts/${a1.id}/state`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'acknowledged' }),
    });

    const again = await connect(undefined, { afterId: a1.id, changedSince: serverTime });
    expect(again.catchUp.alerts.map((a) => a.id)).toEqual([a1.id + 1, a1.id + 2]);
    expect(again.catchUp.lastId).toBe(a1.id + 2);
    expect(again.catchUp.changed.map((a) => [a.id, a.state])).toEqual([[a1.id, 'acknowledged']]);
    expect(again.catchUp.more).toBe(false);

    // Paging: afterId 0 with limit 2 says there is more.
    const page = await again.c.timeout(5000).emitWithAck('alerts:since', { afterId: 0, limit: 2 });
    expect(page).toMatchObject({ ok: true, data: { lastId: a1.id + 1, more: true } });
    again.c.close();
  });

  it('raises a camera_offline alert when a camera goes offline and resolves it when it is back', async () => {
    const police = await connect();
    bus.emit('camera.state', { cameraId, state: 'offline', reason: 'connection refused', at: Date.now() });
    bus.emit('camera.state', { cameraId, state: 'offline', reason: 'still refused', at: Date.now() }); // one alert per outage
    const off = await waitFor(() => police.live.find((a) => a.kind === 'camera_offline'), 5000, 5);
    expect(off).toMatchObject({ kind: 'camera_offline', severity: 'high', state: 'new', cameraId, visibility: 'internal' });
    // Other alerts' snapshots also arrive as updates (the picture follows the alert): wait for this one.
    const updated = new Promise<AlertMessage>((resolve) =>
      police.c.on('alert:updated', (a) => {
        if (a.id === off.id) resolve(a);
      }),
    );
    bus.emit('camera.state', { cameraId, state: 'online', reason: null, at: Date.now() });
    expect(await updated).toMatchObject({ id: off.id, state: 'resolved' });
    expect((await store.alerts.history(off.id)).map((h) => h.toState)).toEqual(['new', 'resolved']);
    expect(police.live.filter((a) => a.kind === 'camera_offline')).toHaveLength(1);
    police.c.close();
  });

  it('residents get only alerts shared with their area, and are told when one is withdrawn', async () => {
    const resident = await connect(`resident:${areaId}`);
    const outsider = await connect('resident:999');
    const police = await connect();
    // Catch-up for residents holds no internal alert.
    expect(resident.catchUp.alerts.every((a) => a.visibility === 'shared')).toBe(true);

    personEvent(cameraId); // internal by default
    personEvent(sharedCameraId); // shared by default
    await waitFor(() => (police.live.length >= 2 ? true : undefined), 5000, 5);
    const shared = await waitFor(() => resident.live[0], 5000, 5);
    expect(shared).toMatchObject({ cameraId: sharedCameraId, visibility: 'shared', assigneeId: null });
    await new Promise((r) => setTimeout(r, 200));
    expect(resident.live).toHaveLength(1);
    expect(outsider.live).toHaveLength(0);

    // The internal one is shared later: the resident gets it then; unshared: withdrawn.
    const internal = police.live.find((a) => a.cameraId === cameraId)!;
    expect((await fetch(`${server.url}/api/events/${internal.eventId}/share`, { method: 'POST' })).status).toBe(200);
    await waitFor(() => resident.live.find((a) => a.id === internal.id), 5000, 5);
    expect((await fetch(`${server.url}/api/events/${internal.eventId}/unshare`, { method: 'POST' })).status).toBe(200);
    await waitFor(() => (resident.withdrawn.includes(internal.id) ? true : undefined), 5000, 5);
    expect(outsider.live).toHaveLength(0);

    // A resident cannot use the police workflow.
    const refused = await fetch(`${server.url}/api/alerts/${shared.id}/state`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test-as': `resident:${areaId}` },
      body: JSON.stringify({ state: 'acknowledged' }),
    });
    expect(refused.status).toBe(403);
    [resident, outsider, police].forEach((x) => x.c.close());
  });

  it('after a server restart, events left open are closed and clients catch up from the database', async () => {
    const watcher = await connect();
    const lastSeen = watcher.catchUp.lastId;
    watcher.c.close();
    personEvent(cameraId); // its track never ends: the server stops mid-event
    await waitFor(async () => ((await store.alerts.since(lastSeen, { all: true }, 10)).length === 1 ? true : undefined));
    const port = server.port;
    await server.close();
    await store.db.destroy();

    store = await openTestStore(dataDir);
    bus = new Bus();
    server = await startTestServer({ store, bus, dataDir, cutClip: concatCutter(store), port, tuning: { clipMaxWaitMs: 0 } });
    const open = await store.events.listOpen();
    expect(open).toHaveLength(0);
    const last = (await store.events.list({}, { all: true }, { limit: 1, offset: 0, sort: 'id', order: 'desc' })).items[0]!;
    expect(last.endReason).toBe('server_restart');

    const back = await connect(undefined, { afterId: lastSeen });
    expect(back.catchUp.alerts).toHaveLength(1);
    expect(back.catchUp.alerts[0]).toMatchObject({ eventId: last.id, kind: 'object' });
    // Its clip was queued for cutting at start (no recording here, so it fails with a reason, never half-ready).
    const clip = await waitFor(async () => {
      const c = await store.clips.byEvent(last.id);
      return c && c.state !== 'pending' ? c : undefined;
    });
    expect(clip).toMatchObject({ state: 'failed', error: 'range_not_kept', path: null });
    const res = await fetch(`${server.url}/api/clips/${clip.id}/video.mp4`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'range_not_kept' } });
  });
});
