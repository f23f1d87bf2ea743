import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { call, login, startAuthServer } from './auth.world.js';

/**
 * Issue 12, finding 6 (the URL differential): "ht\ttp://…" passed validation because the URL
 * parser drops tabs, while ffmpeg opened the raw string as a file. Control characters are refused.
 */
let srv: TestServer;
let admin: string;

beforeAll(async () => {
  srv = await startAuthServer();
  await srv.auth.users.add({ username: 'chief', roles: ['admin'], areaIds: [], password: 'bootstrap password 1' }, { name: 'cli' });
  admin = await login(srv, 'chief', 'bootstrap password 1');
});
afterAll(async () => {
  await srv?.stop();
});

type Err = { error: { code: string; field: string } };

describe('stream URLs with control characters', () => {
  it('are refused on register, edit and test-connection, naming the field, and nothing is stored', async () => {
    const urls = ['ht\ttp://127.0.0.1:1/x', 'rtsp://127.0.0.1:1/a\nb', 'rtsp://127.0.0.1:1/\r/../etc/passwd', 'rtsp://127.0.0.1:1/\u0085x'];
    for (const url of urls) {
      const reg = await call<Err>(srv, 'POST', '/api/cameras', { cookie: admin, body: { name: 'x', streams: { detect: { url } }, enabled: false } });
      expect(reg.status, JSON.stringify(url)).toBe(400);
      expect(reg.body.error.field).toBe('body.streams.detect.url');
      const test = await call<Err>(srv, 'POST', '/api/cameras/test-connection', { cookie: admin, body: { url } });
      expect(test.status, JSON.stringify(url)).toBe(400);
      expect(test.body.error.field).toBe('body.url');
    }
    expect(await srv.store.cameras.list()).toEqual([]);
    const ok = await call<{ id: number }>(srv, 'POST', '/api/cameras', {
      cookie: admin,
      body: { name: 'x', streams: { detect: { url: 'rtsp://127.0.0.1:1/x' } }, enabled: false },
    });
    expect(ok.status).toBe(201);
    const edit = await call<Err>(srv, 'PATCH', `/api/cameras/${ok.body.id}`, {
      cookie: admin,
      body: { streams: { detect: { url: 'rtsp://127.0.0.1:1/x' }, record: { url: 'rtsp://127.0.0.1:1/\ty' } } },
    });
    expect(edit.status).toBe(400);
    expect(edit.body.error.field).toBe('body.streams.record.url');
    expect((await srv.store.cameras.get(ok.body.id))!.streams).toEqual({ detect: { url: 'rtsp://127.0.0.1:1/x' } });
  });
});
