import type { CameraRecord } from '../store/camera.repository.js';
import type { TestFrame } from '../ingest/ffmpeg.grab.js';
import { urlWithCredentials } from '../ingest/stream.source.js';
import type { CameraCredentials } from './camera.crypto.js';

/**
 * What the camera service needs to run a camera: ingest plus detection on its frames
 * (detect/pipeline.runtime.ts implements it; the composition root passes it to CameraService).
 */
export interface CameraRunner {
  /** Starts ingest and detection for the camera, or restarts them with its new streams/settings. */
  start(camera: CameraRecord, credentials: CameraCredentials | null): Promise<void>;
  /** Stops them; resolves once its processes are gone. A camera that is not running is fine. */
  stop(cameraId: number): Promise<void>;
  /**
   * One frame from the camera's running session (cheap cameras allow few RTSP sessions, so a
   * test must not open another); undefined when the camera is not running.
   */
  grabTestFrame(cameraId: number, stream: 'detect' | 'record'): Promise<TestFrame | undefined>;
}

/**
 * A stream URL with the camera's credentials in it, built only when a process is spawned:
 * stored URLs never carry them. Percent-encoding keeps '@', ':' and '/' in passwords intact.
 */
export function streamUrlWithCredentials(url: string, credentials: CameraCredentials | null): string {
  return urlWithCredentials(url, credentials);
}

/** Splits credentials typed inside a URL (rtsp://admin:pw@host/…) from the URL. */
export function splitUrlCredentials(url: string): { url: string; credentials: CameraCredentials | null } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url, credentials: null };
  const credentials = { username: safeDecode(u.username), password: safeDecode(u.password) };
  u.username = '';
  u.password = '';
  return { url: u.href, credentials };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
