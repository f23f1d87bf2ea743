import type { Box, Frame } from '../domain/frame.js';
import type { MotionSettings } from '../domain/camera.settings.motion.js';
import type { DetectJob, JobOutcome } from './object.queue.js';
import type { Detection } from './object.detector.js';
import { intersectionArea } from '../domain/geometry.js';
import { MotionDetector } from './motion.detector.js';
import { dedupeAcrossRegions, planRegions, regionBox, type Region, type RegionPolicy } from './regions.planner.js';
import { Tracker, type TrackUpdate } from './tracker.js';

/**
 * The detection path of one camera: frame → motion → regions → objects → tracks.
 * `naive` mode skips the motion gate and runs the model on every whole frame: the baseline
 * the benchmark compares against, through the same code.
 */
export type PipelineMode = 'pipeline' | 'naive';

export interface PipelineStats {
  frames: number;
  /** Frames that went all the way through (motion, and objects when there was anything to look at). */
  analysed: number;
  /** Frames whose object work the queue dropped (stale, over the cap, superseded). */
  detectDropped: number;
  /** Frames with motion where the model was not needed: all motion was on tracks checked recently. */
  detectSkipped: number;
  /** Live frames followed by motion alone because the model was still on an earlier frame of this camera. */
  detectBusy: number;
  /** Why the model ran: motion off every track (novel), a detection awaiting its confirming hit, a track's periodic check, or naive mode. */
  modelRuns: { novel: number; confirming: number; due: number; naive: number };
  framesWithMotion: number;
  regionsRequested: number;
  regionsDone: number;
  detections: number;
  motionMsTotal: number;
  /** Time from submitting regions to getting detections, summed. */
  detectWaitMsTotal: number;
}

export interface CameraPipelineDeps {
  cameraId: number;
  fps: number;
  motion: MotionSettings;
  regionPolicy: RegionPolicy;
  /** Detections below this score are ignored. */
  minScore: number;
  /** Per-label minimum scores (config detect.minScores); labels not named use minScore. */
  minScores?: Readonly<Record<string, number>>;
  /** Labels tracked; others (a "sports ball" of litter on the grass) are ignored. Empty: all. */
  labels?: readonly string[];
  /** The shared detection queue (one for all cameras). */
  queue: { submit(job: DetectJob): Promise<JobOutcome> };
  /** Receives every track start/update/end (the composition root publishes them on the bus). */
  onTracks(update: TrackUpdate, frame: Frame): void;
  mode?: PipelineMode;
  /**
   * Confirmed tracks are looked at again by the model at least this often; in between, frames
   * whose motion lies on those tracks are followed by motion alone. 0 = the model on every frame with motion.
   */
  trackCheckMs?: number;
  /** Called after each frame with what was found (for `binhyen detect` and tests). */
  onFrame?(r: { frame: Frame; motion: Box[]; regions: Region[]; detections: Detection[] }): void;
  now?: () => number;
}

const emptyStats = (): PipelineStats => ({
  frames: 0,
  analysed: 0,
  detectDropped: 0,
  detectSkipped: 0,
  detectBusy: 0,
  modelRuns: { novel: 0, confirming: 0, due: 0, naive: 0 },
  framesWithMotion: 0,
  regionsRequested: 0,
  regionsDone: 0,
  detections: 0,
  motionMsTotal: 0,
  detectWaitMsTotal: 0,
});

