import type { Bus, BusEvents, TrackMessage } from '../shared/bus.js';
import type { Logger } from '../shared/log.js';
import type { AlertService } from './alert.service.js';
import type { AlertSeverity } from '../store/alert.repository.js';
import type { EventRecord } from '../store/event.repository.js';
import type { Repositories } from '../store/store.js';
import type { Clock, Timer } from '../shared/clock.js';
import { alertDecision, CooldownBook, eventDecision, startCooldowns, type TrackFacts } from './rules.evaluator.js';
import { zonesContaining } from './rules.geometry.js';
import type { CameraRules, RulesProvider } from './rules.provider.js';
import type { SnapshotWriter } from './snapshot.retry.js';
import type { WriteRetry } from '../store/write.retry.js';

export interface EventLifecycleDeps {
  repos: Pick<Repositories, 'events' | 'alerts'>;
  rules: RulesProvider;
  snapshots: Pick<SnapshotWriter, 'write'>;
  alerts: Pick<AlertService, 'raiseForEvent' | 'createEventWithAlert' | 'snapshotReady'>;
  clips: { scheduleForEvent(ev: EventRecord): void };
  /** Event and alert writes are retried on a locked database, with their original timestamps. */
  writes: Pick<WriteRetry, 'run'>;
  clock: Clock;
  log: Logger;
  timeZone: string;
  /** A better frame replaces the best snapshot at most this often (each is a JPEG encode and a file write). */
  bestSnapshotIntervalMs?: number;
  /** last_seen_at is written at least this often while an event runs, so a restart closes it near its real end. */
  lastSeenWriteMs?: number;
  /** A track with no message for this long is ended (the tracker's end message was lost). */
  staleTrackMs?: number;
}

interface TrackState {
  key: string;
  ctx: CameraRules | undefined;
  /** Not of interest (label, camera gone): later messages are dropped without work. */
  ignored: boolean;
  frames: number;
  zonesNow: string[];
  zonesEntered: Set<string>;
  event: EventRecord | undefined;
  alerted: boolean;
  snapshotScore: number;
  snapshotAt: number;
  firstBytes: number;
  bestBytes: number;
  lastSeenWrittenAt: number;
  last: TrackMessage;
  lastMessageAt: number;
  /** Set when the tracker carried this track across an outage: the event starts here, not at firstSeenAt. */
  sinceAt: number | undefined;
}

type Topic = 'track.start' | 'track.update' | 'track.end';

/**
 * One event per confirmed track that satisfies its camera's rules: created (with its first
 * snapshot) as soon as the track qualifies, updated with the best snapshot and the zones
 * entered, ended with the track; its alert is raised once, when the alert rules first hold;
 * its clip is cut after it ends. Messages of one track are handled strictly in order.
 */
export class EventLifecycle {
  private readonly tracks = new Map<string, TrackState>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly cooldowns = new CooldownBook();
  /** Last outage per camera: a track carried across it starts a new event from its first sighting after. */
  private readonly outages = new Map<number, number>();
  private unsubscribe: (() => void)[] = [];
  private sweepTimer: Timer | undefined;

  constructor(private readonly d: EventLifecycleDeps) {}

  /** Closes events a previous run left open, then listens to the tracker. */
  async start(bus: Bus): Promise<number> {
    const closed = await this.closeLeftOpen();
    for (const topic of ['track.start', 'track.update', 'track.end'] as const) {
      this.unsubscribe.push(bus.on(topic, (m: BusEvents[typeof topic]) => this.handle(topic, m)));
    }
    this.unsubscribe.push(bus.on('camera.state', (m) => this.onCameraState(m)));
    this.scheduleSweep();
    return closed;
  }

  /** Stops listening and waits for work in flight. Open events stay open: the next start closes them. */
  async stop(): Promise<void> {
    this.unsubscribe.forEach((u) => u());
    this.unsubscribe = [];
    this.sweepTimer?.cancel();
    await this.idle();
  }

