import { createServer, type Server } from 'node:http';
import { Router, type Express, type RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.js';
import { ACCESS_MATRIX, type Subject } from '../../server/auth/access.matrix.js';
import { authorize, AUTH_ACTION, type Action, type ResourceRef, type Role } from '../../server/auth/authorize.js';
import { silentLogger } from '../../server/shared/log.js';
import { SOCKET_ACTIONS } from '../../server/realtime/socket.server.js';
import type { TestServer } from '../support/server.js';
import { addIdleCamera, addUser, call, login, openSocket, seedAreas, startAuthServer, type Areas } from './auth.world.js';

/**
 * The access matrix, enforced: every route of the running server (found by walking the express
 * router, so new routes are picked up) and every client socket event (SOCKET_ACTIONS) is tried
 * by an anonymous client and by a user of each role in hamlet A and in hamlet B, against things
 * in hamlet A (shared and internal) and hamlet B. Route handlers after authorize() are replaced
 * by a stub for this test, so nothing is changed, discovered or exported while checking.
 *
 * A new route whose path names a thing by id needs its kind in KIND_OF_SEGMENT (or a param name
 * in KIND_OF_PARAM); a route whose resource comes from the body needs a BODY_SAMPLES entry.
 */
type Kind =
  | 'camera'
  | 'event'
  | 'alert'
  | 'clip'
  | 'note'
  | 'comment'
  | 'user'
  | 'area'
  | 'report'
  | 'reportPhoto'
  | 'endpoint'
  | 'delivery'
  | 'linkToken'
  | 'announcement';
const KIND_OF_SEGMENT: Record<string, Kind> = {
  cameras: 'camera',
  events: 'event',
  alerts: 'alert',
  clips: 'clip',
  notes: 'note',
  comments: 'comment',
  users: 'user',
  areas: 'area',
  reports: 'report',
  endpoints: 'endpoint',
  deliveries: 'delivery',
  announcements: 'announcement',
};
const KIND_OF_PARAM: Record<string, Kind> = {
  cameraId: 'camera',
  eventId: 'event',
  alertId: 'alert',
  clipId: 'clip',
  noteId: 'note',
  commentId: 'comment',
  userId: 'user',
  areaId: 'area',
  photoId: 'reportPhoto',
  token: 'linkToken',
};
/** Kinds that belong to an area and can be shared; others are not area-scoped (own-area on them means refused). */
const AREA_KINDS = new Set<Kind>(['camera', 'event', 'alert', 'clip', 'note', 'comment', 'area', 'report', 'reportPhoto', 'announcement']);
/** Reports: police of the area; residents only their own (the "shared" scenarios hold resident-a's or resident-b's own report, see seedWorld). */
const REPORT_KINDS = new Set<Kind>(['report', 'reportPhoto']);
const SHAREABLE = new Set<Kind>(['event', 'alert', 'clip', 'note', 'comment']);

interface Scenario {
  label: string;
  area: 'A' | 'B';
  shared: boolean;
  ids: Record<Kind, number>;
}
let scenarios: Scenario[];
const BODY_SAMPLES: Record<string, (s: Scenario) => unknown> = {
  'POST /api/clips/export': (s) => ({ cameraId: s.ids.camera, from: 1_800_000_000_000, to: 1_800_000_060_000, reason: 'access matrix test' }),
  'POST /api/events/:id/notes': () => ({ body: 'note', visibility: 'public' }),
  'POST /api/announcements': (s) => ({ areaId: s.ids.area, title: 'access matrix', body: 'test' }),
  'POST /api/reports': (s) => ({ areaId: s.ids.area, category: 'theft', body: 'access matrix test', occurredAt: 1_800_000_000_000 }),
};

const ROLES: Role[] = ['admin', 'police', 'technician', 'resident'];
interface Caller {
  name: string;
  subject: Subject;
  /** Every column that applies (a group leader is a resident too); `subject` alone when absent. */
  subjects?: Subject[];
  area?: 'A' | 'B';
  cookie?: string;
}
let callers: Caller[];
let srv: TestServer;
let areas: Areas;

interface RouteLayer {
  method: string;
  path: string;
  action: Action | undefined;
  authFirst: boolean;
  stubbed: number;
}
let routes: RouteLayer[];

const stub: RequestHandler = (_req, res) => {
  res.status(200).json({ authorized: true });
};

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean>; stack: { handle: unknown }[] };
  handle?: { stack?: Layer[] };
  slash?: boolean;
}

