import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { addIdleCamera, addUser, call, login, PASSWORD, seedAreas, startAuthServer } from './auth.world.js';

/**
 * Issue 12, finding 7: probing the server. An id has one spelling (0x1, 1.0, +1 were the same
 * thing as 1); a resident cannot tell hidden events from missing ones; a rebound DNS name is
 * not answered; weak passwords are refused.
 */
let srv: TestServer;
let admin: string;
let ids: { camera: number; user: number; area: number };

beforeAll(async () => {
  srv = await startAuthServer({ allowedHosts: ['camera.xa-binhyen.vn'] });
  await srv.auth.users.add({ username: 'chief', roles: ['admin'], areaIds: [], password: 'bootstrap password 1' }, { name: 'cli' });
  const areas = await seedAreas(srv.store);
  const user = await addUser(srv, 'officer', ['police']);
  admin = await login(srv, 'chief', 'bootstrap password 1');
  const cam = await addIdleCamera(srv.store, areas.hamletA, 'c');
  ids = { camera: cam.id, user: user.id, area: areas.hamletA };
});
afterAll(async () => {
  await srv?.stop();
});

describe('ids in paths and queries', () => {
  it('answer only to canonical decimal, with a 400 naming the field otherwise', async () => {
    for (const [base, id] of [
      ['/api/cameras', ids.camera],
      ['/api/users', ids.user],
      ['/api/areas', ids.area],
    ] as const) {
      const method = base === '/api/areas' ? 'PATCH' : 'GET';
      const body = method === 'PATCH' ? { name: 'Ấp An Phú' } : undefined;
      expect((await call(srv, method, `${base}/${id}`, { cookie: admin, body })).status, `${base}/${id}`).toBe(200);
      for (const alias of [`0x${id.toString(16)}`, `${id}.0`, `+${id}`, `${id}e0`, `0${id}`, `%20${id}`]) {
        const r = await call<{ error: { code: string; field: string } }>(srv, method, `${base}/${alias}`, { cookie: admin, body });
        expect(r.status, `${base}/${alias}`).toBe(400);
        expect(r.body.error).toMatchObject({ code: 'validation', field: 'params.id' });
      }
    }
    for (const q of ['limit=0x10', 'limit=1.0', 'beforeId=+5', 'userId=1e0']) {
      const r = await call<{ error: { field: string } }>(srv, 'GET', `/api/audit?${q}`, { cookie: admin });
      expect(r.status, q).toBe(400);
      expect(r.body.error.field).toBe(`query.${q.split('=')[0]}`);
    }
    for (const q of ['limit=0x10', 'offset=1.0']) expect((await call(srv, 'GET', `/api/events?${q}`, { cookie: admin })).status, q).toBe(400);
    expect((await call(srv, 'GET', '/api/audit?limit=10&beforeId=1000', { cookie: admin })).status).toBe(200);
  });
});

describe('a resident probing event ids', () => {
  it('gets the same answer for an event of another area, an internal one and a missing one', async () => {
    const areas = await srv.store.areas.list();
    const [hamletA, hamletB] = [areas.find((a) => a.name === 'Ấp An Phú')!.id, areas.find((a) => a.name === 'Ấp Bình Lợi')!.id];
    await addUser(srv, 'resident-a', ['resident'], [hamletA]);
    const resident = await login(srv, 'resident-a');
    const camB = await addIdleCamera(srv.store, hamletB, 'b');
    const t = 1_800_000_000_000;
    const event = (cameraId: number, areaId: number, visibility: 'internal' | 'shared') =>
      srv.store.events.create({
        cameraId,
        areaId,
        trackId: null,
        label: 'person',
        score: 0.9,
        box: null,
        zones: [],
        startAt: t,
        lastSeenAt: t,
        bestAt: t,
        visibility,
      });
    const other = await event(camB.id, hamletB, 'shared');
    const internal = await event(ids.camera, hamletA, 'internal');
    const mine = await event(ids.camera, hamletA, 'shared');
    expect((await call(srv, 'GET', `/api/events/${mine.id}`, { cookie: resident })).status).toBe(200);
    const answers = [];
    for (const id of [other.id, internal.id, 999_999]) {
      for (const path of [`/api/events/${id}`, `/api/events/${id}/snapshots/best.jpg`]) {
        const r = await call(srv, 'GET', path, { cookie: resident });
        answers.push({ status: r.status, body: r.body });
      }
      const c = await call(srv, 'POST', `/api/events/${id}/comments`, { cookie: resident, body: { body: 'ai đây?' } });
      answers.push({ status: c.status, body: c.body });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'not found' } } });
  });
});

