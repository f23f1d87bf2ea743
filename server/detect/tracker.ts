import type { Box, Frame } from '../domain/frame.js';
import type { BusEvents, TrackMessage } from '../shared/bus.js';
import { boxArea, centreDistance, clampBox, intersectionArea, iou, type Scored } from '../domain/geometry.js';
import { associate, type AssociationGates } from './tracker.association.js';

/**
 * One tracker per camera: turns per-frame detections into tracks that start (confirmed after
 * `minHits`), update, turn stationary, and end (`maxMisses` checked frames without a match).
 * Time is the frames' capture time, never the wall clock, so files replay the same way.
 */
export interface TrackerOptions extends AssociationGates {
  cameraId: number;
  /** Hits before a track is confirmed and announced. */
  minHits: number;
  /** Checked frames without a match before a confirmed track ends. */
  maxMisses: number;
  /**
   * A confirmed track missed by the checks and unseen this long ends too: between periodic
   * checks the model looks a few times a second, not every frame, and `maxMisses` alone would
   * keep a departed person's event (and its clip) open three times longer.
   */
  lostAfterMs: number;
  /** Misses that kill an unconfirmed track (a single spurious detection never becomes a track). */
  tentativeMaxMisses: number;
  /** Labels that may continue one track (the detector flips between them). */
  labelGroups: string[][];
  /** Matched frames with the box still (within `stationaryTolerance`) before a track is stationary. */
  stationaryFrames: number;
  /** How far the centre may wander from where it stopped, in box sizes, and still be still. */
  stationaryTolerance: number;
  /** A stationary track is looked at again after this long even without motion over it. */
  recheckMs: number;
  /** A track not seen for this long ends whatever the checks (work dropped under load must not keep tracks forever). */
  maxUnseenMs: number;
  /** A new best snapshot (a frame copy) needs a score this much above the best so far. */
  snapshotMinGain: number;
  /** Most live tracks; further new detections are ignored until some end. */
  maxTracks: number;
}

/** Defaults for a camera analysed at `fps` frames per second. */
export function trackerOptions(cameraId: number, fps: number, overrides: Partial<TrackerOptions> = {}): TrackerOptions {
  return {
    cameraId,
    minHits: 2,
    maxMisses: Math.max(2, Math.round(fps * 5)),
    lostAfterMs: 5000,
    tentativeMaxMisses: 2,
    labelGroups: [['car', 'truck', 'bus']],
    minIou: 0.1,
    maxCentreDistance: 1.5,
    maxSizeRatio: 4,
    stationaryFrames: Math.max(3, Math.round(fps * 3)),
    stationaryTolerance: 0.15,
    recheckMs: 10_000,
    maxUnseenMs: 60_000,
    snapshotMinGain: 0,
    maxTracks: 64,
    ...overrides,
  };
}

export type TrackEnd = BusEvents['track.end'];

export interface TrackUpdate {
  started: TrackMessage[];
  updated: TrackMessage[];
  ended: TrackEnd[];
}

interface Track {
  /** Assigned at confirmation, so announced ids run 1, 2, 3 … per camera session. */
  id: string | null;
  labelScores: Map<string, number>;
  box: Box;
  /** Centre velocity in pixels per ms. */
  vx: number;
  vy: number;
  firstSeenAt: number;
  lastSeenAt: number;
  lastCheckedAt: number;
  hits: number;
  misses: number;
  anchor: Box;
  stillFrames: number;
  stationary: boolean;
  motionOver: boolean;
  frameWidth: number;
  frameHeight: number;
  best: TrackMessage['best'];
}

export class Tracker {
  private tracks: Track[] = [];
  private confirmedCount = 0;
  private lastAt = 0;
  /** This update's copy of the frame, shared by every snapshot taken from it. */
  private frameCopy: Frame | null = null;

  constructor(private readonly opts: TrackerOptions) {}

