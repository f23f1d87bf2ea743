import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { CLI } from './procs.js';

/** A `binhyen serve` process as one node of a cluster, on loopback, with its log kept. */
export interface NodeProc {
  id: string;
  url: string;
  proc: ChildProcess;
  log: string[];
  exited: Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export function startNode(id: string, port: number, env: Record<string, string>): NodeProc {
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...env,
      BINHYEN_NODE_ID: id,
      BINHYEN_PORT: String(port),
      BINHYEN_HOST: '127.0.0.1',
      BINHYEN_CLUSTER__ADVERTISE_URL: url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const keep = (b: Buffer) => {
    for (const line of b.toString().split('\n')) if (line) log.push(line);
    if (log.length > 5000) log.splice(0, log.length - 5000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { id, url, proc, log, exited };
}

/** GET as an admin's browser would; undefined when the node does not answer in time (killed, paused). */
export async function getJson<T>(url: string, cookie: string, timeoutMs = 1000): Promise<T | undefined> {
  try {
    const res = await fetch(url, { headers: { cookie, accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** A still grey picture, 5 minutes (longer than a test: a loop's timestamp jump is not what it is about); ffmpeg's exit code. */
export function encodeGreyClip(file: string): number | null {
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=0x707070:size=320x180:rate=10', '-t', '300'];
  return spawnSync('ffmpeg', [...args, '-c:v', 'libx264', '-preset', 'veryfast', '-g', '10', '-bf', '0', '-y', file]).status;
}
