import path from 'node:path';
import type { Logger } from '../shared/log.js';
import type { FfmpegAdapter, FfmpegProcess } from './ffmpeg.adapter.js';
import { inputArgs } from './ffmpeg.args.js';
import { Fmp4Splitter, type Fmp4Fragment } from './live.fmp4.js';
import { isH265, type LiveSubInput } from './live.substream.js';
import { TsTail } from './live.tail.js';

/**
 * Live video for browsers: the camera's recording, as ffmpeg writes it, remuxed (stream copy,
 * never transcoded) to fragmented MP4 for Media Source Extensions. No second camera session:
 * the source is the recording the camera session already writes. One remux per camera,
 * shared by all its viewers; started by the first viewer, stopped shortly after the last.
 * When the recording is H.265 (MSE cannot play it), the remux reads the camera's H.264
 * sub-stream over RTSP instead (live.substream.ts) — a second camera connection, open only
 * while someone watches and shared by all viewers the same way.
 */
export interface LiveViewer {
  init(data: Buffer): void;
  fragment(f: Fmp4Fragment): void;
}
/** What a camera's live view can be: fMP4 (from the recording, or the H.264 sub-stream), or the JPEG picture with the reason. */
export type LiveMode = 'fmp4' | 'fmp4-sub' | 'h265' | 'not_recording';

export interface LiveSourceInfo {
  isRecording(cameraId: number): boolean;
  recordedCodec(cameraId: number): string | null;
  /** The H.264 sub-stream to read when the recording is H.265 (absent: none). */
  liveSubStream?(cameraId: number): LiveSubInput | null;
  /** Tells when the above may have changed for a camera (a session started, read its codec, stopped). */
  onLiveSourceChange?(listener: (cameraId: number) => void): () => void;
}

export interface LiveHubDeps {
  ffmpeg: Pick<FfmpegAdapter, 'spawn' | 'info'>;
  recordingsDir: string;
  source: LiveSourceInfo;
  log: Logger;
  /** How often the growing segment is read (ms): part of the latency. */
  pollMs?: number;
  /** How long a remux outlives its last viewer (a page switch should not restart it). */
  idleMs?: number;
}

/**
 * One video fragment per 100 ms and per keyframe: MSE plays what it has, so short fragments
 * keep the delay low. -dts_delta_threshold 1: each segment's timestamps restart near zero
 * (-reset_timestamps in the recorder), and ffmpeg then joins them into one timeline.
 */
const QUIET = ['-hide_banner', '-loglevel', 'error'];
const FMP4_OUT = [
  '-map',
  '0:v:0',
  '-c:v',
  'copy',
  '-an',
  '-f',
  'mp4',
  '-movflags',
  'empty_moov+default_base_moof+frag_keyframe',
  '-frag_duration',
  '100000',
  '-flush_packets',
  '1',
  'pipe:1',
];
export const REMUX_ARGS = [...QUIET, '-dts_delta_threshold', '1', '-analyzeduration', '500000', '-f', 'mpegts', '-i', 'pipe:0', ...FMP4_OUT];

const MAX_GOP_FRAGMENTS = 600;

/** Someone told `mode` once, to be told again when it changes. */
interface ModeFollower {
  told: LiveMode;
  changed(mode: LiveMode): void;
}

export class LiveHub {
  private readonly streams = new Map<number, CameraLive>();
  private readonly followers = new Map<number, Set<ModeFollower>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly d: LiveHubDeps) {
    this.unsubscribe = d.source.onLiveSourceChange?.((id) => this.recheck(id)) ?? (() => undefined);
  }

  /**
   * How the camera can be watched now. Until the recording's codec is read (the first seconds
   * of a camera session) it is not known whether the recording can be played: the JPEG stands
   * in meanwhile, and followers are told once the codec is known.
   */
  mode(cameraId: number): LiveMode {
    if (!this.d.source.isRecording(cameraId)) return 'not_recording';
    const codec = this.d.source.recordedCodec(cameraId);
    if (codec === null) return 'not_recording';
    if (!isH265(codec)) return 'fmp4';
    return this.d.source.liveSubStream?.(cameraId) ? 'fmp4-sub' : 'h265';
  }

  /** Calls `changed` when the camera's mode is no longer `told` (a viewer who asked too early then asks again). */
  followMode(cameraId: number, told: LiveMode, changed: (mode: LiveMode) => void): () => void {
    const f: ModeFollower = { told, changed };
    const set = this.followers.get(cameraId) ?? new Set();
    this.followers.set(cameraId, set.add(f));
    return () => {
      set.delete(f);
      if (!set.size && this.followers.get(cameraId) === set) this.followers.delete(cameraId);
    };
  }

  /** The camera's sessions changed: a running remux switches source if needed, and followers hear of a new mode. */
  private recheck(cameraId: number): void {
    this.streams.get(cameraId)?.checkSource();
    const set = this.followers.get(cameraId);
    if (!set?.size) return;
    const mode = this.mode(cameraId);
    for (const f of [...set]) {
      if (f.told === mode) continue;
      f.told = mode;
      f.changed(mode);
    }
  }

  /** Adds a viewer (it gets the init segment and the fragments since the last keyframe at once); returns its removal. */
  watch(cameraId: number, viewer: LiveViewer): () => void {
    let s = this.streams.get(cameraId);
    if (!s) {
      s = new CameraLive(cameraId, this.d, () => this.streams.delete(cameraId));
      this.streams.set(cameraId, s);
    }
    s.add(viewer);
    return () => s.remove(viewer);
  }

  /** Running remuxes and their viewers (for the bench and diagnostics). */
  running(): { cameraId: number; viewers: number; pid: number | undefined }[] {
    return [...this.streams.values()].map((s) => ({ cameraId: s.cameraId, viewers: s.viewerCount, pid: s.pid }));
  }

  async close(): Promise<void> {
    this.unsubscribe();
    this.followers.clear();
    await Promise.all([...this.streams.values()].map((s) => s.stop()));
  }
}

