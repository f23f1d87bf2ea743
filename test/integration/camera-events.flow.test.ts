import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraEventWatcher } from '../../server/cameras/camera.events.js';
import type { AlertMessage } from '../../server/domain/socket.events.js';
import { Bus } from '../../server/shared/bus.js';
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
 * Issue 17 item 3 end to end: the simulated camera's own motion event, through a real PullPoint
 * subscription, the bus and the event lifecycle's camera-event trigger, becomes an event and
 * an alert pushed to the wall over socket.io; a topic the rules leave out and a "false" (end)
 * notification do not.
 */
describe('a camera event raises an event on the wall', () => {
  const dataDir = tempDir('camera-events');
  const bus = new Bus();
  let store: Store;
  let server: TestServer;
  let client: TestClient;
  let sim: OnvifSimulator;
  let watcher: CameraEventWatcher;
  let cameraId: number;
  const received: AlertMessage[] = [];

  beforeAll(async () => {
    store = await openTestStore(dataDir);
    sim = await new OnvifSimulator({ username: 'admin', password: 'pw-1', discovery: false }).start();
    const cam = await addTestCamera(store, 'Cổng chợ', null, {
      settings: { cameraEvents: { subscribe: true, action: 'event', topics: ['CellMotionDetector'] }, rules: { alerts: { cooldownSeconds: 0 } } },
    });
    cameraId = cam.id;
    await store.cameras.update(cameraId, { onvifUrl: sim.deviceServiceUrl });
    server = await startTestServer({ store, bus, dataDir, cutClip: concatCutter(store) });
    client = connectClient(server.url);
    client.on('alert:new', (a) => received.push(a));
    await client.timeout(5000).emitWithAck('alerts:subscribe', { afterId: 0 });
    watcher = new CameraEventWatcher({
      cameras: store.cameras,
      credentialsOf: () => ({ username: 'admin', password: 'pw-1' }),
      bus,
      log: silentLogger,
      pullpoint: { pullSeconds: 1 },
    });
    await watcher.start();
  });

  afterAll(async () => {
    watcher?.stop();
    client?.close();
    await server?.close();
    await sim?.stop();
    await store?.db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('subscribes, and the camera motion event becomes an alert labelled with its topic', async () => {
    await waitFor(() => (sim.events.subscriptions.size > 0 ? true : undefined), 10_000);
    sim.emitEvent({ topic: 'tns1:VideoSource/Tamper', source: { Source: 'VideoSource_1' }, data: { State: 'true' } });
    sim.emitEvent({ topic: 'tns1:RuleEngine/CellMotionDetector/Motion', source: { Rule: 'MyMotionDetectorRule' }, data: { IsMotion: 'false' } });
    sim.emitEvent({ topic: 'tns1:RuleEngine/CellMotionDetector/Motion', source: { Rule: 'MyMotionDetectorRule' }, data: { IsMotion: 'true' } });
    const alert = await waitFor(() => received[0], 15_000);
    expect(alert).toMatchObject({ cameraId, cameraName: 'Cổng chợ', label: 'RuleEngine/CellMotionDetector/Motion' });
    const ev = (await store.events.get(alert.eventId!))!;
    expect(ev).toMatchObject({ cameraId, label: 'RuleEngine/CellMotionDetector/Motion', endReason: 'camera_event' });
    // neither the tamper topic (not in the camera's topics) nor the motion end made an event
    const all = await store.events.list({}, { all: true }, { limit: 10, offset: 0, sort: 'startAt', order: 'asc' });
    expect(all.items.map((e) => e.label)).toEqual(['RuleEngine/CellMotionDetector/Motion']);
    expect(received).toHaveLength(1);
  });

  it('a camera set to "wake" raises nothing of its own', async () => {
    await store.cameras.update(cameraId, { settings: { cameraEvents: { subscribe: true, action: 'wake', topics: [], wakeSeconds: 10 } } });
    bus.emit('camera.changed', { cameraId, change: 'updated', at: Date.now() });
    await waitFor(() => (sim.events.subscriptions.size > 0 ? true : undefined), 10_000);
    sim.emitEvent({ topic: 'tns1:RuleEngine/LineDetector/Crossed', source: {}, data: { ObjectId: '7' } });
    await new Promise((r) => setTimeout(r, 2500));
    expect(received).toHaveLength(1);
  });
});
