import { join } from 'node:path';
import { concatScript } from '../ingest/ffmpeg.args.js';
import { urlWithCredentials } from '../ingest/stream.source.js';
import { silentLogger, type Logger } from '../shared/log.js';
import { binhyenCacheDir } from './footage.js';
import { ensureEncodedCopy, probeFile, type SimSource, type VideoCodec, type VideoSize } from './simcam.media.js';
import { delay, spawnChild, killNow } from './simcam.process.js';
import { startCopyPublisher, startStampPublisher, type Publisher } from './simcam.publisher.js';
import { RtspServerProcess } from './simcam.rtsp.js';

export type { SimSource, VideoSize } from './simcam.media.js';

/**
 * A camera on 127.0.0.1 for tests, benchmarks and the demo: a real RTSP server (GStreamer,
 * TCP and UDP transport, optional Basic or Digest auth) fed live by ffmpeg. It can lose its uplink
 * (cutStream), get it back (resumeStream), lose power (kill) and be switched from the
 * generated pattern to real footage without clients reconnecting to a new address.
 */
export interface SimulatedCameraOptions {
  source: SimSource;
  /** Defaults: the file's own size and rate; 768×576 at 10 fps for the pattern (like vtest.avi). */
  width?: number;
  height?: number;
  fps?: number;
  /** Burn the publish wall-clock into each frame (see frame.stamp.ts); costs a decode + encode. */
  stamp?: boolean;
  user?: string;
  password?: string;
  /** RTSP authentication the camera asks for when `user` is set (default basic). */
  auth?: 'basic' | 'digest';
  mountPath?: string;
  ffmpegPath?: string;
  logger?: Logger;
  /** Debian's python3 with gi (default /usr/bin/python3 or $BINHYEN_PYTHON). */
  pythonPath?: string;
  /** Where pre-encoded copies of sources are kept (default <cache>/binhyen/simcam). */
  cacheDir?: string;
  /** Wall clock for the stamp (epoch ms). */
  clock?: () => number;
  /** How long start()/resumeStream() wait for a playable stream. */
  readyTimeoutMs?: number;
  /** The codec sent (default h264); h265 stands for a main stream browsers cannot play. Not with `stamp`. */
  codec?: VideoCodec;
}

const PATTERN_DEFAULT: VideoSize = { width: 768, height: 576, fps: 10 };

export class SimulatedCamera {
  private source: SimSource;
  private readonly logger: Logger;
  private readonly ffmpegPath: string;
  private readonly mountPath: string;
  private size: VideoSize | null = null;
  private rtsp: RtspServerProcess | null = null;
  private publisher: Publisher | null = null;
  private port = 0;
  private cut = false;
  private starting: Promise<void> | null = null;
  /** Wall time of the first publish: timestamps count from it across cuts and restarts. */
  private epochMs: number | null = null;

  constructor(private readonly opts: SimulatedCameraOptions) {
    this.source = opts.source;
    this.logger = opts.logger ?? silentLogger;
    this.ffmpegPath = opts.ffmpegPath ?? 'ffmpeg';
    this.mountPath = normaliseMount(opts.mountPath ?? '/stream');
    if ((opts.width ?? 0) % 2 || (opts.height ?? 0) % 2) throw new Error('width and height must be even (yuv420p)');
    if (opts.stamp && opts.codec === 'h265') throw new Error('the stamp publisher encodes H.264 only');
  }

  /** Starts (or, after kill/stop, restarts on the same port); resolves once a client can play it. */
  start(): Promise<void> {
    if (this.rtsp?.child.isRunning() && !this.starting) return Promise.resolve();
    this.starting ??= this.startOnce().finally(() => (this.starting = null));
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    this.size ??= await this.resolveSize(this.source);
    this.rtsp = await RtspServerProcess.start({
      logger: this.logger,
      mountPath: this.mountPath,
      port: this.port,
      user: this.opts.user,
      password: this.opts.password,
      auth: this.opts.auth,
      pythonPath: this.opts.pythonPath,
      codec: this.opts.codec,
    });
    this.port = this.rtsp.port;
    this.cut = false;
    try {
      await this.publish();
      await this.waitPlayable();
    } catch (err) {
      await this.kill();
      throw err;
    }
    this.logger.info('simulated camera ready', { url: this.rtspUrl, ...this.size, stamp: Boolean(this.opts.stamp) });
  }

