import type { CameraState } from '../store/camera.repository.js';
import { probeSource, silentCameraFailure } from './camera.probe.js';
import { buildSessionArgs, recordCopies } from './ffmpeg.args.js';
import type { ProgressReport } from './ffmpeg.progress.js';
import type { InputStreamInfo } from './ffmpeg.stderr.js';
import { BackpressureGate, FrameHub, type FrameSubscription } from './frame.channel.js';
import type { RawFrame } from './frame.framer.js';
import type { Frame } from '../domain/frame.js';
import { RateMeter } from './rate.meter.js';
import { launchAttempt, type RunningAttempt } from './session.attempt.js';
import { SessionSupervisor } from './session.supervisor.js';
import { describeSource, isLive, urlWithCredentials, type SourceSpec } from './stream.source.js';

/**
 * One camera stream, opened once and shared: a single supervised ffmpeg whose outputs are
 * detection frames (newest-frame delivery to any number of consumers), stream-copied
 * recording segments and a low-rate JPEG for the live wall.
 */

export type { SessionRole, SegmentSink, SessionSpec, SessionSettings, SessionDeps, SessionStats } from './stream.session.types.js';
import type { LiveSegment, SessionRole, SessionSpec, SessionDeps, SessionStats } from './stream.session.types.js';

export class StreamSession {
  private readonly hub = new FrameHub<Frame>();
  private readonly supervisor: SessionSupervisor;
  private readonly now: () => number;
  private readonly secrets: (string | undefined)[];
  private readonly where: string;
  private attempt: RunningAttempt | undefined;
  private seq = 0;
  private attemptFrames = 0;
  private attemptStartedAt = 0;
  private lastCapturedAt = 0;
  /**
   * Wall-clock time of media time 0 of the current run, estimated as the least-delayed
   * (arrival − media time) seen: from frames for capture times; for recordings from the
   * segment list alone. A segment's times are its packets' own arrival times (RTSP input runs
   * with -use_wallclock_as_timestamps), so each list line, read as it arrives, pins the
   * segment's end on the wall clock. The progress feed's out_time is never used: it is the
   * furthest output's, and the fps= filter restarts from 0 and pads up to the stream's time
   * when ffmpeg rebuilds it (a camera changing its picture), jumping by the run's uptime.
   */
  private anchorMs = Number.POSITIVE_INFINITY;
  private recordAnchorMs = Number.POSITIVE_INFINITY;
  /** Picture size the current run's filter graphs were built for; a different one means the camera changed it. */
  private attemptSize: { width: number; height: number } | undefined;
  private lastRunSize: { width: number; height: number } | undefined;
  private changing = false;
  private inputRead = false;
  private lastProgressFrame = 0;
  private readonly frameRate = new RateMeter();
  private readonly inputRate = new RateMeter();
  private inputFrames = 0;
  private jpegWaiters: ((j: { jpeg: Buffer; at: number }) => void)[] = [];
  private started = false;
  private stopping = false;
  input: InputStreamInfo | undefined;
  latestJpeg: { jpeg: Buffer; at: number } | undefined;
  lastFrameAt: number | undefined;
  frameSize: { width: number; height: number } | undefined;
  framesIn = 0;

  constructor(
    private readonly spec: SessionSpec,
    private readonly deps: SessionDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.secrets = [spec.credentials?.password, spec.credentials?.username];
    this.where = describeSource(spec.source);
    this.supervisor = new SessionSupervisor(
      () => this.launch(),
      {
        ...deps.settings,
        endIsFinal: spec.source.kind === 'file' && !spec.source.loop,
      },
      {
        where: this.where,
        now: this.now,
        onState: (state, reason, failure) => {
          if (state === 'stopped' && reason === 'end of file') (this.gate ?? this.hub).end();
          deps.onState(spec.role, state, reason, failure);
        },
        onlineReason: () => this.onlineReason(),
        isPaused: () => this.gate?.paused ?? false,
        probe: probeSource(spec.source, 0) ? () => probeSource(spec.source, this.probeTimeoutMs())! : undefined,
        onProbeAnswered: () => deps.log.info('the camera answers again: restarting its stream now', { cameraId: spec.cameraId, role: spec.role }),
      },
    );
    if (spec.backpressure) {
      this.gate = new BackpressureGate(this.hub, { pause: () => this.attempt?.pauseFrames(), resume: () => this.attempt?.resumeFrames() });
    }
  }