/** Walks the app's router; replaces every handler after authorize() with the stub. */
function walkAndStub(app: Express): RouteLayer[] {
  const out: RouteLayer[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const st = layer.route.stack;
        const idx = st.findIndex((l) => (l.handle as Record<symbol, unknown>)[AUTH_ACTION] !== undefined);
        const action = idx >= 0 ? ((st[idx]!.handle as Record<symbol, unknown>)[AUTH_ACTION] as Action) : undefined;
        for (let i = idx + 1; idx >= 0 && i < st.length; i++) st[i]!.handle = stub;
        for (const m of Object.keys(layer.route.methods).filter((k) => k !== '_all')) {
          out.push({ method: m.toUpperCase(), path: String(layer.route.path), action, authFirst: idx === 0, stubbed: idx >= 0 ? st.length - idx - 1 : 0 });
        }
      } else if (layer.handle?.stack) {
        // Routers must be mounted at / with full paths, or the paths walked here would be wrong.
        expect(layer.slash, 'a router mounted under a path prefix').not.toBe(false);
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

async function seedWorld(): Promise<void> {
  const cam = (areaId: number, name: string) => addIdleCamera(srv.store, areaId, name);
  const camA = await cam(areas.hamletA, 'cam A');
  const camB = await cam(areas.hamletB, 'cam B');
  const target = await addUser(srv, 'someone', ['resident'], [areas.hamletB]);
  const make = async (label: string, area: 'A' | 'B', shared: boolean): Promise<Scenario> => {
    const camera = area === 'A' ? camA : camB;
    const visibility = shared ? ('shared' as const) : ('internal' as const);
    const t = 1_800_000_000_000;
    const ev = await srv.store.events.create({
      cameraId: camera.id,
      areaId: camera.areaId,
      trackId: null,
      label: 'person',
      score: 0.9,
      box: null,
      zones: [],
      startAt: t,
      lastSeenAt: t,
      bestAt: t,
      visibility,
    });
    const alert = await srv.store.alerts.create({ kind: 'object', severity: 'normal', eventId: ev.id, cameraId: camera.id, areaId: camera.areaId, visibility });
    const clip = await srv.store.clips.create({
      cameraId: camera.id,
      eventId: ev.id,
      kind: 'event',
      startAt: t - 5000,
      endAt: t + 5000,
      pinned: false,
      reason: null,
      createdBy: null,
    });
    const note = await srv.store.notes.add({ alertId: alert.id, eventId: ev.id, userId: null, visibility: shared ? 'public' : 'internal', body: 'n' });
    const comment = await srv.store.comments.add({ eventId: ev.id, userId: null, body: 'c', flag: false });
    // "Shared" scenarios hold a report the area's own resident filed; the internal one someone else's.
    const reporter = shared ? await srv.store.users.getByUsername(`resident-${area.toLowerCase()}`) : target;
    const report = await srv.store.reports.create(
      {
        areaId: camera.areaId!,
        reporterId: reporter!.id,
        category: 'theft',
        body: 'r',
        place: '',
        latitude: null,
        longitude: null,
        occurredAt: t,
        eventId: null,
      },
      t,
    );
    const announcement = await srv.store.announcements.create(
      { areaId: camera.areaId!, authorId: null, title: 'a', body: 'b', photo: { path: 'announcements/none.jpg', mime: 'image/jpeg' } },
      t,
    );
    const reportPhoto = await srv.store.reports.addPhoto({ reportId: report.id, path: 'reports/none.jpg', mime: 'image/jpeg', bytes: 1, sha256: 'x' }, t);
    return {
      label,
      area,
      shared,
      ids: {
        camera: camera.id,
        event: ev.id,
        alert: alert.id,
        clip: clip.id,
        note: note.id,
        comment: comment.id,
        user: target.id,
        area: camera.areaId!,
        report: report.id,
        reportPhoto,
        endpoint: 1,
        delivery: 1,
        linkToken: 1,
        announcement,
      },
    };
  };
  scenarios = [await make('hamlet A, shared', 'A', true), await make('hamlet A, internal', 'A', false), await make('hamlet B, shared', 'B', true)];
}

beforeAll(async () => {
  srv = await startAuthServer({ loginMaxFailuresPerIp: 10_000 });
  await srv.auth.users.add({ username: 'first-admin', roles: ['admin'], areaIds: [], password: 'bootstrap password 1' }, { name: 'cli' });
  areas = await seedAreas(srv.store);
  callers = [{ name: 'anonymous', subject: 'anonymous' }];
  for (const role of ROLES) {
    for (const area of ['A', 'B'] as const) {
      const name = `${role}-${area.toLowerCase()}`;
      await addUser(srv, name, [role], [area === 'A' ? areas.hamletA : areas.hamletB]);
      callers.push({ name, subject: role, area, cookie: await login(srv, name) });
    }
  }
  // Group leaders: residents who lead their hamlet's group (the hamlet stands for the group here).
  for (const area of ['A', 'B'] as const) {
    const name = `leader-${area.toLowerCase()}`;
    const areaId = area === 'A' ? areas.hamletA : areas.hamletB;
    const user = await addUser(srv, name, ['resident'], [areaId]);
    await srv.auth.users.setMembership(areaId, user.id, 'leader');
    callers.push({ name, subject: 'group_leader', subjects: ['resident', 'group_leader'], area, cookie: await login(srv, name) });
  }
  await seedWorld();
  routes = walkAndStub(srv.app);
});
afterAll(async () => {
  await srv?.stop();
});

/** What the matrix says this caller gets for this action on this scenario's thing (or on no thing): any of their columns may allow it. */
function expectAllowed(action: Action, c: Caller, kind: Kind | undefined, s: Scenario | undefined): boolean {
  return (c.subjects ?? [c.subject]).some((subject) => allowedFor(subject, action, c, kind, s));
}

function allowedFor(subject: Subject, action: Action, c: Caller, kind: Kind | undefined, s: Scenario | undefined): boolean {
  const row = ACCESS_MATRIX[action];
  const cell = row.access[subject];
  if (cell !== 'own-area') return cell === 'allow';
  if (!kind || !s) return row.collection;
  if (!AREA_KINDS.has(kind)) return false;
  // Reports: police and group leaders see every report of their area or group; residents only their own.
  if (REPORT_KINDS.has(kind)) return s.area === c.area && (subject !== 'resident' || (s.shared && c.name.startsWith('resident-')));
  return s.area === c.area && (!SHAREABLE.has(kind) || s.shared);
}

/** Residents asking for a footage thing they may not see get the same 404 as for a missing one (issue 12). */
const CONCEALED = new Set(['event', 'clip', 'alert', 'note', 'comment', 'report']);
function concealed(action: Action, c: Caller, s: Scenario | undefined): boolean {
  const row = ACCESS_MATRIX[action];
  const subjects = c.subjects ?? [c.subject];
  const best = subjects.some((x) => row.access[x] === 'allow') ? 'allow' : subjects.some((x) => row.access[x] === 'own-area') ? 'own-area' : 'deny';
  return s !== undefined && CONCEALED.has(row.resource) && best === 'own-area';
}

function kindsOf(path: string): { param: string; kind: Kind | undefined }[] {
  const segs = path.split('/');
  return segs.flatMap((seg, i) =>
    seg.startsWith(':') ? [{ param: seg.slice(1), kind: KIND_OF_PARAM[seg.slice(1)] ?? KIND_OF_SEGMENT[segs[i - 1] ?? ''] }] : [],
  );
}

describe('access matrix: routes', () => {
  it('every route declares its action with authorize() as its first handler, and the action has a matrix row', () => {
    expect(routes.length).toBeGreaterThan(10);
    const bad = routes
      .filter((r) => !r.action || !r.authFirst || !ACCESS_MATRIX[r.action])
      .map((r) => `${r.method} ${r.path} → ${r.action ?? 'no authorize()'}`);
    expect(bad).toEqual([]);
  });

  it('every route names its things in a way this test can fill in', () => {
    const unknown = routes.flatMap((r) =>
      kindsOf(r.path)
        .filter((p) => !p.kind)
        .map((p) => `${r.method} ${r.path}: :${p.param}`),
    );
    expect(unknown, 'add the param or path segment to KIND_OF_PARAM / KIND_OF_SEGMENT').toEqual([]);
  });

  it('each role in hamlet A and B, and an anonymous client, get exactly what the matrix says', async () => {
    const { wrong, checked } = await checkRoutes(srv, routes);
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(routes.length * callers.length);
  });
});

describe('access matrix: technicians and cameras of other areas (issue 12)', () => {
  it('a technician tests and watches only cameras of their areas and unassigned ones; police watch all and test none', async () => {
    const cookie = (name: string) => callers.find((c) => c.name === name)!.cookie;
    const unassigned = await addIdleCamera(srv.store, null, 'not yet placed');
    const [own, , other] = scenarios as [Scenario, Scenario, Scenario];
    const tries = (id: number) => [
      ['GET', `/api/cameras/${id}/live.jpg`],
      ['POST', `/api/cameras/${id}/test-connection`],
    ];
    const statuses = async (who: string, id: number) =>
      Promise.all(tries(id).map(([m, p]) => call(srv, m!, p!, { cookie: cookie(who), body: m === 'POST' ? {} : undefined }).then((r) => r.status)));
    expect(await statuses('technician-a', other.ids.camera)).toEqual([403, 403]);
    expect(await statuses('technician-a', own.ids.camera)).toEqual([200, 200]);
    expect(await statuses('technician-a', unassigned.id)).toEqual([200, 200]);
    expect(await statuses('police-a', other.ids.camera)).toEqual([200, 403]);
  });
});

/** Calls every route as every caller on every scenario; returns what differs from the matrix. */
async function checkRoutes(target: { url: string }, list: RouteLayer[]): Promise<{ wrong: string[]; checked: number }> {
  const wrong: string[] = [];
  let checked = 0;
  for (const r of list) {
    const params = kindsOf(r.path);
    const sample = BODY_SAMPLES[`${r.method} ${r.path}`];
    const byBody = sample !== undefined;
    const cases = params.length || byBody ? scenarios : [undefined];
    for (const s of cases) {
      const path = params.reduce((p, { param, kind }) => p.replace(`:${param}`, String(s!.ids[kind!])), r.path);
      const body = sample ? sample(s!) : r.method === 'GET' || r.method === 'HEAD' ? undefined : {};
      const kind = params.at(-1)?.kind ?? (byBody ? 'camera' : undefined);
      for (const c of callers) {
        const res = await call<{ authorized?: boolean; error?: { code: string; message?: string } }>(target, r.method, path, { cookie: c.cookie, body });
        const want = expectAllowed(r.action!, c, kind, s);
        const got =
          res.body?.authorized === true
            ? 'allowed'
            : res.status === 401
              ? 'unauthenticated'
              : res.status === 403
                ? 'forbidden'
                : res.status === 404 && res.body?.error?.message === 'not found'
                  ? 'not found'
                  : `${res.status} ${res.body?.error?.code ?? ''}`;
        const expected = want ? 'allowed' : c.subject === 'anonymous' ? 'unauthenticated' : concealed(r.action!, c, s) ? 'not found' : 'forbidden';
        if (got !== expected) wrong.push(`${c.name} ${r.method} ${path} (${r.action}${s ? `, ${s.label}` : ''}): expected ${expected}, got ${got}`);
        checked += 1;
      }
    }
  }
  return { wrong, checked };
}

/**
 * Routes shaped like the event, clip and alert routes, resolving the seeded things from the
 * database: they show the checker catches cross-area access by id (a resident of hamlet A asking
 * for a clip, snapshot, note or alert of hamlet B, or an internal event of hamlet A) — and that
 * it notices a resolver that reports the wrong visibility or a route that forgets its resolver.
 */
describe('access matrix: the checker itself, on probe routes', () => {
  let probe: { url: string; app: Express; http: Server };
  const eventRef = async (id: unknown): Promise<ResourceRef> => {
    const e = await srv.store.events.get(Number(id));
    return { type: 'event', id: e!.id, areaId: e!.areaId, visibility: e!.visibility };
  };
  const clipRef = async (id: unknown): Promise<ResourceRef> => {
    const c = await srv.store.clips.get(Number(id));
    return { ...(await eventRef(c!.eventId)), type: 'clip', id: c!.id };
  };
  const alertRef = async (id: unknown): Promise<ResourceRef> => {
    const a = await srv.store.alerts.get(Number(id));
    return { type: 'alert', id: a!.id, areaId: a!.areaId, visibility: a!.visibility };
  };
  const noteRef = async (id: unknown): Promise<ResourceRef> => {
    const n = (await srv.store
      .db('notes')
      .where({ id: Number(id) })
      .first()) as { id: number; event_id: number; visibility: string };
    const e = await eventRef(n.event_id);
    return { type: 'note', id: n.id, areaId: e.areaId, visibility: n.visibility, eventVisibility: e.visibility };
  };

  async function serve(build: (r: Router) => void) {
    const router = Router();
    build(router);
    const app = createApp({ log: silentLogger, routers: [router], before: srv.auth.before, afterBody: srv.auth.afterBody });
    const http = createServer(app);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as { port: number }).port;
    return { url: `http://127.0.0.1:${port}`, app, http };
  }
  afterAll(async () => {
    await new Promise((resolve) => probe?.http.close(resolve));
  });

  it('finds nothing wrong with correct routes, and checks cross-area and internal access by id', async () => {
    const a = srv.auth.authorizer;
    probe = await serve((r) => {
      r.get(
        '/api/events/:id',
        authorize(a, 'event.read', (q) => eventRef(q.params.id)),
        stub,
      );
      r.get(
        '/api/events/:id/snapshots/best.jpg',
        authorize(a, 'event.snapshot', (q) => eventRef(q.params.id)),
        stub,
      );
      r.get(
        '/api/clips/:id/video.mp4',
        authorize(a, 'clip.read', (q) => clipRef(q.params.id)),
        stub,
      );
      r.get(
        '/api/clips/:id/download',
        authorize(a, 'clip.download', (q) => clipRef(q.params.id)),
        stub,
      );
      r.get(
        '/api/alerts/:id',
        authorize(a, 'alert.read', (q) => alertRef(q.params.id)),
        stub,
      );
      r.get(
        '/api/notes/:id',
        authorize(a, 'note.list', (q) => noteRef(q.params.id)),
        stub,
      );
      r.post(
        '/api/events/:id/comments',
        authorize(a, 'comment.create', async (q) => ({
          ...(await eventRef(q.params.id)),
          type: 'comment',
          eventVisibility: (await eventRef(q.params.id)).visibility,
        })),
        stub,
      );
    });
    const list = walkAndStub(probe.app);
    const { wrong, checked } = await checkRoutes(probe, list);
    expect(wrong).toEqual([]);
    expect(checked).toBe(list.length * scenarios.length * callers.length);
    // spot-check the cases the issue names, straight from the responses
    const residentA = callers.find((c) => c.name === 'resident-a')!.cookie;
    const [aShared, aInternal, bShared] = scenarios as [Scenario, Scenario, Scenario];
    expect((await call(probe, 'GET', `/api/clips/${bShared.ids.clip}/video.mp4`, { cookie: residentA })).status).toBe(404);
    expect((await call(probe, 'GET', `/api/events/${bShared.ids.event}/snapshots/best.jpg`, { cookie: residentA })).status).toBe(404);
    expect((await call(probe, 'GET', `/api/notes/${bShared.ids.note}`, { cookie: residentA })).status).toBe(404);
    expect((await call(probe, 'GET', `/api/alerts/${bShared.ids.alert}`, { cookie: residentA })).status).toBe(404);
    expect((await call(probe, 'GET', `/api/events/${aInternal.ids.event}`, { cookie: residentA })).status).toBe(404);
    expect((await call(probe, 'GET', `/api/events/${aShared.ids.event}`, { cookie: residentA })).status).toBe(200);
  });

  it('reports a resolver that claims the wrong visibility and a route that forgets its resolver', async () => {
    const a = srv.auth.authorizer;
    const broken = await serve((r) => {
      r.get(
        '/api/events/:id',
        authorize(a, 'event.read', async (q) => ({ ...(await eventRef(q.params.id)), visibility: 'shared' })),
        stub,
      );
      r.get('/api/alerts/:id', authorize(a, 'alert.read'), stub);
    });
    try {
      const { wrong } = await checkRoutes(broken, walkAndStub(broken.app));
      expect(wrong).toContain(`resident-a GET /api/events/${scenarios[1]!.ids.event} (event.read, hamlet A, internal): expected not found, got allowed`);
      expect(wrong).toContain(`resident-a GET /api/alerts/${scenarios[0]!.ids.alert} (alert.read, hamlet A, shared): expected allowed, got forbidden`);
    } finally {
      await new Promise((resolve) => broken.http.close(resolve));
    }
  });
});

describe('access matrix: socket events', () => {
  it('every client event has an action with a matrix row', () => {
    const missing = Object.entries(SOCKET_ACTIONS)
      .filter(([, a]) => !ACCESS_MATRIX[a])
      .map(([e]) => e);
    expect(missing).toEqual([]);
  });

  it('an anonymous client or a foreign page cannot even connect', async () => {
    await expect(openSocket(srv)).rejects.toThrow(/sign in required/);
    const admin = callers.find((c) => c.subject === 'admin')!;
    await expect(openSocket(srv, { cookie: admin.cookie, origin: 'http://evil.example' })).rejects.toThrow();
  });

  it('each role in hamlet A and B gets exactly what the matrix says for every event', async () => {
    const wrong: string[] = [];
    for (const c of callers.filter((x) => x.cookie)) {
      const socket = await openSocket(srv, { cookie: c.cookie });
      try {
        for (const [event, action] of Object.entries(SOCKET_ACTIONS) as [keyof typeof SOCKET_ACTIONS, Action][]) {
          const want = expectAllowed(action, c, undefined, undefined);
          const serverSide = srv.io.of('/').sockets.get(socket.id!);
          let got: string;
          if (!serverSide || serverSide.listeners(event).length === 0) {
            wrong.push(`${event}: no handler is registered for it on the server (wire it in main.ts with onAuthorized)`);
            continue;
          }
          try {
            const reply = (await socket.timeout(3000).emitWithAck(event, {} as never)) as { ok: boolean; error?: { code: string } };
            got = reply.ok ? 'allowed' : reply.error?.code === 'forbidden' ? 'forbidden' : `error ${reply.error?.code}`;
          } catch {
            got = 'no answer';
          }
          if (got !== (want ? 'allowed' : 'forbidden')) wrong.push(`${c.name} ${event} (${action}): expected ${want ? 'allowed' : 'forbidden'}, got ${got}`);
        }
      } finally {
        socket.close();
      }
    }
    expect([...new Set(wrong)]).toEqual([]);
  });
});
