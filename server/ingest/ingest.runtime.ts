import path from 'node:path';
import type { DetectConfig, IngestConfig, RecordConfig } from '../config/config.schema.js';
import type { Bus } from '../shared/bus.js';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { CameraRecord, CameraRepository, CameraState } from '../store/camera.repository.js';
import type { RecordingRepository } from '../store/recording.repository.js';
import type { TestFrame } from './ffmpeg.grab.js';
import type { FfmpegAdapter } from './ffmpeg.adapter.js';
import type { FrameSubscription } from './frame.channel.js';
import type { Frame } from '../domain/frame.js';
import { blackoutRects } from '../domain/camera.settings.privacy.js';
import { pickLiveSubStream, type LiveSubInput } from './live.substream.js';
import { ProcSampler } from './proc.sampler.js';
import { SegmentRecorder } from './segment.recorder.js';
import type { LiveSegment } from './stream.session.types.js';
import { StreamSession, type SessionRole, type SessionSettings, type SessionSpec, type SessionStats } from './stream.session.js';
import { isLive, sourceFromStream, type Credentials, type SourceSpec } from './stream.source.js';
import { cameraStats, combineStates, type CameraIngestStats } from './camera.stats.js';

/**
 * Runs ingest for every started camera: one StreamSession per camera stream (a camera with a
 * sub-stream gets a detect session for frames and the live JPEG, and a record session on its
 * main stream; a camera with one stream gets one session doing all three), continuous
 * recording into the data directory, and the camera's state in the database and on the bus.
 */

export interface IngestRuntimeDeps {
  ffmpeg: FfmpegAdapter;
  cameras: Pick<CameraRepository, 'setState'>;
  recordings: RecordingRepository;
  bus: Bus;
  log: Logger;
  dataDir: string;
  detect: Pick<DetectConfig, 'fps' | 'width'>;
  record: Pick<RecordConfig, 'enabled' | 'segmentSeconds'>;
  ingest: IngestConfig;
  /** Called after a segment is indexed (the retention service checks the quota). */
  onSegmentIndexed?: () => void;
  now?: () => number;
}

/** Overrides for tools and tests: a source other than the camera's stored stream URLs. */
export interface StartOptions {
  source?: SourceSpec;
  recordSource?: SourceSpec;
  /** Pause ffmpeg while consumers are busy instead of dropping frames (offline analysis of files). */
  backpressure?: boolean;
}

interface Running {
  camera: CameraRecord;
  sessions: Map<SessionRole, StreamSession>;
  /** A session records into the camera's folder (its recorder reconciles that tree). */
  recording: boolean;
  state: { state: CameraState; reason: string | null };
  stateWrites: Promise<void>;
}

export const recordingsDirOf = (dataDir: string) => path.join(dataDir, 'recordings');

export class IngestRuntime {
  private readonly running = new Map<number, Running>();
  private readonly starting = new Map<number, Promise<void>>();
  private readonly sampler = new ProcSampler();
  private readonly startListeners = new Set<(camera: CameraRecord) => void>();
  private readonly liveSourceListeners = new Set<(cameraId: number) => void>();
  private bytesCache: { at: number; bytes: Map<number, number> } | undefined;
  readonly recordingsDir: string;
  private readonly now: () => number;

  constructor(private readonly d: IngestRuntimeDeps) {
    this.recordingsDir = recordingsDirOf(d.dataDir);
    this.now = d.now ?? Date.now;
  }

  /** Starts a camera, or restarts it (its previous frame subscriptions end). */
  start(camera: CameraRecord, credentials?: Credentials | null, opts: StartOptions = {}): Promise<void> {
    const prev = this.starting.get(camera.id) ?? Promise.resolve();
    const next = prev.then(() => this.startNow(camera, credentials ?? undefined, opts));
    // The chain only orders starts and stops; the caller gets this start's error through `next`.
    this.starting.set(
      camera.id,
      next.catch(() => undefined),
    );
    return next;
  }

  async stop(cameraId: number): Promise<void> {
    await this.starting.get(cameraId);
    await this.stopNow(cameraId);
  }

