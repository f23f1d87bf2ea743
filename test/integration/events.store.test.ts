import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_SORTS, type AlertFilter, type AlertSort } from '../../server/store/alert.repository.js';
import { CLIP_SORTS, type ClipFilter, type ClipSort } from '../../server/store/clip.repository.js';
import {
  EVENT_SORTS,
  type AccessScope,
  type EventFilter,
  type EventPatch,
  type EventRecord,
  type EventSort,
  type NewEvent,
} from '../../server/store/event.repository.js';
import { createStore, type Store } from '../../server/store/store.js';
import { dbTargets, openMigrated } from '../support/db.js';

/**
 * The events area's repositories (events, alerts, notes, comments, clips) against real
 * databases: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. Each test builds its own
 * areas and cameras, so tests share one migrated database without seeing each other's rows.
 */
const T0 = 1_800_000_000_000; // past 2^32 ms: only a BIGINT column keeps it
const MIN = 60_000;
const ALL: AccessScope = { all: true };

async function world(store: Store) {
  const commune = await store.areas.create({ parentId: null, kind: 'commune', name: 'Xã' });
  const h1 = (await store.areas.create({ parentId: commune.id, kind: 'hamlet', name: 'Ấp 1' })).id;
  const h2 = (await store.areas.create({ parentId: commune.id, kind: 'hamlet', name: 'Ấp 2' })).id;
  const camera = async (name: string, areaId: number | null) =>
    (
      await store.cameras.create({
        name,
        areaId,
        ownerName: null,
        ownerKind: null,
        address: null,
        latitude: null,
        longitude: null,
        onvifUrl: null,
        credentialsEnc: null,
        streams: { detect: { url: 'rtsp://127.0.0.1/x' } },
        settings: {},
        defaultVisibility: 'internal',
        enabled: true,
        clockOffsetMs: null,
        demo: true,
      })
    ).id;
  return { h1, h2, camA: await camera('A', h1), camB: await camera('B', h2), camC: await camera('C', null) };
}

const newEvent = (cameraId: number, areaId: number | null, startAt: number, o: Partial<NewEvent> = {}): NewEvent => ({
  cameraId,
  areaId,
  trackId: null,
  label: 'person',
  score: 0.8,
  box: null,
  zones: [],
  startAt,
  lastSeenAt: null,
  bestAt: null,
  visibility: 'shared',
  ...o,
});
const ids = (xs: { id: number }[]) => xs.map((x) => x.id);
const page = <S extends string>(sort: S, order: 'asc' | 'desc' = 'asc', limit = 100, offset = 0) => ({ sort, order, limit, offset });

