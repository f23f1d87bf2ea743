import { createServer, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config/config.load.js';
import { defaultRules } from '../../server/notify/notify.rules.js';
import { wireNotify, type NotifyWiring } from '../../server/main.notify.js';
import { silentLogger } from '../../server/shared/log.js';
import type { Store } from '../../server/store/store.js';
import { openTestStore, tempDir } from './events.fixture.js';
import { draft, testCamera, until } from './notify.fixture.js';

/** Issue 14 item 6: the Zalo OA adapter against a local stand-in that records requests and fails on purpose. */
describe('Zalo notifications', () => {
  let dir: string;
  let store: Store;
  let notify: NotifyWiring;
  let server: Server;
  const requests: { token: string | undefined; body: { recipient: { user_id: string }; message: { text: string } } }[] = [];
  /** Zalo error codes to answer next (0 = success), as Zalo does: HTTP 200 with `error`. */
  const answers: number[] = [];

  beforeAll(async () => {
    dir = tempDir('notify-zalo');
    store = await openTestStore(dir);
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({ token: req.headers.access_token as string | undefined, body: JSON.parse(Buffer.concat(chunks).toString()) });
        const error = answers.shift() ?? 0;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ error, message: error ? 'thất bại có chủ ý' : 'Success' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const config = loadConfig({
      BINHYEN_DATA_DIR: dir,
      BINHYEN_NOTIFY__POLL_MS: '50',
      BINHYEN_NOTIFY__RETRY_BASE_MS: '50',
      BINHYEN_ZALO__ACCESS_TOKEN: 'token-of-the-commune-oa',
      BINHYEN_ZALO__API_URL: `http://127.0.0.1:${port}/v3.0/oa/message/cs`,
      BINHYEN_ZALO__LINK_BASE: 'https://binhyen.xa.vn',
    });
    notify = await wireNotify({ config, store, log: silentLogger });
  });
  afterAll(async () => {
    await notify.stop();
    await new Promise<void>((r) => server.close(() => r()));
    await store.db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a Vietnamese message with a link to users who linked Zalo, retries a transient error, gives up on a bad token', async () => {
    const police = await store.users.create({ username: 'congan', displayName: 'An', passwordHash: 'x', roles: ['police'], areaIds: [] });
    await store.users.create({ username: 'congan2', displayName: 'Bình', passwordHash: 'x', roles: ['police'], areaIds: [] }); // no Zalo id
    await store.notify.setRules(police.id, { ...defaultRules(['police'], []), zaloUserId: '8765432101234' }, Date.now());
    const cam = await testCamera(store, 'Chợ Đình');
    const alert = { id: 3, eventId: 12, cameraName: 'Chợ Đình', label: 'motorcycle' };
    answers.push(-32); // Zalo's rate limit: transient
    await store.outbox.enqueue(draft('zalo:1', cam, { payload: { alert } }));
    await notify.start();
    await until(() => requests.length >= 2, 10_000, 'the retried Zalo message');
    expect(requests[1]).toEqual({
      token: 'token-of-the-commune-oa',
      body: {
        recipient: { user_id: '8765432101234' },
        message: { text: 'Cảnh báo: xe máy tại Chợ Đình\nChạm để xem ảnh và xử lý.\nhttps://binhyen.xa.vn/events/12' },
      },
    });
    answers.push(-216); // invalid access token: no use retrying
    await store.outbox.enqueue(draft('zalo:2', cam, { kind: 'alert.resolved', payload: { alert } }));
    await until(async () => (await store.outbox.deliveries({ state: 'dead', channel: 'zalo' }, 10)).length === 1, 10_000, 'the dead letter');
    const [dead] = await store.outbox.deliveries({ state: 'dead', channel: 'zalo' }, 10);
    expect(dead!.attempts).toBe(1);
    expect(dead!.lastError).toContain('Zalo error -216');
    expect(requests).toHaveLength(3);
  });
});
