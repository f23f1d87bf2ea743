import type { DetectConfig } from '../config/config.schema.js';
import { motionSettings } from '../domain/camera.settings.motion.js';
import type { Frame } from '../domain/frame.js';
import type { Logger } from '../shared/log.js';
import { CameraPipeline, type PipelineMode, type PipelineStats } from './camera.pipeline.js';
import type { ObjectDetector } from './object.detector.js';
import { DetectionQueue } from './object.queue.js';
import { defaultRegionPolicy, type RegionPolicy } from './regions.planner.js';
import { Tracker, trackerOptions, type TrackUpdate } from './tracker.js';

/** A confirmed track as `binhyen detect` reports it: media time in seconds, box in source pixels. */
export interface TrackLine {
  type: 'track';
  label: string;
  score: number;
  start: number;
  end: number;
  box: [number, number, number, number];
}

export interface DetectSummary {
  type: 'summary';
  backend: string;
  mode: PipelineMode;
  frames: number;
  analysed: number;
  framesWithMotion: number;
  detections: number;
  regions: number;
  /** Why the model ran, frame by frame (see PipelineStats.modelRuns). */
  modelRuns: PipelineStats['modelRuns'];
  tracks: number;
  byLabel: Record<string, number>;
  ms: { motion: number; inference: number; wall: number };
}

export interface DetectRunOptions {
  detector: ObjectDetector & { timings?(): { inferMs: { medianMs: number } } };
  config: Pick<DetectConfig, 'fps' | 'minScore' | 'labels' | 'trackCheckMs'> & Partial<Pick<DetectConfig, 'minScores'>>;
  log: Logger;
  mode?: PipelineMode;
  regionPolicy?: RegionPolicy;
  /** Source size, to report boxes in source pixels (frames arrive at the detect size). */
  sourceWidth?: number;
  /** A still image: one frame, so every detection is reported (a track needs two sightings). */
  still?: boolean;
  onTrack?(t: TrackLine): void;
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

/**
 * Runs the live pipeline's code on a stream of frames as fast as they come (a file, or a URL):
 * the same motion gate, regions, queue, detector and tracker, with time taken from the media
 * so a file replays exactly as a camera would have shown it.
 */
export async function runDetection(frames: AsyncIterable<Frame>, o: DetectRunOptions): Promise<DetectSummary> {
  const started = performance.now();
  // Offline analysis: nothing is stale and no camera is over its rate, every frame is analysed.
  const queue = new DetectionQueue({ maxPerCameraPerSecond: 10_000, staleMs: 86_400_000 }, { detector: o.detector, log: o.log });
  const byLabel: Record<string, number> = {};
  let scale = 1;
  let t0: number | undefined;
  const toLine = (t: TrackUpdate['ended'][number]): TrackLine => ({
    type: 'track',
    label: t.label,
    score: round(t.score, 3),
    start: round((t.firstSeenAt - t0!) / 1000),
    end: round((t.lastSeenAt - t0!) / 1000),
    box: t.box.map((v) => Math.round(v * scale)) as TrackLine['box'],
  });
  const pipeline = new CameraPipeline(
    {
      cameraId: 0,
      fps: o.config.fps,
      motion: motionSettings(),
      regionPolicy: o.regionPolicy ?? defaultRegionPolicy(),
      minScore: o.config.minScore,
      minScores: o.config.minScores,
      labels: o.config.labels,
      trackCheckMs: o.config.trackCheckMs,
      queue,
      mode: o.still ? 'naive' : o.mode,
      onFrame: ({ detections }) => {
        if (!o.still) return;
        for (const d of detections) {
          byLabel[d.label] = (byLabel[d.label] ?? 0) + 1;
          o.onTrack?.({
            type: 'track',
            label: d.label,
            score: round(d.score, 3),
            start: 0,
            end: 0,
            box: d.box.map((v) => Math.round(v * scale)) as TrackLine['box'],
          });
        }
      },
      onTracks: (u) => {
        for (const t of u.ended) {
          byLabel[t.label] = (byLabel[t.label] ?? 0) + 1;
          o.onTrack?.(toLine(t));
        }
      },
    },
    new Tracker(trackerOptions(0, o.config.fps)),
  );
  try {
    for await (const frame of frames) {
      t0 ??= frame.capturedAt - (frame.mediaTime ?? 0) * 1000;
      if (o.sourceWidth) scale = o.sourceWidth / frame.width;
      // Media time drives the tracker's clock, so analysis speed does not change the result.
      const at = frame.mediaTime !== undefined ? t0 + frame.mediaTime * 1000 : frame.capturedAt;
      await pipeline.process({ ...frame, capturedAt: at });
    }
  } finally {
    pipeline.stop();
    await queue.close();
  }
  const s = pipeline.stats;
  return {
    type: 'summary',
    backend: o.detector.backend,
    mode: o.still ? 'naive' : (o.mode ?? 'pipeline'),
    frames: s.frames,
    analysed: s.analysed,
    framesWithMotion: s.framesWithMotion,
    detections: s.detections,
    regions: s.regionsDone,
    modelRuns: s.modelRuns,
    tracks: Object.values(byLabel).reduce((a, b) => a + b, 0),
    byLabel,
    ms: {
      motion: s.frames ? round(s.motionMsTotal / s.frames, 3) : 0,
      inference: round(o.detector.timings?.().inferMs.medianMs ?? 0, 1),
      wall: Math.round(performance.now() - started),
    },
  };
}
