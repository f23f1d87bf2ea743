import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AlertService } from '../../server/events/alert.service.js';
import { AlertViews } from '../../server/events/alert.view.js';
import { enqueueAlertNotification } from '../../server/events/alert.notify.js';
import { NotifyDispatcher, type DispatcherTuning } from '../../server/notify/notify.dispatcher.js';
import { systemClock } from '../../server/shared/clock.js';
import { silentLogger } from '../../server/shared/log.js';
import { createStore, type Store } from '../../server/store/store.js';
import { dbTargets, openMigrated } from '../support/db.js';
import { draft, RecordingChannel, testCamera, until } from './notify.fixture.js';

/** Issue 14 item 1: the durable outbox and its workers, on SQLite and PostgreSQL. */
const tuning = (o: Partial<DispatcherTuning> = {}): DispatcherTuning => ({
  pollMs: 20,
  retryBaseMs: 20,
  retryMaxMs: 100,
  maxAttempts: 5,
  sendTimeoutMs: 1000,
  ratePerMinute: { webhook: 60_000 },
  concurrency: 4,
  maxGroup: 50,
  ...o,
});

describe.each(dbTargets)('notification outbox on $name', (target) => {
  let h: Awaited<ReturnType<typeof openMigrated>>;
  let store: Store;
  let dispatcher: NotifyDispatcher | undefined;
  const startDispatcher = (ch: RecordingChannel, o: Partial<DispatcherTuning> = {}) => {
    dispatcher = new NotifyDispatcher({ store, channels: [ch], clock: systemClock, log: silentLogger, tuning: tuning(o) });
    dispatcher.start();
    return dispatcher;
  };
  beforeAll(async () => {
    h = await openMigrated(target);
    store = createStore(h.db);
  });
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = undefined;
    // Each test starts from an empty outbox, so one test's deliveries never reach the next one's channel.
    await h.db('notify_outbox').delete();
  });
  afterAll(() => h.cleanup());

  it('writes the notification in the transaction of the alert change: camera offline and back, nothing from a rolled-back change', async () => {
    const cam = await testCamera(store, 'Cổng chợ');
    const alerts = new AlertService({ store, publisher: { created() {}, updated() {} }, views: new AlertViews(store), clock: systemClock, log: silentLogger });
    const off = await alerts.raiseCameraOffline(cam, 'no frames for 30 s', 1000);
    await alerts.closeCameraOffline(cam, 2000);
    const rows = await store.outbox.unfanned(10);
    expect(rows.map((r) => [r.kind, r.cameraId])).toEqual([
      ['camera.offline', cam],
      ['camera.online', cam],
    ]);
    expect((rows[1]!.payload.before as { state: string }).state).toBe('new');
    expect((rows[1]!.payload.alert as { state: string }).state).toBe('resolved');
    await expect(
      store.transaction(async (tx) => {
        await enqueueAlertNotification(tx, 'alert:rolled-back', off!, null, 'raised', 3000);
        throw new Error('the alert write failed');
      }),
    ).rejects.toThrow('the alert write failed');
    expect(await store.outbox.byKey('alert:rolled-back')).toBeUndefined();
  });

  it('de-duplicates by key: a replayed producer and a repeated fan-out add nothing', async () => {
    expect(await store.outbox.enqueue(draft('k:dup', null))).toBe(true);
    expect(await store.outbox.enqueue(draft('k:dup', null))).toBe(false);
    const [n] = await store.outbox.unfanned(10);
    const d = [{ channel: 'webhook' as const, target: 't1', orderKey: 'x' }];
    await store.transaction((tx) => tx.outbox.fanOut(n!.id, d, 1));
    await store.transaction((tx) => tx.outbox.fanOut(n!.id, d, 2));
    expect(await store.outbox.deliveries({}, 10)).toHaveLength(1);
  });

  it('retries a failing receiver with backoff and delivers each notification once, in order per camera', async () => {
    const a = await testCamera(store, 'A');
    const b = await testCamera(store, 'B');
    const ch = new RecordingChannel();
    ch.failNext = 3;
    for (let i = 0; i < 5; i++) await store.outbox.enqueue(draft(`a${i}`, a, { kind: i % 2 ? 'alert.updated' : 'alert.new' }));
    for (let i = 0; i < 3; i++) await store.outbox.enqueue(draft(`b${i}`, b));
    startDispatcher(ch);
    await until(() => ch.keys().length >= 8, 10_000, 'all 8 deliveries');
    const keys = ch.keys();
    expect(new Set(keys).size).toBe(8);
    expect(keys.filter((k) => k.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(keys.filter((k) => k.startsWith('b'))).toEqual(['b0', 'b1', 'b2']);
    const delivered = await store.outbox.deliveries({ state: 'delivered' }, 100);
    expect(delivered).toHaveLength(8);
    const failed = (await store.outbox.attempts({ deliveryIds: delivered.map((d) => d.id) }, 100)).filter((x) => !x.ok);
    expect(failed).toHaveLength(3);
    expect(failed[0]!.status).toBe(500);
  });

  it('turns a delivery that keeps failing into a dead letter, and the retry button sends it', async () => {
    const cam = await testCamera(store, 'C');
    const ch = new RecordingChannel();
    ch.failAlways = true;
    await store.outbox.enqueue(draft('dead:1', cam));
    startDispatcher(ch, { maxAttempts: 3 });
    await until(async () => (await store.outbox.deliveries({ state: 'dead' }, 10)).length === 1, 10_000, 'a dead letter');
    const [dead] = await store.outbox.deliveries({ state: 'dead' }, 10);
    expect(dead!.attempts).toBe(3);
    expect(dead!.lastError).toContain('500');
    ch.failAlways = false;
    expect(await store.outbox.retry(dead!.id, Date.now())).toBe(true);
    await until(() => ch.keys().includes('dead:1'), 10_000, 'the retried delivery');
    expect(ch.keys()).toEqual(['dead:1']);
  });

  it('groups a burst of alerts from one camera into one message with a count', async () => {
    const cam = await testCamera(store, 'D');
    const ch = new RecordingChannel(true);
    for (let i = 0; i < 20; i++) await store.outbox.enqueue(draft(`burst${i}`, cam));
    await store.outbox.enqueue(draft('burst:end', cam, { kind: 'alert.resolved' }));
    startDispatcher(ch);
    await until(() => ch.keys().length === 21, 10_000, 'the burst');
    expect(ch.received.map((g) => g.length)).toEqual([20, 1]);
    expect((await store.outbox.deliveries({ state: 'grouped' }, 100)).length).toBe(19);
  });
});
