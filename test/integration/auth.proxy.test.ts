import { afterAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { addUser, call, cookieFrom, openSocket, PASSWORD, startAuthServer, waitForDisconnect } from './auth.world.js';

/** Behind a TLS reverse proxy (trusted by config) and directly exposed (nothing forwarded is believed). */
const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

async function lastAudit(srv: TestServer, action: string) {
  await srv.auth.audit.flush();
  return (await srv.auth.audit.list({ limit: 1, action }))[0];
}

describe('behind a trusted proxy (auth.trustProxy=loopback)', () => {
  it('sets Secure and HSTS when the proxy says HTTPS, and audits the client address it forwards', async () => {
    const srv = await startAuthServer({ trustProxy: 'loopback', idleTimeoutSeconds: 2 });
    servers.push(srv);
    await addUser(srv, 'officer', ['police']);
    const res = await call(srv, 'POST', '/api/auth/login', {
      body: { username: 'officer', password: PASSWORD },
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9', origin: srv.url.replace('http:', 'https:') },
    });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().join()).toMatch(/HttpOnly; SameSite=Strict; Max-Age=\d+; Secure/);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    // The proxy may reuse an idle connection for up to a minute: the server must not close it first.
    expect(res.headers.get('keep-alive')).toBe('timeout=65');
    expect(await lastAudit(srv, 'auth.login.success')).toMatchObject({ username: 'officer', ip: '203.0.113.9' });
  });

  it('ends an unused session after the idle timeout, and cuts its socket', async () => {
    const srv = servers[0]!;
    const cookie = cookieFrom(await call(srv, 'POST', '/api/auth/login', { body: { username: 'officer', password: PASSWORD } }))!;
    const socket = await openSocket(srv, { cookie });
    expect(await waitForDisconnect(socket, 6000)).toBe('io server disconnect');
    expect((await call(srv, 'GET', '/api/users', { cookie })).status).toBe(401);
  });
});

describe('exposed directly (no trusted proxy)', () => {
  it('ignores X-Forwarded-* : no fake HTTPS, no fake client address, no way around the per-address limit', async () => {
    const srv = await startAuthServer({ loginMaxFailuresPerIp: 3, loginMaxFailuresPerUser: 100 });
    servers.push(srv);
    await addUser(srv, 'officer', ['police']);
    const ok = await call(srv, 'POST', '/api/auth/login', {
      body: { username: 'officer', password: PASSWORD },
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
    });
    expect(ok.headers.getSetCookie().join()).not.toMatch(/Secure/);
    expect(ok.headers.get('strict-transport-security')).toBeNull();
    expect(await lastAudit(srv, 'auth.login.success')).toMatchObject({ ip: '127.0.0.1' });
    for (let i = 0; i < 3; i++) {
      const r = await call(srv, 'POST', '/api/auth/login', {
        body: { username: `guess${i}`, password: 'wrong password' },
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      });
      expect(r.status).toBe(401);
    }
    const refused = await call<{ error: { code: string } }>(srv, 'POST', '/api/auth/login', {
      body: { username: 'officer', password: PASSWORD },
      headers: { 'x-forwarded-for': '198.51.100.200' },
    });
    expect(refused.status).toBe(429);
    expect(await lastAudit(srv, 'auth.login.refused')).toMatchObject({ ip: '127.0.0.1', username: 'officer' });
  });
});