  /**
   * One analysed frame. `checked` lists the areas the detector actually looked at (its regions);
   * omit it when it looked at the whole frame. A track outside every checked area is not
   * observed this frame, so it neither matches nor misses.
   */
  update(input: readonly Scored[], frame: Frame, motionBoxes: readonly Box[], checked?: readonly Box[]): TrackUpdate {
    const detections = input.filter((d) => boxArea(d.box) > 0 && Number.isFinite(d.score));
    const now = frame.capturedAt;
    this.lastAt = now;
    this.frameCopy = null;
    const out: TrackUpdate = { started: [], updated: [], ended: [] };
    const predicted = this.tracks.map((t) => this.predict(t, now));
    const matches = associate(
      this.tracks.map((t, i) => ({ predicted: predicted[i]!, label: this.label(t) })),
      detections,
      this.opts,
      this.opts.labelGroups,
    );
    const matchedTracks = new Set<number>();
    const matchedDets = new Set<number>();
    for (const m of matches) {
      matchedTracks.add(m.track);
      matchedDets.add(m.detection);
      this.hit(this.tracks[m.track]!, detections[m.detection]!, frame, out);
    }
    this.tracks.forEach((t, i) => {
      if (matchedTracks.has(i)) return;
      if (checked === undefined || checked.some((r) => covers(r, predicted[i]!))) {
        t.misses++;
        t.lastCheckedAt = now;
      }
    });
    detections.forEach((d, i) => {
      if (!matchedDets.has(i) && this.tracks.length < this.opts.maxTracks) this.tracks.push(this.create(d, frame));
    });
    this.noteMotion(motionBoxes);
    this.retire(now, out);
    return out;
  }

  /** True when some track needs the detector this frame even without motion. */
  needsCheck(now: number = this.lastAt): boolean {
    return this.tracks.some((t) => this.due(t, now));
  }

  /**
   * Boxes (predicted to `now`) of the tracks the detector should look at this frame: every
   * moving or unconfirmed track, and stationary ones that motion touches, that were just
   * missed, or whose re-check interval has passed.
   */
  regionsToCheck(motionBoxes: readonly Box[], now: number = this.lastAt): Box[] {
    return this.tracks
      .filter((t) => this.due(t, now) || motionBoxes.some((m) => intersectionArea(m, t.box) > 0))
      .map((t) => clampBox(this.predict(t, now), t.frameWidth, t.frameHeight))
      .filter((b) => boxArea(b) > 0);
  }

  /** True while some detection waits for the hits that would confirm it as a track. */
  hasTentative(): boolean {
    return this.tracks.some((t) => t.id === null);
  }

  /** Confirmed live tracks, as messages (e.g. for a client that just connected). */
  live(): TrackMessage[] {
    return this.tracks.filter((t) => t.id !== null).map((t) => this.message(t));
  }

  /** Ends every confirmed track (camera stopped or pipeline shutting down) and forgets the rest. */
  stop(): TrackEnd[] {
    const ended = this.tracks.filter((t) => t.id !== null).map((t) => ({ ...this.message(t), reason: 'stopped' as const }));
    this.tracks = [];
    return ended;
  }

  private due(t: Track, now: number): boolean {
    return !t.stationary || t.id === null || t.misses > 0 || t.motionOver || now - t.lastCheckedAt >= this.opts.recheckMs;
  }

  private hit(t: Track, d: Scored, frame: Frame, out: TrackUpdate): void {
    const now = frame.capturedAt;
    this.updateMotion(t, d.box, now);
    t.labelScores.set(d.label, (t.labelScores.get(d.label) ?? 0) + d.score);
    t.box = [d.box[0], d.box[1], d.box[2], d.box[3]];
    t.lastSeenAt = now;
    t.lastCheckedAt = now;
    t.hits++;
    t.misses = 0;
    t.motionOver = false;
    t.frameWidth = frame.width;
    t.frameHeight = frame.height;
    if (d.score > t.best.score + this.opts.snapshotMinGain) t.best = this.snapshot(frame, d);
    this.updateStillness(t);
    if (t.id === null) {
      if (t.hits >= this.opts.minHits) {
        t.id = `${this.opts.cameraId}-${++this.confirmedCount}`;
        out.started.push(this.message(t));
      }
      return;
    }
    out.updated.push(this.message(t));
  }

  /** Constant-velocity model, smoothed: enough to keep identities through a crossing. */
  private updateMotion(t: Track, box: Box, now: number): void {
    const dt = now - t.lastSeenAt;
    if (dt <= 0) return;
    const vx = ((box[0] + box[2]) / 2 - (t.box[0] + t.box[2]) / 2) / dt;
    const vy = ((box[1] + box[3]) / 2 - (t.box[1] + t.box[3]) / 2) / dt;
    const k = t.hits === 1 ? 1 : 0.5;
    t.vx += k * (vx - t.vx);
    t.vy += k * (vy - t.vy);
  }