/** One camera's remux: tail → ffmpeg → fragments → viewers. */
class CameraLive {
  private readonly viewers = new Set<LiveViewer>();
  private init: Buffer | null = null;
  private gop: Fmp4Fragment[] = [];
  private proc: FfmpegProcess | null = null;
  /** Whether the running remux reads the camera's sub-stream (else the recording). */
  private fromSub = false;
  /** Between a remux's stop and its successor's start (no second start from a viewer joining then). */
  private restarting = false;
  private tail: TsTail | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    readonly cameraId: number,
    private readonly d: LiveHubDeps,
    private readonly onStopped: () => void,
  ) {}

  get viewerCount(): number {
    return this.viewers.size;
  }
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  add(v: LiveViewer): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.viewers.add(v);
    if (this.init) {
      v.init(this.init);
      for (const f of this.gop) v.fragment(f);
    }
    if (!this.proc && !this.restarting) this.startRemux();
  }

  remove(v: LiveViewer): void {
    this.viewers.delete(v);
    if (this.viewers.size || this.idleTimer) return;
    this.idleTimer = setTimeout(() => void this.stop(), this.d.idleMs ?? 3_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.onStopped();
    await this.stopRemux();
  }

  /** The camera's sessions changed: restarts the remux when it reads the wrong source (e.g. the recording turned out H.265). */
  checkSource(): void {
    if (!this.proc || this.stopped) return;
    if ((this.subInput() !== null) !== this.fromSub) void this.restart();
  }

  private subInput(): LiveSubInput | null {
    return isH265(this.d.source.recordedCodec(this.cameraId)) ? (this.d.source.liveSubStream?.(this.cameraId) ?? null) : null;
  }

  private startRemux(): void {
    // Chosen at every (re)start: the recording's codec is known once the camera session runs.
    const sub = this.subInput();
    const proc = sub ? this.spawnFromCamera(sub) : this.d.ffmpeg.spawn(REMUX_ARGS, { feed: true });
    this.proc = proc;
    this.fromSub = sub !== null;
    this.init = null;
    this.gop = [];
    const splitter = new Fmp4Splitter({
      init: (data) => {
        this.init = data;
        for (const v of this.viewers) v.init(data);
      },
      fragment: (f) => {
        if (f.key) this.gop = [];
        if (this.gop.length < MAX_GOP_FRAGMENTS) this.gop.push(f);
        for (const v of this.viewers) v.fragment(f);
      },
    });
    proc.stdout.on('data', (c: Buffer) => splitter.push(c));
    const errLines: string[] = [];
    proc.stderr.on('data', (c: Buffer) => errLines.push(...c.toString('utf8').split('\n').filter(Boolean).slice(-5)));
    if (!sub) this.tailRecording(proc);
    void proc.exited.then((exit) => {
      if (this.proc !== proc || this.stopped) return;
      this.d.log.warn('live remux ended; restarting', { cameraId: this.cameraId, subStream: sub !== null, exit, stderr: errLines.slice(-5) });
      setTimeout(() => void (this.proc === proc && !this.stopped && this.restart()), 1_000);
    });
  }

  /** The H.264 sub-stream straight from the camera, stream-copied (its URL reaches ffmpeg off the command line). */
  private spawnFromCamera(sub: LiveSubInput): FfmpegProcess {
    const input = inputArgs(sub.source, sub.url, this.d.ffmpeg.info.version, { socketTimeoutMs: 10_000, decodeThreads: 1, analyzeDurationUs: 500_000 });
    return this.d.ffmpeg.spawn([...QUIET, ...input.args, ...FMP4_OUT], { hidden: input.hidden });
  }

  /** Feeds the segment being recorded into the remux as ffmpeg writes it. */
  private tailRecording(proc: FfmpegProcess): void {
    proc.input?.on('error', () => undefined); // EPIPE when ffmpeg exits first: its exit is handled by the caller
    const tail = new TsTail({
      liveDir: path.join(this.d.recordingsDir, String(this.cameraId), 'live'),
      pollMs: this.d.pollMs ?? 40,
      onData: (chunk) => proc.input?.write(chunk),
      onNewRun: () => void this.restart(),
    });
    this.tail = tail;
    tail.start();
  }

  /** The camera session restarted (new timestamps, maybe a new size): a new remux and init segment. */
  private async restart(): Promise<void> {
    if (this.restarting) return;
    this.restarting = true;
    try {
      await this.stopRemux();
    } finally {
      this.restarting = false;
    }
    if (!this.stopped && !this.proc) this.startRemux();
  }

  private async stopRemux(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    await this.tail?.stop();
    this.tail = null;
    proc?.input?.end();
    await proc?.terminate(2_000);
  }
}
