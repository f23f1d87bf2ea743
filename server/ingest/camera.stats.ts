import type { CameraState } from '../store/camera.repository.js';
import type { SessionRole, SessionStats } from './stream.session.js';

/** Per-camera ingest figures, for the API, socket.io and the benchmark. Never carries credentials. */
export interface CameraIngestStats {
  cameraId: number;
  state: CameraState;
  reason: string | null;
  /** Camera frames per second (measured on the recorded stream, else as the stream announces). */
  inputFps: number | null;
  /** Detection frames decoded per second. */
  frameFps: number;
  /** Detection frames ffmpeg produced, handed to consumers, and replaced before a consumer took them. */
  framesIn: number;
  framesDelivered: number;
  framesDropped: number;
  restarts: number;
  lastFrameAt: number | null;
  frameSize: { width: number; height: number } | null;
  /** Codec of the camera's (recorded) stream as it arrives. */
  codec: string | null;
  /** Recordings and clips play in browsers (H.264); H.265 is recorded but must be downloaded to be watched. Null without recording. */
  browserPlayable: boolean | null;
  /** Sum over the camera's ffmpeg processes; null when none runs. */
  cpuPercent: number | null;
  rssBytes: number | null;
  recordingBytes: number;
  sessions: (SessionStats & { cpuPercent: number | null; rssBytes: number | null })[];
}

/** Worse first: what the camera shows when its two sessions disagree. */
const RANK: Record<CameraState, number> = { offline: 5, restarting: 4, stalled: 3, starting: 2, online: 1, stopped: 0 };

/** The camera's state from its sessions': the worst one, its reason naming the stream when there are two. */
export function combineStates(
  sessions: { role: SessionRole; state: CameraState; reason: string | null }[],
  nameStreams: boolean,
): { state: CameraState; reason: string | null } {
  const active = sessions.filter((s) => s.state !== 'stopped');
  const pool = active.length ? active : sessions;
  // Ties go to the session with something to say (e.g. the H.265 note of the record stream).
  const worst = [...pool].sort((a, b) => RANK[b.state] - RANK[a.state] || Number(!!b.reason) - Number(!!a.reason))[0];
  if (!worst) return { state: 'stopped', reason: null };
  // An ended file (stopped with a reason) is reported as such once every session has ended.
  const prefix = nameStreams && worst.reason ? (worst.role === 'record' ? 'recording stream: ' : 'detection stream: ') : '';
  return { state: worst.state, reason: worst.reason ? prefix + worst.reason : null };
}

const sumOrNull = (xs: (number | null)[]) => (xs.some((x) => x !== null) ? xs.reduce<number>((a, x) => a + (x ?? 0), 0) : null);

export function cameraStats(
  cameraId: number,
  state: { state: CameraState; reason: string | null },
  sessions: CameraIngestStats['sessions'],
  recordingBytes: number,
): CameraIngestStats {
  const frames = sessions.find((s) => s.role !== 'record');
  const recorded = sessions.find((s) => s.role !== 'detect') ?? frames;
  const codec = recorded?.input?.codec ?? frames?.input?.codec ?? null;
  const recordedCodec = recorded?.recordedCodec ?? null;
  return {
    cameraId,
    state: state.state,
    reason: state.reason,
    inputFps: recorded?.inputFps ?? frames?.inputFps ?? null,
    frameFps: frames?.frameFps ?? 0,
    framesIn: frames?.framesIn ?? 0,
    framesDelivered: frames?.framesDelivered ?? 0,
    framesDropped: frames?.framesDropped ?? 0,
    restarts: sessions.reduce((a, s) => a + s.restarts, 0),
    lastFrameAt: frames?.lastFrameAt ?? null,
    frameSize: frames?.frameSize ?? null,
    codec,
    browserPlayable: recordedCodec === null ? null : recordedCodec === 'h264',
    cpuPercent: sumOrNull(sessions.map((s) => s.cpuPercent)),
    rssBytes: sumOrNull(sessions.map((s) => s.rssBytes)),
    recordingBytes,
    sessions,
  };
}