export class CameraPipeline {
  readonly stats: PipelineStats = emptyStats();
  private motion: MotionDetector | null = null;
  private readonly tracker: Tracker;
  private readonly mode: PipelineMode;
  private readonly now: () => number;
  private readonly labels: ReadonlySet<string> | null;
  private lastDetectAt = Number.NEGATIVE_INFINITY;
  /** Motion the model looked at in its last run: seen already, so not news until the next check. */
  private checkedMotion: Box[] = [];
  /** Whether the coming model run is news or a confirmation (ahead in the queue) rather than a periodic re-check. */
  private urgent = false;
  /** Why the model is needed on the current frame (counted when it really runs). */
  private reason: keyof PipelineStats['modelRuns'] = 'due';
  /** The model's run on an earlier live frame of this camera, while it lasts. */
  private inFlight: Promise<void> | null = null;
  private failure: unknown = null;
  /** Capture time until which whole frames count as moving (a camera event woke the camera). */
  private wakeUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly d: CameraPipelineDeps,
    tracker: Tracker,
  ) {
    this.labels = d.labels?.length ? new Set(d.labels) : null;
    this.tracker = tracker;
    this.mode = d.mode ?? 'pipeline';
    this.now = d.now ?? (() => performance.now());
  }

  /**
   * Live: runs until the frames end or `signal` aborts; ends open tracks either way. Motion
   * runs on every frame and never waits for the model: while it works on one frame of this
   * camera, the frames after it are followed by motion alone (as between track checks), and
   * the next model run takes the newest frame. So a busy detector costs this camera detection
   * frames, never analysed frames, and the frame loop cannot fall behind the camera.
   */
  async run(frames: AsyncIterable<Frame>, signal?: AbortSignal): Promise<void> {
    try {
      for await (const frame of frames) {
        if (signal?.aborted) break;
        this.step(frame);
      }
      await this.inFlight;
      if (this.failure) throw this.failure;
    } finally {
      this.stop();
    }
  }

  /**
   * A camera event (its own motion, tamper, line crossing …) woke this camera: until `untilAt`
   * (capture time) the whole frame counts as moving, so the model looks even where pixels barely change.
   */
  wake(untilAt: number): void {
    this.wakeUntil = Math.max(this.wakeUntil, untilAt);
  }

  /** Ends every confirmed track (camera stopped or file finished). */
  stop(): void {
    const ended = this.tracker.stop();
    if (ended.length) this.d.onTracks({ started: [], updated: [], ended }, ended[0]!.best.frame);
  }

  /** One live frame: motion now, the model in the background when it is free for this camera. */
  step(frame: Frame): void {
    // A background run that failed fails the loop here, as an awaited one would have.
    if (this.failure) throw this.failure;
    this.stats.frames++;
    const motionBoxes = this.detectMotion(frame);
    if (this.inFlight) {
      this.stats.detectBusy++;
      this.track(frame, motionBoxes, [], [], []);
      return;
    }
    const regions = this.needsModel(frame, motionBoxes) ? this.plan(frame, motionBoxes) : [];
    if (!regions.length) {
      this.track(frame, motionBoxes, regions, [], []);
      return;
    }
    this.inFlight = this.detectAndTrack(frame, motionBoxes, regions)
      .catch((err: unknown) => {
        this.failure = err;
      })
      .finally(() => {
        this.inFlight = null;
      });
  }

  /** One frame, waiting for its detections (files, `binhyen detect`, tests): every frame as if the detector were free. */
  async process(frame: Frame): Promise<void> {
    this.stats.frames++;
    const motionBoxes = this.detectMotion(frame);
    const regions = this.needsModel(frame, motionBoxes) ? this.plan(frame, motionBoxes) : [];
    if (regions.length) await this.detectAndTrack(frame, motionBoxes, regions);
    else this.track(frame, motionBoxes, regions, [], []);
  }

  private async detectAndTrack(frame: Frame, motionBoxes: Box[], regions: Region[]): Promise<void> {
    const outcome = await this.detectObjects(frame, regions);
    if (outcome.status !== 'done') {
      this.stats.detectDropped++;
      // Work not done is not a miss: the tracker must not end tracks because we were busy.
      this.d.onTracks(this.tracker.update([], frame, motionBoxes, []), frame);
      return;
    }
    const detections = dedupeAcrossRegions(
      frame,
      regions,
      outcome.detections.filter((x) => x.score >= this.minScoreOf(x.label) && (!this.labels || this.labels.has(x.label))),
    );
    this.stats.detections += detections.length;
    this.track(frame, motionBoxes, regions, detections, regions.slice(0, outcome.analysed).map(regionBox));
  }

  /** Hands a frame's findings to the tracker; `checked` = the areas the model looked at (none: motion alone). */
  private track(frame: Frame, motionBoxes: Box[], regions: Region[], detections: Detection[], checked: Box[]): void {
    this.stats.analysed++;
    this.d.onTracks(this.tracker.update(detections, frame, motionBoxes, checked), frame);
    this.d.onFrame?.({ frame, motion: motionBoxes, regions, detections });
  }

  private minScoreOf(label: string): number {
    const per = this.d.minScores;
    return per && Object.hasOwn(per, label) ? per[label]! : this.d.minScore;
  }

  private detectMotion(frame: Frame): Box[] {
    if (this.mode === 'naive') return [];
    if (frame.capturedAt <= this.wakeUntil) return [[0, 0, frame.width, frame.height]];
    const t0 = this.now();
    this.motion ??= new MotionDetector(this.d.motion, { width: frame.width, height: frame.height });
    // The detector reuses its result arrays on the next call: copy the boxes we keep.
    const boxes = this.motion.detect(frame).boxes.map((b) => [...b] as Box);
    this.stats.motionMsTotal += this.now() - t0;
    if (boxes.length) this.stats.framesWithMotion++;
    return boxes;
  }

  /**
   * The model is needed when motion appears off every confirmed track (something new), when a
   * track is due for its periodic check, or in naive mode. Motion that only moves known tracks
   * is followed by the tracker until the next check: the model's time goes where it tells us something.
   */
  private needsModel(frame: Frame, motionBoxes: Box[]): boolean {
    const checkMs = this.d.trackCheckMs ?? 0;
    this.urgent = false;
    if (this.mode === 'naive' || checkMs <= 0) {
      this.reason = 'naive';
      return true;
    }
    const known = [...this.tracker.live().map((t) => t.box), ...this.checkedMotion];
    const due = frame.capturedAt - this.lastDetectAt >= checkMs;
    // A ghost in the background model or a person the model cannot make out is motion the
    // model has just looked at: only motion off tracks and off that is news.
    const novel = motionBoxes.some((m) => !known.some((k) => intersectionArea(m, k) > 0.5 * Math.min(area(m), area(k))));
    // A detection waiting for its confirming hit is looked at on the very next frame: the alert waits on it.
    const confirming = this.tracker.hasTentative();
    if (due || novel || confirming) {
      this.reason = novel ? 'novel' : confirming ? 'confirming' : 'due';
      this.checkedMotion = motionBoxes;
      this.urgent = novel || confirming;
      return true;
    }
    this.stats.detectSkipped++;
    return false;
  }

  private plan(frame: Frame, motionBoxes: Box[]): Region[] {
    if (this.mode === 'naive') return [{ x: 0, y: 0, w: frame.width, h: frame.height }];
    const trackBoxes = this.tracker.regionsToCheck(motionBoxes, frame.capturedAt);
    return planRegions(frame, motionBoxes, trackBoxes, this.d.regionPolicy);
  }

  private async detectObjects(frame: Frame, regions: Region[]): Promise<JobOutcome> {
    this.stats.modelRuns[this.reason]++;
    this.stats.regionsRequested += regions.length;
    this.lastDetectAt = frame.capturedAt;
    const t0 = this.now();
    const outcome = await this.d.queue.submit({
      cameraId: this.d.cameraId,
      capturedAt: frame.capturedAt,
      urgent: this.urgent,
      requests: regions.map((r) => ({ frame, region: regionBox(r) })),
    });
    this.stats.detectWaitMsTotal += this.now() - t0;
    if (outcome.status === 'done') this.stats.regionsDone += outcome.analysed;
    return outcome;
  }
}

const area = (b: Box) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
