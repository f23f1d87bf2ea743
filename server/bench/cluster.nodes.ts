import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import type { CameraStatsRow } from '../realtime/camera.stats.push.js';

/**
 * The cluster bench's node processes: real `binhyen serve` processes (dist/server/cli.js), one
 * per node, each with its own data dir and port, sharing the bench's PostgreSQL database,
 * Redis, the cluster secret and the key files. Everything they are asked goes over HTTP, as
 * an admin's browser would.
 */
export const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
export const BENCH_PASSWORD = 'mật khẩu cụm đo hiệu năng 2026';

export interface BenchNode {
  id: string;
  url: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
  /** The last lines it printed (warnings and errors), for a failure message. */
  tail: string[];
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** `cli`: the built CLI (tests import this file from source, where there is no cli.js beside it). */
export function startNode(id: string, port: number, env: Record<string, string>, cli = CLI): BenchNode {
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, [cli, 'serve'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, BINHYEN_NODE_ID: id, BINHYEN_PORT: String(port), BINHYEN_HOST: '127.0.0.1', BINHYEN_CLUSTER__ADVERTISE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const keep = (b: Buffer) => {
    for (const line of b.toString().split('\n')) if (line) tail.push(line);
    if (tail.length > 5000) tail.splice(0, tail.length - 5000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { id, url, proc, exited, tail };
}

/** SIGTERM, then SIGKILL after a grace period. */
export async function stopNode(n: BenchNode, graceMs = 15_000): Promise<void> {
  if (n.proc.exitCode !== null || n.proc.signalCode !== null) return;
  n.proc.kill('SIGTERM');
  const done = await Promise.race([n.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
  if (!done) n.proc.kill('SIGKILL');
  await n.exited;
}

export function addAdmin(env: Record<string, string>, username: string): void {
  const r = spawnSync(process.execPath, [CLI, 'user', 'add', username, '--role', 'admin', '--password-stdin'], {
    input: BENCH_PASSWORD + '\n',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`binhyen user add failed: ${r.stderr.trim()}`);
}

export async function login(url: string, username: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ username, password: BENCH_PASSWORD }),
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  if (res.status !== 200 || !cookie) throw new Error(`bench login on ${url} failed: ${res.status}`);
  return cookie;
}

export async function getJson<T>(url: string, cookie: string, timeoutMs = 2000): Promise<T | undefined> {
  try {
    const res = await fetch(url, { headers: { cookie, accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** The cameras a node runs now, with their ingest and detection counters (GET /api/cameras/stats). */
export async function nodeStats(n: BenchNode, cookie: string, timeoutMs = 2000): Promise<CameraStatsRow[] | undefined> {
  return (await getJson<{ cameras: CameraStatsRow[] }>(`${n.url}/api/cameras/stats`, cookie, timeoutMs))?.cameras;
}

/** Whether Redis answers PING at this URL; the reason when not. */
export async function redisReachable(url: string, timeoutMs = 3000): Promise<string | undefined> {
  const client = createClient({ url, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.close().catch(() => undefined);
  }
}

export async function dropRedisStream(url: string, key: string): Promise<void> {
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.del(key);
  } catch {
    // a leftover stream of a few messages is harmless
  } finally {
    await client.close().catch(() => undefined);
  }
}