  get rtspUrl(): string {
    if (!this.port) throw new Error('simulated camera not started');
    return `rtsp://127.0.0.1:${this.port}${this.mountPath}`;
  }

  get rtspUrlWithCredentials(): string {
    return urlWithCredentials(this.rtspUrl, this.opts.user ? { username: this.opts.user, password: this.opts.password ?? '' } : undefined);
  }

  /** The picture size and rate clients receive (known after start()). */
  get videoSize(): VideoSize {
    if (!this.size) throw new Error('simulated camera not started');
    return { ...this.size };
  }

  /** The uplink dies: the RTSP server still answers, but no data flows. */
  async cutStream(): Promise<void> {
    this.cut = true;
    const publisher = this.publisher;
    this.publisher = null;
    await publisher?.stop();
  }

  /** The uplink comes back; resolves once a new client can play the stream. */
  async resumeStream(): Promise<void> {
    if (!this.rtsp?.child.isRunning()) throw new Error('simulated camera is not running: start() it');
    this.cut = false;
    if (!this.publisher) await this.publish();
    await this.waitPlayable();
  }

  /** Power cut: SIGKILL every process at once, no goodbye to clients. */
  async kill(): Promise<void> {
    const publisher = this.publisher;
    const rtsp = this.rtsp;
    this.publisher = null;
    this.rtsp = null;
    await Promise.all([publisher?.kill(), rtsp?.kill()]);
  }

  /** Clean shutdown; resolves when no process of this camera remains. */
  async stop(): Promise<void> {
    const publisher = this.publisher;
    const rtsp = this.rtsp;
    this.publisher = null;
    this.rtsp = null;
    await publisher?.stop();
    await rtsp?.stop();
  }

  /** Pids of the running processes (to report the simulator's CPU apart from the product's). */
  pids(): number[] {
    const children = [...(this.publisher?.children ?? []), ...(this.rtsp ? [this.rtsp.child] : [])];
    return children.filter((c) => c.isRunning() && c.proc.pid !== undefined).map((c) => c.proc.pid as number);
  }

  /** Switches the picture (e.g. pattern → footage) at the same size and rate, same URL. */
  async switchSource(source: SimSource): Promise<void> {
    this.source = source;
    if (!this.rtsp || !this.size) return;
    // Prepare the new source first so the picture gap is only the publisher restart.
    const encoded = this.opts.stamp ? null : await ensureEncodedCopy(this.ffmpegPath, this.cacheDir(), source, this.size, this.logger, this.opts.codec);
    if (this.cut) return;
    const old = this.publisher;
    this.publisher = null;
    await old?.stop();
    await this.publish(encoded ?? undefined);
    this.logger.info('simulated camera switched source', { source: source.kind === 'file' ? source.path : 'pattern' });
  }

  /**
   * The camera's encoder restarts at another picture size (a setting changed on the camera):
   * same URL, same RTSP session for clients that stay connected, new SPS in the stream.
   * Resolves once a new client can play the new stream.
   */
  async restartEncoder(size: { width: number; height: number; fps?: number }): Promise<void> {
    if (size.width % 2 || size.height % 2) throw new Error('width and height must be even (yuv420p)');
    if (!this.rtsp || !this.size) throw new Error('simulated camera not started');
    this.size = { width: size.width, height: size.height, fps: size.fps ?? this.size.fps };
    const encoded = this.opts.stamp ? null : await ensureEncodedCopy(this.ffmpegPath, this.cacheDir(), this.source, this.size, this.logger, this.opts.codec);
    const old = this.publisher;
    this.publisher = null;
    await old?.stop();
    if (this.cut) return;
    await this.publish(encoded ?? undefined);
    await this.waitPlayable();
    this.logger.info('simulated camera restarted its encoder', { ...this.size });
  }

