import { existsSync } from 'node:fs';
import { AppError } from '../shared/errors.js';
import { silentLogger, type Logger } from '../shared/log.js';
import type { FfmpegAdapter } from './ffmpeg.adapter.js';
import type { Frame } from '../domain/frame.js';
import { StreamSession } from './stream.session.js';

export interface FileFramesOptions {
  ffmpeg: FfmpegAdapter;
  path: string;
  fps: number;
  width: number;
  /** Pace at the file's own rate like a camera (and drop frames a slow consumer misses); default false. */
  realtime?: boolean;
  loop?: boolean;
  cameraId?: number;
  log?: Logger;
}

/**
 * Frames of a video file, for `binhyen detect` and benchmarks. Without `realtime`, ffmpeg is
 * paused while the consumer is busy (back-pressure), so every sampled frame is delivered, each
 * with its media time. Leaving the loop (break, throw) stops ffmpeg.
 */
export async function* readFileFrames(o: FileFramesOptions): AsyncGenerator<Frame, void, undefined> {
  if (!existsSync(o.path)) throw new AppError('file_not_found', `video file ${o.path} does not exist`, 404, { field: 'path' });
  let failure: string | undefined;
  const realtime = o.realtime ?? false;
  const session = new StreamSession(
    {
      cameraId: o.cameraId ?? 0,
      role: 'main',
      source: { kind: 'file', path: o.path, loop: o.loop ?? false, realtime },
      frames: { fps: o.fps, width: o.width },
      backpressure: !realtime,
    },
    {
      ffmpeg: o.ffmpeg,
      log: o.log ?? silentLogger,
      // A local file either decodes or fails at once: one attempt, no retry loop.
      settings: {
        stallTimeoutMs: 30_000,
        startTimeoutMs: 30_000,
        backoffInitialMs: 1000,
        backoffMaxMs: 1000,
        healthyResetMs: 60_000,
        offlineAfterFailures: 1,
        killGraceMs: 2000,
        socketTimeoutMs: 5000,
        decodeThreads: 2,
        stderrLines: 20,
      },
      onState: (_role, state, reason) => {
        if (state === 'offline') {
          failure = reason ?? 'ffmpeg failed';
          void session.stop();
        }
      },
    },
  );
  const frames = session.frames(); // before start: no frame may pass unseen
  await session.start();
  try {
    for await (const frame of frames) yield frame;
  } finally {
    await session.stop();
  }
  if (failure) throw new AppError('file_unreadable', `cannot read ${o.path}: ${failure}`, 422, { field: 'path' });
}
