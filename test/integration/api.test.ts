import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoutes } from '../../server/api/route.walk.js';
import { ACTIONS } from '../../server/auth/authorize.js';
import { SOCKET_ACTIONS } from '../../server/realtime/socket.server.js';
import type { TestServer } from '../support/server.js';
import { addUser, call, login, openSocket, startAuthServer } from './auth.world.js';

let srv: TestServer;
let cookie: string;
beforeAll(async () => {
  srv = await startAuthServer();
  await addUser(srv, 'canbo', ['police']);
  cookie = await login(srv, 'canbo');
});
afterAll(async () => {
  await srv?.stop();
});

describe('HTTP API foundation', () => {
  it('serves public health with version, db, detector backend and cameras by state', async () => {
    const res = await fetch(`${srv.url}/api/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'ok',
      version: expect.any(String),
      db: { ok: true, client: 'sqlite3' },
      cameras: { online: 0, interrupted: 0, offline: 0 },
    });
    expect(body).toHaveProperty('detector.backend');
  });

  it('answers malformed JSON with a JSON error code, not an HTML page', async () => {
    const res = await call<{ error: { code: string } }>(srv, 'POST', '/api/cameras', {
      cookie,
      rawBody: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });

  it('names the field and the reason when a parameter is invalid', async () => {
    const res = await call<{ error: { code: string; field: string; message: string } }>(srv, 'GET', '/api/cameras/not-a-number', { cookie });
    expect(res.status).toBe(400);
    const { error } = res.body;
    expect(error.code).toBe('validation');
    expect(error.field).toBe('params.id');
    expect(error.message).toMatch(/params\.id/);
  });

  it('answers unknown API routes and missing cameras with 404 codes', async () => {
    expect((await call<{ error: { code: string } }>(srv, 'GET', '/api/nope', { cookie })).body.error.code).toBe('route_not_found');
    const res = await call<{ error: { code: string } }>(srv, 'GET', '/api/cameras/999', { cookie });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('refuses request bodies over the size limit', async () => {
    const res = await call<{ error: { code: string } }>(srv, 'POST', '/api/cameras', { cookie, body: { name: 'x'.repeat(2_000_000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('body_too_large');
  });
});

describe('authorization hook', () => {
  it('every route declares a known action through authorize()', () => {
    const routes = listRoutes(srv.app);
    expect(routes.length).toBeGreaterThan(2);
    const undeclared = routes.filter((r) => r.action === undefined).map((r) => `${r.method} ${r.path}`);
    expect(undeclared).toEqual([]);
    for (const r of routes) expect(ACTIONS).toContain(r.action);
  });

  it('the walk notices a route without a declaration', async () => {
    const { Router } = await import('express');
    const extra = Router();
    extra.get('/api/undeclared', (_req, res) => res.json({}));
    srv.app.use(extra);
    try {
      expect(
        listRoutes(srv.app)
          .filter((r) => r.action === undefined)
          .map((r) => r.path),
      ).toEqual(['/api/undeclared']);
    } finally {
      const stack = (srv.app as unknown as { router: { stack: unknown[] } }).router.stack;
      stack.pop();
    }
  });

  it('every client socket event declares an action, and handlers answer through the policy', async () => {
    for (const action of Object.values(SOCKET_ACTIONS)) expect(ACTIONS).toContain(action);
    const socket = await openSocket(srv, { cookie });
    try {
      const reply = await socket.timeout(5000).emitWithAck('cameras:subscribe', {});
      expect(reply).toEqual({ ok: true, data: [] });
    } finally {
      socket.close();
    }
  });
});
