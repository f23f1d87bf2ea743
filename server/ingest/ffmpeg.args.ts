import path from 'node:path';
import { AppError } from '../shared/errors.js';
import type { FfmpegVersion } from './ffmpeg.adapter.js';
import type { RelRect } from '../domain/camera.settings.privacy.js';
import { withBlackout } from './ffmpeg.blackout.js';
import { canCopyToSegments, isLive, type SourceSpec } from './stream.source.js';

/**
 * Pure argument builders for one camera-stream session: one input, up to three outputs
 * (recording segments, detection frames, live JPEGs) and a progress feed. Kept free of I/O
 * so every option can be unit-tested against both ffmpeg 4.x and 5.x.
 */

export interface RecordOutput {
  /** Directory ffmpeg writes the segment being recorded into. */
  liveDir: string;
  /** Unique per ffmpeg run, so a restart never overwrites the previous run's files. */
  filePrefix: string;
  segmentSeconds: number;
  /** "Hide from everyone" privacy masks: burned in, so the recording is re-encoded (H.264). */
  blackout?: RelRect[];
}
export interface FramesOutput {
  fps: number;
  width: number;
}
export interface JpegOutput {
  fps: number;
  width: number;
  quality: number;
  /** "Hide from everyone" privacy masks, drawn before scaling. */
  blackout?: RelRect[];
}
export interface SessionOutputs {
  record?: RecordOutput;
  frames?: FramesOutput;
  jpeg?: JpegOutput;
}

export interface InputOptions {
  socketTimeoutMs: number;
  /** Decoder threads: 1 keeps many cameras from each spawning a thread per core. */
  decodeThreads: number;
  /** How long ffmpeg analyses the stream before starting (µs); ffmpeg's default when absent. */
  analyzeDurationUs?: number;
}

/** File descriptors of the extra pipes (3 and up); stdout (1) carries frames. */
export interface PipeLayout {
  progress: number;
  segments?: number;
  jpeg?: number;
  count: number;
}

export interface SessionArgs extends InputArgs {
  pipes: PipeLayout;
}

const SEGMENT_EXT = '.ts';
export const segmentPattern = (o: RecordOutput) => path.join(o.liveDir, `${o.filePrefix}-%06d${SEGMENT_EXT}`);

/**
 * Protocols a camera URL may make ffmpeg use: network only, so a URL (or a playlist or SDP
 * it serves) can never make ffmpeg read a local file. The same lists for the long-running
 * session and the one-shot grab.
 */
export const CAMERA_PROTOCOLS = {
  rtsp: 'rtsp,rtsps,rtp,srtp,udp,tcp,tls,http,https',
  http: 'http,https,tcp,tls',
} as const;

/**
 * How a camera's URL reaches ffmpeg without showing in its argument list, which every local
 * user can read (`ps`, /proc/<pid>/cmdline) while /proc/<pid>/fd and environ are the owner's
 * alone. The URL may carry credentials (user:password@, or ?user=…&password=… on cheap cameras).
 *
 * RTSP and MJPEG: ffmpeg reads an ffconcat script naming the URL from its stdin (`-f concat -i
 * pipe:0`); the script's `option` lines (libavformat 59, ffmpeg 5.0) give the camera input its
 * transport and timeouts. ffmpeg still opens the camera itself, so its own RTSP/HTTP Basic and
 * Digest authentication and its stream copy are untouched, and no byte of video passes through
 * Node: on this machine the first frame came as fast, and ffmpeg's CPU for a 1080p25 stream was
 * the same with and without the script (README, security). An in-process RTSP relay would have
 * copied every packet, needed its own Digest and interleaved-RTP parser, and could not follow
 * UDP transport. Older ffmpeg (the bundled static build) has no `option` line: there the URL
 * stays on the command line, and the server says so at start.
 *
 * HTTP snapshot cameras: image2 must be forced (with -loop, it fetches the URL once per frame),
 * which a concat script cannot do, so ffmpeg fetches a one-time loopback address of the
 * adapter's snapshot relay (ffmpeg.relay.ts), which adds the credentials. Snapshots are small
 * and few (≤ 10 per second): the relay costs next to nothing.
 */
export interface HiddenInput {
  /** Written to ffmpeg's stdin, which is then closed. */
  script?: string;
  /** Fetched through the snapshot relay: the argument RELAY_URL stands for the relay's address. */
  relayUrl?: string;
  /** The relay's wait for the camera. */
  relayTimeoutMs?: number;
}

