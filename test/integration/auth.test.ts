import { readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { addUser, call, cookieFrom, login, openSocket, PASSWORD, seedAreas, startAuthServer, waitForDisconnect, type Areas } from './auth.world.js';

interface Me {
  setupRequired: boolean;
  user: { username: string; roles: string[] } | null;
}
interface Err {
  error: { code: string; params?: Record<string, unknown>; field?: string };
}

let srv: TestServer;
let areas: Areas;
beforeAll(async () => {
  srv = await startAuthServer({ loginMaxFailuresPerUser: 3, loginMaxFailuresPerIp: 50 });
});
afterAll(async () => {
  await srv?.stop();
});

describe('first run', () => {
  it('has no account and no default password: it prints a setup code and writes it 0600 in the data dir', async () => {
    expect(await srv.auth.users.count()).toBe(0);
    const file = path.join(srv.config.dataDir, 'setup-code.txt');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const code = readFileSync(file, 'utf8').trim();
    expect(srv.logs.join('\n')).toContain(code);
    const me = await call<Me>(srv, 'GET', '/api/auth/session');
    expect(me.body).toEqual({ setupRequired: true, user: null, expiresAt: null });
    // nobody becomes admin by being first: without the code nothing is created
    const login0 = await call<Err>(srv, 'POST', '/api/auth/login', { body: { username: 'admin', password: 'admin' } });
    expect(login0.status).toBe(401);
    expect((await call(srv, 'GET', '/api/cameras')).status).toBe(401);
  });

  it('refuses a wrong code, then creates the first admin with the right one and signs them in', async () => {
    const bad = await call<Err>(srv, 'POST', '/api/setup', { body: { code: 'WRONG-CODE', username: 'chief', password: PASSWORD } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_setup_code');
    const code = readFileSync(path.join(srv.config.dataDir, 'setup-code.txt'), 'utf8').trim();
    const weak = await call<Err>(srv, 'POST', '/api/setup', { body: { code, username: 'chief', password: 'short' } });
    expect(weak.body.error).toMatchObject({ code: 'password_too_short', field: 'password', params: { min: 10 } });
    const ok = await call<{ user: { username: string; roles: string[] } }>(srv, 'POST', '/api/setup', {
      body: { code, username: 'Chief', displayName: 'Trưởng công an', password: PASSWORD },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.user).toMatchObject({ username: 'chief', roles: ['admin'] });
    const setCookie = ok.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/binhyen_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+/);
    expect(setCookie).not.toMatch(/Secure/);
    expect(existsSync(path.join(srv.config.dataDir, 'setup-code.txt'))).toBe(false);
    const me = await call<Me>(srv, 'GET', '/api/auth/session', { cookie: cookieFrom(ok) });
    expect(me.body).toMatchObject({ setupRequired: false, user: { username: 'chief', roles: ['admin'] } });
    const again = await call<Err>(srv, 'POST', '/api/setup', { body: { code, username: 'other', password: PASSWORD } });
    expect(again.status).toBe(409);
  });
});

describe('sessions', () => {
  beforeAll(async () => {
    areas = await seedAreas(srv.store);
    await addUser(srv, 'officer', ['police']);
    await addUser(srv, 'tech', ['technician']);
    await addUser(srv, 'resident-a', ['resident'], [areas.hamletA]);
  });

  it('stores only a hash of the token server-side', async () => {
    const cookie = await login(srv, 'officer');
    const token = cookie.split('=')[1]!;
    const rows = (await srv.store.db('sessions').select('id_hash')) as { id_hash: string }[];
    expect(rows.some((r) => r.id_hash.includes(token))).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.id_hash))).toBe(true);
  });

  it('refuses wrong passwords, unknown and disabled users with the same answer', async () => {
    for (const [username, password] of [
      ['officer', 'wrong password!'],
      ['nobody', PASSWORD],
    ] as const) {
      const r = await call<Err>(srv, 'POST', '/api/auth/login', { body: { username, password } });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('invalid_credentials');
    }
  });

  it('logout revokes the session: the old cookie and the old socket get nothing', async () => {
    const cookie = await login(srv, 'officer');
    const socket = await openSocket(srv, { cookie });
    expect(await socket.timeout(3000).emitWithAck('cameras:subscribe', {})).toEqual({ ok: true, data: [] });
    const gone = waitForDisconnect(socket);
    expect((await call(srv, 'POST', '/api/auth/logout', { cookie })).status).toBe(204);
    expect(await gone).toBe('io server disconnect');
    expect((await call(srv, 'GET', '/api/cameras', { cookie })).status).toBe(401);
    await expect(openSocket(srv, { cookie })).rejects.toThrow(/sign in required/);
  });

  it('password change ends every session and socket of the user; this client gets a new cookie', async () => {
    const other = await login(srv, 'tech');
    const cookie = await login(srv, 'tech');
    const socket = await openSocket(srv, { cookie: other });
    const gone = waitForDisconnect(socket);
    const wrong = await call<Err>(srv, 'POST', '/api/auth/password', {
      cookie,
      body: { currentPassword: 'not it at all', newPassword: 'a new long passphrase' },
    });
    expect(wrong.body.error).toMatchObject({ code: 'wrong_password', field: 'currentPassword' });
    const ok = await call(srv, 'POST', '/api/auth/password', { cookie, body: { currentPassword: PASSWORD, newPassword: 'a new long passphrase' } });
    expect(ok.status).toBe(200);
    await gone;
    expect((await call(srv, 'GET', '/api/cameras', { cookie })).status).toBe(401);
    expect((await call(srv, 'GET', '/api/cameras', { cookie: other })).status).toBe(401);
    expect((await call(srv, 'GET', '/api/cameras', { cookie: cookieFrom(ok) })).status).toBe(200);
    await login(srv, 'tech', 'a new long passphrase');
  });

  it('an admin changing roles or areas, or disabling, cuts the user off at once', async () => {
    const admin = await login(srv, 'chief');
    const target = (await srv.auth.users.getByUsername('resident-a'))!;
    const cookie = await login(srv, 'resident-a');
    const socket = await openSocket(srv, { cookie });
    const gone = waitForDisconnect(socket);
    const patched = await call(srv, 'PATCH', `/api/users/${target.id}`, { cookie: admin, body: { areaIds: [areas.hamletB] } });
    expect(patched.status).toBe(200);
    await gone;
    expect((await call(srv, 'GET', '/api/areas', { cookie })).status).toBe(401);
    const fresh = await login(srv, 'resident-a');
    expect((await call(srv, 'PATCH', `/api/users/${target.id}`, { cookie: admin, body: { disabled: true } })).status).toBe(200);
    expect((await call(srv, 'GET', '/api/areas', { cookie: fresh })).status).toBe(401);
    expect((await call(srv, 'POST', '/api/auth/login', { body: { username: 'resident-a', password: PASSWORD } })).status).toBe(401);
  });

  it('never lets the last admin be disabled or demoted', async () => {
    const admin = await login(srv, 'chief');
    const me = (await srv.auth.users.getByUsername('chief'))!;
    const r = await call<Err>(srv, 'PATCH', `/api/users/${me.id}`, { cookie: admin, body: { roles: ['police'] } });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('last_admin');
  });
});

