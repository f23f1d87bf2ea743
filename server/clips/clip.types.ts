/**
 * The port to the continuous recording (server/clips/clip.cutter.ts, ingest's): cuts the
 * wall-clock range [from, to) from the recorded segments by stream copy into outPath (an
 * .mp4 name). Throws AppError 404 'range_not_kept' when retention already removed it.
 */
export interface CutRequest {
  cameraId: number;
  from: number;
  to: number;
  outPath: string;
  /** Aborted when the server stops: the cut's ffmpeg is killed and its temporary file removed. */
  signal?: AbortSignal;
}
export interface CutResult {
  path: string;
  durationS: number;
  bytes: number;
}
export type CutClip = (req: CutRequest) => Promise<CutResult>;

/** The audit log entry this area writes (exports); the auth area's audit repository stores it. */
export interface AuditEntry {
  action: string;
  userId: number | null;
  username: string | null;
  ip: string | null;
  resourceType: string;
  resourceId: string;
  detail: Record<string, unknown>;
}
export type AuditFn = (entry: AuditEntry) => Promise<void>;

/** A lease on a range of the recording (ingest's RecordingLeases): retention keeps it until released. */
/** The segment a camera is recording now (ingest), readable up to `writtenUntil`: a clip may end in it before it closes. */
export interface LiveSegment {
  file: string;
  startAt: number;
  writtenUntil: number;
}
/** `until`: the moment the caller needs on disk; while the file was last written before it, its picture is not read (the mtime already says short). */
export type RecordingHead = (cameraId: number, until?: number) => Promise<LiveSegment | undefined>;

export interface RangeHolds {
  hold(cameraId: number, from: number, to: number): () => void;
}
