import { spawn } from 'node:child_process';
import { AppError } from '../shared/errors.js';
import { redactWith } from '../shared/redact.js';
import { probeError } from './camera.errors.js';

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

interface RunResult { code: number | null; stdout: Buffer; stderr: string; timedOut: boolean; missing: boolean }

function run(bin: string, args: string[], timeoutMs: number, maxStdout = 16 * 1024 * 1024): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let timedOut = false;
    let missing = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxStdout) child.kill('SIGKILL');
      else out.push(c);
    });
    // Bounded: the framecrc listing of a few seconds is a few KB; a chatty failure cannot grow it further.
    child.stderr.on('data', (c: Buffer) => { if (stderr.length < 256 * 1024) stderr += c.toString('utf8'); });
    child.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') missing = true; else stderr += err.message; });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr, timedOut, missing });
    });
  });
}

export class FfmpegFrameGrabber implements FrameGrabber {
  private timeoutFlag: Promise<string> | undefined;

  constructor(private readonly o: { ffmpegPath: string; measureSeconds?: number }) {}

  async grab(req: GrabRequest): Promise<TestFrame> {
    const input = await this.inputArgs(req);
    const args = [
      '-nostdin', '-hide_banner', '-loglevel', 'error', '-analyzeduration', '500000', ...input,
      '-map', '0:v:0', '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '3', 'pipe:1',
      '-map', '0:v:0', '-c', 'copy', '-t', String(this.o.measureSeconds ?? 1.5), '-f', 'framecrc', 'pipe:2',
    ];
    const r = await run(this.o.ffmpegPath, args, req.timeoutMs + 2000);
    if (r.missing) throw new AppError('ffmpeg_missing', `ffmpeg not found at "${this.o.ffmpegPath}": install ffmpeg or set ffmpegPath`, 500);
    const size = r.stdout.length ? jpegSize(r.stdout) : null;
    if (r.timedOut || r.code !== 0 || !size) throw classifyFailure(req, r);
    const crc = readFrameCrc(r.stderr);
    return { jpeg: r.stdout, ...size, fps: crc.fps, codec: crc.codec, source: 'one-shot', at: Date.now() };
  }

  private async inputArgs(req: GrabRequest): Promise<string[]> {
    // Only network protocols: a URL (or a playlist it serves) must never make ffmpeg read local files.
    if (!/^rtsps?:/i.test(req.url)) return ['-protocol_whitelist', 'http,https,tcp,tls', '-rw_timeout', String(req.timeoutMs * 1000), '-i', req.url];
    // The RTSP socket timeout is -timeout (µs) from ffmpeg 5, -stimeout before (where -timeout means listen).
    this.timeoutFlag ??= run(this.o.ffmpegPath, ['-hide_banner', '-version'], 5000).then((r) => {
      const major = Number(/version\s+n?(\d+)\./.exec(r.stdout.toString())?.[1] ?? 5);
      return major >= 5 ? '-timeout' : '-stimeout';
    });
    return ['-protocol_whitelist', 'rtsp,rtsps,rtp,srtp,udp,tcp,tls,http,https', '-rtsp_transport', req.transport, await this.timeoutFlag, String(req.timeoutMs * 1000), '-i', req.url];
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

function classifyFailure(req: GrabRequest, r: RunResult): AppError {
  const safeUrl = redactWith(req.url, req.secrets);
  const errors = r.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('#') && !/^\d+,/.test(l)).join('\n');
  const last = redactWith(errors.trim().split('\n').slice(-2).join(' '), req.secrets).slice(0, 300);
  if (/401|unauthori[sz]ed/i.test(errors)) {
    return probeError('wrong_credentials', `The stream ${safeUrl} refused the user name and password: check them (the camera's stream login may differ from its ONVIF user).`, { where: safeUrl, method: 'RTSP', detail: last });
  }
  const reason = r.timedOut ? `no picture within ${Math.round(req.timeoutMs / 1000)} s` : /404|not found/i.test(errors) ? 'the stream path does not exist (404)' : /refused/i.test(errors) ? 'connection refused' : last || `ffmpeg exited with ${r.code}`;
  return probeError('rtsp_unreachable', `No picture from ${safeUrl} (${reason}). Check the stream URL, that the camera is on, and try the other RTSP transport (TCP/UDP).`, { streamUri: safeUrl, reason, advertised: null });
}
