import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../domain/socket.events.js';
import type { RunningServer } from '../main.js';
import { createLogger, type Logger } from '../shared/log.js';

/**
 * What the commune bench reads from the running server, each behind a small adapter so the
 * bench keeps working while counters are added to the clips/events modules and /api/health.
 */

/** A logger that writes nothing but counts the failures the bench reports (warn and above). */
export function countingLogger(): { log: Logger; counts: { snapshotFailures: number; clipFailures: number; errors: number } } {
  const counts = { snapshotFailures: 0, clipFailures: 0, errors: 0 };
  const log = createLogger('warn', (line) => {
    if (line.includes(' ERROR ')) counts.errors++;
    if (/snapshot failed/i.test(line)) counts.snapshotFailures++;
    if (/clip failed/i.test(line)) counts.clipFailures++;
  }, 'bench');
  return { log, counts };
}

export interface ClipCounters {
  /**
   * Clips late: their post-roll ended more than LATE_MS ago and they are not playable yet. A
   * clip inside its post-roll, or in the moment after it while its last picture reaches the
   * disk (readiness is checked 150 ms after the end), is not backlog; one that misses half the
   * 2 s target is.
   */
  pending: number;
  /** Every pending row, due or not. */
  rows: number;
  /** A snapshot-failure counter, when the server has one (else the bench counts log lines). */
  snapshotFailures: number | null;
}

const LATE_MS = 1000;

/** Looks for a number under any of the given dotted paths. */
function pick(obj: unknown, paths: string[]): number | null {
  for (const p of paths) {
    let v: unknown = obj;
    for (const k of p.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

/** Any counters the clips/events modules or /api/health expose today (tolerant of none). */
export async function readClipCounters(srv: RunningServer, cookie: string): Promise<ClipCounters> {
  const pendingRows = await srv.store.clips.listPending();
  const now = Date.now();
  const due = pendingRows.filter((c) => c.endAt + LATE_MS <= now).length;
  const mods = srv.events as unknown as Record<string, Record<string, unknown> | undefined>;
  const stats = (m: Record<string, unknown> | undefined) => (typeof m?.stats === 'function' ? (m.stats as () => unknown).call(m) : m);
  const eventStats = stats(mods.events?.events as Record<string, unknown> | undefined);
  const health = await fetch(`${srv.url}/api/health`, { headers: { cookie } }).then((r) => r.json() as Promise<unknown>).catch(() => null);
  const snapshotFailures = pick(eventStats, ['snapshotFailures', 'snapshots.failed']) ?? pick(health, ['snapshots.failures', 'snapshots.failed', 'events.snapshotFailures']);
  return { pending: due, rows: pendingRows.length, snapshotFailures };
}

/** Ms from the end of each event clip's post-roll (its range end) to the clip being ready. */
export async function clipReadyMs(srv: RunningServer, since: number): Promise<number[]> {
  const rows = await srv.store.db('clips').where({ kind: 'event', state: 'ready' }).where('end_at', '>=', since)
    .select<{ end_at: number | string; finalised_at: number | string | null }[]>('end_at', 'finalised_at');
  return rows.filter((r) => r.finalised_at !== null).map((r) => Number(r.finalised_at) - Number(r.end_at));
}

/** Bytes under `dir`, skipping top-level entries for which `skip` is true. */
export async function dirBytes(dir: string, skip: (name: string) => boolean = () => false): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (skip(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await dirBytes(p);
    else total += await stat(p).then((s) => s.size, () => 0);
  }
  return total;
}

const PASSWORD = 'mật khẩu đo hiệu năng 2026';
export type PoliceSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A police user logged in over HTTP, its socket.io client subscribed to alerts. */
export async function policeSocket(srv: RunningServer): Promise<{ socket: PoliceSocket; cookie: string }> {
  await srv.auth.users.add({ username: 'canbo.bench', roles: ['police'], areaIds: [], password: PASSWORD }, { name: 'cli' });
  const res = await fetch(`${srv.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: srv.url }, body: JSON.stringify({ username: 'canbo.bench', password: PASSWORD }) });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  if (res.status !== 200 || !cookie) throw new Error(`bench login failed: ${res.status}`);
  const socket: PoliceSocket = connect(srv.url, { transports: ['websocket'], extraHeaders: { cookie, origin: srv.url } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  await socket.timeout(5000).emitWithAck('alerts:subscribe', { afterId: 0 });
  return { socket, cookie };
}
