import { monitorEventLoopDelay } from 'node:perf_hooks';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config/config.load.js';
import { wireNotify, type NotifyWiring } from '../../server/main.notify.js';
import { silentLogger } from '../../server/shared/log.js';
import type { Store } from '../../server/store/store.js';
import { openTestStore, tempDir } from './events.fixture.js';
import { draft, testCamera, until } from './notify.fixture.js';
import { WebhookReceiver } from './notify.receiver.js';

/** Issue 14 item 5: signed webhooks to a real HTTP receiver on loopback, and what a bad receiver does. */
describe('webhook notifications', () => {
  let dir: string;
  let store: Store;
  let notify: NotifyWiring;
  const secrets = new Map<number, string>();
  const receivers: WebhookReceiver[] = [];
  const receiver = async (id: () => number) => {
    const r = new WebhookReceiver(() => secrets.get(id())!);
    await r.start();
    receivers.push(r);
    return r;
  };
  const register = async (r: WebhookReceiver, name: string) => {
    const { endpoint, secret } = await notify.admin.createEndpoint({ name, url: r.url }, null);
    secrets.set(endpoint.id, secret);
    return endpoint.id;
  };

  beforeAll(async () => {
    dir = tempDir('notify-webhook');
    store = await openTestStore(dir);
    const config = loadConfig({
      BINHYEN_DATA_DIR: dir,
      BINHYEN_NOTIFY__POLL_MS: '50',
      BINHYEN_NOTIFY__RETRY_BASE_MS: '100',
      BINHYEN_NOTIFY__RETRY_MAX_MS: '400',
      BINHYEN_NOTIFY__SEND_TIMEOUT_MS: '500',
    });
    notify = await wireNotify({ config, store, log: silentLogger });
    await notify.start();
  });
  afterAll(async () => {
    await notify.stop();
    for (const r of receivers) await r.stop();
    await store.db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad endpoint URLs with the field and the reason, and shows the secret once', async () => {
    const bad = async (url: string) =>
      notify.admin.createEndpoint({ name: 'x', url }, null).catch((e: { code: string; details: { field: string }; message: string }) => e);
    for (const [url, code, text] of [
      ['not a url', 'invalid_webhook_url', 'not a URL'],
      ['ftp://127.0.0.1/x', 'invalid_webhook_url', 'http:// or https://'],
      ['http://u:p@127.0.0.1/x', 'invalid_webhook_url', 'user name or password'],
      ['http://169.254.169.254/latest/meta-data', 'target_not_allowed', '169.254.0.0/16'],
      ['http://[fe80::1]/x', 'target_not_allowed', 'fe80::/10'],
      ['http://no-such-host.invalid/x', 'invalid_webhook_url', 'does not resolve'],
    ] as const) {
      const err = (await bad(url)) as { code: string; details: { field: string }; message: string };
      expect(err.code, url).toBe(code);
      expect(err.details.field).toBe('body.url');
      expect(err.message).toContain(text);
    }
    const r = await receiver(() => id);
    const id = await register(r, 'Node-RED');
    expect(secrets.get(id)).toMatch(/^whsec_/);
    const listed = await notify.admin.endpoints();
    expect(JSON.stringify(listed)).not.toContain(secrets.get(id)!);
    expect(await notify.admin.testEndpoint(id)).toMatchObject({ ok: true, status: 200 });
    expect(r.received[0]).toMatchObject({ kind: 'announcement', verified: true });
    await notify.admin.deleteEndpoint(id);
  });

  it('signs every delivery, retries a 500, and while one endpoint hangs another is served and the event loop stays free', async () => {
    const good = await receiver(() => goodId);
    const goodId = await register(good, 'good');
    const hanging = await receiver(() => hangId);
    hanging.mode = 'hang';
    const hangId = await register(hanging, 'hanging');
    const cam = await testCamera(store, 'Cầu Ông Lãnh');
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    good.mode = 'fail500';
    for (let i = 0; i < 5; i++) await store.outbox.enqueue(draft(`wh:${i}`, cam, { kind: i === 4 ? 'alert.resolved' : 'alert.new' }));
    await until(() => good.hits >= 2, 10_000, 'two 500 answers');
    good.mode = 'ok';
    await until(() => good.received.length >= 5, 15_000, 'five deliveries');
    expect(good.keys()).toEqual(['wh:0', 'wh:1', 'wh:2', 'wh:3', 'wh:4']);
    expect(good.received.every((r) => r.verified)).toBe(true);
    expect(good.received[4]!.body).toMatchObject({ kind: 'alert.resolved', cameraId: cam, payload: { n: 'wh:4' } });
    // The receiver has the fifth body before the sender has logged its answer.
    await until(async () => (await notify.admin.endpointLog(goodId, 50)).filter((a) => a.ok).length >= 5, 10_000, 'five deliveries logged');
    const log = await notify.admin.endpointLog(goodId, 50);
    expect(log.filter((a) => a.status === 500).length, JSON.stringify(log)).toBeGreaterThanOrEqual(1);
    expect(log.filter((a) => a.ok)).toHaveLength(5);
    await until(async () => (await notify.admin.endpointLog(hangId, 50)).length > 0, 10_000, 'the hanging attempt to time out');
    const hangLog = await notify.admin.endpointLog(hangId, 50);
    expect(hangLog[0]!.error).toContain('no answer within 500 ms');
    lag.disable();
    console.log(`event loop delay while an endpoint hangs: p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms`);
    await notify.admin.deleteEndpoint(hangId);
    await notify.admin.deleteEndpoint(goodId);
  });

  it('a 100 MB answer is cut at the cap and the delivery counts; a denied address is a dead letter at once; retry sends it', async () => {
    const huge = await receiver(() => hugeId);
    huge.mode = 'huge';
    const hugeId = await register(huge, 'huge');
    const cam = await testCamera(store, 'Bến xe');
    await store.outbox.enqueue(draft('huge:1', cam));
    await until(async () => (await notify.admin.endpointLog(hugeId, 5)).some((a) => a.ok), 10_000, 'the delivery to the huge answer');
    expect(huge.hugeBytesWritten).toBeLessThan(100 * (1 << 20));
    await notify.admin.deleteEndpoint(hugeId);

    // An endpoint whose address became denied (e.g. the admin's ranges changed): permanent failure.
    const ok = await receiver(() => deniedId);
    const deniedId = await register(ok, 'later denied');
    await store.db('notify_endpoints').where({ id: deniedId }).update({ url: 'http://169.254.169.254/hook' });
    await store.outbox.enqueue(draft('denied:1', cam));
    await until(async () => (await notify.admin.deadLetters(10, 0)).some((d) => d.notification.key === 'denied:1'), 10_000, 'the dead letter');
    const dead = (await notify.admin.deadLetters(10, 0)).find((d) => d.notification.key === 'denied:1')!;
    expect(dead.attempts).toBe(1);
    expect(dead.lastError).toContain('169.254.0.0/16');
    await store.db('notify_endpoints').where({ id: deniedId }).update({ url: ok.url });
    await notify.admin.retry(dead.id);
    await until(() => ok.keys().includes('denied:1'), 10_000, 'the retried dead letter');
    await expect(notify.admin.retry(dead.id)).rejects.toMatchObject({ code: 'not_dead_letter' });
  });
});