describe('login rate limit', () => {
  it('refuses the N+1st failed login with "try again in N s", Retry-After, and an audit entry', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await call(srv, 'POST', '/api/auth/login', { body: { username: 'officer', password: `guess number ${i}` } })).status).toBe(401);
    }
    const refused = await call<Err & { error: { message: string } }>(srv, 'POST', '/api/auth/login', { body: { username: 'officer', password: PASSWORD } });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    const wait = refused.body.error.params!.retryAfterSeconds as number;
    expect(wait).toBeGreaterThan(0);
    expect(refused.headers.get('retry-after')).toBe(String(wait));
    expect(refused.body.error.message).toContain(`try again in ${wait} s`);
    await srv.auth.audit.flush();
    const [last] = await srv.auth.audit.list({ limit: 1 });
    expect(last).toMatchObject({ action: 'auth.login.refused', username: 'officer', ip: '127.0.0.1' });
    expect(JSON.parse(last!.detail!)).toEqual({ retryAfterSeconds: wait, scope: 'user' });
  });
});

describe('audit log', () => {
  it('records logins, failures and changes with time and IP, chained by hash, readable by admin and police', async () => {
    const admin = await login(srv, 'chief');
    const list = await call<{ entries: { action: string; ip: string; at: number; prevHash: string; hash: string }[] }>(srv, 'GET', '/api/audit?limit=500', {
      cookie: admin,
    });
    expect(list.status).toBe(200);
    const actions = list.body.entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'auth.setup',
        'auth.setup.failure',
        'auth.login.success',
        'auth.login.failure',
        'auth.logout',
        'auth.password',
        'user.create',
        'user.update',
        'user.disable',
      ]),
    );
    for (let i = 0; i + 1 < list.body.entries.length; i++) expect(list.body.entries[i]!.prevHash).toBe(list.body.entries[i + 1]!.hash);
    const failures = await call<{ entries: { username: string }[] }>(srv, 'GET', '/api/audit?action=auth.login.failure', { cookie: admin });
    expect(failures.body.entries.map((e) => e.username)).toContain('nobody');
    await addUser(srv, 'officer2', ['police']); // 'officer' is still rate-limited from the test above
    const police = await login(srv, 'officer2');
    expect((await call(srv, 'GET', '/api/audit/verify', { cookie: police })).status).toBe(200);
    const tech = await login(srv, 'tech', 'a new long passphrase');
    expect((await call(srv, 'GET', '/api/audit', { cookie: tech })).status).toBe(403);
  });

  it('records every successful change and every refusal of a signed-in user without the route asking', async () => {
    const admin = await login(srv, 'chief');
    const created = await call<{ id: number }>(srv, 'POST', '/api/areas', { cookie: admin, body: { parentId: areas.commune, kind: 'hamlet', name: 'Ấp Mới' } });
    expect(created.status).toBe(201);
    const tech = await login(srv, 'tech', 'a new long passphrase');
    expect((await call(srv, 'POST', '/api/areas', { cookie: tech, body: { parentId: null, kind: 'commune', name: 'x' } })).status).toBe(403);
    await srv.auth.audit.flush();
    const recent = await srv.auth.audit.list({ limit: 3 });
    const denied = recent.find((e) => e.action === 'access.denied');
    const change = recent.find((e) => e.action === 'area.create');
    expect(denied).toMatchObject({ action: 'access.denied', username: 'tech', ip: '127.0.0.1' });
    expect(JSON.parse(denied!.detail!)).toEqual({ method: 'POST', path: '/api/areas' });
    expect(change).toMatchObject({ action: 'area.create', username: 'chief' });
    expect(JSON.parse(change!.detail!)).toEqual({ method: 'POST', path: '/api/areas', status: 201 });
  });

  it('verify finds an edited or deleted entry', async () => {
    const admin = await login(srv, 'chief');
    const ok = await call<{ ok: boolean; checked: number }>(srv, 'GET', '/api/audit/verify', { cookie: admin });
    expect(ok.body).toMatchObject({ ok: true });
    const victim = (await srv.store.db('audit_log').where({ action: 'auth.login.failure' }).first('id')) as { id: number };
    await srv.store.db('audit_log').where({ id: victim.id }).update({ username: 'someone-else' });
    const edited = await call<{ ok: boolean; firstBadId: number; reason: string }>(srv, 'GET', '/api/audit/verify', { cookie: admin });
    expect(edited.body).toMatchObject({ ok: false, firstBadId: victim.id, reason: 'hash_mismatch' });
    await srv.store.db('audit_log').where({ id: victim.id }).delete();
    const deleted = await call<{ ok: boolean; firstBadId: number; reason: string }>(srv, 'GET', '/api/audit/verify', { cookie: admin });
    expect(deleted.body).toMatchObject({ ok: false, reason: 'prev_hash_mismatch' });
    expect(deleted.body.firstBadId).toBeGreaterThan(victim.id);
  });

  it('has no API that edits or deletes entries', async () => {
    const admin = await login(srv, 'chief');
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST']) {
      expect((await call(srv, method, '/api/audit/1', { cookie: admin, body: {} })).status).toBe(404);
      expect((await call(srv, method, '/api/audit', { cookie: admin, body: {} })).status).toBe(404);
    }
  });
});
