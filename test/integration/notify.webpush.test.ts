import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config/config.load.js';
import { wireNotify, type NotifyWiring } from '../../server/main.notify.js';
import { silentLogger } from '../../server/shared/log.js';
import type { Store } from '../../server/store/store.js';
import { openTestStore, tempDir } from './events.fixture.js';
import { draft, testCamera, until } from './notify.fixture.js';
import { BrowserKeys, PushServiceStandIn } from '../support/pushservice.js';

/** Issue 14 item 3: Web Push to a push-service stand-in that checks VAPID and decrypts the payload. */
describe('Web Push notifications', () => {
  let dir: string;
  let store: Store;
  let notify: NotifyWiring;
  const browsers = new Map<string, BrowserKeys>();
  const service = new PushServiceStandIn(browsers);
  const user = (username: string, roles: ('police' | 'resident')[], areaIds: number[] = []) =>
    store.users.create({ username, displayName: username, passwordHash: 'x', roles, areaIds });
  const subscribe = async (userId: number, name: string) => {
    const b = new BrowserKeys();
    browsers.set(`/push/${name}`, b);
    return notify.pushSubscriptions.subscribe(userId, { endpoint: service.endpoint(name), keys: { p256dh: b.p256dh, auth: b.authSecret } });
  };

  beforeAll(async () => {
    dir = tempDir('notify-push');
    store = await openTestStore(dir);
    await service.start();
    const config = loadConfig({ BINHYEN_DATA_DIR: dir, BINHYEN_NOTIFY__POLL_MS: '50' });
    notify = await wireNotify({ config, store, log: silentLogger });
  });
  afterAll(async () => {
    await notify.stop();
    await service.stop();
    await store.db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps VAPID keys in the data folder, sends a burst as one encrypted, signed push with a count, and only to whom the rules let it reach', async () => {
    const keyFile = path.join(dir, 'vapid.json');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(notify.pushSubscriptions.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    const police = await user('congan', ['police']);
    const hamlet = await store.areas.create({ parentId: null, kind: 'hamlet', name: 'Ấp 1' });
    const resident = await user('cudan', ['resident'], [hamlet.id]);
    await subscribe(police.id, 'police-phone');
    await subscribe(resident.id, 'resident-phone');
    await expect(
      notify.pushSubscriptions.subscribe(police.id, { endpoint: 'http://169.254.169.254/x', keys: { p256dh: 'a', auth: 'b' } }),
    ).rejects.toMatchObject({
      code: 'target_not_allowed',
      details: { field: 'body.endpoint' },
    });
    const cam = await testCamera(store, 'Cổng UBND');
    const alert = { id: 1, eventId: 9, cameraName: 'Cổng UBND', label: 'person', snapshotUrl: '/api/events/9/snapshots/best.jpg' };
    for (let i = 0; i < 5; i++) await store.outbox.enqueue(draft(`push:${i}`, cam, { payload: { alert } }));
    await notify.start();
    await until(() => service.pushed.length >= 1, 10_000, 'the push');
    await new Promise((r) => setTimeout(r, 300));
    const toPolice = service.pushed.filter((p) => p.path === '/push/police-phone');
    expect(toPolice).toHaveLength(1);
    expect(toPolice[0]).toMatchObject({
      vapidOk: true,
      payload: {
        title: '5 cảnh báo mới tại Cổng UBND',
        count: 5,
        keys: ['push:0', 'push:1', 'push:2', 'push:3', 'push:4'],
        url: '/events/9',
        image: '/api/events/9/snapshots/best.jpg',
      },
    });
    expect(service.pushed.filter((p) => p.path === '/push/resident-phone')).toEqual([]); // internal alert, resident rules
  });

  it('removes a subscription the push service says is gone, without retrying', async () => {
    const police = await user('congan2', ['police']);
    const { id } = await subscribe(police.id, 'old-phone');
    service.gone.add('/push/old-phone');
    const cam = await testCamera(store, 'Chợ');
    await store.outbox.enqueue(draft('push:gone', cam));
    await until(async () => (await store.notify.pushSubscription(id)) === undefined, 10_000, 'the subscription removed');
    const dead = (await store.outbox.deliveries({ state: 'dead', channel: 'webpush' }, 10)).find((d) => d.notification.key === 'push:gone');
    expect(dead?.attempts).toBe(1);
    expect(dead?.lastError).toContain('410');
  });
});
