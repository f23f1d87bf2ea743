import { describe, expect, it } from 'vitest';
import type { NotificationRecord } from '../../../server/domain/notification.js';
import { addressedTo, defaultRules, inQuietHours, NotifyRulesService, ruleMatches } from '../../../server/notify/notify.rules.js';

const TZ = 'Asia/Ho_Chi_Minh';
// 2026-12-06 23:30 in Hà Nội (UTC+7) = 16:30 UTC.
const LATE = Date.UTC(2026, 11, 6, 16, 30);
const NOON = Date.UTC(2026, 11, 6, 5, 0);
const n = (o: Partial<NotificationRecord> = {}): NotificationRecord => ({
  id: 1,
  key: 'k',
  kind: 'alert.new',
  cameraId: 3,
  areaId: 7,
  severity: 'normal',
  label: 'person',
  visibility: 'internal',
  payload: {},
  at: NOON,
  ...o,
});

describe('notification rules', () => {
  it('gives police every alert, technicians camera outages, residents only their reports and their areas', () => {
    const police = defaultRules(['police'], []);
    expect(ruleMatches(police, n(), TZ)).toBe(true);
    const tech = defaultRules(['technician'], []);
    expect(ruleMatches(tech, n(), TZ)).toBe(false);
    expect(ruleMatches(tech, n({ kind: 'camera.offline' }), TZ)).toBe(true);
    const resident = defaultRules(['resident'], [7]);
    expect(ruleMatches(resident, n(), TZ)).toBe(false);
    expect(ruleMatches(resident, n({ kind: 'announcement' }), TZ)).toBe(true);
    expect(ruleMatches(resident, n({ kind: 'announcement', areaId: 8 }), TZ)).toBe(false);
  });

  it('takes an announcement to every area it reaches, and a report’s feedback to its reporter alone', () => {
    const resident = defaultRules(['resident'], [7]);
    // Posted to the commune (area 2), reaching hamlet 7 under it.
    expect(ruleMatches(resident, n({ kind: 'announcement', areaId: 2, payload: { areaIds: [2, 7, 8] } }), TZ)).toBe(true);
    expect(ruleMatches(resident, n({ kind: 'announcement', areaId: 2, payload: { areaIds: [2, 8] } }), TZ)).toBe(false);
    const feedback = n({ kind: 'report.updated', visibility: 'shared', payload: { recipients: [41] } });
    expect(addressedTo(feedback, 41)).toBe(true);
    expect(addressedTo(feedback, 42)).toBe(false);
    expect(addressedTo(n(), 42)).toBe(true);
  });

  it('filters by camera, label and lowest severity', () => {
    const r = { ...defaultRules(['police'], []), cameraIds: [3], labels: ['motorcycle'], minSeverity: 'high' as const };
    expect(ruleMatches(r, n({ label: 'motorcycle', severity: 'high' }), TZ)).toBe(true);
    expect(ruleMatches(r, n({ label: 'person', severity: 'high' }), TZ)).toBe(false);
    expect(ruleMatches(r, n({ label: 'motorcycle', severity: 'normal' }), TZ)).toBe(false);
    expect(ruleMatches(r, n({ label: 'motorcycle', severity: 'critical', cameraId: 4 }), TZ)).toBe(false);
  });

  it('holds back all but high and critical in quiet hours, across midnight, in the commune time zone', () => {
    const quiet = { from: '22:00', to: '06:00' };
    expect(inQuietHours(quiet, LATE, TZ)).toBe(true);
    expect(inQuietHours(quiet, NOON, TZ)).toBe(false);
    expect(inQuietHours({ from: '11:00', to: '13:00' }, NOON, TZ)).toBe(true);
    const r = { ...defaultRules(['police'], []), quietHours: quiet };
    expect(ruleMatches(r, n({ at: LATE }), TZ)).toBe(false);
    expect(ruleMatches(r, n({ at: LATE, severity: 'critical' }), TZ)).toBe(true);
    expect(ruleMatches(r, n({ at: NOON }), TZ)).toBe(true);
  });
});

describe('saving rules', () => {
  it("keeps a resident's rules to their own areas, even when they ask for none or others", async () => {
    const saved = new Map<number, unknown>();
    const repo = { notify: { setRules: async (id: number, r: unknown) => void saved.set(id, r), rules: async () => undefined } };
    const svc = new NotifyRulesService({ repo: repo as never, clock: { now: () => 1, setTimeout: () => ({ cancel() {} }) } });
    const resident = { userId: 5, roles: ['resident' as const], areaIds: [7, 8] };
    expect((await svc.save(resident, { ...defaultRules(['resident'], []), areaIds: [] })).areaIds).toEqual([7, 8]);
    expect((await svc.save(resident, { ...defaultRules(['resident'], []), areaIds: [8, 9] })).areaIds).toEqual([8]);
    expect((await svc.rulesOf({ userId: 6, roles: ['police'], areaIds: [] })).saved).toBe(false);
  });
});