export interface InputArgs {
  args: string[];
  hidden?: HiddenInput;
}

/** Replaced at spawn by the relay address; a NUL cannot reach argv, so a forgotten one fails loudly. */
export const RELAY_URL = '\0snapshot-relay';

/** Whether this ffmpeg takes the camera URL from a concat script (see HiddenInput). */
export const readsUrlFromScript = (v: FfmpegVersion): boolean => v.lavfMajor >= 59;

/** One ffconcat token: quoted, apostrophes escaped, control characters refused (they would start a new directive). */
function concatToken(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s)) throw new AppError('invalid_stream_url', 'stream URL contains control characters', 400, { field: 'streams.url' });
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** The ffconcat script for one network input and the options its demuxer is opened with. */
export function concatScript(url: string, options: Record<string, string>): string {
  const lines = ['ffconcat version 1.0', `file ${concatToken(url)}`, ...Object.entries(options).map(([k, v]) => `option ${k} ${concatToken(v)}`)];
  return lines.join('\n') + '\n';
}

/** Options placed before -i for the source; `url` carries the credentials when the camera needs them. */
export function inputArgs(src: SourceSpec, url: string, v: FfmpegVersion, o: InputOptions): InputArgs {
  const timeoutUs = String(Math.round(o.socketTimeoutMs * 1000));
  const threads = ['-threads', String(o.decodeThreads)];
  const analyze: Record<string, string> = o.analyzeDurationUs === undefined ? {} : { analyzeduration: String(o.analyzeDurationUs) };
  const outerAnalyze = o.analyzeDurationUs === undefined ? [] : ['-analyzeduration', String(o.analyzeDurationUs)];
  // Through a script, the camera's own demuxer takes `inner`; the concat input on top of it takes `outer`.
  const viaScript = (protocols: string, inner: Record<string, string>, outer: string[]): InputArgs => ({
    args: ['-f', 'concat', '-safe', '0', '-protocol_whitelist', `pipe,${protocols}`, ...outer, ...outerAnalyze, ...threads, '-i', 'pipe:0'],
    hidden: { script: concatScript(url, { ...inner, ...analyze }) },
  });
  switch (src.kind) {
    case 'rtsp': {
      // 5.x: -timeout is the socket I/O timeout in µs; in 4.x it means "listen" and -stimeout is the timeout.
      const timeout = v.lavfMajor >= 59 ? 'timeout' : 'stimeout';
      const robust = {
        rtsp_transport: src.transport,
        [timeout]: timeoutUs,
        // Camera clocks jump; wall-clock timestamps keep fps= from inventing or dropping frames.
        // Stamped by the camera's own demuxer, as packets arrive: the concat input on top of it
        // would stamp the packets its probing had buffered all at once.
        use_wallclock_as_timestamps: '1',
        fflags: '+genpts+discardcorrupt',
        // Do not read ~2 s of frames to estimate a frame rate nothing here uses (the timestamps
        // are wall-clock): the first frame arrives about 1.5 s sooner after every (re)connect.
        fpsprobesize: '0',
      };
      // The H.264 decoder keeps a picture back in case a later one is to be shown before it,
      // unless the stream promises it never will (few cameras say so): 200 ms here on a stream
      // without B-frames. low_delay hands each picture on as decoded; a camera that does send
      // B-frames makes the decoder grow its reorder buffer again by itself. Recording is a
      // stream copy, untouched.
      const lowDelay = ['-flags', 'low_delay'];
      if (readsUrlFromScript(v)) return viaScript(CAMERA_PROTOCOLS.rtsp, robust, ['-fpsprobesize', '0', ...lowDelay]);
      const flags = Object.entries(robust).flatMap(([k, val]) => [`-${k}`, val]);
      return { args: ['-protocol_whitelist', CAMERA_PROTOCOLS.rtsp, ...flags, ...lowDelay, ...outerAnalyze, ...threads, '-i', url] };
    }
    case 'mjpeg': {
      const robust = { timeout: timeoutUs, use_wallclock_as_timestamps: '1', fflags: '+discardcorrupt' };
      if (readsUrlFromScript(v)) return viaScript(CAMERA_PROTOCOLS.http, robust, []);
      const flags = Object.entries(robust).flatMap(([k, val]) => [`-${k}`, val]);
      return { args: ['-protocol_whitelist', CAMERA_PROTOCOLS.http, ...flags, ...outerAnalyze, ...threads, '-i', url] };
    }
    case 'snapshot':
      // image2 re-opens (re-fetches) the URL for every frame when looping; -re paces it at fps.
      // image2 takes no socket timeout option: a hung request is caught by the stall watchdog.
      // pattern_type none: a percent-encoded password ("%23…") must not be read as a %d sequence.
      // The relay speaks plain HTTP on loopback whatever the camera speaks.
      return {
        args: [
          '-protocol_whitelist',
          'http,tcp',
          '-re',
          '-f',
          'image2',
          '-pattern_type',
          'none',
          '-loop',
          '1',
          '-framerate',
          String(src.fps),
          ...outerAnalyze,
          ...threads,
          '-i',
          RELAY_URL,
        ],
        hidden: { relayUrl: url, relayTimeoutMs: o.socketTimeoutMs },
      };
    case 'file':
      return { args: [...(src.realtime ? ['-re'] : []), ...(src.loop ? ['-stream_loop', '-1'] : []), '-fflags', '+genpts', ...threads, '-i', src.path] };
    case 'lavfi':
      return { args: [...(src.realtime ? ['-re'] : []), '-f', 'lavfi', ...threads, '-i', src.graph] };
  }
}

