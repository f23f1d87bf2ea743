import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { AppError } from '../shared/errors.js';
import { RELAY_URL, readsUrlFromScript, type HiddenInput } from './ffmpeg.args.js';
import { SnapshotRelay } from './ffmpeg.relay.js';

/**
 * The one module that runs ffmpeg and ffprobe. It spawns `child_process` directly rather than
 * through fluent-ffmpeg: a camera session needs extra pipe file descriptors (pipe:3…) for its
 * several outputs, its own SIGTERM → SIGKILL sequence and version-specific options, none of
 * which fluent-ffmpeg (archived upstream) models; a thin wrapper is smaller than working
 * around it, and nothing outside this file knows how a process is started.
 */

export interface FfmpegVersion {
  /** Release major (5 for 5.1); derived from libavformat for git snapshot builds ("N-47683-g…"). */
  major: number;
  minor: number;
  /** libavformat major: 58 = 4.x, 59 = 5.x, 60 = 6.x, 61 = 7.x. */
  lavfMajor: number;
  text: string;
}

export interface FfmpegInfo {
  path: string;
  /** ffprobe next to ffmpeg or on PATH; the bundled static build has none. */
  ffprobePath?: string;
  source: 'config' | 'path' | 'bundled';
  version: FfmpegVersion;
  /** Camera URLs (and their credentials) stay out of ffmpeg's argument list (ffmpeg ≥ 5.0; see ffmpeg.args.ts). */
  hidesCameraUrls: boolean;
}

/**
 * Every ffmpeg dies with the server, even on `kill -9`: it is started under `setpriv
 * --pdeathsig SIGKILL` (util-linux, on every Debian), which sets the kernel's parent-death
 * signal (prctl PR_SET_PDEATHSIG, out of Node's reach) and then execs ffmpeg, so the pid is
 * ffmpeg's own. Without it an ffmpeg writing a file (a clip cut) would go on as an orphan;
 * those writing to our pipes would die of SIGPIPE anyway. Where setpriv is missing ffmpeg
 * runs as is.
 */
const SETPRIV = '/usr/bin/setpriv';
const hasSetpriv = existsSync(SETPRIV);
export function boundToParent(bin: string, args: readonly string[]): [string, string[]] {
  return hasSetpriv ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', bin, ...args]] : [bin, [...args]];
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface FfmpegProcess {
  readonly pid: number | undefined;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Extra output pipes: pipes[0] is fd 3 (ffmpeg `pipe:3`), pipes[1] fd 4, … */
  readonly pipes: Readable[];
  /** ffmpeg's stdin, when spawned with `feed` (a remux fed from Node); null otherwise. */
  readonly input: Writable | null;
  readonly exited: Promise<ExitInfo>;
  readonly hasExited: boolean;
  /** SIGTERM twice (ffmpeg then finishes its outputs), SIGKILL after graceMs. Resolves on exit. */
  terminate(graceMs: number): Promise<ExitInfo>;
  kill(signal: NodeJS.Signals): void;
}

const LAVF_TO_MAJOR: Record<number, number> = { 57: 3, 58: 4, 59: 5, 60: 6, 61: 7, 62: 8 };

/** Parses `ffmpeg -version` output. */
export function parseFfmpegVersion(text: string): FfmpegVersion {
  const lavf = /libavformat\s+(\d+)\.\s*(\d+)/.exec(text);
  const lavfMajor = lavf ? Number(lavf[1]) : 0;
  const rel = /ffmpeg version n?(\d+)\.(\d+)/i.exec(text);
  const firstLine = text.split('\n')[0] ?? '';
  if (rel) return { major: Number(rel[1]), minor: Number(rel[2]), lavfMajor, text: firstLine };
  return { major: LAVF_TO_MAJOR[lavfMajor] ?? (lavfMajor >= 59 ? 5 : 4), minor: 0, lavfMajor, text: firstLine };
}

const isExecutable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function bundledFfmpeg(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const mod = require('@ffmpeg-installer/ffmpeg') as { path?: string };
    return mod.path && isExecutable(mod.path) ? mod.path : undefined;
  } catch {
    return undefined; // package absent or no build for this platform: the caller reports what it tried
  }
}

function execText(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) reject(err);
      else resolve(`${stdout}${stderr}`);
    });
  });
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  aborted: boolean;
}

export interface ExecOptions {
  timeoutMs?: number;
  ffprobe?: boolean;
  stdin?: Uint8Array;
  maxStdout?: number;
  /** The camera input's URL, delivered off the command line (from inputArgs). */
  hidden?: HiddenInput;
  /** Kills the process (SIGKILL) when aborted: a server stopping does not wait for a clip cut. */
  signal?: AbortSignal;
}

/** What a spawn hands to ffmpeg besides its arguments, and what it cleans up after the exit. */
interface Delivery {
  argv: string[];
  stdin?: string | Uint8Array;
  release(): void;
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  /** The binary was not found (ENOENT). */
  missing: boolean;
  /** Killed because `signal` was aborted. */
  aborted: boolean;
}

