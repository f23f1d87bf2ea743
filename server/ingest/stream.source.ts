import path from 'node:path';
import { AppError } from '../shared/errors.js';
import { encodeUserinfo } from '../shared/redact.js';
import type { StreamSpec } from '../store/camera.repository.js';

/**
 * Where a session reads video from. URLs here never carry credentials: they are added by
 * `urlWithCredentials` only when ffmpeg is spawned, and never stored or logged.
 */
export type SourceSpec =
  | { kind: 'rtsp'; url: string; transport: 'tcp' | 'udp' }
  /** HTTP(S) multipart MJPEG stream. */
  | { kind: 'mjpeg'; url: string }
  /** HTTP(S) URL returning one JPEG per request, polled at `fps`. */
  | { kind: 'snapshot'; url: string; fps: number }
  /**
   * Local file. `realtime` paces it at its own frame rate (-re), like a camera; without it
   * frames come as fast as they decode and carry media time (for `binhyen detect`).
   */
  | { kind: 'file'; path: string; loop: boolean; realtime: boolean }
  /** ffmpeg lavfi graph (tests, demos). Never built from a user-supplied URL. */
  | { kind: 'lavfi'; graph: string; realtime: boolean };

/** Same shape as the cameras area's CameraCredentials. */
export interface Credentials {
  username: string;
  password: string;
}

const SNAPSHOT_PATH = /\.(jpe?g)$|snapshot|snap\.cgi|\/image(\.cgi)?$|onvif\/snapshot/i;

/** Builds a source from a camera stream spec (rtsp://, rtsps://, http(s)://, file:// or an absolute path). */
export function sourceFromStream(spec: StreamSpec, defaults: { transport: 'tcp' | 'udp'; snapshotFps?: number }): SourceSpec {
  const url = spec.url.trim();
  if (url.startsWith('/')) return { kind: 'file', path: url, loop: true, realtime: true };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('invalid_stream_url', 'stream URL is not a valid URL', 400, { field: 'streams.url' });
  }
  switch (parsed.protocol) {
    case 'rtsp:':
    case 'rtsps:':
      return { kind: 'rtsp', url, transport: spec.transport ?? defaults.transport };
    case 'http:':
    case 'https:':
      return SNAPSHOT_PATH.test(parsed.pathname) ? { kind: 'snapshot', url, fps: defaults.snapshotFps ?? 2 } : { kind: 'mjpeg', url };
    case 'file:':
      return { kind: 'file', path: decodeURIComponent(parsed.pathname), loop: true, realtime: true };
    default:
      throw new AppError('unsupported_stream_url', `stream URL scheme ${parsed.protocol} is not supported (use rtsp://, http(s):// or a file)`, 400, {
        field: 'streams.url',
        params: { scheme: parsed.protocol },
      });
  }
}

/**
 * Adds user:password to a network URL, every reserved character percent-encoded ('@', ':', '/'
 * and the apostrophe too, so a password never ends a quoted URL in ffmpeg's output early);
 * other sources are returned as they are.
 */
export function urlWithCredentials(url: string, creds: Credentials | null | undefined): string {
  if (!creds || !creds.username) return url;
  const u = new URL(url);
  u.username = encodeUserinfo(creds.username);
  u.password = encodeUserinfo(creds.password);
  return u.toString();
}

/** What a reason or log line may say about a source: scheme, host and port, never userinfo or query. */
export function describeSource(src: SourceSpec): string {
  switch (src.kind) {
    case 'file':
      return `file ${path.basename(src.path)}`;
    case 'lavfi':
      return 'test pattern';
    default: {
      try {
        const u = new URL(src.url);
        return `${u.protocol}//${u.host}`;
      } catch {
        return src.kind;
      }
    }
  }
}

/** Whether the source is a live stream (wall-clock timestamps, recording possible). */
export const isLive = (src: SourceSpec): boolean => src.kind === 'rtsp' || src.kind === 'mjpeg' || src.kind === 'snapshot' || src.realtime;

/**
 * Whether the video can be stream-copied into MPEG-TS segments. MJPEG, snapshots and lavfi
 * produce raw pictures and are re-encoded (H.264, costs CPU): cheap HTTP cameras only.
 */
export const canCopyToSegments = (src: SourceSpec): boolean => src.kind === 'rtsp' || src.kind === 'file';
