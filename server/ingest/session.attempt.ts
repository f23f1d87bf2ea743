import type { ExitInfo, FfmpegAdapter } from './ffmpeg.adapter.js';
import type { SessionArgs } from './ffmpeg.args.js';
import { ProgressParser, type ProgressReport } from './ffmpeg.progress.js';
import { explainFailure, StderrTail, type Failure } from './ffmpeg.stderr.js';
import { FramerError, Y4mFramer, type RawFrame } from './frame.framer.js';
import { JpegSplitter } from './jpeg.splitter.js';
import type { Attempt } from './session.supervisor.js';

/** One line of ffmpeg's segment list: a segment that is complete on disk. */
export interface SegmentEntry {
  /** As ffmpeg wrote it (the file name inside the live directory). */
  file: string;
  /** Output media time, seconds. */
  startS: number;
  endS: number;
  arrivedAt: number;
}

export interface AttemptHandlers {
  onFrame(raw: RawFrame): void;
  onJpeg(jpeg: Buffer): void;
  onProgress(r: ProgressReport): void;
  onSegment(e: SegmentEntry): void;
  /** The output cannot be parsed (desync): the attempt should be failed and restarted. */
  onBadOutput(err: Error): void;
  onStderrLine?(line: string): void;
  /** A filter graph was (re)built for pictures of this size (see parseGraphInputSize). */
  onVideoSize?(size: { width: number; height: number }): void;
}

export interface RunningAttempt extends Attempt {
  readonly stderr: StderrTail;
  /** A better explanation than stderr's, found after the exit (e.g. by probing the camera). */
  explainAs(failure: Failure): void;
  pauseFrames(): void;
  resumeFrames(): void;
}

/** Parses "file,start,end" lines, tolerating chunks that split a line. */
function segmentListReader(onEntry: (e: SegmentEntry) => void, now: () => number): (chunk: Buffer) => void {
  let partial = '';
  return (chunk) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = (lines.pop() ?? '').slice(-4096);
    for (const line of lines) {
      const m = /^(.*),(-?[\d.]+),(-?[\d.]+)\s*$/.exec(line);
      if (m) onEntry({ file: m[1]!.replace(/^"|"$/g, ''), startS: Number(m[2]), endS: Number(m[3]), arrivedAt: now() });
    }
  };
}

/**
 * Spawns one ffmpeg for a session and wires its pipes to the parsers. `afterExit` runs once
 * the process has exited and every pipe is drained (e.g. to index or remove a segment a
 * SIGKILL cut short) before `exited` resolves.
 */
export function launchAttempt(opts: {
  ffmpeg: FfmpegAdapter;
  built: SessionArgs;
  secrets: readonly (string | undefined)[];
  where: string;
  handlers: AttemptHandlers;
  stderrLines: number;
  now: () => number;
  afterExit?: () => Promise<void>;
}): RunningAttempt {
  const { built, handlers: h } = opts;
  const proc = opts.ffmpeg.spawn(built.args, { extraPipes: built.pipes.count, hidden: built.hidden });
  const tail = new StderrTail(opts.secrets, opts.stderrLines, h.onStderrLine, h.onVideoSize);
  proc.stderr.on('data', (d: Buffer) => tail.push(d));

  let broken = false;
  const framer = new Y4mFramer(h.onFrame);
  proc.stdout.on('data', (chunk: Buffer) => {
    if (broken) return;
    try {
      framer.push(chunk);
    } catch (err) {
      broken = true; // keep draining stdout so ffmpeg is not blocked while it is being stopped
      h.onBadOutput(err instanceof FramerError ? err : new Error(String(err)));
    }
  });
  const pipe = (fd: number | undefined) => (fd === undefined ? undefined : proc.pipes[fd - 3]);
  const progress = new ProgressParser(h.onProgress);
  pipe(built.pipes.progress)?.on('data', (d: Buffer) => progress.push(d));
  pipe(built.pipes.segments)?.on('data', segmentListReader(h.onSegment, opts.now));
  const jpegs = new JpegSplitter(h.onJpeg);
  pipe(built.pipes.jpeg)?.on('data', (d: Buffer) => jpegs.push(d));

  let override: Failure | undefined;
  const exited: Promise<ExitInfo> = proc.exited.then(async (exit) => {
    tail.flush();
    await opts.afterExit?.();
    return exit;
  });
  return {
    pid: proc.pid,
    exited,
    stderr: tail,
    terminate: async (graceMs) => {
      proc.stdout.resume(); // a paused (back-pressured) stdout would keep ffmpeg from exiting
      await proc.terminate(graceMs);
      return exited;
    },
    explain: (exit) => override ?? explainFailure(tail.tail(), opts.where, exit),
    explainAs: (f) => (override = f),
    pauseFrames: () => proc.stdout.pause(),
    resumeFrames: () => proc.stdout.resume(),
  };
}
