import { redactWith } from '../shared/redact.js';

/**
 * ffmpeg's stderr: drained line by line (an undrained pipe would block ffmpeg), masked
 * (ffmpeg echoes input URLs with their credentials) before anything keeps it, and read for
 * the input stream's codec and for the reason a session failed.
 */

/**
 * Harmless lines that would otherwise crowd out the ones that explain a failure. ffmpeg runs at
 * verbose level (for the picture size below), so its per-segment and filter chatter goes too.
 */
const NOISE = new RegExp(
  [
    /deprecated pixel format used|Last message repeated|^\s*$/,
    /^\[AVIOContext @ [^\]]+\] Statistics:|Opening '.*' for writing|segment:'.*' (count:\d+ ended|starts with packet)/,
    /service \d+ using PCR|muxrate VBR|^\[(Parsed_\w+|scaler_\w+|auto_scale\w*|graph \d+ input[^\]]*) @ [^\]]+\]/,
    /^\s*(w:\d+ h:\d+ |Set first pts|fps=\d+\/\d+$|\d+ frames in, )/,
    // The end-of-run report: it would become the "last line" that explains an exit.
    /^\s*(Input|Output) (file|stream) #|^\s*Total: \d+ packets|^Exiting normally|^\s*video:\d+kB audio:/,
  ]
    .map((r) => r.source)
    .join('|'),
);

/**
 * The decoded picture size as a filter graph's input sees it (libavfilter's buffer source,
 * verbose level, 4.x to 7.x): printed when a graph is built and again whenever ffmpeg rebuilds
 * it because the camera changed its picture mid-stream, which nothing at info level reports.
 */
const GRAPH_INPUT_SIZE = /\bw:(\d{2,5}) h:(\d{2,5}) pixfmt:\S+ tb:/;

export function parseGraphInputSize(line: string): { width: number; height: number } | undefined {
  const m = GRAPH_INPUT_SIZE.exec(line);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

export interface InputStreamInfo {
  codec: string;
  width?: number;
  height?: number;
  fps?: number;
}

export class StderrTail {
  private readonly lines: string[] = [];
  private partial = '';
  private inOutputSection = false;
  input: InputStreamInfo | undefined;

  constructor(
    private readonly secrets: readonly (string | undefined)[],
    private readonly maxLines = 40,
    private readonly onLine?: (line: string) => void,
    private readonly onVideoSize?: (size: { width: number; height: number }) => void,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r?\n|\r/);
    this.partial = parts.pop() ?? '';
    if (this.partial.length > 4096) this.partial = this.partial.slice(-4096);
    for (const raw of parts) this.addLine(raw);
  }

  /** Flushes a last line without newline (call when the process has exited). */
  flush(): void {
    if (this.partial) this.addLine(this.partial);
    this.partial = '';
  }

  private addLine(raw: string): void {
    const line = redactWith(raw.trimEnd(), this.secrets).slice(0, 1000);
    const size = this.onVideoSize && parseGraphInputSize(line);
    if (size) this.onVideoSize?.(size);
    if (!line || NOISE.test(line)) return;
    if (/^Output #\d+/.test(line)) this.inOutputSection = true;
    if (!this.inOutputSection && !this.input) this.input = parseInputStream(line);
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.shift();
    this.onLine?.(line);
  }

  /** The last lines, already masked. */
  tail(n = this.maxLines): string[] {
    return this.lines.slice(-n);
  }
}

/** "Stream #0:0: Video: h264 (High), yuv420p(progressive), 1920x1080 [SAR 1:1 DAR 16:9], 25 fps, …" */
export function parseInputStream(line: string): InputStreamInfo | undefined {
  const m = /Stream #\d+:\d+.*?: Video: (\w+)(.*)$/.exec(line);
  if (!m) return undefined;
  const rest = m[2] ?? '';
  const size = /\b(\d{2,5})x(\d{2,5})\b/.exec(rest);
  const fps = /([\d.]+) fps/.exec(rest) ?? /([\d.]+)k? tbr/.exec(rest);
  return {
    codec: m[1]!,
    width: size ? Number(size[1]) : undefined,
    height: size ? Number(size[2]) : undefined,
    fps: fps ? Number(fps[1]) : undefined,
  };
}

export type FailureCode =
  | 'auth_failed'
  | 'not_found'
  | 'forbidden'
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'dns'
  | 'bad_transport'
  | 'bad_data'
  | 'no_data'
  | 'no_video'
  | 'missing_file'
  | 'stalled'
  | 'exited';

export interface Failure {
  code: FailureCode;
  /** Readable, credential-free. */
  message: string;
  /** Retrying soon cannot help (wrong password, wrong path): go offline now, retry slowly. */
  fatal: boolean;
}

const RULES: { re: RegExp; code: FailureCode; fatal: boolean; text: string }[] = [
  { re: /\b401\b|Unauthorized|authorization failed/i, code: 'auth_failed', fatal: true, text: 'the camera rejected the user name or password (401)' },
  { re: /\b403\b|Forbidden/i, code: 'forbidden', fatal: true, text: 'the camera refused access to the stream (403)' },
  { re: /\b404\b|Not Found|Stream not found/i, code: 'not_found', fatal: true, text: 'the stream path was not found on the camera (404): check the URL' },
  { re: /\b461\b|Unsupported transport/i, code: 'bad_transport', fatal: true, text: 'the camera does not support this RTSP transport: try tcp or udp' },
  { re: /No such file or directory/i, code: 'missing_file', fatal: true, text: 'the file does not exist' },
  { re: /Connection refused/i, code: 'refused', fatal: false, text: 'connection refused: nothing listens at this address and port' },
  { re: /Failed to resolve hostname|Name or service not known|name resolution/i, code: 'dns', fatal: false, text: 'the host name could not be resolved' },
  { re: /No route to host|Network is unreachable|Host is unreachable/i, code: 'unreachable', fatal: false, text: 'the camera is unreachable on the network' },
  { re: /timed out|Timeout|time out/i, code: 'timeout', fatal: false, text: 'the camera did not answer in time' },
  {
    re: /does not contain any stream|Output file #\d+ does not contain|matches no streams/i,
    code: 'no_video',
    fatal: false,
    text: 'the stream carries no video',
  },
  {
    re: /Invalid data found when processing input|could not find codec parameters|Error while decoding/i,
    code: 'bad_data',
    fatal: false,
    text: 'the camera sent data ffmpeg could not read',
  },
];

/** Why a session failed, from its (masked) stderr tail; `where` names the source without credentials. */
export function explainFailure(lines: readonly string[], where: string, exit?: { code: number | null; signal: string | null }): Failure {
  // Rules in order of precedence: a 401 explains the "No such file" image2 reports after it.
  for (const r of RULES) {
    if (lines.some((l) => r.re.test(l))) return { code: r.code, fatal: r.fatal, message: `${r.text} (${where})` };
  }
  const last = lines.filter((l) => !/^\s|^(Input|Output|Stream mapping|Press)/.test(l)).at(-1);
  if (exit?.signal) return { code: 'exited', fatal: false, message: `ffmpeg reading ${where} was killed (${exit.signal})` };
  const how = exit ? `exit code ${exit.code}` : 'stopped';
  return { code: 'exited', fatal: false, message: `ffmpeg ended (${how}) reading ${where}${last ? `: ${last.slice(0, 200)}` : ''}` };
}