export class FfmpegAdapter {
  private constructor(
    readonly info: FfmpegInfo,
    private readonly relay: SnapshotRelay,
  ) {}

  /** Resolves the binary (configured path, else PATH, else the bundled static build) and its version, once. */
  static async create(opts: { configuredPath?: string; envPath?: string } = {}): Promise<FfmpegAdapter> {
    let source: FfmpegInfo['source'];
    let bin: string | undefined;
    if (opts.configuredPath) {
      source = 'config';
      bin = opts.configuredPath.includes('/') ? opts.configuredPath : findOnPath(opts.configuredPath, opts.envPath);
    } else {
      bin = findOnPath('ffmpeg', opts.envPath);
      source = 'path';
      if (!bin) {
        bin = bundledFfmpeg();
        source = 'bundled';
      }
    }
    if (!bin) {
      throw new AppError('ffmpeg_missing', 'ffmpeg not found: install ffmpeg or set ffmpegPath (BINHYEN_FFMPEG_PATH)', 500, { field: 'ffmpegPath' });
    }
    let text: string;
    try {
      text = await execText(bin, ['-hide_banner', '-version'], 10_000);
    } catch (err) {
      throw new AppError('ffmpeg_unusable', `ffmpeg at ${bin} does not run: ${(err as Error).message}`, 500, { field: 'ffmpegPath' });
    }
    const probeBeside = path.join(path.dirname(bin), 'ffprobe');
    const ffprobePath = isExecutable(probeBeside) ? probeBeside : findOnPath('ffprobe', opts.envPath);
    const version = parseFfmpegVersion(text);
    return new FfmpegAdapter({ path: bin, ffprobePath, source, version, hidesCameraUrls: readsUrlFromScript(version) }, await SnapshotRelay.start());
  }

  /** Closes the snapshot relay (running ffmpegs lose it). */
  close(): Promise<void> {
    return this.relay.close();
  }

  /** Puts the hidden input where ffmpeg reads it: the script on stdin, the relay's address in place of RELAY_URL. */
  private deliver(args: string[], hidden: HiddenInput | undefined, onProblem: (line: string) => void, stdin?: Uint8Array): Delivery {
    if (hidden?.relayUrl) {
      const relayed = this.relay.register(hidden.relayUrl, { timeoutMs: hidden.relayTimeoutMs ?? 10_000, onProblem });
      return { argv: args.map((a) => (a === RELAY_URL ? relayed.url : a)), stdin, release: relayed.release };
    }
    return { argv: args, stdin: hidden?.script ?? stdin, release: () => undefined };
  }

  /** RTSP socket I/O timeout: `-timeout` (µs) from 5.0; in 4.x `-timeout` means listen mode and `-stimeout` is the socket timeout. */
  rtspTimeoutArgs(ms: number): string[] {
    const us = String(Math.round(ms * 1000));
    return this.info.version.lavfMajor >= 59 ? ['-timeout', us] : ['-stimeout', us];
  }

