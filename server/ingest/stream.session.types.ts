import type { RelRect } from '../domain/camera.settings.privacy.js';
import type { Logger } from '../shared/log.js';
import type { CameraState } from '../store/camera.repository.js';
import type { FfmpegAdapter } from './ffmpeg.adapter.js';
import type { FramesOutput, JpegOutput } from './ffmpeg.args.js';
import type { Failure, InputStreamInfo } from './ffmpeg.stderr.js';
import type { SegmentEntry } from './session.attempt.js';
import type { SupervisorOptions } from './session.supervisor.js';
import type { Credentials, SourceSpec } from './stream.source.js';

/** What a stream session is given and what it reports (stream.session.ts runs it). */

export type SessionRole = 'main' | 'detect' | 'record';

/** Receives finished segments; implemented by the recorder. */
export interface SegmentSink {
  readonly liveDir: string;
  /** Prepares the live directory (and recovers what a previous run left there) before the first spawn. */
  prepare(): Promise<void>;
  segmentDone(e: SegmentEntry, attemptPrefix: string, anchorMs: number): void;
  /** After an ffmpeg run ended: index or delete the segment files it left unfinished. */
  attemptEnded(attemptPrefix: string): Promise<void>;
  flush(): Promise<void>;
  /** The segment being written now, readable up to its last write. */
  head(until?: number): Promise<LiveSegment | undefined>;
}

/** A segment ffmpeg is still writing: where it starts on the wall clock and how far it is written. */
export interface LiveSegment {
  file: string;
  startAt: number;
  writtenUntil: number;
}

export interface SessionSpec {
  cameraId: number;
  role: SessionRole;
  source: SourceSpec;
  credentials?: Credentials;
  frames?: FramesOutput;
  jpeg?: JpegOutput;
  /** blackout: "hide from everyone" privacy masks burned into the recording (re-encoded). */
  record?: { sink: SegmentSink; segmentSeconds: number; blackout?: RelRect[] };
  /** Files analysed offline: pause ffmpeg while consumers are busy instead of dropping frames. */
  backpressure?: boolean;
}

export interface SessionSettings extends SupervisorOptions {
  socketTimeoutMs: number;
  decodeThreads: number;
  stderrLines: number;
}

export interface SessionDeps {
  ffmpeg: FfmpegAdapter;
  settings: SessionSettings;
  log: Logger;
  onState(role: SessionRole, state: CameraState, reason: string | null, failure?: Failure): void;
  /** The stream's codec and size were read (on every run): live video may now pick its source. */
  onInput?(): void;
  now?: () => number;
}

export interface SessionStats {
  role: SessionRole;
  state: CameraState;
  reason: string | null;
  pid: number | null;
  restarts: number;
  input: InputStreamInfo | null;
  /** Camera frames per second (measured when the session stream-copies, else as announced). */
  inputFps: number | null;
  /** Codec of the recorded segments (null without recording): the camera's own when copied, else H.264. */
  recordedCodec: string | null;
  framesIn: number;
  framesDelivered: number;
  framesDropped: number;
  frameFps: number;
  lastFrameAt: number | null;
  frameSize: { width: number; height: number } | null;
}
