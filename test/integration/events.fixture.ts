/**
 * Shared set-up for the events/alerts/clips integration tests: a real SQLite database, real
 * recorded segments (ffmpeg lavfi, MPEG-TS like ingest writes), a stand-in clip cutter with
 * the ingest contract, and a real HTTP + socket.io server around the events module.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server as HttpServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { createApp } from '../../server/api/app.js';
import { createAuthorizer, type Authorizer, type Principal, type Policy } from '../../server/auth/authorize.js';
import type { AuditEntry, CutClip } from '../../server/clips/clip.types.js';
import { inScope, type ScopeOf } from '../../server/auth/access.scope.js';
import type { Clock } from '../../server/shared/clock.js';
import { wireEventsAndClips, type EventsWiring, type EventsWiringDeps } from '../../server/main.events.js';
import { FfmpegAdapter } from '../../server/ingest/ffmpeg.adapter.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/domain/socket.events.js';
import { createSocketServer, type AppIo } from '../../server/realtime/socket.server.js';
import { Bus } from '../../server/shared/bus.js';
import { AppError } from '../../server/shared/errors.js';
import { silentLogger } from '../../server/shared/log.js';
import { migrateLatest, openDb } from '../../server/store/db.js';
import type { NewCamera } from '../../server/store/camera.repository.js';
import { createStore, type Store } from '../../server/store/store.js';

const run = promisify(execFile);
export type TestClient = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `binhyen-${prefix}-`));
}

/**
 * SQLite in the test's folder. The flow tests stay on SQLite: what differs between databases
 * lives in the repositories, which events.store.test.ts runs on PostgreSQL too (TEST_DATABASE_URL).
 */
export async function openTestStore(dataDir: string): Promise<Store> {
  const db = openDb({ url: `sqlite:${path.join(dataDir, 'test.sqlite')}` });
  await migrateLatest(db);
  return createStore(db);
}

/** A camera row for the events tests (never started): its rules and visibility as the test needs them. */
export function addTestCamera(
  store: Store,
  name: string,
  areaId: number | null,
  o: { settings?: NewCamera['settings']; defaultVisibility?: 'internal' | 'shared' } = {},
) {
  return store.cameras.create({
    name,
    areaId,
    ownerName: null,
    ownerKind: null,
    address: null,
    latitude: null,
    longitude: null,
    onvifUrl: null,
    credentialsEnc: null,
    streams: { detect: { url: 'rtsp://127.0.0.1/x' } },
    settings: o.settings ?? {},
    defaultVisibility: o.defaultVisibility ?? 'internal',
    enabled: true,
    clockOffsetMs: null,
    demo: false,
  });
}

/**
 * Records `count` segments of `segmentS` seconds starting at wall-clock `startAt` for a camera
 * and indexes them, the way ingest's continuous recording does (H.264 in MPEG-TS, keyframe per segment).
 */
export async function recordSegments(store: Store, dataDir: string, cameraId: number, startAt: number, count: number, segmentS = 2): Promise<string[]> {
  const dir = path.join(dataDir, 'recordings', String(cameraId), String(startAt));
  mkdirSync(dir, { recursive: true });
  await run('ffmpeg', [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=320x180:rate=10`,
    '-t',
    String(count * segmentS),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    String(segmentS * 10),
    '-keyint_min',
    String(segmentS * 10),
    '-sc_threshold',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'segment',
    '-segment_time',
    String(segmentS),
    '-reset_timestamps',
    '1',
    '-segment_format',
    'mpegts',
    path.join(dir, 'seg-%03d.ts'),
  ]);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  for (const [i, f] of files.entries()) {
    const p = path.join(dir, f);
    await store.recordings.add({
      cameraId,
      path: p,
      startAt: startAt + i * segmentS * 1000,
      endAt: startAt + (i + 1) * segmentS * 1000,
      bytes: statSync(p).size,
    });
  }
  return files;
}

export async function probeDurationS(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  return Number(stdout.trim());
}

/**
 * The ingest contract (server/clips/clip.cutter.ts) stood in for: concatenate the whole
 * segments overlapping the range by stream copy into outPath. Deliberately NOT faststart, so
 * the producer's remux runs.
 */
export function concatCutter(store: Store, hooks: { beforeWrite?: (outPath: string) => Promise<void> } = {}): CutClip {
  return async ({ cameraId, from, to, outPath }) => {
    const segs = await store.recordings.overlapping(cameraId, from, to);
    if (!segs.length) throw new AppError('range_not_kept', `no recording of camera ${cameraId} in that range`, 404);
    const list = `${outPath}.txt`;
    writeFileSync(list, segs.map((s) => `file '${s.path.replace(/'/g, "'\\''")}'`).join('\n') + '\n');
    try {
      await hooks.beforeWrite?.(outPath);
      await run('ffmpeg', [
        '-nostdin',
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'concat',
        '-safe',
        '0',
        '-i',
        list,
        '-c',
        'copy',
        '-f',
        'mp4',
        '-y',
        outPath,
      ]);
    } finally {
      rmSync(list, { force: true });
    }
    return { path: outPath, durationS: await probeDurationS(outPath), bytes: statSync(outPath).size };
  };
}