  async idle(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()]);
  }

  /** Queues a message behind the previous ones of the same track. */
  handle(topic: Topic, msg: TrackMessage & { reason?: string }): void {
    const key = `${msg.cameraId}:${msg.trackId}`;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev
      .then(() => (topic === 'track.end' ? this.onEnd(key, msg, msg.reason ?? 'lost') : this.onSeen(key, msg)))
      .catch((err: unknown) => this.d.log.error('event lifecycle failed', { topic, cameraId: msg.cameraId, trackId: msg.trackId, err }))
      .finally(() => {
        if (this.chains.get(key) === next) this.chains.delete(key);
      });
    this.chains.set(key, next);
  }

  async closeLeftOpen(): Promise<number> {
    const open = await this.d.repos.events.listOpen();
    for (const ev of open) {
      const endAt = ev.lastSeenAt ?? ev.startAt;
      const now = this.d.clock.now();
      await this.d.writes.run('event close', () => this.d.repos.events.update(ev.id, { endAt, endReason: 'server_restart' }, now));
      this.d.clips.scheduleForEvent({ ...ev, endAt, endReason: 'server_restart' });
    }
    if (open.length) this.d.log.info('closed events left open by the previous run', { count: open.length });
    await this.raiseMissing(open);
    return open.length;
  }

  /**
   * A camera this node has just taken over (cluster): no track of it runs here, so its events
   * still open were left by the previous owner, which can no longer end them (its writes are
   * fenced). They are closed at their last sighting, by the new owner, once: none stays open
   * forever and none is ended twice. Their clips are not cut here: the footage is on the
   * previous owner's disk.
   */
  async closeTakenOver(cameraId: number): Promise<number> {
    const running = new Set([...this.tracks.values()].map((t) => t.event?.id));
    const open = (await this.d.repos.events.listOpenOf(cameraId)).filter((ev) => !running.has(ev.id));
    for (const ev of open) {
      const endAt = ev.lastSeenAt ?? ev.startAt;
      const now = this.d.clock.now();
      await this.d.writes.run('event close', () => this.d.repos.events.updateAsOwner(ev, { endAt, endReason: 'owner_lost' }, now));
    }
    if (open.length) this.d.log.info('closed events the previous owner of the camera left open', { cameraId, count: open.length });
    return open.length;
  }

  /**
   * Events the previous run left open whose rules say "alert" but that have none (written by
   * an older version in two steps, killed in between): raised now, oldest first, with the
   * cooldowns applied among them so a burst is not replayed as a burst.
   */
  private async raiseMissing(open: EventRecord[]): Promise<void> {
    const book = new CooldownBook();
    for (const ev of open) {
      if (await this.d.repos.alerts.byEvent(ev.id)) continue;
      const ctx = await this.d.rules.forCamera(ev.cameraId);
      if (!ctx) continue;
      const at = ev.startAt;
      const decision = alertDecision(
        ctx.rules,
        { label: ev.label, zonesNow: ev.zones },
        { cameraId: ev.cameraId, at, timeZone: this.d.timeZone, cooldowns: book },
      );
      if (!decision.alert) continue;
      startCooldowns(ctx.rules, decision.zones, { cameraId: ev.cameraId, at, timeZone: this.d.timeZone, cooldowns: book });
      await this.d.writes.run(
        'alert',
        () => this.d.alerts.raiseForEvent(ev, decision.severity, 'raised at restart: the previous run stopped before alerting'),
        'urgent',
      );
      this.d.log.warn('raised a missing alert at start', { eventId: ev.id });
    }
  }

  private async onSeen(key: string, msg: TrackMessage): Promise<void> {
    const t = this.tracks.get(key) ?? (await this.track(key, msg));
    t.last = msg;
    t.lastMessageAt = this.d.clock.now();
    if (t.ignored || !t.ctx) return;
    t.frames++;
    t.zonesNow = zonesContaining(t.ctx.rules.zones, msg.label, msg.box, msg.frameWidth, msg.frameHeight);
    const newZone = t.zonesNow.some((z) => !t.zonesEntered.has(z));
    t.zonesNow.forEach((z) => t.zonesEntered.add(z));
    if (!t.event) {
      // Creating the event decides its alert too (same transaction).
      if (eventDecision(t.ctx.rules, this.facts(t)).ok) await this.createEvent(t);
      return;
    }
    await this.updateEvent(t, newZone);
    if (!t.alerted) await this.maybeAlert(t);
  }

  private async track(key: string, msg: TrackMessage): Promise<TrackState> {
    const ctx = await this.d.rules.forCamera(msg.cameraId);
    const t: TrackState = {
      key,
      ctx,
      ignored: !ctx || !ctx.rules.labels.includes(msg.label),
      frames: 0,
      zonesNow: [],
      zonesEntered: new Set(),
      event: undefined,
      alerted: false,
      snapshotScore: -1,
      snapshotAt: 0,
      firstBytes: 0,
      bestBytes: 0,
      lastSeenWrittenAt: 0,
      last: msg,
      lastMessageAt: this.d.clock.now(),
      sinceAt: msg.firstSeenAt < (this.outages.get(msg.cameraId) ?? -Infinity) ? msg.lastSeenAt : undefined,
    };
    this.tracks.set(key, t);
    return t;
  }

  private facts(t: TrackState): TrackFacts {
    return {
      label: t.last.label,
      score: t.last.score,
      durationMs: t.last.lastSeenAt - (t.sinceAt ?? t.last.firstSeenAt),
      // Detections, as the rule says: the tracker's confirming hits count, so the event starts
      // with the track instead of one more analysed frame later. After an outage, only what followed it.
      frames: t.sinceAt === undefined ? Math.max(t.frames, t.last.hits) : t.frames,
      stationary: t.last.stationary,
      zonesNow: t.zonesNow,
      zonesEntered: [...t.zonesEntered],
    };
  }

  /**
   * The event and (when the alert rules hold now) its alert are one transaction and the alert
   * is pushed at once; the snapshot is encoded afterwards and follows as `alert:updated`.
   */
  private async createEvent(t: TrackState): Promise<void> {
    const m = t.last;
    const cam = t.ctx!.camera;
    const now = this.d.clock.now();
    const severity = this.alertNow(t);
    const { event, alert } = await this.d.writes.run(
      'event start',
      () =>
        this.d.alerts.createEventWithAlert(
          {
            cameraId: m.cameraId,
            areaId: cam.areaId,
            trackId: m.trackId,
            label: m.label,
            score: m.score,
            box: m.best.box,
            zones: [...t.zonesEntered],
            startAt: t.sinceAt ?? m.firstSeenAt,
            lastSeenAt: m.lastSeenAt,
            bestAt: m.best.frame.capturedAt,
            visibility: cam.defaultVisibility,
          },
          severity,
          now,
        ),
      severity ? 'urgent' : 'background',
    );
    t.event = event;
    t.alerted = alert !== undefined;
    t.lastSeenWrittenAt = now;
    const [snap, best] = (await this.snapshot(t, ['first', 'best'])) ?? [];
    if (snap && best) {
      t.firstBytes = snap.bytes;
      t.bestBytes = best.bytes;
      const patch = { firstSnapshotPath: snap.path, snapshotPath: best.path, snapshotBytes: snap.bytes + best.bytes };
      const at = this.d.clock.now();
      await this.d.writes.run('event snapshot', () => this.d.repos.events.updateAsOwner(event, patch, at));
      t.event = { ...event, ...patch };
      if (t.alerted) await this.d.alerts.snapshotReady(event.id);
    }
  }

  private async snapshot(t: TrackState, kinds: ('first' | 'best')[]): Promise<{ path: string; bytes: number }[] | undefined> {
    // A failure is retried, counted and logged by the writer; the event matters more than its picture.
    const r = await this.d.snapshots.write(t.event!, kinds, t.last.best.frame, t.last.best.box);
    if (r) {
      t.snapshotScore = t.last.best.score;
      t.snapshotAt = this.d.clock.now();
    }
    return r;
  }

  private async updateEvent(t: TrackState, newZone: boolean): Promise<void> {
    const now = this.d.clock.now();
    const better = t.last.best.score > t.snapshotScore;
    const snapDue = better && now - t.snapshotAt >= (this.d.bestSnapshotIntervalMs ?? 1000);
    const seenDue = now - t.lastSeenWrittenAt >= (this.d.lastSeenWriteMs ?? 5000);
    if (!snapDue && !newZone && !seenDue) return;
    await this.writeProgress(t, snapDue, now);
  }

  private async writeProgress(t: TrackState, withSnapshot: boolean, now: number, end?: { endAt: number; endReason: string }): Promise<void> {
    const ev = t.event!;
    let snapshotPath = ev.snapshotPath;
    if (withSnapshot) {
      const [best] = (await this.snapshot(t, ['best'])) ?? [];
      if (best) {
        t.bestBytes = best.bytes;
        snapshotPath = best.path;
      }
    }
    const snapshotBytes = t.firstBytes + t.bestBytes;
    const patch = {
      score: Math.max(ev.score, t.last.score),
      box: t.last.best.box,
      zones: [...t.zonesEntered],
      lastSeenAt: t.last.lastSeenAt,
      bestAt: withSnapshot ? t.last.best.frame.capturedAt : ev.bestAt,
      snapshotPath,
      snapshotBytes,
      ...end,
    };
    await this.d.writes.run(end ? 'event end' : 'event update', () => this.d.repos.events.updateAsOwner(ev, patch, now));
    t.event = { ...ev, ...patch };
    t.lastSeenWrittenAt = now;
    // A long event gets its chained clips as it goes (the end schedules the last one).
    if (!end) this.d.clips.scheduleForEvent(t.event);
  }

  /** The alert decision now; when it holds, the cooldowns start synchronously with it. */
  private alertNow(t: TrackState): AlertSeverity | null {
    const ctx = { cameraId: t.last.cameraId, at: this.d.clock.now(), timeZone: this.d.timeZone, cooldowns: this.cooldowns };
    const decision = alertDecision(t.ctx!.rules, { label: t.last.label, zonesNow: t.zonesNow }, ctx);
    if (!decision.alert) return null;
    // Synchronously with the decision, so a second track in the same zone cannot slip past the cooldown.
    startCooldowns(t.ctx!.rules, decision.zones, ctx);
    return decision.severity;
  }

  private async maybeAlert(t: TrackState): Promise<void> {
    const severity = this.alertNow(t);
    if (!severity) return;
    t.alerted = true;
    const at = this.d.clock.now();
    await this.d.writes.run('alert', () => this.d.alerts.raiseForEvent(t.event!, severity, null, at), 'urgent');
  }

  private async onEnd(key: string, msg: TrackMessage, reason: string): Promise<void> {
    const t = this.tracks.get(key);
    this.tracks.delete(key);
    if (!t?.event) return;
    t.last = reason === 'camera_offline' ? { ...t.last, lastSeenAt: Math.min(t.last.lastSeenAt, msg.lastSeenAt) } : msg;
    msg = t.last;
    const better = msg.best.score > t.snapshotScore;
    await this.writeProgress(t, better, this.d.clock.now(), { endAt: msg.lastSeenAt, endReason: reason });
    this.d.clips.scheduleForEvent(t.event);
  }

  /**
   * An outage ends the camera's events at the outage (issue 19 item 8): a track the tracker
   * carries across it would otherwise make one event spanning minutes nobody saw. What is seen
   * after the camera is back is a new event.
   */
  private onCameraState(m: BusEvents['camera.state']): void {
    if (m.state !== 'offline' && m.state !== 'stalled') return;
    for (const t of this.tracks.values()) {
      if (t.last.cameraId !== m.cameraId) continue;
      // Queued behind the track's pending messages; onEnd takes the last one seen, capped at the outage.
      this.handle('track.end', { ...t.last, lastSeenAt: m.at, reason: 'camera_offline' });
    }
    this.outages.set(m.cameraId, m.at);
  }

  private scheduleSweep(): void {
    const every = Math.max(1000, Math.round((this.d.staleTrackMs ?? 120_000) / 2));
    this.sweepTimer = this.d.clock.setTimeout(() => {
      this.sweep();
      this.scheduleSweep();
    }, every);
  }

  /** Ends tracks the tracker forgot to end, so memory and open events do not grow forever. */
  sweep(): void {
    const cutoff = this.d.clock.now() - (this.d.staleTrackMs ?? 120_000);
    for (const [key, t] of this.tracks) {
      if (t.lastMessageAt <= cutoff && !this.chains.has(key)) this.handle('track.end', { ...t.last, reason: 'stale' });
    }
  }
}
