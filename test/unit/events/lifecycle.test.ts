import { beforeEach, describe, expect, it } from 'vitest';
import { rulesSettingsSchema } from '../../../server/domain/camera.settings.rules.js';
import { EventLifecycle } from '../../../server/events/event.lifecycle.js';
import type { CameraRules } from '../../../server/events/rules.provider.js';
import type { Box } from '../../../server/domain/frame.js';
import { Bus, type TrackMessage } from '../../../server/shared/bus.js';
import { silentLogger } from '../../../server/shared/log.js';
import type { CameraRecord } from '../../../server/store/camera.repository.js';
import type { EventPatch, EventRecord, NewEvent } from '../../../server/store/event.repository.js';
import { FakeClock } from './fake.clock.js';

const TZ = 'Asia/Ho_Chi_Minh';
const T0 = Date.parse('2026-12-05T02:00:00+07:00');

/** The one module under test is the lifecycle; its collaborators are small in-memory fakes. */
class FakeEvents {
  rows = new Map<number, EventRecord>();
  private next = 1;
  async create(e: NewEvent, now: number): Promise<EventRecord> {
    const ev: EventRecord = {
      ...e,
      id: this.next++,
      endAt: null,
      endReason: null,
      snapshotPath: null,
      firstSnapshotPath: null,
      snapshotBytes: 0,
      mediaDeletedAt: null,
      pinned: false,
      createdAt: now,
      updatedAt: now,
    };
    this.rows.set(ev.id, ev);
    return { ...ev };
  }
  async get(id: number) {
    return this.rows.get(id);
  }
  async update(id: number, p: EventPatch, now: number) {
    const ev = this.rows.get(id)!;
    this.rows.set(id, { ...ev, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)), updatedAt: now });
  }
  async updateAsOwner(ev: { id: number }, p: EventPatch, now: number) {
    await this.update(ev.id, p, now);
  }
  async listOpen() {
    return [...this.rows.values()].filter((e) => e.endAt === null);
  }
  async listOpenOf(cameraId: number) {
    return [...this.rows.values()].filter((e) => e.endAt === null && e.cameraId === cameraId);
  }
}

function setup(settings: Record<string, unknown> = {}, cameraOver: Partial<CameraRecord> = {}) {
  const clock = new FakeClock(T0);
  const bus = new Bus();
  const events = new FakeEvents();
  const snapshots: { eventId: number; kind: string; score: number }[] = [];
  const alerts: { eventId: number; severity: string }[] = [];
  const clips: EventRecord[] = [];
  const snapshotPushes: number[] = [];
  const camera = { id: 3, name: 'Cổng sau', areaId: 12, defaultVisibility: 'shared', settings: {}, ...cameraOver } as CameraRecord;
  const ctx: CameraRules = { camera, rules: rulesSettingsSchema.parse(settings) };
  const alertedEvents = new Set<number>();
  const raise = (ev: EventRecord, severity: string) => {
    alerts.push({ eventId: ev.id, severity });
    alertedEvents.add(ev.id);
    return { id: alerts.length } as never;
  };
  const lifecycle = new EventLifecycle({
    repos: { events, alerts: { byEvent: async (id: number) => (alertedEvents.has(id) ? ({ id } as never) : undefined) } } as never,
    rules: { forCamera: async (id) => (id === 3 ? ctx : undefined) },
    snapshots: {
      write: async (ev, kinds, _frame, _box) =>
        kinds.map((kind) => {
          snapshots.push({ eventId: ev.id, kind, score: -1 });
          return { path: `snapshots/3/x/event-${ev.id}-${kind}.jpg`, bytes: 1000 };
        }),
    },
    alerts: {
      raiseForEvent: async (ev, severity) => raise(ev, severity),
      // The event and its alert land together (one transaction in the real service).
      createEventWithAlert: async (e, severity, at) => {
        const event = await events.create(e, at);
        return { event, alert: severity ? raise(event, severity) : undefined };
      },
      snapshotReady: async (eventId) => {
        snapshotPushes.push(eventId);
      },
    },
    // Only ended events: open ones are passed too, for their chained clips.
    writes: { run: (_what, fn) => fn() }, // retries are WriteRetry's own test
    clips: {
      scheduleForEvent: (ev) => {
        if (ev.endAt !== null) clips.push(ev);
      },
    },
    clock,
    log: silentLogger,
    timeZone: TZ,
    bestSnapshotIntervalMs: 1000,
    lastSeenWriteMs: 5000,
    staleTrackMs: 60_000,
  });
  return { clock, bus, events, snapshots, alerts, clips, lifecycle, snapshotPushes };
}

