import type { Logger } from '../shared/log.js';
import { repoFile } from './asset.path.js';
import { failOnExit, killNow, spawnChild, terminate, type ChildHandle } from './simcam.process.js';

/**
 * Adapter around `rtsp-server.py` (GStreamer's RTSP server). The Python process picks free
 * ports itself (port 0) and reports them on its ready line, so parallel tests never race
 * for a port; a restart after a power cut asks for the same RTSP port again.
 */
export interface RtspServerOptions {
  logger: Logger;
  mountPath: string;
  /** 0 lets the server choose. */
  port?: number;
  user?: string;
  password?: string;
  /** How the mount asks for them (default basic). */
  auth?: 'basic' | 'digest';
  /** Debian's python3 has gi; the first python3 on PATH may not. */
  pythonPath?: string;
  readyTimeoutMs?: number;
  /** The codec the publisher sends (default h264). */
  codec?: 'h264' | 'h265';
}

interface ReadyLine {
  event: 'ready';
  port: number;
  inputPort: number;
}

export class RtspServerProcess {
  private constructor(
    readonly child: ChildHandle,
    readonly port: number,
    /** UDP port on 127.0.0.1 where the publisher sends MPEG-TS. */
    readonly inputPort: number,
  ) {}

  static async start(opts: RtspServerOptions): Promise<RtspServerProcess> {
    const python = opts.pythonPath ?? process.env.BINHYEN_PYTHON ?? '/usr/bin/python3';
    const args = [repoFile('server/demo/rtsp-server.py'), '--port', String(opts.port ?? 0), '--mount', opts.mountPath, '--codec', opts.codec ?? 'h264'];
    const env: Record<string, string> = {};
    if (opts.user) {
      env.SIMCAM_USER = opts.user;
      env.SIMCAM_PASSWORD = opts.password ?? '';
      env.SIMCAM_AUTH = opts.auth ?? 'basic';
    }
    // stdin stays a pipe we never write to: when this process dies it closes, and the server exits.
    const child = spawnChild(python, args, { name: 'rtsp-server', logger: opts.logger, stdio: ['pipe', 'pipe', 'pipe'], env, secrets: [opts.password] });
    try {
      const ready = await failOnExit(
        child,
        readyLine<ReadyLine>(child, 'rtsp-server', opts.readyTimeoutMs ?? 15_000, (m) =>
          typeof m.port === 'number' && typeof m.inputPort === 'number' ? { event: 'ready', port: m.port, inputPort: m.inputPort } : null,
        ),
        'the simulated camera RTSP server did not start',
      );
      return new RtspServerProcess(child, ready.port, ready.inputPort);
    } catch (err) {
      await killNow(child);
      throw err;
    }
  }

  pid(): number | undefined {
    return this.child.isRunning() ? this.child.proc.pid : undefined;
  }

  async stop(): Promise<void> {
    this.child.proc.stdin?.end();
    await terminate(this.child);
  }

  async kill(): Promise<void> {
    await killNow(this.child);
  }
}

/**
 * Waits for a simulator process's JSON "ready" line on stdout (its first protocol line); an
 * "error" line or the deadline rejects with the process's stderr tail. `accept` turns the
 * ready line into the caller's shape, or null when it lacks a field.
 */
export function readyLine<T>(child: ChildHandle, name: string, timeoutMs: number, accept: (msg: Record<string, unknown>) => T | null): Promise<T> {
  return new Promise((resolve, reject) => {
    const stdout = child.proc.stdout;
    if (!stdout) return reject(new Error(`${name} has no stdout`));
    const timer = setTimeout(() => reject(new Error(`${name} not ready after ${timeoutMs} ms\n${child.stderrTail()}`)), timeoutMs);
    let pending = '';
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const msg = parseLine(line);
        if (!msg || (msg.event !== 'ready' && msg.event !== 'error')) continue;
        clearTimeout(timer);
        const ready = msg.event === 'ready' ? accept(msg) : null;
        if (ready) resolve(ready);
        else reject(new Error(`${name}: ${String(msg.message ?? line)}`));
      }
    });
  });
}

function parseLine(line: string): Record<string, unknown> | null {
  if (!line.trim().startsWith('{')) return null;
  try {
    const v: unknown = JSON.parse(line);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    // Not one of our protocol lines (a library printed to stdout): not an error for us.
    return null;
  }
}
