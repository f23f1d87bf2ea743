import { describe, expect, it } from 'vitest';
import { rulesSettingsSchema, type RulesSettings } from '../../../server/domain/camera.settings.rules.js';
import { alertDecision, CooldownBook, eventDecision, startCooldowns, WHOLE_FRAME, type TrackFacts } from '../../../server/events/rules.evaluator.js';
import { bottomCentre, pointInPolygon, zonesContaining } from '../../../server/events/rules.geometry.js';
import { localClock, windowOpen } from '../../../server/events/rules.schedule.js';

const TZ = 'Asia/Ho_Chi_Minh'; // UTC+7, no daylight saving
/** Epoch ms of a local Ho Chi Minh City time. */
const hcm = (iso: string) => Date.parse(`${iso}+07:00`);
const rules = (over: Record<string, unknown> = {}): RulesSettings => rulesSettingsSchema.parse(over);
const facts = (over: Partial<TrackFacts> = {}): TrackFacts => ({
  label: 'person',
  score: 0.8,
  durationMs: 2000,
  frames: 5,
  stationary: false,
  zonesNow: [],
  zonesEntered: [],
  ...over,
});
const fence = {
  id: 'fence',
  name: 'Back fence',
  polygon: [
    [0.5, 0.5],
    [1, 0.5],
    [1, 1],
    [0.5, 1],
  ],
};

describe('camera rules schema', () => {
  it('gives a working default with the local vehicle labels', () => {
    const r = rules();
    expect(r.labels).toEqual(['person', 'motorcycle', 'bicycle', 'car', 'bus', 'truck']);
    expect(r.alerts.enabled).toBe(true);
    expect(r.alerts.schedule).toEqual([]);
    expect(r.zones).toEqual([]);
  });

  it('names the field at fault', () => {
    const bad = rulesSettingsSchema.safeParse({
      zones: [
        {
          ...fence,
          polygon: [
            [0, 0],
            [2, 0],
            [1, 1],
          ],
        },
      ],
      alerts: { schedule: [{ start: '25:00', end: '05:00' }] },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('zones.0.polygon.1.0');
    expect(paths).toContain('alerts.schedule.0.start');
  });

  it('refuses duplicate zone ids and unknown keys', () => {
    expect(rulesSettingsSchema.safeParse({ zones: [fence, fence] }).error?.issues[0]?.message).toMatch(/duplicate zone id/);
    expect(rulesSettingsSchema.safeParse({ minscore: 0.3 }).success).toBe(false);
  });
});

describe('zones', () => {
  it('counts an object by the bottom-centre of its box (its feet), not its centre', () => {
    // A person 640×360 frame: box from y=100 (head, outside) to y=300 (feet, inside the lower-right zone).
    expect(bottomCentre([400, 100, 440, 300], 640, 360)).toEqual([420 / 640, 300 / 360]);
    expect(zonesContaining([rules({ zones: [fence] }).zones[0]!], 'person', [400, 100, 440, 300], 640, 360)).toEqual(['fence']);
    // Feet left of the zone although the box reaches into it.
    expect(zonesContaining([rules({ zones: [fence] }).zones[0]!], 'person', [250, 100, 360, 300], 640, 360)).toEqual([]);
  });

  it('handles concave polygons and zone labels', () => {
    const u = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0.6, 1],
      [0.6, 0.3],
      [0.4, 0.3],
      [0.4, 1],
      [0, 1],
    ] as const;
    expect(pointInPolygon([0.5, 0.8], u)).toBe(false); // in the notch
    expect(pointInPolygon([0.2, 0.8], u)).toBe(true);
    const carsOnly = rules({ zones: [{ ...fence, labels: ['car'] }] }).zones;
    expect(zonesContaining(carsOnly, 'person', [400, 100, 440, 300], 640, 360)).toEqual([]);
    expect(zonesContaining(carsOnly, 'car', [400, 100, 440, 300], 640, 360)).toEqual(['fence']);
  });
});

describe('schedule in Asia/Ho_Chi_Minh', () => {
  const night = { start: '22:00', end: '05:00' };

  it('reads local wall-clock time, not UTC', () => {
    expect(localClock(hcm('2026-12-04T23:30:00'), TZ)).toEqual({ day: 5, minutes: 23 * 60 + 30 }); // Friday
    expect(localClock(Date.parse('2026-12-04T16:30:00Z'), TZ)).toEqual({ day: 5, minutes: 23 * 60 + 30 });
  });

  it('opens 22:00–05:00 across midnight', () => {
    const open = (iso: string) => windowOpen(night, localClock(hcm(iso), TZ));
    expect(open('2026-12-04T21:59:00')).toBe(false);
    expect(open('2026-12-04T22:00:00')).toBe(true);
    expect(open('2026-12-05T00:00:00')).toBe(true);
    expect(open('2026-12-05T04:59:00')).toBe(true);
    expect(open('2026-12-05T05:00:00')).toBe(false);
    expect(open('2026-12-05T12:00:00')).toBe(false);
  });

  it('gives the hours after midnight to the day the window started on', () => {
    const fridayNight = { ...night, days: [5] };
    expect(windowOpen(fridayNight, localClock(hcm('2026-12-05T02:00:00'), TZ))).toBe(true); // Saturday 02:00
    expect(windowOpen(fridayNight, localClock(hcm('2026-12-05T23:00:00'), TZ))).toBe(false); // Saturday night
    expect(windowOpen(fridayNight, localClock(hcm('2026-12-04T02:00:00'), TZ))).toBe(false); // Friday 02:00 = Thursday night
  });

  it('alerts persons only at night, while events are still recorded by day', () => {
    const r = rules({ alerts: { schedule: [{ ...night, labels: ['person'], severity: 'high' }] } });
    const ctx = (iso: string) => ({ cameraId: 1, at: hcm(iso), timeZone: TZ, cooldowns: new CooldownBook() });
    expect(alertDecision(r, { label: 'person', zonesNow: [] }, ctx('2026-12-05T02:00:00'))).toEqual({ alert: true, severity: 'high', zones: [WHOLE_FRAME] });
    expect(alertDecision(r, { label: 'person', zonesNow: [] }, ctx('2026-12-05T14:00:00'))).toEqual({ alert: false, reason: 'schedule' });
    expect(alertDecision(r, { label: 'motorcycle', zonesNow: [] }, ctx('2026-12-05T02:00:00'))).toEqual({ alert: false, reason: 'schedule' });
    expect(eventDecision(r, facts())).toEqual({ ok: true });
  });
});