  private async resolveSize(source: SimSource): Promise<VideoSize> {
    const { width, height, fps } = this.opts;
    if (width && height && fps) return { width, height, fps };
    const natural = source.kind === 'file' ? await probeFile(this.ffmpegPath, source.path, this.logger) : PATTERN_DEFAULT;
    // A size given without its partner keeps the source's aspect ratio, rounded to even.
    const w = width ?? (height ? even((natural.width * height) / natural.height) : natural.width);
    const h = height ?? (width ? even((natural.height * width) / natural.width) : natural.height);
    return { width: w, height: h, fps: fps ?? natural.fps };
  }

  private cacheDir(): string {
    return this.opts.cacheDir ?? join(binhyenCacheDir(), 'simcam');
  }

  private async publish(encodedFile?: string): Promise<void> {
    if (!this.rtsp || !this.size) throw new Error('simulated camera not started');
    const now = Date.now();
    this.epochMs ??= now;
    const spec = {
      ffmpegPath: this.ffmpegPath,
      logger: this.logger,
      inputPort: this.rtsp.inputPort,
      size: this.size,
      tsOffsetSec: (now - this.epochMs) / 1000,
    };
    const publisher = this.opts.stamp
      ? startStampPublisher({ ...spec, source: this.source, clock: this.opts.clock ?? Date.now })
      : startCopyPublisher(
          spec,
          encodedFile ?? (await ensureEncodedCopy(this.ffmpegPath, this.cacheDir(), this.source, this.size, this.logger, this.opts.codec)),
        );
    this.publisher = publisher;
    void publisher.ended.then(() => {
      if (this.publisher === publisher)
        this.logger.warn('simulated camera publisher exited unexpectedly', { stderr: publisher.children.map((c) => c.stderrTail()).join('\n') });
    });
  }

  /** "Really playable": an ffmpeg client decodes a frame over RTSP/TCP. */
  private async waitPlayable(): Promise<void> {
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 20_000);
    let lastError = '';
    while (Date.now() < deadline) {
      // With credentials the URL goes in on stdin, as the product does it (ffmpeg.args.ts): a
      // test that looks for passwords in ffmpeg command lines must not find the simulator's.
      const hidden = Boolean(this.opts.user);
      const probe = spawnChild(this.ffmpegPath, probeArgs(hidden ? 'pipe:0' : this.rtspUrl), {
        name: 'ffmpeg-ready-probe',
        logger: this.logger,
        secrets: [this.opts.password],
        stdio: [hidden ? 'pipe' : 'ignore', 'ignore', 'pipe'],
      });
      if (hidden) {
        probe.proc.stdin?.on('error', () => undefined);
        probe.proc.stdin?.end(
          concatScript(this.rtspUrlWithCredentials, { rtsp_transport: 'tcp', timeout: '5000000', analyzeduration: '200000', probesize: '1000000' }),
        );
      }
      const timer = setTimeout(() => void killNow(probe), Math.max(1000, deadline - Date.now()));
      const code = await probe.exited;
      clearTimeout(timer);
      if (code === 0) return;
      lastError = probe.stderrTail();
      if (!this.publisher) throw new Error('simulated camera: publisher stopped while waiting for the stream');
      await delay(200);
    }
    throw new Error(`simulated camera not playable at ${this.rtspUrl} after ${this.opts.readyTimeoutMs ?? 20_000} ms: ${lastError}`);
  }
}

function probeArgs(input: string): string[] {
  // A short analysis: by default ffmpeg reads ~20 frames to estimate the rate first (4 s at 5 fps).
  const fast = ['-analyzeduration', '200000', '-probesize', '1000000'];
  const source =
    input === 'pipe:0' ? ['-f', 'concat', '-safe', '0', '-protocol_whitelist', 'pipe,rtsp,rtp,tcp,udp'] : ['-rtsp_transport', 'tcp', '-timeout', '5000000'];
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', ...fast, ...source, '-i', input, '-frames:v', '1', '-f', 'null', '-'];
}

function normaliseMount(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}