/** Every user id in a reply: userId and the other fields that name a user. */
function userIdsIn(value: unknown, out: number[] = []): number[] {
  if (Array.isArray(value)) value.forEach((v) => userIdsIn(v, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (/^(userId|assigneeId|createdBy|updatedBy)$/.test(k) && typeof v === 'number') out.push(v);
      else userIdsIn(v, out);
    }
  return out;
}

describe('who wrote a note or comment, as residents see it', () => {
  it("residents see the police officer's and neighbours' names, never their user ids; police still see ids", async () => {
    const areas = await srv.store.areas.list();
    const hamletA = areas.find((a) => a.name === 'Ấp An Phú')!.id;
    const add = (username: string, displayName: string, roles: ('police' | 'resident')[]) =>
      srv.auth.users.add({ username, displayName, roles, areaIds: [hamletA], password: PASSWORD }, { name: 'cli' });
    const officer = await add('an-officer', 'Trung úy Nguyễn Văn An', ['police']);
    const me = await add('to-truong', 'Tổ trưởng Trần Thị Hoa', ['resident']);
    const neighbour = await add('hang-xom', 'Bác Phạm Văn Tư', ['resident']);
    const [police, resident, other] = [await login(srv, 'an-officer'), await login(srv, 'to-truong'), await login(srv, 'hang-xom')];
    const t = 1_800_000_000_000;
    const ev = await srv.store.events.create({
      cameraId: ids.camera,
      areaId: hamletA,
      trackId: null,
      label: 'person',
      score: 0.9,
      box: null,
      zones: [],
      startAt: t,
      lastSeenAt: t,
      bestAt: t,
      visibility: 'shared',
    });
    const alert = await srv.store.alerts.create({
      kind: 'object',
      severity: 'normal',
      eventId: ev.id,
      cameraId: ids.camera,
      areaId: hamletA,
      visibility: 'shared',
    });
    await srv.store.alerts.update(alert.id, { assigneeId: officer.id });
    expect(
      (await call(srv, 'POST', `/api/alerts/${alert.id}/notes`, { cookie: police, body: { body: 'Đã cử người xác minh.', visibility: 'public' } })).status,
    ).toBe(201);
    expect((await call(srv, 'POST', `/api/events/${ev.id}/comments`, { cookie: other, body: { body: 'Tôi cũng thấy người này.' } })).status).toBe(201);
    expect((await call(srv, 'POST', `/api/events/${ev.id}/comments`, { cookie: resident, body: { body: 'Cảm ơn anh.' } })).status).toBe(201);

    type Authored = { authorName: string | null; userId: number | null; mine: boolean };
    const detail = await call<{ notes: Authored[]; comments: Authored[] }>(srv, 'GET', `/api/events/${ev.id}`, { cookie: resident });
    const alertDetail = await call<{ notes: Authored[] }>(srv, 'GET', `/api/alerts/${alert.id}`, { cookie: resident });
    const lists = await Promise.all(['/api/events', '/api/alerts', '/api/clips'].map((p) => call(srv, 'GET', p, { cookie: resident })));
    for (const r of [detail, alertDetail, ...lists]) {
      expect(r.status).toBe(200);
      expect(userIdsIn(r.body).filter((id) => id !== me.id)).toEqual([]);
    }
    expect(detail.body.notes.map((n) => n.authorName)).toEqual(['Trung úy Nguyễn Văn An']);
    expect(alertDetail.body.notes.map((n) => n.authorName)).toEqual(['Trung úy Nguyễn Văn An']);
    expect(detail.body.comments.map((c) => [c.authorName, c.mine])).toEqual([
      ['Bác Phạm Văn Tư', false],
      ['Tổ trưởng Trần Thị Hoa', true],
    ]);
    const full = await call<{ notes: Authored[]; comments: Authored[] }>(srv, 'GET', `/api/events/${ev.id}`, { cookie: police });
    expect(full.body.notes.map((n) => [n.userId, n.authorName])).toEqual([[officer.id, 'Trung úy Nguyễn Văn An']]);
    expect(full.body.comments.map((c) => c.userId)).toEqual([neighbour.id, me.id]);
  });
});

/** GET with a Host header of our choosing (fetch would not send it); the connection goes to loopback. */
function getWithHost(path: string, host: string): Promise<{ status: number; body: string }> {
  const url = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('DNS rebinding', () => {
  it('answers only to IP addresses, localhost and the configured names', async () => {
    const port = new URL(srv.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, '192.0.2.10', 'camera.xa-binhyen.vn', `CAMERA.xa-binhyen.vn:${port}`]) {
      expect((await getWithHost('/api/health', host)).status, host).toBe(200);
    }
    for (const host of [`attacker.example:${port}`, 'rebind.127.0.0.1.nip.io', 'camera.xa-binhyen.vn.attacker.example']) {
      for (const path of ['/api/health', '/', '/login']) {
        const r = await getWithHost(path, host);
        expect(r.status, `${host} ${path}`).toBe(421);
        expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'unknown_host' } });
      }
    }
  });
});

describe('weak passwords', () => {
  it('are refused with the reason, for new accounts and password changes', async () => {
    for (const [password, reason] of [
      ['password123', 'common'],
      ['aaaaaaaaaaaa', 'repetitive'],
      ['1234567890', 'sequence'],
    ] as const) {
      const r = await call<{ error: { code: string; field: string; params: { reason: string } } }>(srv, 'POST', '/api/users', {
        cookie: admin,
        body: { username: 'newbie', password, roles: ['police'], areaIds: [] },
      });
      expect(r.status, password).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'password_too_weak', field: 'password', params: { reason } });
    }
    const officer = await login(srv, 'officer');
    const change = await call<{ error: { code: string } }>(srv, 'POST', '/api/auth/password', {
      cookie: officer,
      body: { currentPassword: PASSWORD, newPassword: 'qwertyuiop' },
    });
    expect(change.status).toBe(400);
    expect(change.body.error.code).toBe('password_too_weak');
    expect(await srv.auth.users.getByUsername('newbie')).toBeUndefined();
  });
});
