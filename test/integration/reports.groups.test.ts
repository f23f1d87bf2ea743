import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicReportReceipt, PublicReportStatus, ReportMessage } from '../../server/domain/report.js';
import { dbTargets } from '../support/db.js';
import { form } from '../support/multipart.js';
import { testPhoto } from '../support/photos.js';
import type { TestServer } from '../support/server.js';
import { addUser, call, login, nextEvent, openSocket, seedAreas, startAuthServer, type Areas } from './auth.world.js';

/**
 * Community groups and the anonymous report link (issue 13 items 1–4) through the real server
 * on SQLite and PostgreSQL: a group leader sees exactly their group's reports, files for someone
 * else and posts to their group only; the public link files a report with no account, is
 * refused once revoked and when flooded (per address, per link), opens nothing else, and its
 * reference number with its secret follows the report's public state.
 */
type Err = { error?: { code: string; field?: string } };
type ListPage<T> = { items: T[]; total: number };

for (const target of dbTargets) {
  describe(`community groups and the public report link (${target.name})`, () => {
    let srv: TestServer;
    let areas: Areas;
    let cleanup: (() => Promise<void>) | undefined;
    const cookies: Record<string, string> = {};
    const ids: Record<string, number> = {};
    const T = Date.parse('2026-12-10T20:00:00+07:00');

    beforeAll(async () => {
      let databaseUrl: string | undefined;
      if (target.name === 'postgres') {
        const h = await target.open();
        databaseUrl = h.url;
        cleanup = h.cleanup;
      }
      // Behind a trusted proxy on loopback, so each test client can come from its own address.
      srv = await startAuthServer(
        { trustProxy: 'loopback' },
        { ...(databaseUrl ? { databaseUrl } : {}), reports: { maxPhotoMb: 0.5, publicPerAddressPerHour: 3, publicPerLinkPerHour: 8 } },
      );
      areas = await seedAreas(srv.store);
      const users: [string, 'admin' | 'police' | 'resident', number[]][] = [
        ['quantri', 'admin', []],
        ['congan', 'police', [areas.hamletA]],
        ['conganb', 'police', [areas.hamletB]],
        ['totruong', 'resident', [areas.groupA1]],
        ['thanhvien', 'resident', [areas.groupA1]],
        ['hangxom', 'resident', [areas.hamletA]],
        ['cudanb', 'resident', [areas.hamletB]],
      ];
      for (const [name, role, areaIds] of users) {
        ids[name] = (await addUser(srv, name, [role], areaIds)).id;
        cookies[name] = await login(srv, name);
      }
    });
    afterAll(async () => {
      await srv?.stop();
      await cleanup?.();
    });

    const report = (who: string, areaId: number, over: Record<string, unknown> = {}) =>
      call<ReportMessage & Err>(srv, 'POST', '/api/reports', {
        cookie: cookies[who],
        body: { areaId, category: 'suspicious', body: `Người lạ đi quanh xóm (${who})`, occurredAt: T, ...over },
      });
    const listOf = async (who: string) => (await call<ListPage<ReportMessage>>(srv, 'GET', '/api/reports', { cookie: cookies[who] })).body;

    it('an admin makes a member the group leader; the leader sees exactly the group’s reports, live', async () => {
      const inGroup = await report('thanhvien', areas.groupA1);
      const inHamlet = await report('hangxom', areas.hamletA);
      const inB = await report('cudanb', areas.hamletB);
      expect([inGroup.status, inHamlet.status, inB.status]).toEqual([201, 201, 201]);
      // Before: a plain resident sees only their own.
      expect((await listOf('totruong')).items).toEqual([]);

      const made = await call<{ roles: string[] } & Err>(srv, 'PUT', `/api/groups/${areas.groupA1}/members/${ids.totruong}`, {
        cookie: cookies.quantri,
        body: { memberRole: 'leader' },
      });
      expect(made.status, JSON.stringify(made.body)).toBe(200);
      expect(made.body.roles).toContain('group_leader');
      const refused = await call<Err>(srv, 'PUT', `/api/groups/${areas.groupA1}/members/${ids.hangxom}`, {
        cookie: cookies.congan,
        body: { memberRole: 'leader' },
      });
      expect(refused.status).toBe(403);
      const badRole = await call<Err>(srv, 'PUT', `/api/groups/${areas.groupA1}/members/${ids.hangxom}`, {
        cookie: cookies.quantri,
        body: { memberRole: 'chief' },
      });
      expect([badRole.status, badRole.body.error?.field]).toEqual([400, 'body.memberRole']);

      const seen = (await listOf('totruong')).items.map((r) => r.id);
      expect(seen).toEqual([inGroup.body.id]);
      const one = await call<ReportMessage>(srv, 'GET', `/api/reports/${inGroup.body.id}`, { cookie: cookies.totruong });
      expect(one.status).toBe(200);
      expect(one.body.reporterName).toBeNull(); // the reporter's view: no internal detail
      for (const other of [inHamlet.body.id, inB.body.id])
        expect((await call(srv, 'GET', `/api/reports/${other}`, { cookie: cookies.totruong })).status, `report ${other}`).toBe(404);

      const groups = await call<{ groups: { id: number; members: { username: string; memberRole: string }[] }[] }>(srv, 'GET', '/api/groups', {
        cookie: cookies.totruong,
      });
      expect(groups.body.groups.map((g) => g.id)).toEqual([areas.groupA1]);
      expect(groups.body.groups[0]!.members.map((m) => [m.username, m.memberRole])).toEqual(
        expect.arrayContaining([
          ['totruong', 'leader'],
          ['thanhvien', 'member'],
        ]),
      );

      const leader = await openSocket(srv, { cookie: cookies.totruong });
      try {
        expect(await leader.emitWithAck('reports:subscribe', {})).toMatchObject({ ok: true, data: { rooms: 1 } });
        let heardOther = false;
        leader.on('report:new', (m: ReportMessage) => m.areaId !== areas.groupA1 && (heardOther = true));
        const updated = nextEvent<ReportMessage>(leader, 'report:updated');
        const received = await call(srv, 'POST', `/api/reports/${inGroup.body.id}/state`, { cookie: cookies.congan, body: { state: 'received' } });
        expect(received.status).toBe(200);
        expect(await updated).toMatchObject({ id: inGroup.body.id, state: 'received', assigneeId: null, evidenceClipIds: [] });
        const fresh = nextEvent<ReportMessage>(leader, 'report:new');
        await report('thanhvien', areas.groupA1, { body: 'Cháy nhỏ sau nhà' });
        expect(await fresh).toMatchObject({ areaId: areas.groupA1, reporterName: null });
        await report('hangxom', areas.hamletA, { body: 'Không thuộc tổ' });
        expect(heardOther).toBe(false);
      } finally {
        leader.close();
      }
    });

    it('a group leader files for someone else and posts to their group; a resident may do neither', async () => {
      const forOther = await report('totruong', areas.groupA1, { onBehalfOf: 'Bà Năm (nhà số 12)' });
      expect(forOther.status, JSON.stringify(forOther.body)).toBe(201);
      expect(forOther.body.onBehalfOf).toBe('Bà Năm (nhà số 12)');
      const police = (await listOf('congan')).items.find((r) => r.id === forOther.body.id);
      expect(police).toMatchObject({ onBehalfOf: 'Bà Năm (nhà số 12)', reporterName: 'totruong' });
      const notLeader = await report('thanhvien', areas.groupA1, { onBehalfOf: 'Ai đó' });
      expect([notLeader.status, notLeader.body.error?.code, notLeader.body.error?.field]).toEqual([403, 'not_group_leader', 'body.onBehalfOf']);
      const outside = await report('totruong', areas.hamletA, { onBehalfOf: 'Ngoài tổ' });
      expect(outside.status).toBe(403);

      const post = (who: string, areaId: number) =>
        call<Err>(srv, 'POST', '/api/announcements', { cookie: cookies[who], body: { areaId, title: 'Họp tổ tối thứ Bảy', body: '19 giờ tại nhà văn hoá' } });
      expect((await post('totruong', areas.groupA1)).status).toBe(201);
      expect((await post('totruong', areas.hamletA)).status).toBe(403);
      expect((await post('thanhvien', areas.groupA1)).status).toBe(403);
      const feed = await call<{ items: { title: string }[] }>(srv, 'GET', '/api/announcements', { cookie: cookies.thanhvien });
      expect(feed.body.items.map((a) => a.title)).toContain('Họp tổ tối thứ Bảy');
    });

    it('an announcement carries a photo that only those it reaches may see; a bad photo stores nothing', async () => {
      const jpeg = await testPhoto('jpeg');
      const post = (who: string, areaId: number, photo: { data: Buffer; type: string; name: string }) => {
        const f = form({ areaId: String(areaId), title: 'Xe máy bị truy tìm', body: 'Biển số 59X1-123.45, màu đỏ' }, [photo], 'photo');
        return call<{ id: number; photoUrl: string | null } & Err>(srv, 'POST', '/api/announcements', {
          cookie: cookies[who],
          rawBody: f.body,
          headers: { 'content-type': f.type },
        });
      };
      const posted = await post('congan', areas.hamletA, { data: jpeg, type: 'image/jpeg', name: 'xe.jpg' });
      expect(posted.status, JSON.stringify(posted.body)).toBe(201);
      expect(posted.body.photoUrl).toBe(`/api/announcements/${posted.body.id}/photo`);
      const get = (who: string) => fetch(`${srv.url}${posted.body.photoUrl}`, { headers: { cookie: cookies[who]! } });
      const seen = await get('thanhvien'); // a member of a group under hamlet A
      expect(seen.status).toBe(200);
      expect(Buffer.from(await seen.arrayBuffer()).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      expect((await get('cudanb')).status).toBe(403); // hamlet B: not reached
      expect((await call(srv, 'GET', posted.body.photoUrl!)).status).toBe(401);
      const before = Number(((await srv.store.db('announcements').count({ n: '*' })) as { n: number | string }[])[0]!.n);
      const bad = await post('congan', areas.hamletA, { data: Buffer.from('not an image'), type: 'image/jpeg', name: 'x.jpg' });
      expect([bad.status, bad.body.error?.code]).toEqual([400, 'photo_type']);
      expect(Number(((await srv.store.db('announcements').count({ n: '*' })) as { n: number | string }[])[0]!.n)).toBe(before);
    });

    it('a retried upload with the same draft key files the report once', async () => {
      const f = () => report('thanhvien', areas.groupA1, { clientKey: 'draft-7f3a9c21', body: 'Mất điện thoại ở chợ' });
      const [a, b] = await Promise.all([f(), f()]);
      const c = await f();
      expect([a.status, b.status, c.status].every((s) => s === 201)).toBe(true);
      expect(new Set([a.body.id, b.body.id, c.body.id]).size).toBe(1);
      const rows = await srv.store.db('reports').where({ client_key: 'draft-7f3a9c21' });
      expect(rows).toHaveLength(1);
    });

    it('taking leadership away ends the leader’s sessions and their view of the group', async () => {
      const demoted = await call(srv, 'PUT', `/api/groups/${areas.groupA1}/members/${ids.totruong}`, {
        cookie: cookies.quantri,
        body: { memberRole: 'member' },
      });
      expect(demoted.status).toBe(200);
      expect((await call(srv, 'GET', '/api/reports', { cookie: cookies.totruong })).status).toBe(401);
      cookies.totruong = await login(srv, 'totruong');
      const mine = (await listOf('totruong')).items;
      expect(mine.every((r) => r.onBehalfOf !== null)).toBe(true); // only what they filed themselves
    });

    describe('the anonymous report link', () => {
      let token = '';
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      const fileAnon = (tok: string, ip: string, fields: Record<string, unknown> = {}) =>
        call<PublicReportReceipt & Err>(srv, 'POST', `/api/public/report-links/${tok}/reports`, {
          headers: from(ip),
          body: { category: 'theft', body: 'Có người bẻ khoá xe trước quán', place: 'Quán cà phê đầu hẻm', occurredAt: T, ...fields },
        });
      const follow = (ref: string, secret: string) => call<PublicReportStatus & Err>(srv, 'POST', '/api/public/reports/status', { body: { ref, secret } });
      const count = async () => Number(((await srv.store.db('reports').count({ n: '*' })) as { n: number | string }[])[0]!.n);

      it('police of the area switch it on; others may not', async () => {
        expect((await call(srv, 'POST', `/api/areas/${areas.hamletA}/report-link`, { cookie: cookies.conganb })).status).toBe(403);
        expect((await call(srv, 'POST', `/api/areas/${areas.hamletA}/report-link`, { cookie: cookies.hangxom })).status).toBe(403);
        expect((await call(srv, 'POST', `/api/areas/${areas.hamletA}/report-link`)).status).toBe(401);
        const on = await call<{ token: string; path: string }>(srv, 'POST', `/api/areas/${areas.hamletA}/report-link`, { cookie: cookies.congan });
        expect(on.status).toBe(201);
        token = on.body.token;
        expect(on.body.path).toBe(`/r/${token}`);
        const status = await call<{ enabled: boolean }>(srv, 'GET', `/api/areas/${areas.hamletA}/report-link`, { cookie: cookies.congan });
        expect(status.body).toMatchObject({ enabled: true });
        expect(JSON.stringify(status.body)).not.toContain(token); // shown once, never again
        const info = await call<{ areaName: string }>(srv, 'GET', `/api/public/report-links/${token}`);
        expect(info.body.areaName).toBe('Ấp An Phú');
      });

      it('anyone with the link files a report (with a photo) and follows its public state with the reference and secret', async () => {
        const photo = await testPhoto('jpeg');
        const f = form({ category: 'fight', body: 'Đánh nhau trước tiệm net', occurredAt: String(T) }, [{ data: photo, type: 'image/jpeg', name: 'p.jpg' }]);
        const filed = await call<PublicReportReceipt>(srv, 'POST', `/api/public/report-links/${token}/reports`, {
          headers: { ...from('198.51.100.1'), 'content-type': f.type },
          rawBody: f.body,
        });
        expect(filed.status, JSON.stringify(filed.body)).toBe(201);
        expect(filed.body.ref).toMatch(/^TB-\d{8}-\d{4}$/);
        expect(filed.body.secret.length).toBeGreaterThanOrEqual(16);
        const byPolice = (await listOf('congan')).items.find((r) => r.ref === filed.body.ref)!;
        expect(byPolice).toMatchObject({ viaPublicLink: true, areaId: areas.hamletA, reporterName: null, category: 'fight' });
        expect(byPolice.photos).toHaveLength(1);

        expect((await follow(filed.body.ref, filed.body.secret)).body).toMatchObject({ ref: filed.body.ref, state: 'new', areaName: 'Ấp An Phú', notes: [] });
        await call(srv, 'POST', `/api/reports/${byPolice.id}/notes`, { cookie: cookies.congan, body: { body: 'Đã cử người đến', visibility: 'public' } });
        await call(srv, 'POST', `/api/reports/${byPolice.id}/notes`, { cookie: cookies.congan, body: { body: 'nội bộ', visibility: 'internal' } });
        await call(srv, 'POST', `/api/reports/${byPolice.id}/state`, { cookie: cookies.congan, body: { state: 'handled' } });
        const after = await follow(filed.body.ref.toLowerCase(), filed.body.secret);
        expect(after.body.state).toBe('handled');
        expect(after.body.notes.map((n) => n.body)).toEqual(['Đã cử người đến']);
        expect(after.body.steps.map((s) => s.to)).toEqual(['new', 'handled']);

        // A wrong secret, and a resident's report by its reference, look exactly like a missing one.
        const wrong = await follow(filed.body.ref, 'not-the-secret-at-all');
        const residents = (await listOf('hangxom')).items[0]!;
        const theirs = await follow(residents.ref, filed.body.secret);
        const missing = await follow('TB-20991231-9999', filed.body.secret);
        for (const r of [wrong, theirs, missing]) expect([r.status, r.body.error?.code]).toEqual([404, 'not_found']);
      });

      it('the link opens nothing else', async () => {
        const anonReport = (await listOf('congan')).items.find((r) => r.viaPublicLink)!;
        const tries: [string, string][] = [
          ['GET', '/api/reports'],
          ['GET', `/api/reports/${anonReport.id}`],
          ['GET', anonReport.photos[0]!.url],
          ['GET', '/api/announcements'],
          ['GET', '/api/areas'],
          ['GET', `/api/areas/${areas.hamletA}/report-link`],
          ['POST', `/api/reports/${anonReport.id}/notes`],
          ['POST', '/api/reports'],
        ];
        for (const [m, p] of tries) {
          const headers = { 'x-report-link': token, authorization: `Bearer ${token}`, cookie: `binhyen_session=${token}` };
          const res = await call(srv, m, `${p}?token=${token}`, { headers, body: m === 'POST' ? { body: 'x' } : undefined });
          expect(res.status, `${m} ${p}`).toBe(401);
        }
        // Its area is fixed by the link: a body naming another area is refused, not obeyed.
        const other = await fileAnon(token, '198.51.100.2', { areaId: areas.hamletB });
        expect([other.status, other.body.error?.field]).toEqual([400, 'body.areaId']);
      });

      it('floods are refused per address and per link, and nothing of them is stored', async () => {
        const before = await count();
        for (let i = 0; i < 3; i++) expect((await fileAnon(token, '203.0.113.7')).status).toBe(201);
        const flood = await fileAnon(token, '203.0.113.7');
        expect([flood.status, flood.body.error?.code]).toEqual([429, 'public_rate_limited']);
        expect(await count()).toBe(before + 3);
        // Another address is not slowed down, nor is a signed-in resident.
        expect((await fileAnon(token, '203.0.113.8')).status).toBe(201);
        expect((await report('hangxom', areas.hamletA)).status).toBe(201);
        // The link as a whole takes 8 an hour (1 filed above, 4 here, 3 more): the 9th, from a fresh address, is refused.
        for (const ip of ['203.0.113.9', '203.0.113.10', '203.0.113.11']) expect((await fileAnon(token, ip)).status).toBe(201);
        const linkFull = await fileAnon(token, '203.0.113.12');
        expect([linkFull.status, linkFull.body.error?.code]).toEqual([429, 'public_rate_limited']);
        expect(await count()).toBe(before + 3 + 1 + 1 + 3);
      });

      it('a revoked link files nothing; switching it on again makes a new link and the old stays dead', async () => {
        const off = await call<{ revoked: number }>(srv, 'DELETE', `/api/areas/${areas.hamletA}/report-link`, { cookie: cookies.congan });
        expect(off.body.revoked).toBe(1);
        const before = await count();
        const dead = await fileAnon(token, '192.0.2.50');
        expect([dead.status, dead.body.error?.code]).toEqual([404, 'link_invalid']);
        expect((await call<Err>(srv, 'GET', `/api/public/report-links/${token}`)).body.error?.code).toBe('link_invalid');
        expect((await call<Err>(srv, 'GET', `/api/public/report-links/not-a-token`)).body.error?.code).toBe('link_invalid');
        const on = await call<{ token: string }>(srv, 'POST', `/api/areas/${areas.hamletA}/report-link`, { cookie: cookies.congan });
        expect(on.body.token).not.toBe(token);
        expect((await fileAnon(token, '192.0.2.51')).status).toBe(404);
        expect((await fileAnon(on.body.token, '192.0.2.52')).status).toBe(201);
        expect(await count()).toBe(before + 1);
      });

      it('every new action is in the audit log, anonymous reports with their address', async () => {
        const rows = (await srv.store.db('audit_log').select('action', 'ip')) as { action: string; ip: string | null }[];
        const actions = new Set(rows.map((r) => r.action));
        for (const a of ['group.manage', 'reportlink.manage', 'public.report']) expect(actions.has(a), `${a} in ${[...actions].join(' ')}`).toBe(true);
        expect(rows.filter((r) => r.action === 'public.report').map((r) => r.ip)).toContain('198.51.100.1');
      });
    });
  });
}

describe('the public link exposed directly (no trusted proxy)', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startAuthServer({}, { reports: { publicPerAddressPerHour: 2, publicPerLinkPerHour: 100 } });
    const areas = await seedAreas(srv.store);
    await addUser(srv, 'congan', ['police'], [areas.hamletA]);
    const on = await call<{ token: string }>(srv, 'POST', `/api/areas/${areas.hamletA}/report-link`, { cookie: await login(srv, 'congan') });
    token = on.body.token;
  });
  afterAll(async () => {
    await srv?.stop();
  });
  let token = '';

  it('a forged X-Forwarded-For does not buy a fresh address', async () => {
    const statuses: number[] = [];
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
      statuses.push(
        (
          await call(srv, 'POST', `/api/public/report-links/${token}/reports`, {
            headers: { 'x-forwarded-for': ip },
            body: { category: 'other', body: 'thử giả địa chỉ', occurredAt: Date.now() },
          })
        ).status,
      );
    expect(statuses).toEqual([201, 201, 429]);
  });
});
