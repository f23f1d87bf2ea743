import type { DetectConfig } from '../config/config.schema.js';
import type { CameraSettings } from '../domain/camera.settings.js';
import type { MotionSettings } from '../domain/camera.settings.motion.js';
import type { PrivacyMask } from '../domain/camera.settings.privacy.js';
import { isTrigger, type CameraEventsSettings } from '../domain/camera.settings.events.js';
import type { Frame } from '../domain/frame.js';
import type { FrameSubscription } from '../ingest/frame.channel.js';
import type { Bus } from '../shared/bus.js';
import type { Logger } from '../shared/log.js';
import { CameraPipeline, type PipelineMode, type PipelineStats } from './camera.pipeline.js';
import type { DetectJob, JobOutcome } from './object.queue.js';
import type { RegionPolicy } from './regions.planner.js';
import { Tracker, emitTrackUpdate, trackerOptions } from './tracker.js';

export interface DetectServiceDeps {
  config: DetectConfig;
  /** The one queue in front of the object detector, shared by every camera. */
  queue: { submit(job: DetectJob): Promise<JobOutcome> };
  /** Newest-frame delivery of a running camera (ingest). */
  frames(cameraId: number): FrameSubscription<Frame>;
  regionPolicy: RegionPolicy;
  bus: Pick<Bus, 'emit'>;
  log: Logger;
  mode?: PipelineMode;
}

interface Running {
  pipeline: CameraPipeline;
  cameraEvents: CameraEventsSettings | undefined;
  frames: FrameSubscription<Frame>;
  abort: AbortController;
  done: Promise<void>;
}

/** Runs one detection pipeline per running camera and publishes its tracks on the bus. */
export class DetectService {
  private readonly running = new Map<number, Running>();

  constructor(private readonly d: DetectServiceDeps) {}

  start(camera: { id: number; settings: Pick<CameraSettings, 'motion'> & Partial<Pick<CameraSettings, 'cameraEvents' | 'privacyMasks'>> }): void {
    if (this.running.has(camera.id)) return;
    const fps = this.d.config.fps;
    const pipeline = new CameraPipeline(
      {
        cameraId: camera.id,
        fps,
        motion: withPrivacyMasks(camera.settings.motion, camera.settings.privacyMasks),
        regionPolicy: this.d.regionPolicy,
        minScore: this.d.config.minScore,
        minScores: this.d.config.minScores,
        labels: this.d.config.labels,
        trackCheckMs: this.d.config.trackCheckMs,
        queue: this.d.queue,
        mode: this.d.mode,
        onTracks: (update) => emitTrackUpdate(this.d.bus, update),
      },
      new Tracker(trackerOptions(camera.id, fps)),
    );
    const abort = new AbortController();
    const frames = this.d.frames(camera.id);
    const done = pipeline.run(frames, abort.signal).catch((err: unknown) => {
      this.d.log.error('detection pipeline failed', { cameraId: camera.id, err });
    });
    this.running.set(camera.id, { pipeline, cameraEvents: camera.settings.cameraEvents, frames, abort, done });
  }

  /** A camera event (bus `camera.event`): wakes that camera's detection when its rules say `wake`. */
  cameraEvent(e: { cameraId: number; topic: string; data: Record<string, string>; at: number }): boolean {
    const r = this.running.get(e.cameraId);
    const s = r?.cameraEvents;
    if (!r || !s?.subscribe || s.action !== 'wake' || !isTrigger(s, e.topic, e.data)) return false;
    r.pipeline.wake(e.at + s.wakeSeconds * 1000);
    return true;
  }

  async stop(cameraId: number): Promise<void> {
    const r = this.running.get(cameraId);
    if (!r) return;
    this.running.delete(cameraId);
    r.abort.abort();
    // Closing the subscription wakes a loop waiting for the next frame of a silent camera.
    r.frames.close();
    await r.done;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }

  stats(): Record<number, PipelineStats> {
    return Object.fromEntries([...this.running].map(([id, r]) => [id, { ...r.pipeline.stats, modelRuns: { ...r.pipeline.stats.modelRuns } }]));
  }
}

/** Privacy masks of either kind count as motion masks: nothing behind them wakes detection. */
export function withPrivacyMasks(motion: MotionSettings, privacy: readonly PrivacyMask[] | undefined): MotionSettings {
  if (!privacy?.length) return motion;
  return { ...motion, masks: [...motion.masks, ...privacy.map((m) => m.points)] };
}