  private async stopNow(cameraId: number): Promise<void> {
    const r = this.running.get(cameraId);
    if (!r) return;
    await Promise.all([...r.sessions.values()].map((s) => s.stop()));
    this.running.delete(cameraId);
    this.liveSourceChanged(cameraId);
    await r.stateWrites;
  }

  /** Stops every ffmpeg (SIGTERM, then SIGKILL) and indexes the segments they close. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }

  isRunning(cameraId: number): boolean {
    return this.running.has(cameraId);
  }

  /** Whether the camera runs with recording on: from its start until its recorder has stopped. */
  isRecording(cameraId: number): boolean {
    return this.running.get(cameraId)?.recording ?? false;
  }

  /**
   * Called when what live video can show of a camera may have changed: a session changed state,
   * read its stream's codec, or the camera stopped (the live hub re-decides then: live.remux.ts).
   */
  onLiveSourceChange(listener: (cameraId: number) => void): () => void {
    this.liveSourceListeners.add(listener);
    return () => this.liveSourceListeners.delete(listener);
  }

  private liveSourceChanged(cameraId: number): void {
    for (const l of this.liveSourceListeners) l(cameraId);
  }

  /** Called whenever a camera (re)starts, e.g. to subscribe its detection pipeline to the new frames. */
  onStart(listener: (camera: CameraRecord) => void): () => void {
    this.startListeners.add(listener);
    return () => this.startListeners.delete(listener);
  }

  /** Newest-frame subscription for detection; ends when the camera stops or restarts. */
  frames(cameraId: number): FrameSubscription<Frame> {
    const s = this.frameSession(cameraId);
    if (!s) throw new AppError('camera_not_running', `camera ${cameraId} is not running`, 409, { params: { cameraId } });
    return s.frames();
  }

  /** The segment a camera is recording right now, readable up to its last write (clips end in it before it closes). */
  recordingHead(cameraId: number, until?: number): Promise<LiveSegment | undefined> {
    const r = this.running.get(cameraId);
    return (r?.sessions.get('record') ?? r?.sessions.get('main'))?.recordingHead(until) ?? Promise.resolve(undefined);
  }

  /** The codec written to the recording (null when not recording or not known yet): H.265 cannot go to browsers. */
  recordedCodec(cameraId: number): string | null {
    const r = this.running.get(cameraId);
    return (r?.sessions.get('record') ?? r?.sessions.get('main'))?.stats().recordedCodec ?? null;
  }

  /**
   * The H.264 sub-stream live video reads while someone watches, when the recording is H.265
   * (live.substream.ts says when): the detect stream of a camera that records a separate main stream.
   */
  liveSubStream(cameraId: number): LiveSubInput | null {
    const r = this.running.get(cameraId);
    const detect = r?.sessions.get('detect');
    if (!r || !detect || !r.sessions.has('record')) return null;
    const input = detect.liveInput();
    return pickLiveSubStream({
      ...input,
      recordedCodec: this.recordedCodec(cameraId),
      subCodec: input.codec ?? r.camera.streams.detect.codec,
      burnedMasks: blackoutRects(r.camera.settings.privacyMasks ?? [], 'staff').length > 0,
    });
  }

  /** Latest live-wall JPEG (the LiveFeed of the camera routes). */
  latestJpeg(cameraId: number): { jpeg: Buffer; at: number } | undefined {
    return this.frameSession(cameraId)?.latestJpeg;
  }

  /** Masked last lines of ffmpeg's output per session, for diagnostics. */
  diagnostics(cameraId: number): { role: SessionRole; state: CameraState; reason: string | null; stderr: string[] }[] {
    const r = this.running.get(cameraId);
    return r ? [...r.sessions.values()].map((s) => ({ role: s.role, state: s.state, reason: s.reason, stderr: s.stderrTail() })) : [];
  }

