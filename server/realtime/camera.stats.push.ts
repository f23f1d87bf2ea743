import type { CameraIngestStats } from '../ingest/camera.stats.js';
import type { PipelineStats } from '../detect/camera.pipeline.js';
import type { Logger } from '../shared/log.js';
import type { AppIo } from './socket.server.js';
import { ROOMS } from './socket.server.js';
import type { CameraStatsMessage } from '../domain/socket.events.js';

export type CameraStatsRow = CameraIngestStats & { detection: PipelineStats | null };

/** Ingest figures with the detection pipeline's beside them, per camera (API and socket). */
export async function cameraStatsRows(
  ingest: { stats(): Promise<CameraIngestStats[]> },
  detect: { stats(): Record<number, PipelineStats> },
): Promise<CameraStatsRow[]> {
  const detection = detect.stats();
  return (await ingest.stats()).map((s) => ({ ...s, detection: detection[s.cameraId] ?? null }));
}

export function statsMessage(s: CameraStatsRow, at: number): CameraStatsMessage {
  const d = s.detection;
  return {
    cameraId: s.cameraId,
    state: s.state,
    inputFps: s.inputFps,
    frameFps: s.frameFps,
    framesIn: s.framesIn,
    framesDropped: s.framesDropped,
    restarts: s.restarts,
    lastFrameAt: s.lastFrameAt,
    cpuPercent: s.cpuPercent,
    rssBytes: s.rssBytes,
    recordingBytes: s.recordingBytes,
    detection: d ? { analysed: d.analysed, detectDropped: d.detectDropped, detectSkipped: d.detectSkipped, regionsDone: d.regionsDone } : null,
    at,
  };
}

/**
 * Pushes each running camera's stats to its room every `intervalMs` (only clients allowed to
 * see the camera joined it). Returns the stop function.
 */
export function startStatsPush(io: AppIo, rows: () => Promise<CameraStatsRow[]>, intervalMs: number, log: Logger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a slow /proc read must not pile up
    running = true;
    rows()
      .then((list) => {
        const at = Date.now();
        for (const s of list) io.to(ROOMS.camera(s.cameraId)).emit('camera:stats', statsMessage(s, at));
      })
      .catch((err: unknown) => log.warn('camera stats push failed', { err }))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
