import { createHash } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { Role } from '../../server/auth/authorize.js';
import { SESSION_COOKIE } from '../../server/auth/session.cookie.js';
import type { Store } from '../../server/store/store.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Shared by the auth, security and access-matrix suites: a real server with accounts, an area
 * tree, and helpers to sign in and call the API or open a socket as a given user.
 */
export const PASSWORD = 'một mật khẩu đủ dài 2026';

/** Fast scrypt for tests (same code path as production, lower cost). */
export function startAuthServer(auth: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): Promise<TestServer> {
  return startTestServer({ ...overrides, auth: { scryptLog2N: 10, socketRecheckSeconds: 1, ...auth } });
}

export interface Areas {
  commune: number;
  hamletA: number;
  groupA1: number;
  hamletB: number;
}

/** commune → hamlet A → residents' group A1; commune → hamlet B. */
export async function seedAreas(store: Store): Promise<Areas> {
  const commune = await store.areas.create({ parentId: null, kind: 'commune', name: 'Xã Bình Yên' });
  const hamletA = await store.areas.create({ parentId: commune.id, kind: 'hamlet', name: 'Ấp An Phú' });
  const groupA1 = await store.areas.create({ parentId: hamletA.id, kind: 'residents_group', name: 'Tổ 1' });
  const hamletB = await store.areas.create({ parentId: commune.id, kind: 'hamlet', name: 'Ấp Bình Lợi' });
  return { commune: commune.id, hamletA: hamletA.id, groupA1: groupA1.id, hamletB: hamletB.id };
}

/** Creates a user through the same service the CLI uses. */
/** A registered camera that never runs (its stream goes nowhere): for tests about who may see or change it. */
export function addIdleCamera(store: Store, areaId: number | null, name: string) {
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
    streams: { detect: { url: 'rtsp://127.0.0.1:1/none' } },
    settings: {},
    defaultVisibility: 'internal',
    enabled: false,
    clockOffsetMs: null,
    demo: false,
  });
}

export async function addUser(srv: TestServer, username: string, roles: Role[], areaIds: number[] = [], password = PASSWORD) {
  return srv.auth.users.add({ username, roles, areaIds, password }, { name: 'cli' });
}

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the API like a same-origin browser page would (Origin set on changes), with an optional session cookie. */
export async function call<T = unknown>(
  srv: { url: string },
  method: string,
  path: string,
  opts: { cookie?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string>; noOrigin?: boolean } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(method === 'GET' || method === 'HEAD' || opts.noOrigin ? {} : { origin: srv.url }),
    ...opts.headers,
  };
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: string | Uint8Array | undefined = opts.rawBody === undefined || typeof opts.rawBody === 'string' ? opts.rawBody : new Uint8Array(opts.rawBody);
  if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(`${srv.url}${path}`, { method, headers, body: body as BodyInit | undefined, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (media): keep the text
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export function cookieFrom(res: Reply): string | undefined {
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  const value = set?.split(';')[0];
  return value && value !== `${SESSION_COOKIE}=` ? value : undefined;
}

export async function login(srv: { url: string }, username: string, password = PASSWORD): Promise<string> {
  const res = await call(srv, 'POST', '/api/auth/login', { body: { username, password } });
  const cookie = cookieFrom(res);
  if (res.status !== 200 || !cookie) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return cookie;
}

/** Opens a socket as a browser on our page would; resolves when connected, rejects with the refusal. */
export function openSocket(srv: { url: string }, opts: { cookie?: string; origin?: string } = {}): Promise<Socket> {
  const socket = connect(srv.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: 5000,
    extraHeaders: { origin: opts.origin ?? srv.url, ...(opts.cookie ? { cookie: opts.cookie } : {}) },
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

export function waitForDisconnect(socket: Socket, ms = 5000): Promise<string> {
  if (!socket.connected) return Promise.resolve('already');
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('socket stayed connected')), ms);
    socket.once('disconnect', (reason) => {
      clearTimeout(t);
      resolve(reason);
    });
  });
}

/** sha256 over every row of every table (sorted), to show an attack changed nothing. */
export async function tableHashes(store: Store): Promise<Record<string, string>> {
  const tables = (await store.db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")) as { name: string }[];
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const rows = (await store.db(name).select('*')) as Record<string, unknown>[];
    const lines = rows
      .map((r) =>
        JSON.stringify(
          Object.keys(r)
            .sort()
            .map((k) => [k, r[k]]),
        ),
      )
      .sort();
    out[name] = createHash('sha256').update(lines.join('\n')).digest('hex');
  }
  return out;
}

/** The next `name` event on `socket`, or a rejection naming it after `ms`. */
export function nextEvent<T>(socket: Socket, name: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${name} within ${ms} ms`)), ms);
    socket.once(name, (m: T) => {
      clearTimeout(t);
      resolve(m);
    });
  });
}