  /**
   * A frame from the running session (no second RTSP session): the next live JPEG, with the
   * camera stream's own resolution, frame rate and codec. Undefined when not running.
   */
  async grabTestFrame(cameraId: number, stream: 'detect' | 'record' = 'detect', timeoutMs = 10_000): Promise<TestFrame | undefined> {
    const r = this.running.get(cameraId);
    if (!r) return undefined;
    const jpegSession = this.frameSession(cameraId);
    const info = stream === 'record' ? (r.sessions.get('record') ?? jpegSession) : jpegSession;
    if (!jpegSession || !info) return undefined;
    const latest = jpegSession.latestJpeg;
    const fresh = latest && this.now() - latest.at < 3000 ? latest : await jpegSession.nextJpeg(timeoutMs);
    if (!fresh) return undefined;
    const st = info.stats();
    return {
      jpeg: fresh.jpeg,
      at: fresh.at,
      source: 'running',
      width: st.input?.width ?? st.frameSize?.width ?? 0,
      height: st.input?.height ?? st.frameSize?.height ?? 0,
      fps: st.inputFps,
      codec: st.input?.codec ?? null,
    };
  }

  async stats(): Promise<CameraIngestStats[]> {
    const bytes = await this.recordingBytes();
    const out: CameraIngestStats[] = [];
    for (const [id, r] of this.running) {
      const sessions: (SessionStats & { cpuPercent: number | null; rssBytes: number | null })[] = [];
      for (const s of r.sessions.values()) {
        const usage = await this.sampler.sample(s.pid);
        sessions.push({ ...s.stats(), cpuPercent: usage?.cpuPercent ?? null, rssBytes: usage?.rssBytes ?? null });
      }
      out.push(cameraStats(id, r.state, sessions, bytes.get(id) ?? 0));
    }
    this.sampler.retain([...this.running.values()].flatMap((r) => [...r.sessions.values()].map((s) => s.pid ?? 0)));
    return out;
  }

  /** Disk use per camera: a SUM over the whole index, so cached for a while (stats are polled). */
  private async recordingBytes(): Promise<Map<number, number>> {
    const now = this.now();
    if (!this.bytesCache || now - this.bytesCache.at > 15_000) this.bytesCache = { at: now, bytes: await this.d.recordings.bytesByCamera() };
    return this.bytesCache.bytes;
  }

  private frameSession(cameraId: number): StreamSession | undefined {
    const r = this.running.get(cameraId);
    return r?.sessions.get('main') ?? r?.sessions.get('detect');
  }

  private async startNow(camera: CameraRecord, credentials: Credentials | undefined, opts: StartOptions): Promise<void> {
    await this.stopNow(camera.id);
    const r: Running = { camera, sessions: new Map(), recording: false, state: { state: 'stopped', reason: null }, stateWrites: Promise.resolve() };
    const sources = await this.sourcesOf(r, opts);
    this.buildSessions(r, credentials, opts, sources, camera.settings.recording.enabled);
    this.running.set(camera.id, r);
    try {
      await Promise.all([...r.sessions.values()].map((s) => s.start()));
    } catch (err) {
      // E.g. the recordings directory cannot be created: nothing half-started stays behind.
      await Promise.all([...r.sessions.values()].map((s) => s.stop()));
      this.running.delete(camera.id);
      await this.failStart(r, `could not start: ${(err as Error).message}`);
      throw err;
    }
    for (const fn of this.startListeners) fn(camera);
  }

  /** The detect stream, and the record stream when it is a different one (a sub-stream camera). */
  private async sourcesOf(r: Running, opts: StartOptions): Promise<{ detect: SourceSpec; record?: SourceSpec }> {
    const { streams } = r.camera;
    try {
      const defaults = { transport: this.d.ingest.rtspTransport, snapshotFps: this.d.ingest.snapshotFps };
      const detect = opts.source ?? sourceFromStream(streams.detect, defaults);
      const record =
        opts.recordSource ?? (streams.record && streams.record.url !== streams.detect.url ? sourceFromStream(streams.record, defaults) : undefined);
      return { detect, record };
    } catch (err) {
      await this.failStart(r, err instanceof AppError ? err.message : 'invalid stream settings');
      throw err;
    }
  }

  private async failStart(r: Running, reason: string): Promise<void> {
    this.setCameraState(r, 'offline', reason);
    await r.stateWrites;
  }

