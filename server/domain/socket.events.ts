/**
 * The socket.io contract, imported by both server/ and ui/ (type-only: no Node imports here).
 */
import type { CameraState } from './camera.js';
import type { AnnouncementMessage, ReportMessage } from './report.js';

export type CameraSessionState = CameraState;
/** What users see: trực tuyến / gián đoạn / mất kết nối. */
export type CameraDisplayState = 'online' | 'interrupted' | 'offline';

export function cameraDisplayState(s: CameraSessionState): CameraDisplayState {
  if (s === 'online') return 'online';
  if (s === 'offline' || s === 'stopped') return 'offline';
  return 'interrupted';
}

export interface CameraStateMessage {
  cameraId: number;
  state: CameraSessionState;
  display: CameraDisplayState;
  reason: string | null;
  at: number;
}

/** Alerts (server/events): pushed to the police room and, when shared, to the area room of the camera. */
export type AlertStateName = 'new' | 'acknowledged' | 'assigned' | 'resolved' | 'false_alarm';
export type AlertKindName = 'object' | 'camera_offline' | 'disk_low';
export type AlertSeverityName = 'low' | 'normal' | 'high' | 'critical';

export interface AlertMessage {
  id: number;
  kind: AlertKindName;
  severity: AlertSeverityName;
  state: AlertStateName;
  /** Null for a system alert (disk_low): it is about the server, not one camera. */
  cameraId: number | null;
  cameraName: string | null;
  areaId: number | null;
  eventId: number | null;
  label: string | null;
  score: number | null;
  zones: string[];
  visibility: 'internal' | 'shared';
  assigneeId: number | null;
  /** When what the alert is about began (first detection, or the camera going offline), epoch ms. */
  startedAt: number;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  /** Served by id; null until the event has a snapshot (or after retention removed it). */
  snapshotUrl: string | null;
}

/**
 * Catch-up answer. `alerts`: alerts with id > afterId, oldest first (ask again with
 * afterId = lastId while `more`). `changed`: older alerts updated after `changedSince`.
 * Alerts already seen live may come again: clients de-duplicate by id.
 */
export interface AlertCatchUp {
  alerts: AlertMessage[];
  changed: AlertMessage[];
  lastId: number;
  more: boolean;
  serverTime: number;
}

export interface AlertCursor {
  /** The last alert id the client has (0 for none). */
  afterId?: number;
  /** serverTime of the client's previous catch-up: alerts changed since then come in `changed`. */
  changedSince?: number;
  limit?: number;
}

export type Ack<T> = (reply: { ok: true; data: T } | { ok: false; error: { code: string; message: string } }) => void;

/** A camera's ingest and detection figures, pushed every few seconds to the camera's room. */
export interface CameraStatsMessage {
  cameraId: number;
  state: CameraSessionState;
  /** Camera frames per second as they arrive, and detection frames decoded per second. */
  inputFps: number | null;
  frameFps: number;
  framesIn: number;
  framesDropped: number;
  restarts: number;
  lastFrameAt: number | null;
  cpuPercent: number | null;
  rssBytes: number | null;
  recordingBytes: number;
  /** Frames analysed by the detection pipeline and their dropped / skipped detection work. */
  detection: { analysed: number; detectDropped: number; detectSkipped: number; regionsDone: number } | null;
  at: number;
}

/**
 * Live video (issue 15): fragmented MP4 for Media Source Extensions. `live:start` answers how
 * the camera can be watched: `fmp4` (then `live:init` and `live:media` follow on this socket)
 * or `jpeg` with the reason (H.265, privacy masks for this viewer, not recording).
 */
/** `source: 'sub'`: the recording is H.265, so the live video is the camera's H.264 sub-stream (smaller picture). */
export type LiveStartReply = { mode: 'fmp4'; source?: 'sub' } | { mode: 'jpeg'; reason: 'h265' | 'masked' | 'not_recording' };
export interface LiveChunk {
  cameraId: number;
  data: ArrayBuffer | Uint8Array;
  /** Server clock when the chunk left, epoch ms (latency diagnostics). */
  at: number;
}

export interface ServerToClientEvents {
  /** The init segment (codec, picture size): sent first, and again when the camera session restarted. */
  'live:init': (chunk: LiveChunk) => void;
  'live:media': (chunk: LiveChunk & { key: boolean }) => void;
  /**
   * How the camera can be watched changed since this socket's `live:start` (its recording's
   * codec became known, it started or stopped recording): ask `live:start` again.
   */
  'live:changed': (msg: { cameraId: number }) => void;
  'camera:state': (msg: CameraStateMessage) => void;
  'camera:stats': (msg: CameraStatsMessage) => void;
  'alert:new': (alert: AlertMessage) => void;
  /** State, assignee or visibility changed. */
  'alert:updated': (alert: AlertMessage) => void;
  /** The alert is no longer visible to this room (its event was unshared). */
  'alert:withdrawn': (msg: { id: number }) => void;
  /** A resident filed a report (police rooms of its area). */
  'report:new': (report: ReportMessage) => void;
  /** State, note, assignment or evidence changed; the reporter gets public changes in their view. */
  'report:updated': (report: ReportMessage) => void;
  /** An announcement reached one of the user's areas. */
  'announcement:new': (msg: AnnouncementMessage) => void;
}

export interface ClientToServerEvents {
  /** Current state of every camera the client may see; later changes arrive as camera:state. */
  'cameras:subscribe': (req: Record<string, never>, ack: Ack<CameraStateMessage[]>) => void;
  /** Joins the alert rooms the user may see, then answers the catch-up from the cursor. Call on every (re)connect. */
  'alerts:subscribe': (req: AlertCursor, ack: Ack<AlertCatchUp>) => void;
  /** Next page of catch-up (when `more`), without joining rooms. */
  'alerts:since': (req: AlertCursor, ack: Ack<AlertCatchUp>) => void;
  /** Joins the report rooms the user may hear (police: their areas). Call on every (re)connect. */
  'reports:subscribe': (req: Record<string, never>, ack: Ack<{ rooms: number }>) => void;
  /** Joins the announcement rooms of the user's areas. Call on every (re)connect. */
  'announcements:subscribe': (req: Record<string, never>, ack: Ack<{ rooms: number }>) => void;
  /** Starts (or joins) the camera's live video for this socket; see LiveStartReply. */
  'live:start': (req: { cameraId: number }, ack: Ack<LiveStartReply>) => void;
  'live:stop': (req: { cameraId: number }, ack: Ack<null>) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
