import type { DetectConfig } from '../config/config.schema.js';
import type { IngestRuntime } from '../ingest/ingest.runtime.js';
import type { Bus } from '../shared/bus.js';
import type { Logger } from '../shared/log.js';
import type { PipelineMode } from './camera.pipeline.js';
import { DetectService } from './detect.service.js';
import { detectorOptions } from './object.model.resolve.js';
import { createObjectDetector, type ObjectWorkerPool } from './object.pool.js';
import { DetectionQueue } from './object.queue.js';
import { PipelineRuntime } from './pipeline.runtime.js';
import { defaultRegionPolicy } from './regions.planner.js';

/** Whether the object detector runs, and why not: health reports `degraded` with the reason. */
export interface DetectorStatus {
  backend: string | null;
  error: string | null;
}

/** The worker pool as configured, or the reason it could not start (logged once). */
export async function startObjectDetector(config: DetectConfig, log: Logger): Promise<{ pool: ObjectWorkerPool | null; error: string | null }> {
  try {
    const pool = await createObjectDetector(detectorOptions(config), { log: log.child('detect') });
    log.info('object detector ready', pool.describe());
    return { pool, error: null };
  } catch (err) {
    log.error('object detector unavailable: cameras record but nothing is detected', { err });
    return { pool: null, error: err instanceof Error ? err.message : String(err) };
  }
}

export interface DetectionPathDeps {
  config: DetectConfig;
  ingest: IngestRuntime;
  bus: Bus;
  log: Logger;
  /** 'naive' runs the model on every sampled frame (the bench's baseline). */
  mode?: PipelineMode;
}

/**
 * The live detection path, wired once for the server and the bench: ingest frames → motion
 * → regions → the shared queue → the worker pool → tracker → bus. Without a detector the
 * cameras still record and show; `status()` says why nothing is detected.
 */
export async function createDetectionPath(d: DetectionPathDeps) {
  const { pool, error } = await startObjectDetector(d.config, d.log);
  const queue = new DetectionQueue(
    { maxPerCameraPerSecond: d.config.maxPerCameraPerSecond, staleMs: d.config.staleMs },
    { detector: pool ?? { workers: 1, detect: async () => [] }, log: d.log.child('queue') },
  );
  const service = new DetectService({
    config: d.config,
    queue,
    frames: (id) => d.ingest.frames(id),
    regionPolicy: defaultRegionPolicy(),
    bus: d.bus,
    log: d.log.child('detect'),
    mode: d.mode,
  });
  const idle = { start: () => undefined, stop: async () => undefined, stopAll: async () => undefined };
  return {
    detector: pool,
    queue,
    service,
    /** What the camera service starts and stops per camera. */
    runtime: new PipelineRuntime(d.ingest, pool ? service : idle),
    status: (): DetectorStatus => ({ backend: pool?.describe().backend ?? null, error }),
    async close(): Promise<void> {
      await service.stopAll();
      await queue.close();
      await pool?.close();
    },
  };
}
export type DetectionPath = Awaited<ReturnType<typeof createDetectionPath>>;