  spawn(args: string[], opts: { extraPipes?: number; hidden?: HiddenInput; feed?: boolean } = {}): FfmpegProcess {
    const extra = opts.extraPipes ?? 0;
    // The relay's reasons (camera refused, timed out) join ffmpeg's stderr, where failures are explained.
    const relayLines = opts.hidden?.relayUrl ? new PassThrough() : undefined;
    const d = this.deliver(args, opts.hidden, (line) => relayLines?.writableEnded || relayLines?.write(`\n${line}\n`));
    const stdio: ('ignore' | 'pipe')[] = [d.stdin || opts.feed ? 'pipe' : 'ignore', 'pipe', 'pipe', ...Array<'pipe'>(extra).fill('pipe')];
    const [cmd, argv] = boundToParent(this.info.path, d.argv);
    const child = spawn(cmd, argv, { stdio, windowsHide: true });
    writeStdin(child.stdin, d.stdin);
    if (relayLines) child.stderr!.pipe(relayLines);
    let exitedFlag = false;
    const exited = new Promise<ExitInfo>((resolve) => {
      // 'close' waits for the pipes too, so every byte written before exit has been read.
      child.once('close', (code, signal) => {
        exitedFlag = true;
        d.release();
        resolve({ code, signal });
      });
      child.once('error', () => {
        exitedFlag = true;
        d.release();
        resolve({ code: -1, signal: null }); // spawn failure (ENOENT, EACCES): reported as an exit
      });
    });
    const kill = (signal: NodeJS.Signals) => {
      if (!exitedFlag && child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    return {
      pid: child.pid,
      stdout: child.stdout!,
      stderr: relayLines ?? child.stderr!,
      pipes: Array.from({ length: extra }, (_, i) => child.stdio[3 + i] as Readable),
      input: opts.feed ? child.stdin : null,
      exited,
      get hasExited() {
        return exitedFlag;
      },
      kill,
      terminate: async (graceMs) => {
        kill('SIGTERM');
        // ffmpeg's first signal only ends the main loop once the current read returns, which a
        // stalled camera never does; a second one aborts the blocked read, and ffmpeg still
        // closes its outputs (the open segment is finished and listed).
        const again = setTimeout(() => kill('SIGTERM'), Math.min(300, graceMs / 4));
        const timer = setTimeout(() => kill('SIGKILL'), graceMs);
        try {
          return await exited;
        } finally {
          clearTimeout(again);
          clearTimeout(timer);
        }
      },
    };
  }

  /**
   * Runs ffmpeg (or ffprobe) to completion with a deadline: optional bytes on stdin, stdout kept
   * whole up to `maxStdout` (the process is killed beyond it), the tail of stderr.
   */
  exec(args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const bin = opts.ffprobe ? this.info.ffprobePath : this.info.path;
    if (!bin) return Promise.reject(new Error('ffprobe is not available'));
    const maxStdout = opts.maxStdout ?? 64 << 20;
    return new Promise((resolve) => {
      let stderr = '';
      const d = this.deliver(args, opts.hidden, (line) => (stderr += `\n${line}\n`), opts.stdin);
      const [cmd, argv] = boundToParent(bin, d.argv);
      const child = spawn(cmd, argv, { stdio: [d.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let size = 0;
      let timedOut = false;
      let missing = false;
      let aborted = false;
      const abort = () => {
        aborted = true;
        child.kill('SIGKILL');
      };
      if (opts.signal?.aborted) abort();
      else opts.signal?.addEventListener('abort', abort, { once: true });
      child.stdout!.on('data', (d: Buffer) => {
        size += d.length;
        if (size > maxStdout) child.kill('SIGKILL');
        else out.push(d);
      });
      // Bounded: a chatty failure cannot grow it; the last lines are what explain a failure.
      child.stderr!.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString('utf8')).slice(-64 * 1024);
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, opts.timeoutMs ?? 60_000);
      child.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') missing = true;
        stderr += e.message;
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        d.release();
        opts.signal?.removeEventListener('abort', abort);
        resolve({ code, signal, stdout: Buffer.concat(out), stderr, timedOut, missing, aborted });
      });
      writeStdin(child.stdin, d.stdin);
    });
  }

  /** exec with text output, for listings and probes. */
  async run(args: string[], opts: { timeoutMs?: number; ffprobe?: boolean; signal?: AbortSignal } = {}): Promise<RunResult> {
    const r = await this.exec(args, { ...opts, maxStdout: 4 << 20 });
    return { code: r.code, signal: r.signal, stdout: r.stdout.toString('utf8'), stderr: r.stderr, aborted: r.aborted };
  }

  /** Duration, start time and video stream of a media file (ffprobe when present, else a stream-copy pass of ffmpeg). */
  async probe(file: string, timeoutMs = 30_000): Promise<ProbeResult> {
    if (this.info.ffprobePath) {
      const r = await this.run(['-v', 'error', '-show_entries', 'format=duration,start_time:stream=codec_name,codec_type,width,height', '-of', 'json', file], {
        timeoutMs,
        ffprobe: true,
      });
      const parsed = parseProbeJson(r.stdout);
      if (parsed) return parsed;
    }
    const r = await this.run(['-hide_banner', '-nostdin', '-i', file, '-map', '0:v:0?', '-c', 'copy', '-f', 'null', '-progress', 'pipe:1', '-'], { timeoutMs });
    const times = [...r.stdout.matchAll(/out_time_us=(\d+)/g)].map((m) => Number(m[1]));
    const video = /Stream #\d+:\d+[^:]*: Video: (\w+).*?\b(\d{2,5})x(\d{2,5})\b/.exec(r.stderr);
    return {
      durationS: times.length ? Math.max(...times) / 1e6 : 0,
      startS: Number(/start: (-?[\d.]+)/.exec(r.stderr)?.[1] ?? 0),
      videoCodec: video?.[1],
      width: video ? Number(video[2]) : undefined,
      height: video ? Number(video[3]) : undefined,
    };
  }
}

/** ffmpeg may exit before reading everything (bad size, refused camera): its exit code reports that, not EPIPE. */
function writeStdin(stdin: Writable | null, data: string | Uint8Array | undefined): void {
  if (!stdin || data === undefined) return;
  stdin.on('error', () => undefined);
  stdin.end(data);
}

export interface ProbeResult {
  durationS: number;
  startS: number;
  videoCodec?: string;
  width?: number;
  height?: number;
}

function parseProbeJson(text: string): ProbeResult | undefined {
  try {
    const j = JSON.parse(text) as {
      format?: { duration?: string; start_time?: string };
      streams?: { codec_name?: string; codec_type?: string; width?: number; height?: number }[];
    };
    const durationS = Number(j.format?.duration ?? NaN);
    if (!Number.isFinite(durationS)) return undefined;
    const video = j.streams?.find((s) => s.codec_type === 'video');
    return { durationS, startS: Number(j.format?.start_time ?? 0) || 0, videoCodec: video?.codec_name, width: video?.width, height: video?.height };
  } catch {
    return undefined; // not JSON (ffprobe failed): the caller falls back to ffmpeg
  }
}