  /** Stationary once the box has stayed near where it stopped for `stationaryFrames` matches. */
  private updateStillness(t: Track): void {
    const still = centreDistance(t.box, t.anchor) <= this.opts.stationaryTolerance && iou(t.box, t.anchor) >= 0.5;
    if (!still) {
      t.anchor = t.box;
      t.stillFrames = 0;
      t.stationary = false;
      return;
    }
    t.stillFrames++;
    if (t.stationary || t.stillFrames < this.opts.stationaryFrames) return;
    t.stationary = true;
    t.vx = 0;
    t.vy = 0;
  }

  private noteMotion(motionBoxes: readonly Box[]): void {
    for (const t of this.tracks) {
      if (t.stationary && motionBoxes.some((m) => intersectionArea(m, t.box) > 0)) t.motionOver = true;
    }
  }

  /** Drop dead tentative tracks silently; end confirmed ones missed too often or unseen too long. */
  private retire(now: number, out: TrackUpdate): void {
    this.tracks = this.tracks.filter((t) => {
      const unseen = now - t.lastSeenAt > this.opts.maxUnseenMs;
      if (t.id === null) return t.misses <= this.opts.tentativeMaxMisses && !unseen;
      const missedLong = t.misses > 0 && now - t.lastSeenAt >= this.opts.lostAfterMs;
      if (t.misses < this.opts.maxMisses && !missedLong && !unseen) return true;
      out.ended.push({ ...this.message(t), reason: 'lost' });
      return false;
    });
  }

  private create(d: Scored, frame: Frame): Track {
    const box: Box = [d.box[0], d.box[1], d.box[2], d.box[3]];
    return {
      id: null,
      labelScores: new Map([[d.label, d.score]]),
      box,
      vx: 0,
      vy: 0,
      firstSeenAt: frame.capturedAt,
      lastSeenAt: frame.capturedAt,
      lastCheckedAt: frame.capturedAt,
      hits: 1,
      misses: 0,
      anchor: box,
      stillFrames: 0,
      stationary: false,
      motionOver: false,
      frameWidth: frame.width,
      frameHeight: frame.height,
      best: this.snapshot(frame, d),
    };
  }

  /**
   * Frame buffers are reused upstream, so a best frame is a copy — taken only when some track's
   * best changes, and at most once per frame however many tracks improve on it.
   */
  private snapshot(frame: Frame, d: Scored): TrackMessage['best'] {
    this.frameCopy ??= { ...frame, data: new Uint8Array(frame.data) };
    return { frame: this.frameCopy, box: [d.box[0], d.box[1], d.box[2], d.box[3]], score: d.score };
  }

  private predict(t: Track, now: number): Box {
    // Coast at most 2 s: a lost object's prediction should not sail off across the frame.
    const dt = Math.min(Math.max(0, now - t.lastSeenAt), 2000);
    const dx = t.vx * dt;
    const dy = t.vy * dt;
    return [t.box[0] + dx, t.box[1] + dy, t.box[2] + dx, t.box[3] + dy];
  }

  /** The label with the most accumulated score: one flicker to "truck" does not rename a car. */
  private label(t: Track): string {
    let best = '';
    let bestScore = -1;
    for (const [label, score] of t.labelScores) {
      if (score > bestScore) [best, bestScore] = [label, score];
    }
    return best;
  }

  private message(t: Track): TrackMessage {
    return {
      cameraId: this.opts.cameraId,
      trackId: t.id ?? '',
      label: this.label(t),
      score: t.best.score,
      box: [t.box[0], t.box[1], t.box[2], t.box[3]],
      frameWidth: t.frameWidth,
      frameHeight: t.frameHeight,
      firstSeenAt: t.firstSeenAt,
      lastSeenAt: t.lastSeenAt,
      hits: t.hits,
      stationary: t.stationary,
      best: t.best,
    };
  }
}

/** True when at least half of `box` lies inside the checked area `r`. */
function covers(r: Box, box: Box): boolean {
  const a = boxArea(box);
  return a > 0 && intersectionArea(r, box) >= 0.5 * a;
}

/** Publishes a tracker update on the bus, ends first so a reused slot reads in order. */
export function emitTrackUpdate(bus: { emit<K extends keyof BusEvents>(topic: K, payload: BusEvents[K]): void }, u: TrackUpdate): void {
  for (const m of u.ended) bus.emit('track.end', m);
  for (const m of u.started) bus.emit('track.start', m);
  for (const m of u.updated) bus.emit('track.update', m);
}