const frame = (at: number) => ({ cameraId: 3, seq: 0, capturedAt: at, width: 4, height: 4, data: new Uint8Array(24) });
function msg(trackId: string, at: number, score: number, over: Partial<TrackMessage> = {}): TrackMessage {
  const box: Box = [100, 50, 140, 300];
  return {
    cameraId: 3,
    trackId,
    label: 'person',
    score,
    box,
    frameWidth: 640,
    frameHeight: 360,
    firstSeenAt: T0,
    lastSeenAt: at,
    hits: 1,
    stationary: false,
    best: { frame: frame(at), box, score },
    ...over,
  };
}

describe('event lifecycle from scripted track messages', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(async () => {
    s = setup();
    await s.lifecycle.start(s.bus);
  });

  it('starts an event once the track qualifies, keeps the best snapshot, ends it and schedules the clip', async () => {
    const { bus, clock, lifecycle, events } = s;
    bus.emit('track.start', msg('3-1', T0, 0.7));
    clock.advance(500);
    bus.emit('track.update', msg('3-1', T0 + 500, 0.7));
    await lifecycle.idle();
    expect(events.rows.size).toBe(0); // 500 ms < minDurationMs 1000

    clock.advance(500);
    bus.emit('track.update', msg('3-1', T0 + 1000, 0.72));
    await lifecycle.idle();
    const ev = events.rows.get(1)!;
    expect(ev).toMatchObject({ cameraId: 3, areaId: 12, trackId: '3-1', label: 'person', startAt: T0, visibility: 'shared', endAt: null });
    expect(ev.snapshotPath).toBe('snapshots/3/x/event-1-best.jpg');
    expect(ev.firstSnapshotPath).toBe('snapshots/3/x/event-1-first.jpg');
    expect(s.snapshots.map((x) => x.kind)).toEqual(['first', 'best']);
    expect(s.alerts).toEqual([{ eventId: 1, severity: 'normal' }]);
    expect(s.snapshotPushes).toEqual([1]); // the picture follows the alert

    clock.advance(200); // better frame, but the best snapshot was just written
    bus.emit('track.update', msg('3-1', T0 + 1200, 0.9));
    await lifecycle.idle();
    expect(s.snapshots).toHaveLength(2);
    clock.advance(1000);
    bus.emit('track.update', msg('3-1', T0 + 2200, 0.9));
    await lifecycle.idle();
    expect(s.snapshots).toHaveLength(3);
    expect(events.rows.get(1)!.score).toBe(0.9);

    clock.advance(800);
    bus.emit('track.end', { ...msg('3-1', T0 + 3000, 0.9), reason: 'lost' });
    await lifecycle.idle();
    expect(events.rows.get(1)).toMatchObject({ endAt: T0 + 3000, endReason: 'lost', score: 0.9 });
    expect(s.clips.map((c) => c.id)).toEqual([1]);
    expect(s.alerts).toHaveLength(1); // one alert per event
  });

  it('counts the detections that confirmed the track, so the event and its alert start with the track', async () => {
    const { bus, clock, lifecycle, events } = s;
    // The tracker announces a track after two hits 1.2 s apart; minFrames 2 and minDurationMs 1000 already hold.
    clock.advance(1200);
    bus.emit('track.start', msg('3-h', T0 + 1200, 0.8, { hits: 2 }));
    await lifecycle.idle();
    expect(events.rows.get(1)).toMatchObject({ trackId: '3-h', startAt: T0 });
    expect(s.alerts).toEqual([{ eventId: 1, severity: 'normal' }]);
  });

  it('waits for more detections when the confirming ones are fewer than minFrames', async () => {
    const { bus, clock, lifecycle, events } = s;
    clock.advance(1200);
    bus.emit('track.start', msg('3-k', T0 + 1200, 0.8, { hits: 1 }));
    await lifecycle.idle();
    expect(events.rows.size).toBe(0);
    bus.emit('track.update', msg('3-k', T0 + 1400, 0.8, { hits: 2 }));
    await lifecycle.idle();
    expect(events.rows.size).toBe(1);
  });

  it('handles a burst of messages strictly in order', async () => {
    const { bus, lifecycle, events } = s;
    for (let i = 0; i <= 10; i++) bus.emit('track.update', msg('3-2', T0 + i * 200, 0.6 + i * 0.01));
    bus.emit('track.end', { ...msg('3-2', T0 + 2200, 0.7), reason: 'stopped' });
    await lifecycle.idle();
    expect(events.rows.size).toBe(1);
    expect(events.rows.get(1)).toMatchObject({ startAt: T0, endAt: T0 + 2200, endReason: 'stopped' });
  });

  it('makes no event for other labels, low scores or stationary objects', async () => {
    const { bus, lifecycle, events } = s;
    for (const [id, over] of [
      ['d', { label: 'dog' }],
      ['s', { stationary: true }],
      ['l', { score: 0.3, best: { frame: frame(T0), box: [0, 0, 1, 1] as Box, score: 0.3 } }],
    ] as const) {
      bus.emit('track.start', msg(`3-${id}`, T0, 0.8, over));
      bus.emit('track.update', msg(`3-${id}`, T0 + 2000, 0.8, over));
      bus.emit('track.end', { ...msg(`3-${id}`, T0 + 3000, 0.8, over), reason: 'lost' });
    }
    await lifecycle.idle();
    expect(events.rows.size).toBe(0);
    expect(s.clips).toHaveLength(0);
  });

  it('records a second event in the cooldown without alerting again', async () => {
    const { bus, lifecycle, events, clock } = s;
    for (const id of ['a', 'b']) {
      bus.emit('track.start', msg(`3-${id}`, T0, 0.8, { lastSeenAt: T0 + 1500 }));
      bus.emit('track.update', msg(`3-${id}`, T0 + 1600, 0.8));
      await lifecycle.idle();
      clock.advance(10_000);
    }
    expect(events.rows.size).toBe(2);
    expect(s.alerts).toHaveLength(1);
  });

  it('ends a track the tracker forgot, after staleTrackMs', async () => {
    const { bus, lifecycle, events, clock } = s;
    bus.emit('track.start', msg('3-z', T0 + 1500, 0.8));
    bus.emit('track.update', msg('3-z', T0 + 1600, 0.8));
    await lifecycle.idle();
    clock.advance(61_000);
    clock.advance(30_000);
    await lifecycle.idle();
    expect(events.rows.get(1)).toMatchObject({ endReason: 'stale', endAt: T0 + 1600 });
  });
});

