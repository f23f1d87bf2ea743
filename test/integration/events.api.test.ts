import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus } from '../../server/shared/bus.js';
import type { Store } from '../../server/store/store.js';
import { concatCutter, openTestStore, startTestServer, tempDir, type TestServer, addTestCamera } from './events.fixture.js';

/** The REST API over events and alerts: filters, paging, sorting, scoping, comments, notes, pinning. */
describe('events and alerts API', () => {
  const dataDir = tempDir('events-api');
  let store: Store;
  let server: TestServer;
  let hamlet: number;
  let group: number;
  let other: number;
  const ids: Record<string, number> = {};
  const T = Date.parse('2026-12-05T02:00:00+07:00');

  beforeAll(async () => {
    store = await openTestStore(dataDir);
    // The test resident principal is user 99 (see events.fixture.ts).
    await store.db('users').insert({ id: 99, username: 'resident', display_name: 'Cư dân', password_hash: 'x', disabled: false, created_at: T, updated_at: T });
    hamlet = (await store.areas.create({ parentId: null, kind: 'hamlet', name: 'Ấp 4' })).id;
    group = (await store.areas.create({ parentId: hamlet, kind: 'residents_group', name: 'Tổ 7' })).id;
    other = (await store.areas.create({ parentId: null, kind: 'hamlet', name: 'Ấp 9' })).id;
    const cam = async (name: string, areaId: number) => (await addTestCamera(store, name, areaId)).id;
    const c1 = await cam('Tổ 7 – đầu ngõ', group);
    const c2 = await cam('Ấp 9 – cầu', other);
    const add = async (key: string, cameraId: number, areaId: number, label: string, score: number, startAt: number, visibility: 'internal' | 'shared') => {
      const ev = await store.events.create({
        cameraId,
        areaId,
        trackId: key,
        label,
        score,
        box: [1, 2, 3, 4],
        zones: [],
        startAt,
        lastSeenAt: startAt + 1000,
        bestAt: startAt,
        visibility,
      });
      await store.events.update(ev.id, { endAt: startAt + 2000, endReason: 'lost' });
      ids[key] = ev.id;
      ids[`alert:${key}`] = (await store.alerts.create({ kind: 'object', severity: 'normal', eventId: ev.id, cameraId, areaId, visibility })).id;
    };
    await add('a', c1, group, 'person', 0.9, T, 'shared');
    await add('b', c1, group, 'motorcycle', 0.6, T + 60_000, 'internal');
    await add('c', c2, other, 'person', 0.7, T + 120_000, 'shared');
    await add('d', c1, group, 'person', 0.5, T + 180_000, 'shared');
    server = await startTestServer({ store, bus: new Bus(), dataDir, cutClip: concatCutter(store) });
  });

  afterAll(async () => {
    await server?.close();
    await store?.db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const get = async (p: string, as?: string) => {
    const res = await fetch(`${server.url}${p}`, { headers: as ? { 'x-test-as': as } : {} });
    return {
      status: res.status,
      body: (await res.json()) as { items: { id: number }[]; total: number; error?: { code: string; field?: string } } & Record<string, unknown>,
    };
  };
  const send = (p: string, body: unknown, as?: string) =>
    fetch(`${server.url}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(as ? { 'x-test-as': as } : {}) },
      body: JSON.stringify(body),
    });
  const idList = (b: { items: { id: number }[] }) => b.items.map((e) => e.id);

  it('filters by camera area (with sub-areas), label, time, score and visibility; sorts and pages', async () => {
    expect(idList((await get('/api/events')).body)).toEqual([ids.d, ids.c, ids.b, ids.a]); // newest first by default
    const inHamlet = (await get(`/api/events?areaId=${hamlet}`)).body;
    expect(idList(inHamlet)).toEqual([ids.d, ids.b, ids.a]);
    // Residents may not list cameras, so each event names its camera.
    expect((inHamlet.items as unknown as { cameraName: string }[]).map((e) => e.cameraName)).toEqual(['Tổ 7 – đầu ngõ', 'Tổ 7 – đầu ngõ', 'Tổ 7 – đầu ngõ']);
    expect(idList((await get('/api/events?label=person&minScore=0.6&sort=-score')).body)).toEqual([ids.a, ids.c]);
    expect(idList((await get(`/api/events?from=${T + 60_000}&to=${new Date(T + 180_000).toISOString()}`)).body)).toEqual([ids.c, ids.b]);
    expect(idList((await get('/api/events?visibility=internal')).body)).toEqual([ids.b]);
    const page = (await get('/api/events?sort=startAt&limit=2&offset=1')).body;
    expect(idList(page)).toEqual([ids.b, ids.c]);
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 1 });
  });

  it('filters alerts by state, kind, label and area', async () => {
    await send(`/api/alerts/${ids['alert:a']}/state`, { state: 'acknowledged' });
    expect(idList((await get('/api/alerts?state=acknowledged')).body)).toEqual([ids['alert:a']]);
    expect(idList((await get(`/api/alerts?kind=object&label=person&areaId=${group}&sort=id`)).body)).toEqual([ids['alert:a'], ids['alert:d']]);
    expect(idList((await get('/api/events?state=acknowledged')).body)).toEqual([ids.a]);
  });

  it('refuses SQL, unknown keys and malformed values in filters and sort with a 400 naming the field', async () => {
    const bad = [
      ['sort=startAt;drop table events', 'query.sort'],
      ['sort=start_at', 'query.sort'],
      ["label=person' OR '1'='1", 'query.label'],
      ['cameraId=1 OR 1=1', 'query.cameraId'],
      ['minScore=2', 'query.minScore'],
      ['limit=100000', 'query.limit'],
      ['from=yesterday', 'query.from'],
      ['orderBy=id', 'query.orderBy'],
      ['__proto__=1', 'query.__proto__'],
      ['state=closed', 'query.state'],
    ];
    for (const [q, field] of bad) {
      const r = await get(`/api/events?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error, q).toMatchObject({ code: 'validation', field });
    }
    expect((await get('/api/alerts?sort=id desc')).status).toBe(400);
    expect(await store.events.get(ids.a!)).toBeDefined();
  });

  it('shows residents only events shared with their areas, with public notes and without who did what', async () => {
    const resident = `resident:${group}`;
    expect(idList((await get('/api/events', resident)).body)).toEqual([ids.d, ids.a]);
    expect(idList((await get('/api/alerts', resident)).body)).toEqual([ids['alert:d'], ids['alert:a']]);
    expect((await get(`/api/events/${ids.b}`, resident)).status).toBe(403); // internal
    expect((await get(`/api/events/${ids.c}`, resident)).status).toBe(403); // another hamlet
    expect((await get(`/api/alerts/${ids['alert:c']}`, resident)).status).toBe(403);

    await send(`/api/events/${ids.a}/notes`, { body: 'Nội bộ: đối tượng quen mặt', visibility: 'internal' });
    await send(`/api/events/${ids.a}/notes`, { body: 'Đã xác minh, không có trộm', visibility: 'public' });
    const seen = (await get(`/api/events/${ids.a}`, resident)).body as unknown as {
      notes: { body: string }[];
      history: { userId: unknown; note: unknown }[];
      event: { id: number };
    };
    expect(seen.event.id).toBe(ids.a);
    expect(seen.notes.map((n) => n.body)).toEqual(['Đã xác minh, không có trộm']);
    expect(seen.history.every((h) => h.userId === null && h.note === null)).toBe(true);
    const police = (await get(`/api/events/${ids.a}`)).body as unknown as { notes: unknown[] };
    expect(police.notes).toHaveLength(2);
  });

  it('lets residents comment on and flag events they can see, and nothing else', async () => {
    const resident = `resident:${group}`;
    const ok = await send(`/api/events/${ids.a}/comments`, { body: 'Người này đi qua nhà tôi lúc 2 giờ', flag: true }, resident);
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ eventId: ids.a, userId: 99, flag: true });
    expect((await send(`/api/events/${ids.b}/comments`, { body: 'internal one' }, resident)).status).toBe(403);
    expect((await send(`/api/events/${ids.c}/comments`, { body: 'other hamlet' }, resident)).status).toBe(403);
    expect((await send(`/api/events/${ids.a}/comments`, { body: '' }, resident)).status).toBe(400);
    expect((await send(`/api/events/${ids.a}/notes`, { body: 'resident note', visibility: 'public' }, resident)).status).toBe(403);
    const detail = (await get(`/api/events/${ids.a}`)).body as unknown as { comments: { body: string; flag: boolean }[] };
    expect(detail.comments).toEqual([expect.objectContaining({ body: 'Người này đi qua nhà tôi lúc 2 giờ', flag: true })]);
  });

  it('shares, unshares and pins events (pinning protects the clip too)', async () => {
    const shared = await send(`/api/events/${ids.b}/share`, {});
    expect(await shared.json()).toMatchObject({ id: ids.b, visibility: 'shared' });
    expect((await store.alerts.get(ids['alert:b']!))!.visibility).toBe('shared');
    expect(idList((await get('/api/events', `resident:${group}`)).body)).toContain(ids.b);
    await send(`/api/events/${ids.b}/unshare`, {});
    expect(idList((await get('/api/events', `resident:${group}`)).body)).not.toContain(ids.b);

    const clip = await store.clips.create({
      cameraId: (await store.events.get(ids.b!))!.cameraId,
      eventId: ids.b!,
      kind: 'event',
      startAt: T,
      endAt: T + 5000,
      pinned: false,
      reason: null,
      createdBy: null,
    });
    expect(await (await send(`/api/events/${ids.b}/pin`, {})).json()).toMatchObject({ pinned: true });
    expect((await store.clips.get(clip.id))!.pinned).toBe(true);
    expect(idList((await get('/api/events?pinned=true')).body)).toEqual([ids.b]);
    await send(`/api/events/${ids.b}/unpin`, {});
    expect((await store.clips.get(clip.id))!.pinned).toBe(false);
    expect((await send(`/api/events/${ids.b}/share`, {}, `resident:${group}`)).status).toBe(403);
    expect((await send('/api/events/424242/share', {})).status).toBe(404);
  });

  it('validates the state change body: assigning needs an existing user', async () => {
    const id = ids['alert:d']!;
    await send(`/api/alerts/${id}/state`, { state: 'acknowledged' });
    const noAssignee = await send(`/api/alerts/${id}/state`, { state: 'assigned' });
    expect(noAssignee.status).toBe(400);
    expect(await noAssignee.json()).toMatchObject({ error: { code: 'assignee_required', field: 'body.assigneeId' } });
    expect((await send(`/api/alerts/${id}/state`, { state: 'assigned', assigneeId: 777 })).status).toBe(400);
    const [userId] = await store
      .db('users')
      .insert({ username: 'officer', display_name: 'Officer', password_hash: 'x', disabled: false, created_at: T, updated_at: T }, 'id')
      .then((r) => r.map((x: number | { id: number }) => (typeof x === 'object' ? x.id : x)));
    const ok = await send(`/api/alerts/${id}/state`, { state: 'assigned', assigneeId: userId, note: 'Anh Tâm xử lý' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ alert: { state: 'assigned', assigneeId: userId } });
    expect((await send(`/api/alerts/${id}/state`, { state: 'bogus' })).status).toBe(400);
    expect((await send(`/api/alerts/${id}/state`, { state: 'resolved', extra: 1 })).status).toBe(400);
  });
});
