import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config/config.load.js';
import { AlertService } from '../../server/events/alert.service.js';
import { AlertViews } from '../../server/events/alert.view.js';
import { wireNotify } from '../../server/main.notify.js';
import { systemClock } from '../../server/shared/clock.js';
import { silentLogger } from '../../server/shared/log.js';
import type { Store } from '../../server/store/store.js';
import { openTestStore, tempDir } from './events.fixture.js';
import { testCamera, until } from './notify.fixture.js';

/** Issue 14 item 4: MQTT against the real Mosquitto on 127.0.0.1:1883, Frigate-style topics. */
const BROKER = 'mqtt://127.0.0.1:1883';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

interface Seen {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

describe('MQTT notifications', () => {
  let dir: string;
  let store: Store;
  let sub: MqttClient;
  const seen: Seen[] = [];
  const prefix = `binhyen_test_${randomBytes(3).toString('hex')}`;
  const text = (topic: string) => seen.filter((s) => s.topic === `${prefix}/${topic}`).map((s) => s.payload.toString());

  beforeAll(async () => {
    dir = tempDir('notify-mqtt');
    store = await openTestStore(dir);
    sub = await mqtt.connectAsync(BROKER, { clientId: `sub-${prefix}` });
    sub.on('message', (topic, payload, packet) => seen.push({ topic, payload, retain: packet.retain }));
    await sub.subscribeAsync(`${prefix}/#`, { qos: 1 });
  });
  afterAll(async () => {
    await sub.endAsync();
    await store.db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes availability, events with before/after, alerts, the per-label count and the retained snapshot', async () => {
    const config = loadConfig({ BINHYEN_DATA_DIR: dir, BINHYEN_MQTT__URL: BROKER, BINHYEN_MQTT__TOPIC_PREFIX: prefix, BINHYEN_NOTIFY__POLL_MS: '50' });
    const notify = await wireNotify({ config, store, log: silentLogger });
    await notify.start();
    try {
      await until(() => text('available').includes('online'), 10_000, 'available=online');
      const cam = await testCamera(store, 'Cổng chợ Đình');
      const alerts = new AlertService({
        store,
        publisher: { created() {}, updated() {} },
        views: new AlertViews(store),
        clock: systemClock,
        log: silentLogger,
      });
      const { event, alert } = await alerts.createEventWithAlert(
        {
          cameraId: cam,
          areaId: null,
          trackId: 't1',
          label: 'person',
          score: 0.9,
          box: null,
          zones: [],
          startAt: 1,
          lastSeenAt: 1,
          bestAt: 1,
          visibility: 'internal',
        },
        'high',
        Date.now(),
      );
      mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
      writeFileSync(path.join(dir, 'snapshots', 'e1.jpg'), JPEG);
      await store.events.update(event.id, { snapshotPath: 'snapshots/e1.jpg' });
      await alerts.snapshotReady(event.id);
      const actor = { userId: null, username: null, ip: null };
      await alerts.changeState(alert!.id, { state: 'acknowledged' }, actor);
      await alerts.changeState(alert!.id, { state: 'resolved', note: 'đã xử lý' }, actor);
      // Each topic is its own stream: the events can all be in before the last alert message is.
      await until(() => text('events').length === 4 && text('alerts').length === 4 && text('cong_cho_dinh/person').length === 4, 10_000, 'four of each');
      const events = text('events').map(
        (t) => JSON.parse(t) as { type: string; key: string; before: { state: string } | null; after: { state: string; cameraName: string } },
      );
      expect(events.map((e) => e.type)).toEqual(['new', 'update', 'update', 'end']);
      expect(events[0]!.before).toBeNull();
      expect(events[0]!.after.cameraName).toBe('Cổng chợ Đình');
      expect(events[3]!.before!.state).toBe('acknowledged');
      expect(events[3]!.after.state).toBe('resolved');
      expect(new Set(events.map((e) => e.key)).size).toBe(4);
      expect(text('alerts')).toHaveLength(4);
      // The count is the current one when each message goes out (retained): it ends at 0 once resolved.
      const counts = text('cong_cho_dinh/person');
      expect(counts).toHaveLength(4);
      expect(counts.at(-1)).toBe('0');
      const snap = seen.find((s) => s.topic === `${prefix}/cong_cho_dinh/snapshot`);
      expect(snap?.payload.equals(JPEG)).toBe(true);
      expect(notify.health().find((c) => c.channel === 'mqtt')).toEqual({ channel: 'mqtt', state: 'ok', detail: null });
    } finally {
      await notify.stop();
    }
    await until(() => text('available').at(-1) === 'offline', 5000, 'available=offline');
    // The retained snapshot is there for a subscriber that comes later.
    const late = await mqtt.connectAsync(BROKER);
    const retained = new Promise<Buffer>((resolve) => late.on('message', (_t, p) => resolve(p)));
    await late.subscribeAsync(`${prefix}/cong_cho_dinh/snapshot`);
    expect((await retained).equals(JPEG)).toBe(true);
    await late.publishAsync(`${prefix}/cong_cho_dinh/snapshot`, '', { retain: true }); // leave the broker clean
    await late.endAsync();
  });

  it('a broker that is down at start: clear health, deliveries wait with the reason, start does not hang', async () => {
    const config = loadConfig({
      BINHYEN_DATA_DIR: dir,
      BINHYEN_MQTT__URL: 'mqtt://127.0.0.1:1',
      BINHYEN_NOTIFY__POLL_MS: '50',
      BINHYEN_NOTIFY__RETRY_BASE_MS: '50',
    });
    const notify = await wireNotify({ config, store, log: silentLogger });
    await notify.start();
    try {
      const cam = await testCamera(store, 'Ngõ 3');
      await store.outbox.enqueue({
        kind: 'camera.offline',
        key: `down:${prefix}`,
        cameraId: cam,
        areaId: null,
        severity: 'high',
        label: null,
        visibility: 'internal',
        payload: {},
        at: 1,
      });
      const mine = async () => (await store.outbox.deliveries({ channel: 'mqtt', state: 'pending' }, 100)).find((x) => x.notification.key === `down:${prefix}`);
      await until(async () => ((await mine())?.attempts ?? 0) > 0, 10_000, 'a failed attempt');
      const d = await mine();
      expect(d!.lastError).toContain('MQTT broker not connected');
      const h = notify.health().find((c) => c.channel === 'mqtt');
      expect(h!.state).toBe('degraded');
      expect(h!.detail).toContain('mqtt://127.0.0.1:1');
    } finally {
      await notify.stop();
    }
  });
});