describe('alert rules inside the lifecycle', () => {
  it('records the event but raises no alert outside the schedule', async () => {
    const s = setup({ alerts: { schedule: [{ start: '22:00', end: '05:00', labels: ['person'] }] } });
    s.clock.t = Date.parse('2026-12-05T14:00:00+07:00');
    await s.lifecycle.start(s.bus);
    const at = s.clock.t;
    s.bus.emit('track.start', msg('3-d', at, 0.8, { firstSeenAt: at - 2000 }));
    s.bus.emit('track.update', msg('3-d', at + 100, 0.8, { firstSeenAt: at - 2000 }));
    await s.lifecycle.idle();
    expect(s.events.rows.size).toBe(1);
    expect(s.alerts).toHaveLength(0);
  });

  it('alerts when the object walks into an alerting zone after the event started', async () => {
    const s = setup({
      zones: [
        {
          id: 'fence',
          name: 'Fence',
          polygon: [
            [0.5, 0],
            [1, 0],
            [1, 1],
            [0.5, 1],
          ],
        },
      ],
    });
    await s.lifecycle.start(s.bus);
    const outside: Box = [100, 50, 140, 300];
    const inside: Box = [400, 50, 440, 300];
    s.bus.emit('track.start', msg('3-w', T0 + 1500, 0.8, { box: outside }));
    s.bus.emit('track.update', msg('3-w', T0 + 1600, 0.8, { box: outside }));
    await s.lifecycle.idle();
    expect(s.events.rows.size).toBe(1);
    expect(s.alerts).toHaveLength(0);
    s.bus.emit('track.update', msg('3-w', T0 + 1800, 0.8, { box: inside }));
    await s.lifecycle.idle();
    expect(s.alerts).toHaveLength(1);
    expect(s.events.rows.get(1)!.zones).toEqual(['fence']);
  });
});