describe('event rules', () => {
  it('needs label, score, duration, frames, movement and (when asked) a zone', () => {
    const r = rules({ minScore: 0.6, minDurationMs: 1500, minFrames: 3 });
    expect(eventDecision(r, facts({ label: 'dog' }))).toEqual({ ok: false, reason: 'label' });
    expect(eventDecision(r, facts({ score: 0.59 }))).toEqual({ ok: false, reason: 'score' });
    expect(eventDecision(r, facts({ durationMs: 1499 }))).toEqual({ ok: false, reason: 'duration' });
    expect(eventDecision(r, facts({ frames: 2 }))).toEqual({ ok: false, reason: 'frames' });
    expect(eventDecision(r, facts({ stationary: true }))).toEqual({ ok: false, reason: 'stationary' });
    expect(eventDecision(rules({ ignoreStationary: false }), facts({ stationary: true }))).toEqual({ ok: true });
    const zoned = rules({ zones: [fence], requireZone: true });
    expect(eventDecision(zoned, facts())).toEqual({ ok: false, reason: 'zone' });
    expect(eventDecision(zoned, facts({ zonesEntered: ['fence'] }))).toEqual({ ok: true });
  });
});

describe('cooldown per zone', () => {
  it('holds back a second alert in the same zone, not in another', () => {
    const yard = {
      id: 'yard',
      name: 'Yard',
      polygon: [
        [0, 0],
        [0.5, 0],
        [0.5, 0.5],
        [0, 0.5],
      ],
      cooldownSeconds: 30,
    };
    const r = rules({ zones: [{ ...fence, cooldownSeconds: 60 }, yard] });
    const book = new CooldownBook();
    const ctx = (at: number) => ({ cameraId: 7, at, timeZone: TZ, cooldowns: book });
    const t0 = hcm('2026-12-05T01:00:00');
    const first = alertDecision(r, { label: 'person', zonesNow: ['fence'] }, ctx(t0));
    expect(first).toEqual({ alert: true, severity: 'normal', zones: ['fence'] });
    startCooldowns(r, ['fence'], ctx(t0));
    expect(alertDecision(r, { label: 'person', zonesNow: ['fence'] }, ctx(t0 + 59_000))).toEqual({ alert: false, reason: 'cooldown' });
    expect(alertDecision(r, { label: 'person', zonesNow: ['yard'] }, ctx(t0 + 1000))).toMatchObject({ alert: true, zones: ['yard'] });
    expect(alertDecision(r, { label: 'person', zonesNow: ['fence'] }, ctx(t0 + 60_000))).toMatchObject({ alert: true });
    // Another camera's fence is not cooling down.
    expect(alertDecision(r, { label: 'person', zonesNow: ['fence'] }, { ...ctx(t0 + 1000), cameraId: 8 })).toMatchObject({ alert: true });
  });

  it('with alerting zones, an object outside them does not alert; without zones the whole frame cools down', () => {
    expect(
      alertDecision(rules({ zones: [fence] }), { label: 'person', zonesNow: [] }, { cameraId: 1, at: 0, timeZone: TZ, cooldowns: new CooldownBook() }),
    ).toEqual({ alert: false, reason: 'zone' });
    const r = rules({ alerts: { cooldownSeconds: 10 } });
    const book = new CooldownBook();
    startCooldowns(r, [WHOLE_FRAME], { cameraId: 1, at: 0, timeZone: TZ, cooldowns: book });
    expect(alertDecision(r, { label: 'car', zonesNow: [] }, { cameraId: 1, at: 9999, timeZone: TZ, cooldowns: book })).toEqual({
      alert: false,
      reason: 'cooldown',
    });
    expect(alertDecision(r, { label: 'car', zonesNow: [] }, { cameraId: 1, at: 10_000, timeZone: TZ, cooldowns: book })).toMatchObject({ alert: true });
  });

  it('respects alerts disabled and alert labels', () => {
    const c = { cameraId: 1, at: 0, timeZone: TZ, cooldowns: new CooldownBook() };
    expect(alertDecision(rules({ alerts: { enabled: false } }), { label: 'person', zonesNow: [] }, c)).toEqual({ alert: false, reason: 'disabled' });
    expect(alertDecision(rules({ alerts: { labels: ['person'] } }), { label: 'car', zonesNow: [] }, c)).toEqual({ alert: false, reason: 'label' });
  });
});
