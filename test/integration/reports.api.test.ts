import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportMessage } from '../../server/domain/report.js';
import { dbTargets } from '../support/db.js';
import { form } from '../support/multipart.js';
import { GPS_MARK, HEIC_HEAD, testPhoto, withExifGps } from '../support/photos.js';
import type { TestServer } from '../support/server.js';
import { addIdleCamera, addUser, call, login, nextEvent, openSocket, seedAreas, startAuthServer, type Areas } from './auth.world.js';

/**
 * Residents' reports (issue 13) through the real server on SQLite and PostgreSQL: filing with
 * photos, every kind of bad input refused with the field named and nothing stored, the flood
 * limit, police triage pushed live, the reporter seeing public changes only.
 */

for (const target of dbTargets) {
  describe(`reports API (${target.name})`, () => {
    let srv: TestServer;
    let areas: Areas;
    let cleanup: (() => Promise<void>) | undefined;
    const cookies: Record<string, string> = {};
    const T = Date.parse('2026-12-06T20:00:00+07:00');
    let jpeg: Buffer;
    let png: Buffer;

    beforeAll(async () => {
      let databaseUrl: string | undefined;
      if (target.name === 'postgres') {
        // The server migrates and uses the fresh schema; the handle only drops it afterwards.
        const h = await target.open();
        databaseUrl = h.url;
        cleanup = h.cleanup;
      }
      srv = await startAuthServer({}, { ...(databaseUrl ? { databaseUrl } : {}), reports: { maxPhotoMb: 0.5, perReporterPerHour: 5 } });
      areas = await seedAreas(srv.store);
      await addUser(srv, 'todan', ['resident'], [areas.hamletA]);
      await addUser(srv, 'todan2', ['resident'], [areas.hamletA]);
      await addUser(srv, 'cudanb', ['resident'], [areas.hamletB]);
      await addUser(srv, 'congan', ['police'], [areas.hamletA]);
      await addUser(srv, 'conganb', ['police'], [areas.hamletB]);
      for (const u of ['todan', 'todan2', 'cudanb', 'congan', 'conganb']) cookies[u] = await login(srv, u);
      jpeg = await testPhoto('jpeg');
      png = await testPhoto('png');
    });
    afterAll(async () => {
      await srv?.stop();
      await cleanup?.();
    });

    const fields = (over: Record<string, string> = {}) => ({
      areaId: String(areas.hamletA),
      category: 'theft',
      body: 'Mất xe máy trước cổng nhà văn hoá',
      place: 'Trước cổng nhà văn hoá ấp',
      occurredAt: String(T),
      ...over,
    });
    const file = (who: string, f: { body: Buffer; type: string }) =>
      call<ReportMessage & { error?: { code: string; field?: string } }>(srv, 'POST', '/api/reports', {
        cookie: cookies[who],
        rawBody: f.body,
        headers: { 'content-type': f.type },
      });
    const stored = async () => ({
      reports: Number(((await srv.store.db('reports').count({ n: '*' })) as { n: number | string }[])[0]!.n),
      photos: Number(((await srv.store.db('report_photos').count({ n: '*' })) as { n: number | string }[])[0]!.n),
      files: (() => {
        try {
          return readdirSync(path.join(srv.config.dataDir, 'reports'), { recursive: true }).filter((f) => String(f).includes('.')).length;
        } catch {
          return 0;
        }
      })(),
    });

    it('a resident files a report with photos; EXIF location is stripped, the police of the area hear it live', async () => {
      const police = await openSocket(srv, { cookie: cookies.congan });
      const otherPolice = await openSocket(srv, { cookie: cookies.conganb });
      try {
        expect((await police.emitWithAck('reports:subscribe', {})) as unknown).toMatchObject({ ok: true });
        await otherPolice.emitWithAck('reports:subscribe', {});
        let otherHeard = false;
        otherPolice.on('report:new', () => (otherHeard = true));
        const heard = nextEvent<ReportMessage>(police, 'report:new');
        const res = await file(
          'todan',
          form(fields(), [
            { data: withExifGps(jpeg), type: 'image/jpeg', name: 'a.jpg' },
            { data: png, type: 'image/png', name: 'b.png' },
          ]),
        );
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect(res.body.ref).toMatch(/^TB-\d{8}-\d{4}$/);
        expect(res.body.state).toBe('new');
        expect(res.body.photos).toHaveLength(2);
        const msg = await heard;
        expect(msg).toMatchObject({ id: res.body.id, ref: res.body.ref, category: 'theft', areaId: areas.hamletA });
        expect(msg.reporterName).toBe('todan');
        const photo = await fetch(`${srv.url}${res.body.photos[0]!.url}`, { headers: { cookie: cookies.todan! } });
        expect(photo.status).toBe(200);
        const bytes = Buffer.from(await photo.arrayBuffer());
        expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
        expect(bytes.includes(Buffer.from(GPS_MARK))).toBe(false);
        // Only metadata went: the image data is byte for byte the uploaded one.
        expect(bytes.subarray(-2000)).toEqual(jpeg.subarray(-2000));
        expect(otherHeard).toBe(false);
      } finally {
        police.close();
        otherPolice.close();
      }
    });

    it('keeps the EXIF position when the reporter shares it, and the position with it', async () => {
      const res = await file(
        'todan2',
        form(fields({ shareLocation: 'true', latitude: '10.7626', longitude: '106.6602' }), [{ data: withExifGps(jpeg), type: 'image/jpeg', name: 'a.jpg' }]),
      );
      expect(res.status).toBe(201);
      expect(res.body.latitude).toBeCloseTo(10.7626);
      const photo = Buffer.from(await (await fetch(`${srv.url}${res.body.photos[0]!.url}`, { headers: { cookie: cookies.todan2! } })).arrayBuffer());
      expect(photo.includes(Buffer.from(GPS_MARK))).toBe(true);
    });

    it('refuses bad input with the field named and stores nothing of it', async () => {
      const before = await stored();
      const cases: [string, { body: Buffer; type: string }, number, string, string | undefined][] = [
        ['text as a photo', form(fields(), [{ data: Buffer.from('not an image at all'), type: 'image/jpeg', name: 'x.jpg' }]), 400, 'photo_type', 'photos.0'],
        ['HEIC', form(fields(), [{ data: HEIC_HEAD, type: 'image/heic', name: 'x.heic' }]), 400, 'photo_heic', 'photos.0'],
        [
          'a truncated JPEG after a good one',
          form(fields(), [
            { data: jpeg, type: 'image/jpeg', name: 'ok.jpg' },
            { data: jpeg.subarray(0, 3000), type: 'image/jpeg', name: 'cut.jpg' },
          ]),
          400,
          'photo_unreadable',
          'photos.1',
        ],
        [
          'an oversized photo',
          form(fields(), [{ data: Buffer.concat([jpeg, Buffer.alloc(600 * 1024)]), type: 'image/jpeg', name: 'big.jpg' }]),
          413,
          'photo_too_large',
          'photos.0',
        ],
        [
          'five photos',
          form(
            fields(),
            Array.from({ length: 5 }, () => ({ data: jpeg, type: 'image/jpeg', name: 'p.jpg' })),
          ),
          400,
          'too_many_photos',
          'photos',
        ],
        ['no category', form({ ...fields(), category: 'aliens' }), 400, 'validation', 'body.category'],
        ['a time that is no time', form(fields({ occurredAt: 'yesterday' })), 400, 'validation', 'body.occurredAt'],
        ['another area', form(fields({ areaId: String(areas.hamletB) })), 403, 'area_not_yours', 'body.areaId'],
        ['an unknown field', form({ ...fields(), isAdmin: 'true' }), 400, 'validation', 'body.isAdmin'],
      ];
      for (const [what, f, status, code, field] of cases) {
        const res = await file('todan', f);
        expect(res.status, what).toBe(status);
        expect(res.body.error?.code, what).toBe(code);
        if (field) expect((res.body.error as { field?: string }).field, what).toBe(field);
      }
      const whole = await call<{ error: { code: string } }>(srv, 'POST', '/api/reports', {
        cookie: cookies.todan,
        rawBody: Buffer.alloc(4 * 1024 * 1024),
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
      });
      expect(whole.status).toBe(413);
      expect(await stored()).toEqual(before);
    });

    it('a flood from one account is refused with 429 while others file as usual', async () => {
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) codes.push((await file('cudanb', form(fields({ areaId: String(areas.hamletB), body: `báo lần ${i}` })))).status);
      expect(codes).toEqual([201, 201, 201, 201, 201, 429]);
      expect((await file('todan2', form(fields()))).status).toBe(201);
    });

    it('police triage live: the reporter sees state changes and public notes, never internal notes', async () => {
      const created = await file('todan', form(fields({ body: 'Có người lạ đi xe không biển số' })));
      const id = created.body.id;
      const resident = await openSocket(srv, { cookie: cookies.todan });
      try {
        const got: ReportMessage[] = [];
        resident.on('report:updated', (m: ReportMessage) => got.push(m));
        const post = (p: string, body: unknown, who = 'congan') =>
          call<ReportMessage & { error?: { code: string } }>(srv, 'POST', `/api/reports/${id}${p}`, { cookie: cookies[who], body });
        expect((await post('/state', { state: 'received' })).status).toBe(200);
        expect((await post('/notes', { body: 'ghi chú nội bộ: nghi phạm quen mặt', visibility: 'internal' })).status).toBe(201);
        expect((await post('/notes', { body: 'Công an đã nhận tin và đang xác minh', visibility: 'public' })).status).toBe(201);
        expect((await post('/state', { state: 'verifying' })).status).toBe(200);
        expect((await post('/state', { state: 'handled' })).status).toBe(200);
        const back = await post('/state', { state: 'new' });
        expect([back.status, back.body.error?.code]).toEqual([409, 'report_transition']);
        expect((await post('/state', { state: 'verifying' }, 'conganb')).status).toBe(404);
        expect((await post('/state', { state: 'verifying' }, 'todan')).status).toBe(403);
        await expect.poll(() => got.length).toBe(4);
        expect(got.map((m) => m.state)).toEqual(['received', 'received', 'verifying', 'handled']);
        expect(JSON.stringify(got)).not.toContain('nội bộ');
        expect(got[1]!.notes.map((n) => n.body)).toEqual(['Công an đã nhận tin và đang xác minh']);
        const mine = await call<{ items: ReportMessage[] }>(srv, 'GET', '/api/reports', { cookie: cookies.todan });
        const r = mine.body.items.find((x) => x.id === id)!;
        expect(r.steps.map((s) => s.to)).toEqual(['new', 'received', 'verifying', 'handled']);
        expect(r.steps.every((s) => s.tookMs >= 0)).toBe(true);
        expect(r.notes).toHaveLength(1);
        expect(r.closedAt).not.toBeNull();
        const police = await call<ReportMessage>(srv, 'GET', `/api/reports/${id}`, { cookie: cookies.congan });
        expect(police.body.notes).toHaveLength(2);
      } finally {
        resident.close();
      }
    });

    it('reports and announcements reach the notification outbox: police hear of a new report, its reporter of public changes only, residents of announcements', async () => {
      const created = await file('todan', form(fields({ category: 'fire', body: 'Cháy nhỏ ở bãi rác cuối hẻm' })));
      const id = created.body.id;
      const reporterId = (await srv.store.reports.get(id))!.reporterId;
      const post = (p: string, body: unknown) => call(srv, 'POST', `/api/reports/${id}${p}`, { cookie: cookies.congan, body });
      expect((await post('/notes', { body: 'ghi chú nội bộ: xe chữa cháy đã gọi', visibility: 'internal' })).status).toBe(201);
      expect((await post('/notes', { body: 'Đã cử người đến kiểm tra', visibility: 'public' })).status).toBe(201);
      expect((await post('/state', { state: 'received' })).status).toBe(200);
      const rows = (await srv.store.db('notify_outbox').where('key', 'like', `report:${id}:%`).orderBy('id')) as {
        kind: string;
        visibility: string;
        payload: string;
      }[];
      expect(rows.map((r) => [r.kind, r.visibility])).toEqual([
        ['report.new', 'internal'],
        ['report.updated', 'shared'],
        ['report.updated', 'shared'],
      ]);
      const [filed, note, state] = rows.map((r) => JSON.parse(r.payload) as { title: string; body: string; url: string; recipients?: number[] });
      expect(filed).toMatchObject({ title: `Tin báo mới ${created.body.ref}: Cháy nổ`, url: `/reports/${id}` });
      expect(filed!.recipients).toBeUndefined();
      expect(note).toMatchObject({ body: 'Đã cử người đến kiểm tra', recipients: [reporterId] });
      expect(state).toMatchObject({ title: `Tin báo ${created.body.ref}: Đã tiếp nhận`, recipients: [reporterId] });
      expect(JSON.stringify(rows)).not.toContain('nội bộ');
      const ann = await call<{ id: number }>(srv, 'POST', '/api/announcements', {
        cookie: cookies.congan,
        body: { areaId: areas.hamletA, title: 'Họp tổ dân phố', body: 'Tối thứ bảy, nhà văn hoá ấp.' },
      });
      expect(ann.status).toBe(201);
      const announced = await srv.store.outbox.byKey(`announcement:${ann.body.id}`);
      expect(announced).toMatchObject({ kind: 'announcement', visibility: 'shared', areaId: areas.hamletA });
      // It reaches the hamlet and the areas under it.
      expect(announced!.payload.areaIds).toEqual(await srv.store.areas.descendantIds(areas.hamletA));
      expect(announced!.payload.areaIds).toContain(areas.hamletA);
      // The live feed test below counts from nothing unread.
      expect((await call(srv, 'POST', '/api/announcements/read', { cookie: cookies.todan, body: {} })).status).toBe(200);
    });

    it('residents see only their own reports; police only their areas', async () => {
      const own = await call<{ items: ReportMessage[] }>(srv, 'GET', '/api/reports', { cookie: cookies.todan2 });
      expect(own.body.items.length).toBeGreaterThan(0);
      const someoneElses = (await call<{ items: ReportMessage[] }>(srv, 'GET', '/api/reports', { cookie: cookies.todan })).body.items[0]!;
      expect((await call(srv, 'GET', `/api/reports/${someoneElses.id}`, { cookie: cookies.todan2 })).status).toBe(404);
      expect((await call(srv, 'GET', `${someoneElses.photos[0]?.url ?? `/api/reports/${someoneElses.id}`}`, { cookie: cookies.cudanb })).status).toBe(404);
      const b = await call<{ items: ReportMessage[] }>(srv, 'GET', '/api/reports', { cookie: cookies.conganb });
      expect(b.body.items.every((r) => r.areaId === areas.hamletB)).toBe(true);
    });

    it('announcements reach the residents of the area live, with unread counts', async () => {
      const a = await openSocket(srv, { cookie: cookies.todan });
      const b = await openSocket(srv, { cookie: cookies.cudanb });
      try {
        await a.emitWithAck('announcements:subscribe', {});
        await b.emitWithAck('announcements:subscribe', {});
        let bHeard = false;
        b.on('announcement:new', () => (bHeard = true));
        const heard = nextEvent<{ title: string }>(a, 'announcement:new');
        const post = (who: string, areaId: number) =>
          call<{ error?: { code: string } }>(srv, 'POST', '/api/announcements', {
            cookie: cookies[who],
            body: { areaId, title: 'Cảnh giác lừa đảo qua điện thoại', body: 'Không chuyển tiền cho người lạ.' },
          });
        expect((await post('congan', areas.hamletA)).status).toBe(201);
        expect((await heard).title).toBe('Cảnh giác lừa đảo qua điện thoại');
        expect(bHeard).toBe(false);
        expect((await post('todan', areas.hamletA)).status).toBe(403);
        const foreign = await post('conganb', areas.hamletA);
        expect([foreign.status, foreign.body.error?.code]).toEqual([403, 'area_not_yours']);
        const feed = await call<{ unread: number; items: { title: string; read: boolean }[] }>(srv, 'GET', '/api/announcements', { cookie: cookies.todan });
        expect(feed.body.unread).toBe(1);
        expect((await call<{ unread: number }>(srv, 'GET', '/api/announcements', { cookie: cookies.cudanb })).body.unread).toBe(0);
        expect((await call(srv, 'POST', '/api/announcements/read', { cookie: cookies.todan, body: {} })).status).toBe(200);
        const after = await call<{ unread: number; items: { read: boolean }[] }>(srv, 'GET', '/api/announcements', { cookie: cookies.todan });
        expect([after.body.unread, after.body.items[0]!.read]).toEqual([0, true]);
      } finally {
        a.close();
        b.close();
      }
    });

    it("a resident's flag on a shared event becomes a report linked to it", async () => {
      const cam = await addIdleCamera(srv.store, areas.hamletA, 'Cổng chợ');
      const ev = await srv.store.events.create({
        cameraId: cam.id,
        areaId: areas.hamletA,
        trackId: null,
        label: 'person',
        score: 0.9,
        box: null,
        zones: [],
        startAt: T,
        lastSeenAt: T,
        bestAt: T,
        visibility: 'shared',
      });
      const res = await call(srv, 'POST', `/api/events/${ev.id}/comments`, { cookie: cookies.todan2, body: { body: 'Người này lấy xe nhà tôi', flag: true } });
      expect(res.status).toBe(201);
      const list = await call<{ items: ReportMessage[] }>(srv, 'GET', '/api/reports', { cookie: cookies.todan2 });
      expect(list.body.items.find((r) => r.eventId === ev.id)).toMatchObject({ body: 'Người này lấy xe nhà tôi', occurredAt: T, place: 'Cổng chợ' });
    });
  });
}