/** Test principals: sockets pass `auth: {as: 'resident:12,13'}`, requests a header; anything else is loopback (police-like). */
export function principalFrom(raw: unknown, ip: string): Principal {
  const m = typeof raw === 'string' ? /^resident:([\d,]+)$/.exec(raw) : null;
  if (!m) return { kind: 'loopback', ip, roles: [], areaIds: [] };
  const areaIds = m[1]!.split(',').map(Number);
  return { kind: 'user', ip, userId: 99, username: 'resident', roles: ['resident'], areaIds, areaScope: areaIds };
}

/** A small stand-in for the auth area's policy: loopback does anything, a resident reads what is shared with their areas. */
export const testPolicy: Policy = (p, action, ref) => {
  if (p.kind === 'loopback') return true;
  const readOnly = ['event.list', 'event.read', 'event.snapshot', 'alert.list', 'alert.read', 'clip.list', 'clip.read', 'comment.create', 'realtime.subscribe'];
  if (!readOnly.includes(action)) return false;
  if (!ref) return true;
  const visibility = (ref.eventVisibility ?? ref.visibility) === 'shared' ? 'shared' : 'internal';
  return inScope({ all: false, areaIds: p.areaScope ?? p.areaIds }, { areaId: ref.areaId ?? null, visibility });
};

export interface TestServer {
  url: string;
  port: number;
  module: EventsWiring;
  io: AppIo;
  http: HttpServer;
  audits: AuditEntry[];
  close(): Promise<void>;
}

export async function startTestServer(o: {
  store: Store;
  bus: Bus;
  dataDir: string;
  cutClip: CutClip;
  clock?: Clock;
  tuning?: EventsWiringDeps['tuning'];
  port?: number;
  preRollS?: number;
  postRollS?: number;
  encoder?: EventsWiringDeps['encoder'];
  maxClipS?: number;
  holds?: EventsWiringDeps['holds'];
}): Promise<TestServer> {
  const audits: AuditEntry[] = [];
  const authorizer: Authorizer = { ...createAuthorizer(testPolicy), principalOf: (req) => principalFrom(req.get('x-test-as'), req.socket.remoteAddress ?? '') };
  const scopeOf: ScopeOf = (p) => (p.kind === 'loopback' ? { all: true } : { all: false, areaIds: p.areaScope ?? p.areaIds });
  const module = wireEventsAndClips({
    config: {
      dataDir: o.dataDir,
      timeZone: 'Asia/Ho_Chi_Minh',
      record: { enabled: true, segmentSeconds: 2, preRollSeconds: o.preRollS ?? 3, postRollSeconds: o.postRollS ?? 3, maxClipSeconds: o.maxClipS ?? 120 },
      retention: { recordingDays: 7, eventDays: 30, maxDiskGb: 0, minFreeGb: 0, keepRecentMinutes: 10 },
    },
    ffmpeg: await FfmpegAdapter.create(),
    store: o.store,
    bus: o.bus,
    authorizer,
    log: silentLogger,
    cutClip: o.cutClip,
    audit: async (e) => {
      audits.push(e);
    },
    scopeOf,
    clock: o.clock,
    tuning: { clipSettleMs: 0, ...o.tuning },
    encoder: o.encoder,
    holds: o.holds,
  });
  const app = createApp({ routers: module.routers, log: silentLogger });
  const http = createServer(app);
  const io = createSocketServer(http, authorizer, silentLogger);
  io.use((socket, next) => {
    socket.data.principal = principalFrom((socket.handshake.auth as { as?: unknown }).as, socket.handshake.address);
    next();
  });
  module.attachIo(io);
  io.on('connection', (socket) => module.registerSocket(socket));
  await module.start();
  await new Promise<void>((resolve) => http.listen(o.port ?? 0, '127.0.0.1', resolve));
  const port = (http.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    module,
    io,
    http,
    audits,
    close: async () => {
      await module.stop();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

export function connectClient(url: string, as?: string): TestClient {
  return ioClient(url, { transports: ['websocket'], reconnection: false, auth: as ? { as } : {}, forceNew: true });
}

/** Raw HTTP GET that sends the path exactly as given (fetch would normalise `..` away). */
export function rawGet(
  port: number,
  rawPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A yuv420p frame with a gradient and a bright block, like a person on a street at night. */
export function syntheticFrame(cameraId: number, at: number, width = 320, height = 180) {
  const data = new Uint8Array(width * height * 1.5);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (x + y) & 0xff;
  data.fill(128, width * height);
  return { cameraId, seq: 1, capturedAt: at, width, height, data };
}

export async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, stepMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