const evenWidth = (w: number) => `trunc(min(${w}\\,iw)/2)*2`;
const scaleTo = (w: number) => `scale=w=${evenWidth(w)}:h=-2:flags=bilinear`;

/** How the muxer times frames (5.1 renamed -vsync to -fps_mode). */
function fpsMode(v: FfmpegVersion, mode: 'passthrough' | 'cfr'): string[] {
  const hasFpsMode = v.major > 5 || (v.major === 5 && v.minor >= 1);
  return hasFpsMode ? ['-fps_mode', mode] : ['-vsync', mode];
}
/** Frames are not duplicated or dropped by the muxer: the filters alone decide. */
export const passthrough = (v: FfmpegVersion) => fpsMode(v, 'passthrough');

/**
 * Detection frames at a constant `fps`, with no frame held back. The fps= filter cannot emit
 * a frame before the next one arrives (it needs its timestamp to choose between the two), so
 * it delayed every detection frame by one camera frame interval: 100 ms at 10 fps, measured
 * (scripts/measure-frame-hop.mjs). The muxer's constant-rate mode decides on the frame in
 * hand: it passes a frame that is due, drops one that is early, and repeats the last one over a
 * gap (frame k stays at media time k/fps, which capture times rely on). A select= gate first
 * drops frames closer than half an interval, so scale= works at no more than twice `fps`
 * however fast the camera sends. A file read as fast as it decodes keeps fps=: latency means
 * nothing there, and the muxer would repeat its last frame to the file's end.
 */
function constantRateFrames(fps: number, v: FfmpegVersion): { filter: string; output: string[] } {
  const gap = Number((0.5 / fps).toFixed(4));
  return { filter: `select=isnan(prev_selected_t)+gte(t-prev_selected_t\\,${gap})`, output: ['-r', String(fps), ...fpsMode(v, 'cfr')] };
}

/** Whether the recording is a stream copy: not when privacy masks must be burned into it. */
export const recordCopies = (src: SourceSpec, o: Pick<RecordOutput, 'blackout'>): boolean => canCopyToSegments(src) && !o.blackout?.length;

function recordArgs(src: SourceSpec, o: RecordOutput, listFd: number): string[] {
  const codec = recordCopies(src, o)
    ? ['-c:v', 'copy']
    : [
        ...(o.blackout?.length ? ['-vf', withBlackout(o.blackout, '')] : []),
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-tune',
        'zerolatency',
        '-crf',
        '26',
        '-pix_fmt',
        'yuv420p',
        // A keyframe at every segment boundary, or the segmenter cannot cut.
        '-force_key_frames',
        `expr:gte(t,n_forced*${o.segmentSeconds})`,
      ];
  return [
    '-map',
    '0:v:0',
    ...codec,
    '-an',
    // MPEG-TS survives a kill mid-segment (an MP4 without its moov would be lost); audio is
    // dropped: G.711 from most cameras cannot go into the MP4 clips.
    '-f',
    'segment',
    '-segment_format',
    'mpegts',
    '-segment_time',
    String(o.segmentSeconds),
    // Write each packet through at once: a kill then loses only what is in flight, and the
    // unfinished segment can be salvaged (unflushed, 1 s of video was often still 0 bytes).
    '-segment_format_options',
    'flush_packets=1',
    '-reset_timestamps',
    '1',
    // ffmpeg writes "file,start,end" here when a segment is complete: the only signal that it is.
    '-segment_list',
    `pipe:${listFd}`,
    '-segment_list_type',
    'csv',
    segmentPattern(o),
  ];
}

