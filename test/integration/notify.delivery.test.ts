import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFootagePath } from '../../server/demo/footage.js';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { migrateLatest, openDb } from '../../server/store/db.js';
import { createStore, type Store } from '../../server/store/store.js';
import { PROJECT_ROOT } from '../../server/version.js';
import { spawnServer, type ServerProcess } from '../support/procs.js';
import { tempDir } from '../support/tmp.js';
import { addTestCamera } from './events.fixture.js';
import { until } from './notify.fixture.js';
import { WebhookReceiver } from './notify.receiver.js';

/**
 * Issue 14 "done when", with real parts: the simulated RTSP camera plays street footage into
 * the real server process (`binhyen serve`), whose pipeline raises person alerts; each
 * notification reaches a Mosquitto subscriber and a signed-webhook receiver. In the middle the
 * receiver is down for 30 s and the server is killed with SIGKILL once (and started again).
 * After recovery every notification of the outbox has arrived on both, de-duplicated by key,
 * in order per camera. Latency (receipt − alert decision) is measured outside the outage and
 * written to test-output/notify-latency.json; it is reported, not asserted (house rule).
 */
const FOOTAGE = sampleFootagePath();
const OUTAGE_MS = 30_000;

interface Arrival {
  key: string;
  at: number;
  receivedAt: number;
}

const p95 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]! : NaN;
};