describe.each(dbTargets)('events store on $name', (target) => {
  let h: Awaited<ReturnType<typeof openMigrated>>;
  let store: Store;
  let police: number;

  beforeAll(async () => {
    h = await openMigrated(target);
    store = createStore(h.db);
    police = (await store.users.create({ username: 'police', displayName: 'Công an', passwordHash: 'x', roles: ['police'], areaIds: [] })).id;
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('creates, reads and patches an event with times as numbers, JSON as values and pinned as a boolean', async () => {
    const w = await world(store);
    const e = await store.events.create(
      newEvent(w.camA, w.h1, T0, {
        trackId: 't-1',
        score: 0.875,
        box: [1, 2, 30, 40],
        zones: ['cổng', 'sân'],
        lastSeenAt: T0 + 500,
        bestAt: T0 + 250,
      }),
      T0 + 1,
    );
    expect(e).toMatchObject({
      cameraId: w.camA,
      areaId: w.h1,
      trackId: 't-1',
      label: 'person',
      score: 0.875,
      box: [1, 2, 30, 40],
      zones: ['cổng', 'sân'],
      startAt: T0,
      endAt: null,
      endReason: null,
      lastSeenAt: T0 + 500,
      bestAt: T0 + 250,
      snapshotPath: null,
      snapshotBytes: 0,
      mediaDeletedAt: null,
      visibility: 'shared',
      pinned: false,
      createdAt: T0 + 1,
      updatedAt: T0 + 1,
    });
    for (const k of ['startAt', 'lastSeenAt', 'bestAt', 'createdAt', 'updatedAt', 'snapshotBytes', 'score'] as const) expect(typeof e[k], k).toBe('number');

    await store.events.update(
      e.id,
      {
        endAt: T0 + 9000,
        endReason: 'track_lost',
        snapshotPath: 'snapshots/1.jpg',
        snapshotBytes: 5_000_000_000,
        pinned: true,
        box: null,
        zones: [],
        visibility: 'internal',
      },
      T0 + 10_000,
    );
    const got = (await store.events.get(e.id))!;
    expect(got).toMatchObject({
      endAt: T0 + 9000,
      endReason: 'track_lost',
      snapshotPath: 'snapshots/1.jpg',
      snapshotBytes: 5_000_000_000,
      pinned: true,
      box: null,
      zones: [],
      visibility: 'internal',
      score: 0.875,
      trackId: 't-1',
      createdAt: T0 + 1,
      updatedAt: T0 + 10_000,
    });
    expect(typeof got.endAt).toBe('number');
    await store.events.update(e.id, { pinned: false }, T0 + 11_000);
    expect((await store.events.get(e.id))!.pinned).toBe(false);
    expect(await store.events.get(987_654)).toBeUndefined();
  });

  it('lists the open events (no end yet) oldest id first', async () => {
    const w = await world(store);
    const a = await store.events.create(newEvent(w.camA, w.h1, T0));
    const b = await store.events.create(newEvent(w.camA, w.h1, T0 + MIN));
    const c = await store.events.create(newEvent(w.camA, w.h1, T0 + 2 * MIN));
    await store.events.update(b.id, { endAt: T0 + MIN + 5000, endReason: 'track_lost' });
    const open = ids(await store.events.listOpen());
    expect(open).toContain(a.id);
    expect(open).toContain(c.id);
    expect(open).not.toContain(b.id);
    expect(open.indexOf(a.id)).toBeLessThan(open.indexOf(c.id));
  });

  it('filters, scopes, pages and sorts the event list with correct totals', async () => {
    const w = await world(store);
    const make = (cam: number, area: number, i: number, o: Partial<NewEvent>) => store.events.create(newEvent(cam, area, T0 + i * MIN, o));
    const e0 = await make(w.camA, w.h1, 0, { label: 'person', score: 0.91 });
    const e1 = await make(w.camA, w.h1, 1, { label: 'car', score: 0.55, visibility: 'internal' });
    const e2 = await make(w.camB, w.h2, 2, { label: 'person', score: 0.75 });
    const e3 = await make(w.camB, w.h2, 3, { label: 'person', score: 0.62 });
    const e4 = await make(w.camC, w.h1, 4, { label: 'Person', score: 0.99 }); // label match is exact
    await store.events.update(e3.id, { pinned: true });
    const alert = await store.alerts.create({ kind: 'object', severity: 'high', eventId: e2.id, cameraId: w.camB, areaId: w.h2, visibility: 'shared' });
    await store.alerts.update(alert.id, { state: 'acknowledged' });
    const mine = { areaIds: [w.h1, w.h2] };
    const list = async (f: EventFilter, scope: AccessScope = ALL) => ids((await store.events.list({ ...mine, ...f }, scope, page<EventSort>('startAt'))).items);

    expect(await list({})).toEqual(ids([e0, e1, e2, e3, e4]));
    expect(await list({ cameraId: w.camB })).toEqual(ids([e2, e3]));
    expect(await list({ areaIds: [w.h1] })).toEqual(ids([e0, e1, e4]));
    expect(await list({ label: 'person' })).toEqual(ids([e0, e2, e3]));
    expect(await list({ from: T0 + MIN, to: T0 + 3 * MIN })).toEqual(ids([e1, e2])); // from inclusive, to exclusive
    expect(await list({ minScore: 0.75 })).toEqual(ids([e0, e2, e4]));
    expect(await list({ visibility: 'internal' })).toEqual(ids([e1]));
    expect(await list({ pinned: true })).toEqual(ids([e3]));
    expect(await list({ pinned: false, cameraId: w.camB })).toEqual(ids([e2]));
    expect(await list({ alertState: 'acknowledged' })).toEqual(ids([e2]));
    expect(await list({ alertKind: 'object' })).toEqual(ids([e2]));
    expect(await list({ alertState: 'new' })).toEqual([]);

    // A resident of Ấp 1 sees only shared events of Ấp 1; no areas means nothing at all.
    expect(await list({}, { all: false, areaIds: [w.h1] })).toEqual(ids([e0, e4]));
    expect(await list({}, { all: false, areaIds: [w.h2] })).toEqual(ids([e2, e3]));
    expect(await list({ visibility: 'internal' }, { all: false, areaIds: [w.h1] })).toEqual([]);
    expect(await list({}, { all: false, areaIds: [] })).toEqual([]);
    const scoped = await store.events.list(mine, { all: false, areaIds: [w.h1] }, page<EventSort>('startAt', 'asc', 1));
    expect(scoped.total).toBe(2);

    // Every whitelisted sort key, both orders; pages of 2 add up to the whole list.
    const byScore = ids([e4, e0, e2, e3, e1]);
    const expected: Record<EventSort, number[]> = { startAt: ids([e0, e1, e2, e3, e4]), id: ids([e0, e1, e2, e3, e4]), score: [...byScore].reverse() };
    for (const sort of Object.keys(EVENT_SORTS) as EventSort[]) {
      for (const order of ['asc', 'desc'] as const) {
        const want = order === 'asc' ? expected[sort] : [...expected[sort]].reverse();
        const seen: number[] = [];
        for (let offset = 0; offset < 6; offset += 2) {
          const r = await store.events.list(mine, ALL, page(sort, order, 2, offset));
          expect(r.total, `${sort} ${order}`).toBe(5);
          seen.push(...ids(r.items));
        }
        expect(seen, `${sort} ${order}`).toEqual(want);
      }
    }
  });

  it('fails on a sort key outside the whitelist rather than putting it into SQL, and sorts only asc or desc', async () => {
    for (const key of ['start_at', 'events.start_at; drop table events', 'constructor', '__proto__']) {
      await expect(store.events.list({}, ALL, page(key as EventSort)), key).rejects.toThrow();
    }
    expect((await store.events.list({}, ALL, page<EventSort>('id', 'desc; drop table events' as 'desc', 1))).total).toBeGreaterThan(0);
  });

  it('orders ties by id so pages never repeat or skip an event', async () => {
    const w = await world(store);
    const same = [];
    for (let i = 0; i < 5; i++) same.push((await store.events.create(newEvent(w.camA, w.h1, T0, { score: 0.5 }))).id);
    for (const order of ['asc', 'desc'] as const) {
      const seen: number[] = [];
      for (let offset = 0; offset < 5; offset += 2)
        seen.push(...ids((await store.events.list({ cameraId: w.camA }, ALL, page<EventSort>('score', order, 2, offset))).items));
      expect(seen).toEqual(order === 'asc' ? same : [...same].reverse());
    }
  });

  it('finds event media retention may delete, by cutoff and camera, and totals snapshot bytes', async () => {
    const w = await world(store);
    const ev = async (cam: number, i: number, patch: EventPatch) => {
      const e = await store.events.create(newEvent(cam, null, T0 + i * MIN));
      await store.events.update(e.id, { snapshotBytes: 1_000, ...patch });
      return e.id;
    };
    const old1 = await ev(w.camA, 1, { endAt: T0 + 1 * MIN + 1000, snapshotBytes: 3_000_000_000 });
    const old0 = await ev(w.camB, 0, { endAt: T0 + 1000 });
    await ev(w.camA, 2, { endAt: T0 + 2 * MIN + 1000, pinned: true });
    await ev(w.camA, 3, { endAt: T0 + 3 * MIN + 1000, mediaDeletedAt: T0 + 4 * MIN });
    await ev(w.camA, 4, {}); // still open
    const late = await ev(w.camB, 20, { endAt: T0 + 20 * MIN + 1000 });
    const noMedia = await ev(w.camC, 5, { endAt: T0 + 5 * MIN + 1000, snapshotBytes: 0 });
    const mineOnly = (xs: EventRecord[]) => ids(xs).filter((id) => [old1, old0, late, noMedia].includes(id));
    const cutoff = T0 + 10 * MIN;

    expect(mineOnly(await store.events.withMediaEndedBefore(cutoff, 100))).toEqual([old0, old1, noMedia]); // oldest start first
    expect(mineOnly(await store.events.withMediaEndedBefore(cutoff, 100, { only: w.camA }))).toEqual([old1]);
    expect(mineOnly(await store.events.withMediaEndedBefore(cutoff, 100, { except: [w.camA, w.camC] }))).toEqual([old0]);
    expect(mineOnly(await store.events.withMediaEndedBefore(T0 + 30 * MIN, 100, { only: w.camB }))).toEqual([old0, late]);
    expect(await store.events.withMediaEndedBefore(cutoff, 1, { only: w.camA })).toHaveLength(1);
    expect(mineOnly(await store.events.oldestWithMedia(1000))).toEqual([old0, old1, late]); // no cutoff, but bytes > 0

    const before = await store.events.snapshotBytesTotal();
    expect(typeof before).toBe('number');
    await store.events.update(old1, { mediaDeletedAt: T0 + 30 * MIN, snapshotBytes: 3_000_000_000 });
    expect(await store.events.snapshotBytesTotal()).toBe(before - 3_000_000_000);
  });

  it('keeps alerts, their state changes, history and open camera_offline alerts', async () => {
    const w = await world(store);
    const e = await store.events.create(newEvent(w.camA, w.h1, T0));
    const a = await store.alerts.create({ kind: 'object', severity: 'high', eventId: e.id, cameraId: w.camA, areaId: w.h1, visibility: 'internal' }, T0 + 5);
    expect(a).toMatchObject({
      kind: 'object',
      severity: 'high',
      eventId: e.id,
      state: 'new',
      assigneeId: null,
      closedAt: null,
      createdAt: T0 + 5,
      updatedAt: T0 + 5,
    });
    expect((await store.alerts.byEvent(e.id))!.id).toBe(a.id);
    expect(await store.alerts.byEvent(987_654)).toBeUndefined();

    await store.alerts.update(a.id, { state: 'assigned', assigneeId: police }, T0 + 10);
    await store.alerts.addHistory({ alertId: a.id, fromState: 'new', toState: 'assigned', userId: police, note: 'Tổ tuần tra đến', at: T0 + 10 });
    await store.alerts.update(a.id, { state: 'resolved', closedAt: T0 + 20 }, T0 + 20);
    await store.alerts.addHistory({ alertId: a.id, fromState: 'assigned', toState: 'resolved', userId: null, note: null, at: T0 + 20 });
    expect(await store.alerts.get(a.id)).toMatchObject({ state: 'resolved', assigneeId: police, closedAt: T0 + 20, updatedAt: T0 + 20 });
    const hist = await store.alerts.history(a.id);
    expect(hist.map((x) => [x.fromState, x.toState, x.userId, x.note, x.at])).toEqual([
      ['new', 'assigned', police, 'Tổ tuần tra đến', T0 + 10],
      ['assigned', 'resolved', null, null, T0 + 20],
    ]);
    expect(typeof hist[0]!.at).toBe('number');

    await store.alerts.setVisibilityForEvent(e.id, 'shared', T0 + 30);
    expect(await store.alerts.get(a.id)).toMatchObject({ visibility: 'shared', updatedAt: T0 + 30 });

    const off = await store.alerts.create({
      kind: 'camera_offline',
      severity: 'normal',
      eventId: null,
      cameraId: w.camB,
      areaId: w.h2,
      visibility: 'internal',
    });
    expect((await store.alerts.openOfKind(w.camB, 'camera_offline'))?.id).toBe(off.id);
    expect(await store.alerts.openOfKind(w.camB, 'object')).toBeUndefined();
    await store.alerts.update(off.id, { state: 'false_alarm', closedAt: T0 });
    expect(await store.alerts.openOfKind(w.camB, 'camera_offline')).toBeUndefined();

    expect(await store.alerts.userExists(police)).toBe(true);
    expect(await store.alerts.userExists(987_654)).toBe(false);
    expect(await store.alerts.maxId()).toBeGreaterThanOrEqual(off.id);
  });

  it('filters, scopes, pages and sorts alerts, and serves the realtime catch-up in scope', async () => {
    const w = await world(store);
    const mk = async (
      cam: number,
      area: number,
      i: number,
      ev: Partial<NewEvent>,
      o: { severity?: 'low' | 'high'; visibility?: 'internal' | 'shared' } = {},
    ) => {
      const e = await store.events.create(newEvent(cam, area, T0 + i * MIN, ev));
      return store.alerts.create(
        { kind: 'object', severity: o.severity ?? 'low', eventId: e.id, cameraId: cam, areaId: area, visibility: o.visibility ?? 'shared' },
        T0 + i * MIN,
      );
    };
    const a0 = await mk(w.camA, w.h1, 0, { label: 'person', score: 0.9 }, { severity: 'high' });
    const a1 = await mk(w.camA, w.h1, 1, { label: 'car', score: 0.6 }, { visibility: 'internal' });
    const a2 = await mk(w.camB, w.h2, 2, { label: 'person', score: 0.7 });
    const off = await store.alerts.create(
      { kind: 'camera_offline', severity: 'high', eventId: null, cameraId: w.camB, areaId: w.h2, visibility: 'shared' },
      T0 + 3 * MIN,
    );
    await store.alerts.update(a2.id, { state: 'acknowledged' }, T0 + 10 * MIN);
    const mine = { areaIds: [w.h1, w.h2] };
    const list = async (f: AlertFilter, scope: AccessScope = ALL) =>
      ids((await store.alerts.list({ ...mine, ...f }, scope, page<AlertSort>('createdAt'))).items);

    expect(await list({})).toEqual(ids([a0, a1, a2, off]));
    expect(await list({ cameraId: w.camB })).toEqual(ids([a2, off]));
    expect(await list({ state: 'new' })).toEqual(ids([a0, a1, off]));
    expect(await list({ kind: 'camera_offline' })).toEqual(ids([off]));
    expect(await list({ severity: 'high' })).toEqual(ids([a0, off]));
    expect(await list({ visibility: 'internal' })).toEqual(ids([a1]));
    expect(await list({ from: T0 + MIN, to: T0 + 3 * MIN })).toEqual(ids([a1, a2]));
    expect(await list({ label: 'person' })).toEqual(ids([a0, a2])); // alerts without an event never match a label
    expect(await list({ minScore: 0.65 })).toEqual(ids([a0, a2]));
    expect(await list({}, { all: false, areaIds: [w.h1] })).toEqual(ids([a0]));
    expect(await list({}, { all: false, areaIds: [w.h2] })).toEqual(ids([a2, off]));
    expect(await list({}, { all: false, areaIds: [] })).toEqual([]);

    const expected: Record<AlertSort, number[]> = { createdAt: ids([a0, a1, a2, off]), id: ids([a0, a1, a2, off]), updatedAt: ids([a0, a1, off, a2]) };
    for (const sort of Object.keys(ALERT_SORTS) as AlertSort[]) {
      for (const order of ['asc', 'desc'] as const) {
        const first = await store.alerts.list(mine, ALL, page(sort, order, 3, 0));
        const rest = await store.alerts.list(mine, ALL, page(sort, order, 3, 3));
        expect([first.total, rest.total]).toEqual([4, 4]);
        expect([...ids(first.items), ...ids(rest.items)], `${sort} ${order}`).toEqual(order === 'asc' ? expected[sort] : [...expected[sort]].reverse());
      }
    }

    // Catch-up: newer ids in scope, oldest first; changes since a time up to a known id.
    const resident: AccessScope = { all: false, areaIds: [w.h2] };
    expect(ids(await store.alerts.since(a0.id, resident, 10))).toEqual(ids([a2, off]));
    expect(ids(await store.alerts.since(a0.id, resident, 1))).toEqual(ids([a2]));
    expect(ids(await store.alerts.changedSince(T0 + 5 * MIN, off.id, resident, 10))).toEqual(ids([a2]));
    expect(ids(await store.alerts.changedSince(T0 + 5 * MIN, a1.id, resident, 10))).toEqual([]);
    expect(ids(await store.alerts.changedSince(T0 + 5 * MIN, off.id, { all: false, areaIds: [w.h1] }, 10))).toEqual([]);
  });

  it('keeps internal notes from residents and comments with their flag', async () => {
    const w = await world(store);
    const e = await store.events.create(newEvent(w.camA, w.h1, T0));
    const a = await store.alerts.create({ kind: 'object', severity: 'low', eventId: e.id, cameraId: w.camA, areaId: w.h1, visibility: 'shared' });
    const n1 = await store.notes.add({ alertId: null, eventId: e.id, userId: police, visibility: 'internal', body: 'Biển số 59X1-123.45' }, T0 + 1);
    const n2 = await store.notes.add({ alertId: a.id, eventId: e.id, userId: police, visibility: 'public', body: 'Đã xác minh, cảm ơn bà con' }, T0 + 2);
    const n3 = await store.notes.add({ alertId: a.id, eventId: null, userId: null, visibility: 'internal', body: 'chuyển ca' }, T0 + 3);
    expect(n1).toMatchObject({ eventId: e.id, visibility: 'internal', createdAt: T0 + 1 });
    expect(ids(await store.notes.forEvent(e.id, false))).toEqual(ids([n1, n2]));
    expect(await store.notes.forEvent(e.id, true)).toEqual([{ ...n2 }]);
    expect(ids(await store.notes.forAlert(a.id, false))).toEqual(ids([n2, n3]));
    expect(ids(await store.notes.forAlert(a.id, true))).toEqual(ids([n2]));
    expect(typeof (await store.notes.forEvent(e.id, true))[0]!.createdAt).toBe('number');

    const c1 = await store.comments.add({ eventId: e.id, userId: police, body: 'Người lạ trước cổng', flag: true }, T0 + 4);
    const c2 = await store.comments.add({ eventId: e.id, userId: null, body: 'Là người giao hàng', flag: false }, T0 + 5);
    await store.comments.add({ eventId: e.id, userId: null, body: 'Đúng rồi', flag: true }, T0 + 6);
    const other = await store.events.create(newEvent(w.camA, w.h1, T0 + MIN));
    await store.comments.add({ eventId: other.id, userId: null, body: 'khác', flag: true }, T0 + 7);
    const cs = await store.comments.forEvent(e.id);
    expect(cs.slice(0, 2)).toEqual([c1, c2]);
    expect(cs.map((c) => c.flag)).toEqual([true, false, true]);
    expect(await store.comments.flagCount(e.id)).toBe(2);
    expect(await store.comments.flagCount(987_654)).toBe(0);
  });

  it('tracks clips from pending to ready, lists them in scope and finds those retention may delete', async () => {
    const w = await world(store);
    const shared = await store.events.create(newEvent(w.camA, w.h1, T0));
    const internal = await store.events.create(newEvent(w.camA, w.h1, T0 + MIN, { visibility: 'internal' }));
    await store.events.update(shared.id, { endAt: T0 + 10_000 });
    await store.events.update(internal.id, { endAt: T0 + MIN + 10_000 });
    const clip = (o: { eventId: number | null; cam?: number; at: number; kind?: 'event' | 'export'; pinned?: boolean }, now = T0 + o.at + 1) =>
      store.clips.create(
        {
          cameraId: o.cam ?? w.camA,
          eventId: o.eventId,
          kind: o.kind ?? 'event',
          startAt: T0 + o.at,
          endAt: T0 + o.at + 20_000,
          pinned: o.pinned ?? false,
          reason: null,
          createdBy: null,
        },
        now,
      );
    const c1 = await clip({ eventId: shared.id, at: 0 });
    expect(c1).toMatchObject({
      state: 'pending',
      path: null,
      bytes: null,
      durationMs: null,
      pinned: false,
      finalisedAt: null,
      deletedAt: null,
      startAt: T0,
      endAt: T0 + 20_000,
    });
    const c2 = await clip({ eventId: internal.id, at: MIN });
    const exp = await clip({ eventId: null, at: 2 * MIN, kind: 'export', pinned: true });
    const failed = await clip({ eventId: null, cam: w.camB, at: 3 * MIN });
    expect(ids(await store.clips.listPending())).toEqual(expect.arrayContaining(ids([c1, c2, exp, failed])));

    const ready = (id: number, bytes: number, finalisedAt: number) =>
      store.clips.update(id, { state: 'ready', path: `clips/${id}.mp4`, bytes, durationMs: 20_000, finalisedAt, sha256: 'ab'.repeat(32) });
    await ready(c1.id, 4_000_000_000, T0 + 12_000);
    await ready(c2.id, 2_000, T0 + MIN + 15_000);
    await ready(exp.id, 3_000, T0 + 3 * MIN);
    await store.clips.update(failed.id, { state: 'failed', error: 'range_not_kept' });
    expect(await store.clips.get(c1.id)).toMatchObject({
      state: 'ready',
      path: `clips/${c1.id}.mp4`,
      bytes: 4_000_000_000,
      durationMs: 20_000,
      finalisedAt: T0 + 12_000,
    });
    expect(await store.clips.listPending()).toEqual([]); // ready and failed clips are not cut again
    expect((await store.clips.byEvent(shared.id))?.id).toBe(c1.id);
    // Only ready clips of ended events count (not the export); this is the only test with clips.
    const readiness = (await store.clips.readiness()).sort((a, b) => a.eventEndAt - b.eventEndAt);
    expect(readiness).toStrictEqual([
      { eventEndAt: T0 + 10_000, finalisedAt: T0 + 12_000 },
      { eventEndAt: T0 + MIN + 10_000, finalisedAt: T0 + MIN + 15_000 },
    ]);

    const cams = { cameraId: w.camA };
    const list = async (f: ClipFilter, scope: AccessScope = ALL) => ids((await store.clips.list({ ...cams, ...f }, scope, page<ClipSort>('startAt'))).items);
    expect(await list({})).toEqual(ids([c1, c2, exp]));
    expect(await list({ kind: 'export' })).toEqual(ids([exp]));
    expect(await list({ eventId: internal.id })).toEqual(ids([c2]));
    expect(await list({ pinned: true })).toEqual(ids([exp]));
    expect(await list({ state: 'failed', cameraId: w.camB })).toEqual(ids([failed]));
    expect(await list({ from: T0 + 20_000, to: T0 + 2 * MIN })).toEqual(ids([c2])); // overlap: ends after from, starts before to
    expect(await list({}, { all: false, areaIds: [w.h1] })).toEqual(ids([c1])); // never internal events' clips, never exports
    expect(await list({}, { all: false, areaIds: [w.h2] })).toEqual([]);
    for (const sort of Object.keys(CLIP_SORTS) as ClipSort[]) {
      const r = await store.clips.list(cams, ALL, page(sort, 'desc', 2, 0));
      expect(r.total, sort).toBe(3);
      expect(ids(r.items), sort).toEqual(ids([exp, c2]));
    }

    await store.events.update(shared.id, { pinned: true });
    await store.clips.setPinnedForEvent(shared.id, true);
    expect((await store.clips.get(c1.id))!.pinned).toBe(true);
    const mine = (xs: { id: number }[]) => ids(xs).filter((id) => [c1.id, c2.id, exp.id, failed.id].includes(id));
    expect(mine(await store.clips.deletableEndedBefore(T0 + 10 * MIN, 100))).toEqual([c2.id]); // not pinned, not failed
    expect(mine(await store.clips.deletableEndedBefore(T0 + 10 * MIN, 100, { except: [w.camA] }))).toEqual([]);
    expect(mine(await store.clips.deletableEndedBefore(T0 + MIN, 100, { only: w.camA }))).toEqual([]);
    await store.clips.setPinnedForEvent(shared.id, false);
    expect(mine(await store.clips.deletableEndedBefore(T0 + 10 * MIN, 100, { only: w.camA }))).toEqual([c1.id, c2.id]);
    expect(mine(await store.clips.oldestDeletable(1000))).toEqual([c1.id, c2.id]);

    const total = await store.clips.totalBytes();
    expect(typeof total).toBe('number');
    await store.clips.update(c1.id, { deletedAt: T0 + 11 * MIN });
    expect(await store.clips.totalBytes()).toBe(total - 4_000_000_000);
    expect(mine(await store.clips.oldestDeletable(1000))).toEqual([c2.id]);
    expect((await store.clips.get(c1.id))!.deletedAt).toBe(T0 + 11 * MIN);
  });
});
