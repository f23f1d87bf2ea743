import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFootagePath } from '../../server/demo/footage.js';
import { PasswordHasher } from '../../server/auth/password.hasher.js';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { migrateLatest, openDb } from '../../server/store/db.js';
import { createStore, type Store } from '../../server/store/store.js';
import { PROJECT_ROOT } from '../../server/version.js';
import { spawnServer, type ServerProcess } from '../support/procs.js';
import { BrowserKeys, PushServiceStandIn } from '../support/pushservice.js';
import { tempDir } from '../support/tmp.js';
import { call, login, PASSWORD } from './auth.world.js';
import { addTestCamera } from './events.fixture.js';
import { until } from './notify.fixture.js';
import { WebhookReceiver } from './notify.receiver.js';

/**
 * Issue 14 "done when", with real parts: the simulated RTSP camera plays street footage into
 * the real server process (`binhyen serve`), whose pipeline raises person alerts; each
 * notification reaches a Mosquitto subscriber and a signed-webhook receiver, and every alert
 * reaches a police officer's phone (subscribed through the API, at a push-service stand-in that
 * checks VAPID and decrypts). In the middle the receivers are down for 30 s and the server is
 * killed with SIGKILL once (and started again). After recovery every notification of the outbox
 * has arrived on each, de-duplicated by key, in order per camera. Latency (receipt − alert
 * decision) is measured outside the outage and
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
  const phones = new Map<string, BrowserKeys>([['/push/police-phone', new BrowserKeys()]]);
  const pushService = new PushServiceStandIn(phones);
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
    await pushService.start();
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
    const passwordHash = await new PasswordHasher(10).hash(PASSWORD);
    await store.users.create({ username: 'congan', displayName: 'Công an xã', passwordHash, roles: ['police'], areaIds: [] });
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
    await pushService.stop();
    await sim?.stop();
    await store?.db.destroy();
    tmp.remove();
  });

  type OutboxRow = { id: number; key: string; kind: string; camera_id: number | null; at: number | string };
  const outboxKeys = async () => (await store.db('notify_outbox').orderBy('id').select('id', 'key', 'kind', 'camera_id', 'at')) as OutboxRow[];
  /** What the phone must get: the alerts queued once it subscribed (push targets are chosen when a notification is fanned out). */
  let pushFrom = 0;
  const forPhone = (rows: OutboxRow[]) => rows.filter((r) => r.kind.startsWith('alert.') && r.id > pushFrom);
  const pushKeys = () => pushService.pushed.flatMap((p) => p.payload.keys as string[]);

  /** As the settings page does: the police officer keeps only alerts, on Web Push, and subscribes this phone. */
  async function subscribePhone(url: string): Promise<void> {
    const cookie = await login({ url }, 'congan');
    const rules = {
      channels: ['webpush'],
      kinds: ['alert.new', 'alert.updated', 'alert.resolved'],
      areaIds: [],
      cameraIds: [],
      labels: [],
      minSeverity: 'low',
      quietHours: null,
    };
    expect((await call({ url }, 'PUT', '/api/notify/rules', { cookie, body: rules })).status).toBe(200);
    const phone = phones.get('/push/police-phone')!;
    const sub = await call({ url }, 'POST', '/api/notify/push/subscriptions', {
      cookie,
      body: { endpoint: pushService.endpoint('police-phone'), keys: { p256dh: phone.p256dh, auth: phone.authSecret } },
    });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    pushFrom = (await outboxKeys()).at(-1)?.id ?? 0;
  }

  it('every notification arrives once per receiver (by key), in order per camera, after a 30 s receiver outage and a SIGKILL', async () => {
    server = spawnServer(env);
    await subscribePhone(await server.url);
    // Normal operation: alerts flow to every receiver.
    await until(
      () => receiver.received.length >= 8 && mqttArrivals.length >= 8 && pushService.pushed.length >= 2,
      150_000,
      'the first alerts on every receiver',
    );
    const normalUntil = Date.now();
    await Promise.all([receiver.stop(), pushService.stop()]);
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
    server.proc.kill('SIGKILL');
    await server.exited;
    const killedAt = Date.now();
    server = spawnServer(env);
    await server.url;
    await new Promise((r) => setTimeout(r, Math.max(0, downAt + OUTAGE_MS - Date.now())));
    await Promise.all([receiver.start(receiver.port), pushService.start(pushService.port)]);
    const upAt = Date.now();
    // Recovery: everything the outbox held when the receiver came back arrives on both.
    const expected = await outboxKeys();
    const has = (arr: string[], rows = expected) => {
      const s = new Set(arr);
      return rows.every((e) => s.has(e.key));
    };
    await until(
      () => has(receiver.keys()) && has(mqttArrivals.map((a) => a.key)) && has(pushKeys(), forPhone(expected)),
      120_000,
      'every notification on every receiver',
    );
    const recoveredAt = Date.now();
    // Normal operation again, for more latency samples; then everything so far must have arrived too.
    await new Promise((r) => setTimeout(r, 15_000));
    const late = await outboxKeys();
    const lateHas = (arr: string[], rows = late) => rows.every((e) => new Set(arr).has(e.key));
    await until(
      () => lateHas(receiver.keys()) && lateHas(mqttArrivals.map((a) => a.key)) && lateHas(pushKeys(), forPhone(late)),
      60_000,
      'the notifications after recovery',
    );
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
    // The phone: every alert since it subscribed covered by exactly one decrypted message (a burst
    // is one message with a count), in order per camera. No resend is allowed here: the push
    // service was down when the server was killed, so no push was in flight unacknowledged.
    const pushed = pushService.pushed;
    expect(pushed.every((p) => p.vapidOk && p.path === '/push/police-phone')).toBe(true);
    expect(pushed.every((p) => (p.payload.keys as string[]).length === p.payload.count)).toBe(true);
    const covered = pushKeys();
    expect(
      covered.filter((k) => !all[order.get(k) ?? -1]?.kind.startsWith('alert.')),
      'push: keys that are not alerts of the outbox',
    ).toEqual([]);
    expect(new Set(covered).size, 'push: an alert covered twice').toBe(covered.length);
    expect(
      forPhone(late).filter((r) => !covered.includes(r.key)),
      'push: alerts never covered',
    ).toEqual([]);
    for (const cam of new Set(all.map((r) => r.camera_id))) {
      const seq = covered.filter((k) => all[order.get(k)!]!.camera_id === cam).map((k) => order.get(k)!);
      expect(seq, `push: order of camera ${cam}`).toEqual([...seq].sort((a, b) => a - b));
    }
    expect(availability).toContain('offline'); // the broker published our last will at the kill
    expect(availability.at(-1)).toBe('offline'); // and the clean stop said so too

    const normal = (arr: Arrival[]) => arr.filter((a) => a.receivedAt <= normalUntil || a.at > recoveredAt).map((a) => a.receivedAt - a.at);
    const atOf = new Map(all.map((r) => [r.key, Number(r.at)]));
    const pushArrivals = pushed.flatMap((p) => (p.payload.keys as string[]).map((key) => ({ key, at: atOf.get(key)!, receivedAt: p.at })));
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
      webpush: {
        messages: pushed.length,
        alertsCovered: covered.length,
        largestGroup: Math.max(...pushed.map((p) => Number(p.payload.count))),
        alertsSinceSubscribed: forPhone(all).length,
        p95Ms: p95(normal(pushArrivals)),
        samples: normal(pushArrivals).length,
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