  /** One session per stream: frames + live JPEG (+ recording when it is the same stream). */
  private buildSessions(
    r: Running,
    credentials: Credentials | undefined,
    opts: StartOptions,
    src: { detect: SourceSpec; record?: SourceSpec },
    recordEnabled: boolean,
  ): void {
    const cameraId = r.camera.id;
    const recorder =
      this.d.record.enabled && recordEnabled && isLive(src.record ?? src.detect)
        ? new SegmentRecorder(
            {
              recordings: this.d.recordings,
              ffmpeg: this.d.ffmpeg,
              log: this.d.log,
              recordingsDir: this.recordingsDir,
              onIndexed: () => this.d.onSegmentIndexed?.(),
            },
            cameraId,
          )
        : undefined;
    // "Hide from everyone" privacy masks are burned into the recording and the live JPEG.
    const blackout = blackoutRects(r.camera.settings.privacyMasks ?? [], 'staff');
    const burn = blackout.length ? blackout : undefined;
    const record = recorder && { sink: recorder, segmentSeconds: this.d.record.segmentSeconds, blackout: burn };
    r.recording = recorder !== undefined;
    const frames = { fps: this.d.detect.fps, width: this.d.detect.width };
    const ing = this.d.ingest;
    const jpeg = { fps: ing.liveJpegFps, width: ing.liveJpegWidth, quality: ing.liveJpegQuality, blackout: burn };
    const make = (role: SessionRole, source: SourceSpec, parts: Pick<SessionSpec, 'frames' | 'jpeg' | 'record'>) =>
      new StreamSession(
        { cameraId, role, source, credentials, backpressure: opts.backpressure, ...parts },
        {
          ffmpeg: this.d.ffmpeg,
          settings: this.sessionSettings(),
          log: this.d.log.child(`ingest:${cameraId}`),
          now: this.now,
          onState: () => this.onSessionState(r),
          onInput: () => this.liveSourceChanged(cameraId),
        },
      );
    if (src.record) {
      r.sessions.set('detect', make('detect', src.detect, { frames, jpeg }));
      if (record) r.sessions.set('record', make('record', src.record, { record }));
    } else {
      r.sessions.set('main', make('main', src.detect, { frames, jpeg, record }));
    }
  }

  private sessionSettings(): SessionSettings {
    const i = this.d.ingest;
    return {
      stallTimeoutMs: i.stallTimeoutMs,
      startTimeoutMs: i.startTimeoutMs,
      backoffInitialMs: i.backoffInitialMs,
      backoffMaxMs: i.backoffMaxMs,
      healthyResetMs: i.healthyResetMs,
      offlineAfterFailures: i.offlineAfterFailures,
      killGraceMs: i.killGraceMs,
      socketTimeoutMs: i.socketTimeoutMs,
      decodeThreads: i.decodeThreads,
      stderrLines: i.stderrLines,
      probeIntervalMs: i.probeIntervalMs,
    };
  }

  private onSessionState(r: Running): void {
    const sessions = [...r.sessions.values()];
    const combined = combineStates(
      sessions.map((s) => ({ role: s.role, state: s.state, reason: s.reason })),
      sessions.length > 1,
    );
    this.setCameraState(r, combined.state, combined.reason);
    this.liveSourceChanged(r.camera.id);
  }

  private setCameraState(r: Running, state: CameraState, reason: string | null): void {
    if (r.state.state === state && r.state.reason === reason) return;
    r.state = { state, reason };
    const at = this.now();
    const id = r.camera.id;
    this.d.bus.emit('camera.state', { cameraId: id, state, reason, at });
    const level = state === 'offline' || state === 'stalled' ? 'warn' : 'info';
    this.d.log[level](`camera ${id} ${state}`, reason ? { cameraId: id, reason } : { cameraId: id });
    // Written in order, one at a time; a failed write is logged and does not block later ones.
    r.stateWrites = r.stateWrites
      .then(() => this.d.cameras.setState(id, state, reason, at))
      .catch((err: unknown) => this.d.log.error('could not store camera state', { cameraId: id, state, err }));
  }
}
