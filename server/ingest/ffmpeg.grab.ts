import { AppError } from '../shared/errors.js';
import { redactWith } from '../shared/redact.js';
import { inputArgs } from './ffmpeg.args.js';
import type { ExecResult, FfmpegAdapter } from './ffmpeg.adapter.js';
import { sourceFromStream } from './stream.source.js';

/**
 * Test connection for a camera that is not running: one ffmpeg, one RTSP session (cheap
 * cameras allow few). Its first output is one frame as JPEG on stdout; its second is a
 * `framecrc` listing of ~1.5 s of packets on stderr, which gives the codec and the frame rate
 * measured from packet timestamps. The resolution is read from the JPEG itself, so all three
 * are what really arrived. The process is time-bounded and killed; stderr is masked before it
 * can reach a message.
 */
export interface TestFrame {
  jpeg: Buffer;
  width: number;
  height: number;
  /** Frames per second measured over the packets read (null when not measurable). */
  fps: number | null;
  codec: string | null;
  source: 'running' | 'one-shot';
  at: number;
}

export interface GrabRequest {
  /** With credentials when the camera needs them: never logged (secrets are masked). */
  url: string;
  transport: 'tcp' | 'udp';
  timeoutMs: number;
  secrets: string[];
}

export interface FrameGrabber {
  grab(req: GrabRequest): Promise<TestFrame>;
}

/**
 * Test connection through the ffmpeg port: the same binary ingest resolved (configured, PATH
 * or bundled) and the same input options and protocol whitelist as a camera session.
 */
export class FfmpegFrameGrabber implements FrameGrabber {
  constructor(
    private readonly ffmpeg: Pick<FfmpegAdapter, 'exec' | 'info'>,
    private readonly o: { measureSeconds?: number } = {},
  ) {}

  async grab(req: GrabRequest): Promise<TestFrame> {
    const src = sourceFromStream({ url: req.url, transport: req.transport }, { transport: req.transport, snapshotFps: 1 });
    if (src.kind === 'file' || src.kind === 'lavfi')
      throw new AppError('validation', 'a camera stream must be an rtsp:// or http(s):// URL', 400, { field: 'url' });
    const input = inputArgs(src, req.url, this.ffmpeg.info.version, { socketTimeoutMs: req.timeoutMs, decodeThreads: 1, analyzeDurationUs: 500_000 });
    const args = [
      '-nostdin',
      '-hide_banner',
      '-loglevel',
      'error',
      ...input.args,
      '-map',
      '0:v:0',
      '-frames:v',
      '1',
      '-f',
      'image2pipe',
      '-c:v',
      'mjpeg',
      '-q:v',
      '3',
      'pipe:1',
      '-map',
      '0:v:0',
      '-c',
      'copy',
      '-t',
      String(this.o.measureSeconds ?? 1.5),
      '-f',
      'framecrc',
      'pipe:2',
    ];
    const r = await this.ffmpeg.exec(args, { timeoutMs: req.timeoutMs + 2000, maxStdout: 16 << 20, hidden: input.hidden });
    if (r.missing) throw new AppError('ffmpeg_missing', `ffmpeg not found at "${this.ffmpeg.info.path}": install ffmpeg or set ffmpegPath`, 500);
    const size = r.stdout.length ? jpegSize(r.stdout) : null;
    if (r.timedOut || r.code !== 0 || !size) throw classifyFailure(req, r);
    const crc = readFrameCrc(r.stderr);
    return { jpeg: r.stdout, ...size, fps: crc.fps, codec: crc.codec, source: 'one-shot', at: Date.now() };
  }
}

/** framecrc: "#tb 0: 1/90000", "#codec_id 0: h264", then "0, dts, pts, duration, size, crc" per packet. */
export function readFrameCrc(text: string): { codec: string | null; fps: number | null } {
  const codec = /^#codec_id 0: (\S+)/m.exec(text)?.[1] ?? null;
  const tb = /^#tb 0: (\d+)\/(\d+)/m.exec(text);
  const pts = [...text.matchAll(/^0,\s*-?\d+,\s*(-?\d+),/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
  if (!tb || pts.length < 3) return { codec, fps: null };
  const seconds = ((pts[pts.length - 1]! - pts[0]!) * Number(tb[1])) / Number(tb[2]);
  return { codec, fps: seconds > 0 ? Math.round(((pts.length - 1) / seconds) * 100) / 100 : null };
}

/** Width and height from the JPEG's SOF marker. */
export function jpegSize(buf: Buffer): { width: number; height: number } | null {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return null;
  let i = 2;
  while (i + 9 < buf.length) {
    if (buf[i] !== 0xff) return null;
    const marker = buf[i + 1]!;
    const len = buf.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return null;
}

/**
 * The same codes as the ONVIF probe's (cameras/camera.errors.ts), so the UI explains both alike.
 * Status codes are matched as whole numbers: ffmpeg's messages carry the URL, and a port such as
 * 34017 once read as "401" and told the user their password was wrong.
 */
export function classifyFailure(req: GrabRequest, r: ExecResult): AppError {
  const safeUrl = redactWith(req.url, req.secrets);
  const errors = r.stderr
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#') && !/^\d+,/.test(l))
    .join('\n');
  const last = redactWith(errors.trim().split('\n').slice(-2).join(' '), req.secrets).slice(0, 300);
  if (/\b401\b|unauthori[sz]ed/i.test(errors)) {
    return new AppError(
      'wrong_credentials',
      `The stream ${safeUrl} refused the user name and password: check them (the camera's stream login may differ from its ONVIF user).`,
      422, // not 401: that would read as BinhYen's own session having expired
      { params: { where: safeUrl, method: 'RTSP', detail: last } },
    );
  }
  const reason = r.timedOut
    ? `no picture within ${Math.round(req.timeoutMs / 1000)} s`
    : /\b404\b|not found/i.test(errors)
      ? 'the stream path does not exist (404)'
      : /refused/i.test(errors)
        ? 'connection refused'
        : last || `ffmpeg exited with ${r.code}`;
  return new AppError(
    'rtsp_unreachable',
    `No picture from ${safeUrl} (${reason}). Check the stream URL, that the camera is on, and try the other RTSP transport (TCP/UDP).`,
    502,
    { params: { streamUri: safeUrl, reason, advertised: null } },
  );
}
