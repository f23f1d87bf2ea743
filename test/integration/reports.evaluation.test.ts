import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Commendations } from '../../server/reports/report.commendation.js';
import { evaluationCsv, ReportEvaluation, type AreaEvaluation } from '../../server/reports/report.evaluation.js';
import { systemClock } from '../../server/shared/clock.js';
import { createStore, type Store } from '../../server/store/store.js';
import { dbTargets, openMigrated } from '../support/db.js';
import { addIdleCamera } from './auth.world.js';

/**
 * The evaluation report against a fixture whose numbers were computed by hand (below, next to
 * each figure), on SQLite and PostgreSQL. Period: 1 December 2026 (UTC+7), one day; the clock
 * reads two days later, so the whole day counts for uptime.
 */
const M = 60_000;
const H = 60 * M;
const T0 = Date.parse('2026-12-01T00:00:00+07:00');
const PERIOD = { from: T0, to: T0 + 24 * H };

for (const target of dbTargets) {
  describe(`evaluation per area (${target.name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    const area = { C: 0, A: 0, A1: 0, B: 0 };

    beforeAll(async () => {
      const h = await openMigrated(target);
      cleanup = h.cleanup;
      store = createStore(h.db);
      const mk = async (name: string, parentId: number | null, kind: 'commune' | 'hamlet' | 'residents_group') =>
        (await store.areas.create({ parentId, kind, name }, T0)).id;
      area.C = await mk('Xã Bình Yên', null, 'commune');
      area.A = await mk('Ấp An Phú', area.C, 'hamlet');
      area.A1 = await mk('Tổ 1', area.A, 'residents_group');
      area.B = await mk('Ấp Bình Lợi', area.C, 'hamlet');
      for (const id of [1, 2, 3, 4, 5])
        await store.db('users').insert({ id, username: `u${id}`, display_name: `U${id}`, password_hash: 'x', disabled: false, created_at: T0, updated_at: T0 });

      const camA = await addIdleCamera(store, area.A, 'A');
      const camA1 = await addIdleCamera(store, area.A1, 'A1');
      await addIdleCamera(store, area.B, 'B');
      const removed = await addIdleCamera(store, area.A, 'gỡ bỏ');
      await store.db('cameras').where({ id: camA.id }).update({ state: 'online' });
      await store.db('cameras').where({ id: removed.id }).update({ removed_at: T0 });
      // camA: 6 h inside + the last hour of one straddling the start = 7 h; camA1: the first hour of one straddling the end.
      const rec = (cameraId: number, start: number, end: number) =>
        store.recordings.add({ cameraId, path: `r/${cameraId}-${start}.ts`, startAt: start, endAt: end, bytes: 1 });
      await rec(camA.id, T0 + 1 * H, T0 + 7 * H);
      await rec(camA.id, T0 - 1 * H, T0 + 1 * H);
      await rec(camA1.id, T0 + 23 * H, T0 + 25 * H);

      // Alerts of hamlet A: ack after 2, 6, 4 min (and one untouched); closed after 20 (resolved), 10 (false alarm); one before the period.
      const alert = async (at: number, state: string, ackAfter: number | null, closeAfter: number | null) => {
        const [row] = (await store.db('alerts').insert(
          {
            kind: 'object',
            severity: 'normal',
            camera_id: camA.id,
            area_id: area.A,
            visibility: 'internal',
            state,
            created_at: at,
            updated_at: at,
            closed_at: closeAfter === null ? null : at + closeAfter * M,
          },
          'id',
        )) as ({ id: number } | number)[];
        const id = typeof row === 'object' ? row.id : row!;
        await store.db('alert_history').insert({ alert_id: id, from_state: null, to_state: 'new', at });
        if (ackAfter !== null) await store.db('alert_history').insert({ alert_id: id, from_state: 'new', to_state: 'acknowledged', at: at + ackAfter * M });
        if (closeAfter !== null) await store.db('alert_history').insert({ alert_id: id, from_state: 'acknowledged', to_state: state, at: at + closeAfter * M });
      };
      await alert(T0 + 10 * M, 'resolved', 2, 20);
      await alert(T0 + 1 * H, 'false_alarm', 6, 10);
      await alert(T0 + 2 * H, 'acknowledged', 4, null);
      await alert(T0 + 3 * H, 'new', null, null);
      await alert(T0 - 1 * H, 'resolved', 1, 1);

      // Reports: received after 5, 15, 1 min (one untouched); closed after 50 (handled), 90 (unfounded).
      const report = async (areaId: number, reporterId: number, at: number, steps: [string, number][]) => {
        const r = await store.reports.create(
          { areaId, reporterId, category: 'theft', body: 'x', place: '', latitude: null, longitude: null, occurredAt: at, eventId: null },
          at,
        );
        let from = 'new';
        for (const [to, after] of steps) {
          await store.reports.addHistory(r.id, from as 'new', to as 'received', null, at + after * M);
          const closed = ['handled', 'unfounded', 'forwarded'].includes(to);
          await store.reports.update(r.id, { state: to as 'received', ...(closed ? { closedAt: at + after * M } : {}) }, at + after * M);
          from = to;
        }
      };
      await report(area.A, 1, T0 + 1 * H, [
        ['received', 5],
        ['handled', 50],
      ]);
      await report(area.A1, 2, T0 + 2 * H, [
        ['received', 15],
        ['unfounded', 90],
      ]);
      await report(area.A, 1, T0 + 3 * H, [
        ['received', 1],
        ['verifying', 30],
      ]);
      await report(area.A, 3, T0 + 4 * H, []);
      await report(area.B, 4, T0 + 1 * H, [['handled', 30]]);

      // Comments on a hamlet A event: u5 and u1 (already counted as a reporter).
      const ev = await store.events.create({
        cameraId: camA.id,
        areaId: area.A,
        trackId: null,
        label: 'person',
        score: 0.9,
        box: null,
        zones: [],
        startAt: T0,
        lastSeenAt: T0,
        bestAt: T0,
        visibility: 'shared',
      });
      await store.comments.add({ eventId: ev.id, userId: 5, body: 'c', flag: false }, T0 + 5 * H);
      await store.comments.add({ eventId: ev.id, userId: 1, body: 'c', flag: true }, T0 + 6 * H);
    });
    afterAll(async () => {
      await cleanup?.();
    });

    it('gives the hand-computed numbers for each area', async () => {
      const evaluation = new ReportEvaluation({ store, clock: { ...systemClock, now: () => T0 + 48 * H }, targetMs: 60 * M });
      const out = await evaluation.evaluate([area.A, area.A1, area.B], PERIOD);
      const byId = new Map(out.areas.map((r) => [r.areaId, r]));
      expect(byId.get(area.A)).toEqual({
        areaId: area.A,
        areaName: 'Ấp An Phú',
        alertsReceived: 4, // the one before the period is not counted
        alertAckMedianMs: 4 * M, // [2, 4, 6] → nearest rank ⌈0.5·3⌉ = 2nd
        alertAckP90Ms: 6 * M, // ⌈0.9·3⌉ = 3rd
        alertResolveMedianMs: 10 * M, // [10, 20] → ⌈0.5·2⌉ = 1st
        alertResolveP90Ms: 20 * M,
        falseAlarmRate: 0.5, // 1 false alarm of 2 closed
        reportsReceived: 4, // A and its group A1
        reportReceiveMedianMs: 5 * M, // [1, 5, 15]
        reportReceiveP90Ms: 15 * M,
        reportResolveMedianMs: 50 * M, // [50, 90]
        reportResolveP90Ms: 90 * M,
        targetMinutes: 60, // no area sets its own: the server's
        reportsWithinTarget: 0.25, // 1 of 4 closed within 60 min
        reportsHandled: 1,
        unfoundedRate: 0.5, // 1 of 2 closed
        camerasRegistered: 2, // camA, camA1; the removed one not
        camerasOnline: 1,
        uptimePercent: 16.67, // (7 h + 1 h) / (2 × 24 h)
        residentsActive: 4, // reporters u1, u2, u3 and commenter u5
      } satisfies AreaEvaluation);
      expect(byId.get(area.A1)).toMatchObject({
        alertsReceived: 0,
        reportsReceived: 1,
        reportReceiveMedianMs: 15 * M,
        reportsWithinTarget: 0,
        unfoundedRate: 1,
        camerasRegistered: 1,
        uptimePercent: 4.17,
        residentsActive: 1,
      });
      expect(byId.get(area.B)).toMatchObject({
        alertsReceived: 0,
        reportsReceived: 1,
        reportReceiveMedianMs: 30 * M,
        reportsHandled: 1,
        reportsWithinTarget: 1,
        camerasRegistered: 1,
        uptimePercent: 0,
      });

      const csv = evaluationCsv(out.areas)
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(csv[0]).toBe(
        'areaId,areaName,alertsReceived,alertAckMedianMin,alertAckP90Min,alertResolveMedianMin,alertResolveP90Min,falseAlarmPercent,reportsReceived,reportReceiveMedianMin,reportReceiveP90Min,reportResolveMedianMin,reportResolveP90Min,targetMinutes,reportsWithinTargetPercent,reportsHandled,unfoundedPercent,camerasRegistered,camerasOnline,uptimePercent,residentsActive',
      );
      expect(csv[1]).toBe(`${area.A},Ấp An Phú,4,4,6,10,20,50,4,5,15,50,90,60,25,1,50,2,1,16.67,4`);
    });

    it('lists for commendation only handled reports, cameras that stayed online and groups by response time; opted-out residents are not named', async () => {
      const commend = new Commendations({ store, clock: { ...systemClock, now: () => T0 + 48 * H } });
      const [camA1] = await store.cameras.list({ areaIds: [area.A1] });
      await store.db('cameras').where({ id: camA1!.id }).update({ owner_name: 'Nhà trọ Hạnh Phúc', owner_kind: 'boarding_house' });
      await store.recordings.add({ cameraId: camA1!.id, path: 'r/full-day.ts', startAt: T0, endAt: T0 + 23 * H, bytes: 1 }); // 23 h + 1 h = the whole day
      const out = await commend.list([area.A, area.A1], PERIOD);
      expect(out.residents).toEqual([{ userId: 1, name: 'U1', handled: 1 }]); // u2's report was unfounded, u3's still open
      expect(out.cameraOwners).toEqual([
        { cameraId: camA1!.id, cameraName: 'A1', ownerName: 'Nhà trọ Hạnh Phúc', ownerKind: 'boarding_house', areaName: 'Tổ 1', uptimePercent: 100 },
      ]);
      expect(out.groups).toEqual([{ areaId: area.A1, areaName: 'Tổ 1', kind: 'residents_group', reportsClosed: 1, resolveMedianMs: 90 * M }]);
      await store.evaluation.setOptOut(1, true);
      expect((await commend.list([area.A, area.A1], PERIOD)).residents).toEqual([]);
    });

    it('measures each area against its own target time for feedback, or the nearest one above it', async () => {
      const evaluation = new ReportEvaluation({ store, clock: { ...systemClock, now: () => T0 + 48 * H }, targetMs: 60 * M });
      await store.areas.update(area.A1, { feedbackTargetMinutes: 120 }); // the group's report took 90 min: now on time
      await store.areas.update(area.B, { feedbackTargetMinutes: 20 }); // B's took 30 min: now late
      try {
        const byId = new Map((await evaluation.evaluate([area.A, area.A1, area.B], PERIOD)).areas.map((r) => [r.areaId, r]));
        expect(byId.get(area.A1)).toMatchObject({ targetMinutes: 120, reportsWithinTarget: 1 });
        expect(byId.get(area.B)).toMatchObject({ targetMinutes: 20, reportsWithinTarget: 0 });
        expect(byId.get(area.A)).toMatchObject({ targetMinutes: 60, reportsWithinTarget: 0.25 }); // a group's target is not its parent's
        await store.areas.update(area.A, { feedbackTargetMinutes: 100 });
        await store.areas.update(area.A1, { feedbackTargetMinutes: null });
        const again = new Map((await evaluation.evaluate([area.A, area.A1], PERIOD)).areas.map((r) => [r.areaId, r]));
        expect(again.get(area.A)).toMatchObject({ targetMinutes: 100, reportsWithinTarget: 0.5 }); // 50 and 90 min of 4
        expect(again.get(area.A1)).toMatchObject({ targetMinutes: 100, reportsWithinTarget: 1 }); // inherited from hamlet A
      } finally {
        for (const id of [area.A, area.A1, area.B]) await store.areas.update(id, { feedbackTargetMinutes: null });
      }
    });
  });
}