describe('restart safety', () => {
  it('closes events left open by the previous run with end_reason server_restart and cuts their clips', async () => {
    const s = setup();
    await s.events.create(
      {
        cameraId: 3,
        areaId: 12,
        trackId: '3-9',
        label: 'person',
        score: 0.8,
        box: null,
        zones: [],
        startAt: T0 - 60_000,
        lastSeenAt: T0 - 50_000,
        bestAt: null,
        visibility: 'internal',
      },
      T0,
    );
    expect(await s.lifecycle.start(s.bus)).toBe(1);
    expect(s.events.rows.get(1)).toMatchObject({ endAt: T0 - 50_000, endReason: 'server_restart' });
    expect(s.clips.map((c) => c.endReason)).toEqual(['server_restart']);
    await s.lifecycle.stop();
  });

  it("closes, on a camera's takeover, the events its previous owner left open, once, and not this node's running ones", async () => {
    const s = setup();
    await s.lifecycle.start(s.bus);
    // This node's own track on camera 3: its event runs here.
    s.clock.advance(1200);
    s.bus.emit('track.start', msg('3-h', T0 + 1200, 0.8, { hits: 2 }));
    await s.lifecycle.idle();
    // The node that owned camera 3 before died with an event open.
    const left = await s.events.create(
      {
        cameraId: 3,
        areaId: 12,
        trackId: 'n3-4',
        label: 'person',
        score: 0.8,
        box: null,
        zones: [],
        startAt: T0 - 9000,
        lastSeenAt: T0 - 7000,
        bestAt: null,
        visibility: 'internal',
      },
      T0,
    );
    expect(await s.lifecycle.closeTakenOver(3)).toBe(1);
    expect(s.events.rows.get(left.id)).toMatchObject({ endAt: T0 - 7000, endReason: 'owner_lost' });
    expect(s.events.rows.get(1)).toMatchObject({ trackId: '3-h', endAt: null });
    expect(await s.lifecycle.closeTakenOver(3)).toBe(0); // not ended twice
    expect(await s.lifecycle.closeTakenOver(4)).toBe(0);
    await s.lifecycle.stop();
  });

  it('raises at start the alert an open event of the previous run never got, once', async () => {
    const s = setup();
    await s.events.create(
      {
        cameraId: 3,
        areaId: 12,
        trackId: '3-8',
        label: 'person',
        score: 0.8,
        box: null,
        zones: [],
        startAt: T0 - 5000,
        lastSeenAt: T0 - 4000,
        bestAt: null,
        visibility: 'internal',
      },
      T0,
    );
    await s.events.create(
      {
        cameraId: 3,
        areaId: 12,
        trackId: '3-7',
        label: 'dog',
        score: 0.8,
        box: null,
        zones: [],
        startAt: T0 - 3000,
        lastSeenAt: T0 - 2000,
        bestAt: null,
        visibility: 'internal',
      },
      T0,
    );
    await s.lifecycle.start(s.bus);
    expect(s.alerts).toEqual([{ eventId: 1, severity: 'normal' }]); // the dog is not alerted by the default rules
    await s.lifecycle.stop();
  });
});