  get role(): SessionRole {
    return this.spec.role;
  }
  get state(): CameraState {
    return this.supervisor.state;
  }
  get reason(): string | null {
    return this.supervisor.reason;
  }
  get pid(): number | undefined {
    return this.supervisor.pid;
  }
  get restarts(): number {
    return this.supervisor.restarts;
  }
  /** Masked last lines of ffmpeg's stderr, for diagnostics. */
  stderrTail(): string[] {
    return this.attempt?.stderr.tail() ?? this.lastTail;
  }
  private lastTail: string[] = [];
  private readonly gate: BackpressureGate<Frame> | undefined;

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    await this.spec.record?.sink.prepare();
    this.supervisor.start();
  }

  /** The segment this session is recording now (none when it does not record). */
  recordingHead(until?: number): Promise<LiveSegment | undefined> {
    return this.spec.record?.sink.head(until) ?? Promise.resolve(undefined);
  }

  /** Stops ffmpeg (SIGTERM, then SIGKILL), waits for the last segment to be indexed, ends every frame subscription. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.supervisor.stop();
    await this.spec.record?.sink.flush();
    this.hub.end();
    for (const w of this.jpegWaiters.splice(0)) w({ jpeg: Buffer.alloc(0), at: 0 });
  }

  /** Newest-frame subscription; ends when the session stops. */
  frames(): FrameSubscription<Frame> {
    return this.hub.subscribe();
  }

  /** The next JPEG produced after this call, or undefined after timeoutMs. */
  nextJpeg(timeoutMs: number): Promise<{ jpeg: Buffer; at: number } | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.jpegWaiters = this.jpegWaiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs);
      const waiter = (j: { jpeg: Buffer; at: number }) => {
        clearTimeout(timer);
        resolve(j.jpeg.length ? j : undefined);
      };
      this.jpegWaiters.push(waiter);
    });
  }

  stats(): SessionStats {
    const now = this.now();
    const measured = this.spec.record && this.inputFrames > 0 ? this.inputRate.rate(now) : null;
    return {
      role: this.spec.role,
      state: this.supervisor.state,
      reason: this.supervisor.reason,
      pid: this.supervisor.pid ?? null,
      restarts: this.supervisor.restarts,
      input: this.input ?? null,
      inputFps: measured ?? this.input?.fps ?? null,
      recordedCodec: this.recordedCodec(),
      framesIn: this.framesIn,
      framesDelivered: this.hub.delivered,
      framesDropped: this.hub.dropped,
      frameFps: this.frameRate.rate(now),
      lastFrameAt: this.lastFrameAt ?? null,
      frameSize: this.frameSize ?? null,
    };
  }

  /** This stream for a second, on-demand reader (live video from the sub-stream): source, URL with credentials, codec read. */
  liveInput(): { source: SourceSpec; url: string; codec: string | null } {
    const url = 'url' in this.spec.source ? urlWithCredentials(this.spec.source.url, this.spec.credentials) : '';
    return { source: this.spec.source, url, codec: this.input?.codec ?? null };
  }

  private recordedCodec(): string | null {
    if (!this.spec.record) return null;
    return recordCopies(this.spec.source, this.spec.record) ? (this.input?.codec ?? null) : 'h264';
  }

  private onlineReason(): string | null {
    const codec = this.recordedCodec();
    if (codec === 'hevc' || codec === 'h265') {
      return 'H.265 (HEVC) stream: recorded, but browsers cannot play it; download clips to watch them';
    }
    return null;
  }

  private launch(): RunningAttempt {
    const s = this.deps.settings;
    const prefix = String(this.now());
    const url = 'url' in this.spec.source ? urlWithCredentials(this.spec.source.url, this.spec.credentials) : '';
    const built = buildSessionArgs(
      this.spec.source,
      url,
      {
        frames: this.spec.frames,
        jpeg: this.spec.jpeg,
        record: this.spec.record && {
          liveDir: this.spec.record.sink.liveDir,
          filePrefix: prefix,
          segmentSeconds: this.spec.record.segmentSeconds,
          blackout: this.spec.record.blackout,
        },
      },
      this.deps.ffmpeg.info.version,
      { socketTimeoutMs: s.socketTimeoutMs, decodeThreads: s.decodeThreads },
    );
    this.attemptFrames = 0;
    this.attemptStartedAt = this.now();
    this.anchorMs = Number.POSITIVE_INFINITY;
    this.recordAnchorMs = Number.POSITIVE_INFINITY;
    this.lastProgressFrame = 0;
    this.attemptSize = undefined;
    this.changing = false;
    this.inputRead = false;
    this.inputRate.reset();
    const sink = this.spec.record?.sink;
    const attempt = launchAttempt({
      ffmpeg: this.deps.ffmpeg,
      built,
      secrets: this.secrets,
      where: this.where,
      stderrLines: s.stderrLines,
      now: this.now,
      handlers: {
        onFrame: (raw) => this.onFrame(raw),
        onJpeg: (jpeg) => this.onJpeg(jpeg),
        onProgress: (r) => this.onProgress(r),
        onSegment: (e) => {
          this.recordAnchorMs = Math.min(this.recordAnchorMs, e.arrivedAt - e.endS * 1000);
          sink?.segmentDone(e, prefix, this.recordAnchorMs);
        },
        onBadOutput: (err) => this.supervisor.fail({ code: 'bad_data', fatal: false, message: `unreadable frames from ffmpeg (${err.message})` }),
        onStderrLine: (line) => this.onStderrLine(line),
        onVideoSize: (size) => this.onVideoSize(size),
      },
      afterExit: async () => {
        this.lastTail = attempt.stderr.tail();
        await this.diagnoseSilence(attempt);
        if (this.attempt === attempt) this.attempt = undefined;
        await sink?.attemptEnded(prefix);
      },
    });
    this.attempt = attempt;
    this.deps.log.debug('ffmpeg started', { cameraId: this.spec.cameraId, role: this.spec.role, pid: attempt.pid });
    return attempt;
  }

  private probeTimeoutMs(): number {
    return Math.min(this.deps.settings.socketTimeoutMs, 3000);
  }

  /** A run that ended unreadable before any stream was seen: did the camera send anything at all? */
  private async diagnoseSilence(attempt: RunningAttempt): Promise<void> {
    if (this.stopping || attempt.stderr.input || attempt.explain({ code: 1, signal: null }).code !== 'bad_data') return;
    const silent = await silentCameraFailure(this.spec.source, this.where, this.probeTimeoutMs());
    if (silent) attempt.explainAs(silent);
  }

  private onStderrLine(line: string): void {
    const input = this.attempt?.stderr.input;
    if (!this.inputRead && input) {
      // Read anew on every run: after a restart the camera may send another codec or size.
      this.inputRead = true;
      if (this.input && this.input.codec !== input.codec) {
        this.deps.log.warn('camera changed its video codec', { cameraId: this.spec.cameraId, role: this.spec.role, from: this.input.codec, to: input.codec });
      }
      this.input = input;
      this.supervisor.refreshOnlineReason();
      this.deps.onInput?.();
    }
    if (/error|fail|refused|unauthori[sz]ed|timed out/i.test(line)) {
      this.deps.log.debug('ffmpeg', { cameraId: this.spec.cameraId, role: this.spec.role, line });
    }
  }

  /**
   * Frame k of a run is at media time k/fps (fps= with start_time=0 is constant-rate from the
   * run's first packet). Live sources: capture time = anchor + media time, the anchor being the
   * least-delayed estimate of when media time 0 was on the wall clock, so frames that arrive in
   * a burst (after probing, after a hiccup) keep their real capture times. Offline files run
   * faster than real time: their media time is laid on the wall clock from the run's start.
   */
  /**
   * ffmpeg copes with a new picture size by rebuilding its filters: detection frames keep the
   * old size (squashed into the old aspect ratio), the fps= filter pads from 0 in a burst and
   * its clock jumps. A clean restart rebuilds every output for the new stream, and the camera
   * says so (state "restarting" with the reason, then "online") instead of drifting silently.
   */
  private onVideoSize(size: { width: number; height: number }): void {
    const was = this.attemptSize;
    if (!was) {
      // A new run after a reconnect: only say so (its outputs are built for the new picture).
      const last = this.lastRunSize;
      if (last && (last.width !== size.width || last.height !== size.height)) {
        this.deps.log.warn('camera changed its picture size', { cameraId: this.spec.cameraId, role: this.spec.role, from: last, to: size });
      }
      this.attemptSize = size;
      this.lastRunSize = size;
      return;
    }
    if (this.changing || (was.width === size.width && was.height === size.height)) return;
    this.changing = true;
    this.input = { ...(this.input ?? { codec: 'unknown' }), width: size.width, height: size.height };
    this.deps.log.warn('camera changed its picture size: restarting its stream', { cameraId: this.spec.cameraId, role: this.spec.role, from: was, to: size });
    this.supervisor.restart(`the camera changed its picture from ${was.width}×${was.height} to ${size.width}×${size.height}: restarting the stream`);
  }

  private onFrame(raw: RawFrame): void {
    // Frames after a picture change are rescaled into the old size and padded: not evidence.
    if (this.changing) return;
    const now = this.now();
    const fps = this.spec.frames?.fps ?? 1;
    const mediaMs = (this.attemptFrames * 1000) / fps;
    let capturedAt: number;
    if (isLive(this.spec.source)) {
      this.anchorMs = Math.min(this.anchorMs, now - mediaMs);
      // The anchor only improves (moves earlier): meanwhile keep capture times from going back.
      capturedAt = Math.min(now, Math.max(this.lastCapturedAt, Math.round(this.anchorMs + mediaMs)));
    } else {
      capturedAt = this.attemptStartedAt + Math.round(mediaMs);
    }
    const media = this.spec.source.kind === 'file' || this.spec.source.kind === 'lavfi';
    const mediaTime = media ? mediaMs / 1000 : undefined;
    this.lastCapturedAt = capturedAt;
    this.attemptFrames++;
    this.framesIn++;
    this.lastFrameAt = now;
    this.frameSize = { width: raw.width, height: raw.height };
    this.frameRate.record(this.framesIn, now);
    this.supervisor.activity();
    const frame: Frame = { cameraId: this.spec.cameraId, seq: this.seq++, capturedAt, mediaTime, width: raw.width, height: raw.height, data: raw.data };
    if (this.gate) this.gate.push(frame);
    else this.hub.publish(frame);
  }

  private onJpeg(jpeg: Buffer): void {
    const j = { jpeg, at: this.now() };
    this.latestJpeg = j;
    if (!this.spec.frames) this.supervisor.activity();
    for (const w of this.jpegWaiters.splice(0)) w(j);
  }

  private onProgress(r: ProgressReport): void {
    const now = this.now();
    if (r.frame > this.lastProgressFrame) {
      this.inputFrames += r.frame - this.lastProgressFrame;
      this.lastProgressFrame = r.frame;
      this.inputRate.record(this.inputFrames, now);
      // Without a frames output, advancing progress is the only sign of life.
      if (!this.spec.frames) this.supervisor.activity();
    }
  }
}
