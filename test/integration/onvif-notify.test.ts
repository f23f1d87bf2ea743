import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.js';
import { cameraNotifyRoutes } from '../../server/api/camera.notify.routes.js';
import { createAuthorizer } from '../../server/auth/authorize.js';
import { CameraEventWatcher } from '../../server/cameras/camera.events.js';
import { NotifyInbox } from '../../server/cameras/camera.notify.js';
import type { AlertMessage } from '../../server/domain/socket.events.js';
import { Bus, type BusEvents } from '../../server/shared/bus.js';
import { silentLogger } from '../../server/shared/log.js';
import type { Store } from '../../server/store/store.js';
import { OnvifSimulator } from '../fixtures/onvif-sim/onvif-sim.js';
import {
  addTestCamera,
  concatCutter,
  connectClient,
  openTestStore,
  startTestServer,
  tempDir,
  waitFor,
  type TestClient,
  type TestServer,
} from './events.fixture.js';

/**
 * Issue 17 item 3, base notification: a camera without PullPoint (the simulator says
 * WSPullPointSupport="false" and refuses CreatePullPointSubscription) gets a Subscribe whose
 * consumer is BinhYen's /onvif/notify/<token>; its Notify posts become the same camera events
 * as PullPoint's and raise an event on the wall; the subscription is renewed, and removed with
 * the camera. Unknown tokens, garbage, oversized bodies and floods are refused without effect.
 */
describe('camera events by base notification', () => {
  const dataDir = tempDir('onvif-notify');
  const bus = new Bus();
  const seen: BusEvents['camera.event'][] = [];
  const received: AlertMessage[] = [];
  let store: Store;
  let server: TestServer;
  let client: TestClient;
  let sim: OnvifSimulator;
  let inbox: NotifyInbox;
  let inboxHttp: Server;
  let inboxUrl: string;
  let watcher: CameraEventWatcher;
  let cameraId: number;

  beforeAll(async () => {
    store = await openTestStore(dataDir);
    sim = await new OnvifSimulator({ username: 'admin', password: 'pw-1', discovery: false, pullPoint: false }).start();
    const cam = await addTestCamera(store, 'Ngõ 5', null, {
      settings: { cameraEvents: { subscribe: true, action: 'event', topics: ['CellMotionDetector'] }, rules: { alerts: { cooldownSeconds: 0 } } },
    });
    cameraId = cam.id;
    await store.cameras.update(cameraId, { onvifUrl: sim.deviceServiceUrl });
    server = await startTestServer({ store, bus, dataDir, cutClip: concatCutter(store) });
    client = connectClient(server.url);
    client.on('alert:new', (a) => received.push(a));
    await client.timeout(5000).emitWithAck('alerts:subscribe', { afterId: 0 });
    bus.on('camera.event', (e) => seen.push(e));
    inbox = new NotifyInbox({ bus, log: silentLogger, maxPostsPerWindow: 40, windowMs: 60_000 });
    inboxHttp = createServer(createApp({ routers: [cameraNotifyRoutes({ authorizer: createAuthorizer(), inbox })], log: silentLogger }));
    await new Promise<void>((resolve) => inboxHttp.listen(0, '127.0.0.1', resolve));
    inboxUrl = `http://127.0.0.1:${(inboxHttp.address() as AddressInfo).port}`;
    watcher = new CameraEventWatcher({
      cameras: store.cameras,
      credentialsOf: () => ({ username: 'admin', password: 'pw-1' }),
      bus,
      log: silentLogger,
      pullpoint: { pullSeconds: 1, lifetimeSeconds: 2 },
      inbox,
      consumerBase: () => ({ url: inboxUrl, configured: false }),
    });
    await watcher.start();
  });

  afterAll(async () => {
    watcher?.stop();
    client?.close();
    await server?.close();
    await sim?.stop();
    await new Promise((r) => inboxHttp?.close(r));
    await store?.db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('subscribes with a secret consumer URL, and a Notify raises an event like PullPoint does', async () => {
    const sub = await waitFor(() => [...sim.events.pushSubscriptions.values()][0], 10_000);
    expect(sub.consumer).toMatch(new RegExp(`^${inboxUrl}/onvif/notify/[A-Za-z0-9_-]{43}$`));
    expect(sim.events.subscriptions.size).toBe(0); // no PullPoint was made
    // The simulator holds the subscription before its reply reaches the watcher: wait for the watcher to count it.
    await waitFor(() => watcher.health().baseNotification === 1 || undefined, 10_000);
    expect(watcher.health()).toMatchObject({ baseNotification: 1, unconfiguredCameraIds: [cameraId], warning: expect.stringMatching(/notifyBaseUrl/) });
    sim.emitEvent({ topic: 'tns1:RuleEngine/CellMotionDetector/Motion', source: { Rule: 'MyMotionDetectorRule' }, data: { IsMotion: 'true' } });
    const alert = await waitFor(() => received[0], 15_000);
    expect(alert).toMatchObject({ cameraId, label: 'RuleEngine/CellMotionDetector/Motion' });
    expect(seen[0]).toEqual({
      cameraId,
      topic: 'tns1:RuleEngine/CellMotionDetector/Motion',
      time: expect.any(String),
      source: { Rule: 'MyMotionDetectorRule' },
      data: { IsMotion: 'true' },
      at: expect.any(Number),
    });
  });

  it('renews the subscription, so events keep coming past its first lifetime', async () => {
    await waitFor(() => sim.events.renewals >= 3 || undefined, 10_000);
    const before = seen.length;
    sim.emitEvent({ topic: 'tns1:Device/Trigger/DigitalInput', source: { InputToken: 'DI_1' }, data: { LogicalState: 'true' } });
    const e = await waitFor(() => seen[before], 5_000);
    expect(e.topic).toBe('tns1:Device/Trigger/DigitalInput');
  });

  it('refuses unknown tokens, garbage, DTDs and oversized bodies without any effect', async () => {
    const before = seen.length;
    const unknown = await fetch(`${inboxUrl}/onvif/notify/not-a-token`, { method: 'POST', body: '<Notify/>' });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('');
    expect(await sim.events.postRaw('<env:Envelope><env:Body><wsnt:Notify>')).toEqual([400]);
    expect(await sim.events.postRaw('<!DOCTYPE x [<!ENTITY a "aaaa">]><Notify>&a;</Notify>')).toEqual([400]);
    expect(await sim.events.postRaw(`<Notify>${'<x>'.repeat(100)}${'</x>'.repeat(100)}</Notify>`)).toEqual([400]);
    expect(await sim.events.postRaw(`<Notify>${'x'.repeat(300 * 1024)}</Notify>`)).toEqual([413]);
    expect(await sim.events.postRaw('not xml at all', 'text/plain')).toEqual([400]);
    expect(seen.length).toBe(before);
  });

  it('a camera that floods is refused until the window passes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push(...(await sim.events.postRaw('<Notify/>')));
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(40);
  });

  it('unsubscribes when the camera is removed, and its old URL answers 404', async () => {
    const consumer = [...sim.events.pushSubscriptions.values()][0]!.consumer;
    await store.cameras.remove(cameraId);
    bus.emit('camera.changed', { cameraId, change: 'removed', at: Date.now() });
    await waitFor(() => sim.events.pushSubscriptions.size === 0 || undefined, 10_000);
    expect(inbox.size).toBe(0);
    expect((await fetch(consumer, { method: 'POST', body: '<Notify/>' })).status).toBe(404);
    expect(watcher.health().baseNotification).toBe(0);
  });
});