describe('notifications through an outage and a SIGKILL', () => {
  const tmp = tempDir('binhyen-notify-e2e-');
  const prefix = `binhyen_e2e_${randomBytes(3).toString('hex')}`;
  const secret = `whsec_${randomBytes(16).toString('hex')}`;
  const receiver = new WebhookReceiver(() => secret);
  const mqttArrivals: Arrival[] = [];
  const availability: string[] = [];
  let sim: SimulatedCamera;
  let sub: MqttClient;
  let store: Store;
  let server: ServerProcess | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = new SimulatedCamera({ source: { kind: 'file', path: FOOTAGE } });
    await sim.start();
    await receiver.start();
    sub = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { clientId: `sub-${prefix}` });
    sub.on('message', (topic, payload) => {
      if (topic === `${prefix}/available`) availability.push(payload.toString());
      if (topic !== `${prefix}/events`) return;
      const m = JSON.parse(payload.toString()) as { key: string; at: number };
      mqttArrivals.push({ key: m.key, at: m.at, receivedAt: Date.now() });
    });
    await sub.subscribeAsync(`${prefix}/#`, { qos: 1 });
    const db = openDb({ url: `sqlite:${path.join(tmp.dir, 'binhyen.sqlite')}` });
    await migrateLatest(db);
    store = createStore(db);
    // A camera that runs: the simulated one, every person an alert (no cooldown).
    const cam = await addTestCamera(store, 'Ngã tư chợ', null, { settings: { rules: { alerts: { cooldownSeconds: 0 } } } });
    await store.cameras.update(cam.id, { streams: { detect: { url: sim.rtspUrl } } });
    await store.notify.createEndpoint({ name: 'receiver', url: receiver.url, secret, kinds: [], enabled: true, createdBy: null }, Date.now());
    env = {
      BINHYEN_DATA_DIR: tmp.dir,
      BINHYEN_CAMERA_NETWORK__ALLOW: '127.0.0.0/8',
      BINHYEN_DETECT__WORKERS: '1',
      BINHYEN_RETENTION__MIN_FREE_GB: '0',
      BINHYEN_MQTT__URL: 'mqtt://127.0.0.1:1883',
      BINHYEN_MQTT__TOPIC_PREFIX: prefix,
      BINHYEN_NOTIFY__POLL_MS: '100',
      BINHYEN_NOTIFY__RETRY_BASE_MS: '250',
      BINHYEN_NOTIFY__RETRY_MAX_MS: '2000',
      BINHYEN_NOTIFY__MAX_ATTEMPTS: '1000',
      BINHYEN_NOTIFY__SEND_TIMEOUT_MS: '2000',
    };
  }, 120_000);

  afterAll(async () => {
    if (server?.proc.exitCode === null) server.proc.kill('SIGKILL');
    await sub?.endAsync();
    await receiver.stop();
    await sim?.stop();
    await store?.db.destroy();
    tmp.remove();
  });

  const outboxKeys = async () => (await store.db('notify_outbox').orderBy('id').select('key', 'camera_id')) as { key: string; camera_id: number | null }[];

  it('every notification arrives once per receiver (by key), in order per camera, after a 30 s receiver outage and a SIGKILL', async () => {
    server = spawnServer(env);
    await server.url;
    // Normal operation: alerts flow to both receivers.
    await until(() => receiver.received.length >= 8 && mqttArrivals.length >= 8, 150_000, 'the first alerts on both receivers');
    const normalUntil = Date.now();
    await receiver.stop();
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
    server.proc.kill('SIGKILL');
    await server.exited;
    const killedAt = Date.now();
    server = spawnServer(env);
    await server.url;
    await new Promise((r) => setTimeout(r, Math.max(0, downAt + OUTAGE_MS - Date.now())));
    await receiver.start(receiver.port);
    const upAt = Date.now();
    // Recovery: everything the outbox held when the receiver came back arrives on both.
    const expected = await outboxKeys();
    const has = (arr: string[]) => {
      const s = new Set(arr);
      return expected.every((e) => s.has(e.key));
    };
    await until(() => has(receiver.keys()) && has(mqttArrivals.map((a) => a.key)), 120_000, 'every notification on both receivers');
    const recoveredAt = Date.now();
    // Normal operation again, for more latency samples; then everything so far must have arrived too.
    await new Promise((r) => setTimeout(r, 15_000));
    const late = await outboxKeys();
    const lateHas = (arr: string[]) => late.every((e) => new Set(arr).has(e.key));
    await until(() => lateHas(receiver.keys()) && lateHas(mqttArrivals.map((a) => a.key)), 60_000, 'the notifications after recovery');
    server.proc.kill('SIGTERM');
    await server.exited;

    const all = await outboxKeys();
    const order = new Map(all.map((r, i) => [r.key, i]));
    for (const [name, keys] of [
      ['webhook', receiver.keys()],
      ['mqtt', mqttArrivals.map((a) => a.key)],
    ] as const) {
      const firsts = [...new Set(keys)];
      expect(
        firsts.filter((k) => !order.has(k)),
        `${name}: keys not in the outbox`,
      ).toEqual([]);
      expect(firsts.length, `${name}: every notification`).toBeGreaterThanOrEqual(late.length);
      // In order per camera: first arrivals follow the outbox order (one camera here, plus system alerts).
      for (const cam of new Set(all.map((r) => r.camera_id))) {
        const seq = firsts.filter((k) => all[order.get(k)!]!.camera_id === cam).map((k) => order.get(k)!);
        expect(seq, `${name}: order of camera ${cam}`).toEqual([...seq].sort((a, b) => a - b));
      }
      // A resend can only be the one delivery in flight when the server was killed.
      expect(keys.length - firsts.length, `${name}: resends`).toBeLessThanOrEqual(1);
    }
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(availability).toContain('offline'); // the broker published our last will at the kill
    expect(availability.at(-1)).toBe('offline'); // and the clean stop said so too

    const normal = (arr: Arrival[]) => arr.filter((a) => a.receivedAt <= normalUntil || a.at > recoveredAt).map((a) => a.receivedAt - a.at);
    const webhookArrivals = receiver.received.map((r) => ({ key: r.key, at: Number(r.body.at), receivedAt: r.at }));
    const report = {
      notifications: all.length,
      webhook: {
        received: receiver.received.length,
        unique: new Set(receiver.keys()).size,
        p95Ms: p95(normal(webhookArrivals)),
        samples: normal(webhookArrivals).length,
      },
      mqtt: {
        received: mqttArrivals.length,
        unique: new Set(mqttArrivals.map((a) => a.key)).size,
        p95Ms: p95(normal(mqttArrivals)),
        samples: normal(mqttArrivals).length,
      },
      outageMs: upAt - downAt,
      killedAfterOutageStartMs: killedAt - downAt,
      recoveredWithinMs: recoveredAt - upAt,
    };
    mkdirSync(path.join(PROJECT_ROOT, 'test-output'), { recursive: true });
    writeFileSync(path.join(PROJECT_ROOT, 'test-output', 'notify-latency.json'), JSON.stringify(report, null, 2));
    console.log('notification delivery', JSON.stringify(report));
  }, 400_000);
});