function framesArgs(o: FramesOutput, v: FfmpegVersion, live: boolean): string[] {
  // start_time=0 pads a file's start so frame k is at media time k/fps exactly.
  const rate = live ? constantRateFrames(o.fps, v) : { filter: `fps=${o.fps}:start_time=0`, output: passthrough(v) };
  return [
    '-map',
    '0:v:0',
    '-an',
    '-vf',
    `${rate.filter},${scaleTo(o.width)}`,
    '-pix_fmt',
    'yuv420p',
    ...rate.output,
    // YUV4MPEG is raw yuv420p plus a header naming the size scale=W:-2 chose and a FRAME
    // marker per picture: the framer needs no side channel and notices any desync.
    '-f',
    'yuv4mpegpipe',
    'pipe:1',
  ];
}

function jpegArgs(o: JpegOutput, fd: number): string[] {
  return [
    '-map',
    '0:v:0',
    '-an',
    '-vf',
    `fps=${o.fps},${withBlackout(o.blackout, scaleTo(o.width))}`,
    '-c:v',
    'mjpeg',
    '-threads',
    '1',
    '-q:v',
    String(o.quality),
    '-f',
    'image2pipe',
    `pipe:${fd}`,
  ];
}

/**
 * A session that only stream-copies (the main stream of a camera with a sub-stream) decodes
 * nothing, so nothing would tell it the camera changed its picture size: stats kept the old
 * size and segments mixed both. It decodes keyframes only (`-skip_frame nokey`, about one
 * picture per GOP; stream copy is untouched) into a null output, whose filter graph is
 * rebuilt, and reported on stderr, when the size changes (see parseGraphInputSize) — the
 * same signal the sessions that decode every frame act on.
 */
function keyframeWatch(src: SourceSpec, outs: SessionOutputs): boolean {
  return Boolean(outs.record && !outs.frames && !outs.jpeg && recordCopies(src, outs.record));
}
const KEYFRAME_WATCH_INPUT = ['-skip_frame', 'nokey'];
const KEYFRAME_WATCH_OUTPUT = ['-map', '0:v:0', '-an', '-f', 'null', '-'];

/**
 * The whole command line. The recording output comes first so that the progress feed's
 * frame counter counts the camera's own frames (stream copy), i.e. the input frame rate.
 */
export function buildSessionArgs(src: SourceSpec, url: string, outs: SessionOutputs, v: FfmpegVersion, o: InputOptions): SessionArgs {
  if (!outs.record && !outs.frames && !outs.jpeg) throw new Error('a session needs at least one output');
  const input = inputArgs(src, url, v, o);
  let next = 3;
  const pipes: PipeLayout = { progress: next++, count: 0 };
  if (outs.record) pipes.segments = next++;
  if (outs.jpeg) pipes.jpeg = next++;
  pipes.count = next - 3;
  const watch = keyframeWatch(src, outs);
  if (watch) input.args.splice(input.args.lastIndexOf('-i'), 0, ...KEYFRAME_WATCH_INPUT);
  const args = [
    // verbose: the only report of a camera changing its picture size mid-stream is a filter
    // graph being rebuilt (see parseGraphInputSize); the extra chatter is filtered on arrival.
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'verbose',
    '-y',
    // One thread per camera process (decode, filters, JPEG): ten cameras on two cores need no
    // thread pools of their own; measured here: 11 threads → 1, 66 → 63 MB, slightly less CPU.
    '-filter_threads',
    '1',
    '-progress',
    `pipe:${pipes.progress}`,
    ...input.args,
    ...(outs.record ? recordArgs(src, outs.record, pipes.segments!) : []),
    ...(watch ? KEYFRAME_WATCH_OUTPUT : []),
    ...(outs.frames ? framesArgs(outs.frames, v, isLive(src)) : []),
    ...(outs.jpeg ? jpegArgs(outs.jpeg, pipes.jpeg!) : []),
  ];
  return { args, pipes, hidden: input.hidden };
}
