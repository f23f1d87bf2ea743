import { describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../../server/domain/socket.events.js';
import { AlertFeed } from '../../../ui/src/realtime/alert.feed.js';

const alert = (id: number, patch: Partial<AlertMessage> = {}): AlertMessage => ({
  id,
  kind: 'object',
  severity: 'normal',
  state: 'new',
  cameraId: 1,
  cameraName: 'Cổng',
  areaId: 1,
  eventId: id,
  label: 'person',
  score: 0.8,
  zones: [],
  visibility: 'internal',
  assigneeId: null,
  startedAt: id * 1000,
  createdAt: id * 1000,
  updatedAt: id * 1000,
  closedAt: null,
  snapshotUrl: null,
  ...patch,
});
const page = (alerts: AlertMessage[], lastId: number, more = false, changed: AlertMessage[] = [], serverTime = 5_000) => ({
  alerts,
  changed,
  lastId,
  more,
  serverTime,
});

describe("AlertFeed (the wall's alert list)", () => {
  it('lists newest first and de-duplicates by id', () => {
    const f = new AlertFeed(10);
    f.reset([alert(1), alert(3)], 100);
    expect(f.live(alert(2))).toBe('added');
    expect(f.live(alert(2))).toBe('ignored');
    expect(f.list().map((a) => a.id)).toEqual([3, 2, 1]);
  });

  it('orders by the time shown on the card, not by arrival (issue 15: 11:06 above 11:08)', () => {
    const f = new AlertFeed(10);
    f.reset([alert(1, { startedAt: 11 * 60 + 8 }), alert(2, { startedAt: 11 * 60 + 6 }), alert(3, { startedAt: 11 * 60 + 8 })], 100);
    expect(f.list().map((a) => a.id)).toEqual([3, 1, 2]);
  });

  it('keeps the newer version of an alert and ignores a stale one from a late page', () => {
    const f = new AlertFeed(10);
    f.reset([alert(1)], 100);
    expect(f.live(alert(1, { state: 'acknowledged', updatedAt: 2_000 }))).toBe('updated');
    expect(f.upsert(alert(1, { state: 'new', updatedAt: 1_000 }))).toBe('ignored');
    expect(f.get(1)!.state).toBe('acknowledged');
  });

  it('never holds more than its cap: the oldest go first, and an older arrival does not push a newer one out', () => {
    const f = new AlertFeed(3);
    f.reset([alert(1), alert(2), alert(3)], 100);
    f.live(alert(4));
    expect(f.list().map((a) => a.id)).toEqual([4, 3, 2]);
    expect(f.upsert(alert(1))).toBe('ignored');
    for (let i = 5; i < 1_000; i++) f.live(alert(i));
    expect(f.size).toBe(3);
    expect(f.list().map((a) => a.id)).toEqual([999, 998, 997]);
  });

  it('catches up from its cursor: last id from the newest page, changedSince from the first answer', () => {
    const f = new AlertFeed(10);
    f.reset([alert(5)], 1_000);
    expect(f.beginCatchUp()).toEqual({ afterId: 5, changedSince: 1_000 });
    const added = f.applyCatchUp(page([alert(6), alert(7)], 7, false, [alert(5, { state: 'resolved', updatedAt: 9_000 })], 9_500), true);
    expect(added.map((a) => a.id)).toEqual([6, 7]);
    expect(f.get(5)!.state).toBe('resolved');
    expect(f.cursor()).toEqual({ afterId: 7, changedSince: 9_500 });
  });

  it('does not let a live alert move the cursor past alerts still to be fetched', () => {
    const f = new AlertFeed(10);
    f.reset([], undefined);
    f.beginCatchUp();
    f.applyCatchUp(page([alert(1), alert(2)], 2, true), true); // more to come: 3..
    f.live(alert(9)); // arrives live while paging
    expect(f.cursor().afterId).toBe(2);
    f.applyCatchUp(page([alert(3)], 3, false), false);
    f.live(alert(10));
    expect(f.cursor().afterId).toBe(10);
    expect(f.list().map((a) => a.id)).toEqual([10, 9, 3, 2, 1]);
  });

  it('drops an alert the room may no longer see (event unshared)', () => {
    const f = new AlertFeed(10);
    f.reset([alert(1), alert(2)], 100);
    expect(f.withdraw(1)).toBe(true);
    expect(f.withdraw(1)).toBe(false);
    expect(f.list().map((a) => a.id)).toEqual([2]);
  });
});
