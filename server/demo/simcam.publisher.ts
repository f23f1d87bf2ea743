import type { Readable, Writable } from 'node:stream';
import { yuv420pSize } from '../domain/frame.js';
import type { Logger } from '../shared/log.js';
import { writeStampYuv420p } from './frame.stamp.js';
import { scaleFilter, sourceInputArgs, x264Args, type SimSource, type VideoSize } from './simcam.media.js';
import { killNow, spawnChild, terminate, type ChildHandle } from './simcam.process.js';

/**
 * The simulated camera's "encoder and uplink": ffmpeg process(es) that send live H.264 in
 * MPEG-TS over UDP to the RTSP server's input port on 127.0.0.1.
 */
export interface Publisher {
  readonly children: readonly ChildHandle[];
  /** Resolves when any of its processes exits (expected on stop, a fault otherwise). */
  readonly ended: Promise<void>;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export interface PublishSpec {
  ffmpegPath: string;
  logger: Logger;
  inputPort: number;
  size: VideoSize;
  /**
   * Added to every timestamp: the camera's time since it first published, so a client that
   * stays connected across a cut sees time go on, not restart at 0.
   */
  tsOffsetSec: number;
}

function udpOutput(spec: PublishSpec): string[] {
  return ['-output_ts_offset', spec.tsOffsetSec.toFixed(3), ...mpegtsUdpArgs(spec.inputPort)];
}

/**
 * MPEG-TS to the RTSP server's UDP input, each picture sent whole as soon as it is muxed: a
 * PES that states its length (ffmpeg leaves it out for video by default) lets the server's
 * demuxer hand it on at once instead of waiting for the next picture's header to see where it
 * ended, and the last partial datagram is flushed instead of waiting for the next picture's
 * bytes. Each wait was one frame interval (100 ms at 10 fps) a real camera does not add.
 * 7 TS packets per datagram: fits a loopback MTU-safe payload and keeps packets aligned.
 */
export function mpegtsUdpArgs(port: number): string[] {
  return ['-flush_packets', '1', '-f', 'mpegts', '-omit_video_pes_length', '0', `udp://127.0.0.1:${port}?pkt_size=1316`];
}

const quiet = ['-hide_banner', '-nostdin', '-loglevel', 'error'];

/** Cheap mode: the pre-encoded cache file copied out in real time, looping, no decode. */
export function startCopyPublisher(spec: PublishSpec, encodedFile: string): Publisher {
  const args = [...quiet, '-re', '-stream_loop', '-1', '-i', encodedFile, '-an', '-c', 'copy', ...udpOutput(spec)];
  const child = spawnChild(spec.ffmpegPath, args, { name: 'ffmpeg-publish', logger: spec.logger });
  return publisherOf([child]);
}

export interface StampSpec extends PublishSpec {
  source: SimSource;
  /** Wall clock (epoch ms) burned into each frame as it is handed to the encoder. */
  clock: () => number;
}

/**
 * Stamp mode: decode the source to raw yuv420p in real time, burn the wall-clock stamp of
 * the moment each frame is published into it, encode (x264 ultrafast, zerolatency, keyframe
 * every second) and send. Costs a decode and an encode per camera: for latency benchmarks.
 */
export function startStampPublisher(spec: StampSpec): Publisher {
  const { size } = spec;
  const decodeArgs = [
    ...quiet,
    '-threads',
    '1',
    ...sourceInputArgs(spec.source, size),
    '-an',
    '-vf',
    scaleFilter(size),
    '-pix_fmt',
    'yuv420p',
    '-f',
    'rawvideo',
    'pipe:1',
  ];
  const encodeArgs = [
    ...quiet,
    ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${size.width}x${size.height}`, '-r', String(size.fps), '-i', 'pipe:0'],
    ...x264Args(size.fps, 'ultrafast'),
    '-threads',
    '1',
    ...udpOutput(spec),
  ];
  const encoder = spawnChild(spec.ffmpegPath, encodeArgs, { name: 'ffmpeg-encode', logger: spec.logger, stdio: ['pipe', 'ignore', 'pipe'] });
  const decoder = spawnChild(spec.ffmpegPath, decodeArgs, { name: 'ffmpeg-decode', logger: spec.logger, stdio: ['ignore', 'pipe', 'pipe'] });
  const input = decoder.proc.stdout;
  const output = encoder.proc.stdin;
  if (!input || !output) throw new Error('stamp publisher: missing stdio pipes');
  pipeStamped(input, output, size, spec.clock, spec.logger);
  return publisherOf([decoder, encoder]);
}

/** Slices raw frames out of the decoder's output (chunks do not align with frames). */
function pipeStamped(input: Readable, output: Writable, size: VideoSize, clock: () => number, logger: Logger): void {
  const frameBytes = yuv420pSize(size.width, size.height);
  let frame = Buffer.allocUnsafe(frameBytes);
  let filled = 0;
  output.on('error', (err: NodeJS.ErrnoException) => {
    // EPIPE is the encoder going away (stop, cut, kill): the decoder is stopped with it.
    if (err.code !== 'EPIPE') logger.warn('stamp publisher: encoder input failed', { error: err.message });
    input.destroy();
  });
  input.on('data', (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(frameBytes - filled, chunk.length - offset);
      chunk.copy(frame, filled, offset, offset + n);
      filled += n;
      offset += n;
      if (filled < frameBytes) continue;
      writeStampYuv420p(frame, size.width, size.height, clock());
      // Backpressure: a slow encoder pauses the decoder instead of queueing frames in memory.
      if (!output.write(frame)) {
        input.pause();
        output.once('drain', () => input.resume());
      }
      frame = Buffer.allocUnsafe(frameBytes);
      filled = 0;
    }
  });
  input.on('end', () => output.end());
  input.on('error', (err) => logger.debug('stamp publisher: decoder output closed', { error: err.message }));
}

function publisherOf(children: ChildHandle[]): Publisher {
  const ended = Promise.race(children.map((c) => c.exited)).then(() => undefined);
  return {
    children,
    ended,
    // Encoder last so it can flush what the decoder already gave it.
    stop: async () => {
      for (const c of children) await terminate(c, 1500);
    },
    kill: async () => {
      await Promise.all(children.map((c) => killNow(c)));
    },
  };
}
