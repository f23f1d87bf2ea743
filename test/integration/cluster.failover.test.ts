import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterView } from '../../server/api/api.types.js';
import { SimCameraFleet } from '../../server/demo/sim.fleet.js';
import type { AlertMessage } from '../../server/domain/socket.events.js';
import { createLogger } from '../../server/shared/log.js';
import { migrateLatest } from '../../server/store/db.js';
import { createStore } from '../../server/store/store.js';
import { OnvifSimulator } from '../fixtures/onvif-sim/onvif-sim.js';
import { encodeGreyClip, freePort, getJson, startNode, type NodeProc } from '../support/cluster.nodes.js';
import { dbTargets } from '../support/db.js';
import { CLI } from '../support/procs.js';
import { tempDir } from '../support/tmp.js';
import { login, openSocket, PASSWORD } from './auth.world.js';
import { waitFor } from './events.fixture.js';

const pg = dbTargets.find((t) => t.name === 'postgres');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const NODES = ['n1', 'n2', 'n3'];
const CAMERAS = 6;
/** The defaults (10 s lease, 2 s heartbeat, 5 s join delay): the failover measured is the product's. */
const LEASE_TTL_MS = 10_000;

/**
 * Issue 16, "done when": three `binhyen serve` processes on one PostgreSQL and one Redis, six
 * simulated cameras (RTSP from one GStreamer server, events from an ONVIF simulator each).
 * Every 200 ms through the test each node is asked what it runs: no camera may run on two
 * nodes at once. SIGKILL of a node moves its cameras within 30 s; each camera event becomes
 * exactly one event (no duplicates) and every alert reaches a police socket connected to a
 * surviving node (cameras that moved included); the node's return takes work back evenly;
 * a node paused past its lease (SIGSTOP) finds its writes refused when it wakes; a clip and a
 * range export of footage on another node's disk are served through the node the user is on.
 */
describe.skipIf(!pg)('several nodes as one system (PostgreSQL + Redis)', () => {
  const tmp = tempDir('binhyen-cluster-');
  const stream = `binhyen-test-${randomBytes(4).toString('hex')}`;
  let db: Knex;
  let cleanupDb: () => Promise<void>;
  let dbUrl: string;
  let fleet: SimCameraFleet;
  const sims: OnvifSimulator[] = [];
  const cameraIds: number[] = [];
  const nodes = new Map<string, NodeProc>();
  const ports = new Map<string, number>();
  let cookie = '';
  const received: AlertMessage[] = [];
  let socketClose: () => void = () => {};
  // The ownership watch: every 200 ms, what each answering node runs.
  const watch = { samples: 0, doubles: [] as string[], paused: new Set<string>(), stop: false, done: Promise.resolve() };
  const timings: Record<string, number> = {};

  const env = () => ({
    BINHYEN_DATABASE_URL: dbUrl,
    BINHYEN_CLUSTER__REDIS_URL: REDIS_URL,
    BINHYEN_CLUSTER__STREAM_NAME: stream,
    BINHYEN_CLUSTER__SECRET: 'the-test-cluster-secret',
    // One copy of the keys for every node (a node with other keys is refused).
    BINHYEN_SECRET_KEY_FILE: path.join(tmp.dir, 'keys', 'secret.key'),
    BINHYEN_AUDIT__KEY_FILE: path.join(tmp.dir, 'keys', 'audit.key'),
    BINHYEN_DEMO_CAMERA: 'false',
    BINHYEN_CAMERA_NETWORK__ALLOW: '127.0.0.0/8',
    BINHYEN_DETECT__WORKERS: '1',
    BINHYEN_DETECT__FPS: '1',
    BINHYEN_DETECT__WIDTH: '320',
    BINHYEN_INGEST__LIVE_JPEG_FPS: '0.2',
    BINHYEN_AUTH__SCRYPT_LOG2_N: '10',
    BINHYEN_LOG_LEVEL: 'info',
  });
  const launch = (id: string) => {
    const dataDir = path.join(tmp.dir, id);
    mkdirSync(dataDir, { recursive: true });
    nodes.set(id, startNode(id, ports.get(id)!, { ...env(), BINHYEN_DATA_DIR: dataDir }));
  };
  const view = (id: string, timeoutMs = 1000) => getJson<ClusterView>(`${nodes.get(id)!.url}/api/cluster`, cookie, timeoutMs);
  /** Camera → node from each live node's own word (not the table). */
  async function runningNow(only?: string[], timeoutMs = 1000): Promise<Map<number, string[]>> {
    const owners = new Map<number, string[]>();
    const ids = (only ?? [...nodes.keys()]).filter((id) => nodes.get(id)!.proc.exitCode === null && !watch.paused.has(id));
    const views = await Promise.all(ids.map((id) => view(id, timeoutMs)));
    views.forEach((v, i) => v?.local.running.forEach((c) => owners.set(c, [...(owners.get(c) ?? []), ids[i]!])));
    return owners;
  }
  const ownedOnce = async (expected: string[]) => {
    const owners = await runningNow(expected);
    return cameraIds.every((c) => owners.get(c)?.length === 1) ? owners : undefined;
  };
  const countsOf = (owners: Map<number, string[]>) => {
    const c: Record<string, number> = {};
    for (const [, [n]] of owners) c[n!] = (c[n!] ?? 0) + 1;
    return c;
  };

  /** On a failed round: what the database, the simulators and the nodes' logs say. */
  async function diag(label: string): Promise<void> {
    const got = await db('events').where({ label }).select('camera_id', 'node_id');
    const subs = sims.map((sim) => [...sim.events.subscriptions.values()].map((x) => `${x.id}:${x.queue.length}:${x.waiter ? 'w' : '-'}`).join(' '));
    const leases = await db('cluster_leases').select('name', 'owner', 'epoch');
    const logs = [...nodes.values()].map(
      (n) =>
        `${n.id}: ${n.tail
          .filter((l) => /WARN|ERROR|subscribed|lease|handed/.test(l))
          .slice(-30)
          .join('\n  ')}`,
    );
    console.error(JSON.stringify({ label, got, owners: [...(await runningNow())], subs, leases }), logs.join('\n'));
  }

  /** One camera event per camera, with a topic of its own per round: the label tells the round. */
  async function round(name: string, owners: Map<number, string[]>, movedSince: Map<number, number>): Promise<void> {
    for (const [i, cam] of cameraIds.entries()) {
      const sim = sims[i]!;
      // Emit once the current owner's PullPoint subscription waits: every owner (each lease epoch)
      // subscribes anew, so its subscription is the newest, numbered at least the epoch; an owner
      // that handed the camera over has unsubscribed or drops what it pulls.
      await waitFor(async () => {
        const lease = (await db('cluster_leases').where({ camera_id: cam }).first('epoch')) as { epoch: number };
        const subs = [...sim.events.subscriptions.values()];
        const newest = subs[subs.length - 1];
        const fresh = newest && newest.id >= Number(lease.epoch) && newest.id > (movedSince.get(cam) ?? 0);
        return fresh && (newest as { waiter?: unknown }).waiter ? true : undefined;
      }, 30_000).catch(async (err: unknown) => {
        await diag(`${name}: camera ${cam} not subscribed`);
        throw err;
      });
      sim.emitEvent({ topic: `tns1:RuleEngine/CellMotionDetector/${name}`, source: { Rule: 'r' }, data: { IsMotion: 'true' } });
    }
    void owners;
    const label = `RuleEngine/CellMotionDetector/${name}`;
    try {
      await waitFor(async () => (Number((await db('events').where({ label }).count<{ n: string }[]>({ n: '*' }))[0]!.n) >= CAMERAS ? true : undefined), 30_000);
    } catch (err) {
      await diag(label);
      throw err;
    }
    // exactly one event per camera for the one camera event: no node ran a camera twice
    const perCamera = await db('events').where({ label }).select('camera_id').count<{ camera_id: number; n: string }[]>({ n: '*' }).groupBy('camera_id');
    expect(perCamera.map((r) => [Number(r.camera_id), Number(r.n)]).sort((a, b) => a[0]! - b[0]!)).toEqual(cameraIds.map((c) => [c, 1]));
    await waitFor(() => (received.filter((a) => a.label === label).length === CAMERAS ? true : undefined), 10_000);
  }
  const maxSubIds = () => new Map(cameraIds.map((c, i) => [c, Math.max(0, ...sims[i]!.events.subscriptions.keys())]));

  beforeAll(async () => {
    ({ db, url: dbUrl, cleanup: cleanupDb } = await pg!.open());
    await migrateLatest(db);
    const add = spawnSync(process.execPath, [CLI, 'user', 'add', 'quantri', '--role', 'admin', '--password-stdin'], {
      input: PASSWORD + '\n',
      env: {
        PATH: process.env.PATH,
        BINHYEN_DATABASE_URL: dbUrl,
        BINHYEN_DATA_DIR: path.join(tmp.dir, 'cli'),
        BINHYEN_AUTH__SCRYPT_LOG2_N: '10',
        BINHYEN_AUDIT__KEY_FILE: env().BINHYEN_AUDIT__KEY_FILE,
      },
      encoding: 'utf8',
    });
    expect(add.status, add.stderr).toBe(0);
    // A still grey picture: ingest and recording run for real, detection has nothing to do.
    const file = path.join(tmp.dir, 'grey.mp4');
    expect(encodeGreyClip(file)).toBe(0);
    fleet = new SimCameraFleet({ ffmpegPath: 'ffmpeg', logger: createLogger('warn'), mounts: CAMERAS });
    await fleet.start();
    const urls = await fleet.ensure(Array.from({ length: CAMERAS }, () => ({ file, offsetS: 0 })));
    const store = createStore(db);
    for (let i = 0; i < CAMERAS; i++) {
      const sim = await new OnvifSimulator({ discovery: false }).start();
      sims.push(sim);
      const cam = await store.cameras.create({
        name: `Camera ${i + 1}`,
        areaId: null,
        ownerName: null,
        ownerKind: null,
        address: null,
        latitude: null,
        longitude: null,
        onvifUrl: sim.deviceServiceUrl,
        credentialsEnc: null,
        streams: { detect: { url: urls[i]! } },
        settings: { cameraEvents: { subscribe: true, action: 'event', topics: ['CellMotionDetector'] }, rules: { alerts: { cooldownSeconds: 0 } } },
        defaultVisibility: 'internal',
        enabled: true,
        clockOffsetMs: null,
        demo: false,
      });
      cameraIds.push(cam.id);
    }
    for (const id of NODES) ports.set(id, await freePort());
    NODES.forEach(launch);
    await waitFor(() => getJson(`${nodes.get('n1')!.url}/api/health`, '', 1000), 60_000);
    cookie = await login(nodes.get('n1')!, 'quantri');
    const socket = await openSocket(nodes.get('n1')!, { cookie });
    socketClose = () => socket.close();
    socket.on('alert:new', (a: AlertMessage) => received.push(a));
    await socket.timeout(5000).emitWithAck('alerts:subscribe', { afterId: 0 });
    watch.done = (async () => {
      while (!watch.stop) {
        const at = Date.now();
        const owners = await runningNow(undefined, 180);
        watch.samples++;
        for (const [cam, on] of owners) if (on.length > 1) watch.doubles.push(`${new Date(at).toISOString()} camera ${cam} on ${on.join('+')}`);
        await new Promise((r) => setTimeout(r, Math.max(0, 200 - (Date.now() - at))));
      }
    })();
  }, 120_000);

  afterAll(async () => {
    watch.stop = true;
    await watch.done;
    socketClose();
    for (const n of nodes.values()) {
      if (n.proc.exitCode === null) n.proc.kill('SIGCONT');
      n.proc.kill('SIGTERM');
    }
    await Promise.all([...nodes.values()].map((n) => Promise.race([n.exited, new Promise((r) => setTimeout(r, 15_000))])));
    for (const n of nodes.values()) if (n.proc.exitCode === null) n.proc.kill('SIGKILL');
    await fleet?.stop();
    for (const s of sims) await s.stop();
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    await redis.del(stream);
    await redis.close();
    await cleanupDb?.();
    tmp.remove();
    mkdirSync(path.join(process.cwd(), 'test-output'), { recursive: true });
    writeFileSync(path.join(process.cwd(), 'test-output', 'cluster-failover.json'), JSON.stringify({ ...timings, samples: watch.samples }, null, 2));
  }, 60_000);

  it('runs every camera on exactly one node, two each', async () => {
    const owners = await waitFor(() => ownedOnce(NODES).then((o) => (o && Object.values(countsOf(o)).every((n) => n === 2) ? o : undefined)), 60_000);
    expect(countsOf(owners)).toEqual({ n1: 2, n2: 2, n3: 2 });
    await round('Round1', owners, new Map());
    // The table as any node last read it (each heartbeat round): the same picture, a round later.
    const table = await waitFor(async () => {
      const v = await view('n2');
      return v?.nodes.every((n) => n.alive && n.cameraIds.length === 2) ? v : undefined;
    }, 10_000);
    expect(table.nodes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
    expect(table.jobs).toEqual([{ name: 'notify', owner: expect.stringMatching(/^n[123]$/) }]);
  }, 120_000);

  it("moves a killed node's cameras to the others within 30 s; no duplicate event, no lost alert", async () => {
    const before = await runningNow();
    const moved = [...before].filter(([, on]) => on[0] === 'n3').map(([c]) => c);
    const marks = maxSubIds();
    // An event n3 had open on one of its cameras when it died (a person still in view).
    const seenAt = Date.now() - 3000;
    const open = await createStore(db).events.create({
      cameraId: moved[0]!,
      areaId: null,
      trackId: 'n3-open',
      label: 'person',
      score: 0.8,
      box: null,
      zones: [],
      startAt: seenAt - 5000,
      lastSeenAt: seenAt,
      bestAt: seenAt,
      visibility: 'internal',
    });
    await db('events').where({ id: open.id }).update({ node_id: 'n3' });
    const killedAt = Date.now();
    nodes.get('n3')!.proc.kill('SIGKILL');
    await nodes.get('n3')!.exited;
    const owners = await waitFor(() => ownedOnce(['n1', 'n2']), 30_000, 100);
    timings.failoverMs = Date.now() - killedAt;
    expect(timings.failoverMs).toBeLessThan(30_000);
    expect(countsOf(owners)).toEqual({ n1: 3, n2: 3 });
    await round('Round2', owners, new Map(moved.map((c) => [c, marks.get(c)!])));
    const movedAlerts = received.filter((a) => a.label === 'RuleEngine/CellMotionDetector/Round2' && moved.includes(a.cameraId!));
    expect(movedAlerts).toHaveLength(moved.length);
    // the new owner closed it at its last sighting, once: not left open forever, not duplicated
    expect(await db('events').where({ id: open.id }).first('end_at', 'end_reason')).toEqual({ end_at: seenAt, end_reason: 'owner_lost' });
    expect(Number((await db('events').where({ track_id: 'n3-open' }).count<{ n: string }[]>({ n: '*' }))[0]!.n)).toBe(1);
  }, 120_000);

  it('takes work back when the node returns, evenly, never a camera on two nodes', async () => {
    const before = await runningNow();
    const marks = maxSubIds();
    const startedAt = Date.now();
    launch('n3');
    const owners = await waitFor(
      () => ownedOnce(NODES).then((o) => (o && Object.values(countsOf(o)).every((n) => n === 2) && countsOf(o).n3 === 2 ? o : undefined)),
      60_000,
      200,
    );
    timings.rebalanceMs = Date.now() - startedAt;
    const movedBack = cameraIds.filter((c) => before.get(c)?.[0] !== owners.get(c)?.[0]);
    expect(movedBack).toHaveLength(2); // only what n3 takes back moves
    await round('Round3', owners, new Map(movedBack.map((c) => [c, marks.get(c)!])));
  }, 120_000);

  it('fences a node paused past its lease: its cameras move, and what it writes on waking is refused', async () => {
    const before = await runningNow();
    const paused = [...before].filter(([, on]) => on[0] === 'n2').map(([c]) => c);
    watch.paused.add('n2'); // a paused process answers nobody; its ffmpegs keep recording meanwhile
    nodes.get('n2')!.proc.kill('SIGSTOP');
    const stoppedAt = Date.now();
    await waitFor(() => ownedOnce(['n1', 'n3']), 30_000, 200);
    await new Promise((r) => setTimeout(r, 4000)); // its ffmpegs finish a segment (4 s) it will try to index
    nodes.get('n2')!.proc.kill('SIGCONT');
    // On waking it finds its leases gone and stops those cameras.
    await waitFor(async () => ((await view('n2', 2000))?.local.running.some((c) => paused.includes(c)) === false ? true : undefined), 20_000);
    watch.paused.delete('n2');
    await waitFor(() => ownedOnce(NODES).then((o) => (o && Object.values(countsOf(o)).every((n) => n === 2) ? o : undefined)), 60_000);
    // No row for those cameras from n2 stamped after its lease ran out.
    const expiredAt = stoppedAt + LEASE_TTL_MS;
    const late = await db('recordings')
      .where('node_id', 'n2')
      .whereIn('camera_id', paused)
      .where('end_at', '>', expiredAt + 1000)
      .count<{ n: string }[]>({ n: '*' });
    expect(Number(late[0]!.n)).toBe(0);
    expect(nodes.get('n2')!.tail.join('\n')).toMatch(/no longer holds the camera's lease|camera lease lost/);
  }, 150_000);

  it('serves a clip recorded on another node through the node the user is on', async () => {
    // An event clip cut on n2 or n3, from that node's recordings (kept there, or served from them).
    const clip = await waitFor(
      async () =>
        (await db('clips').where({ state: 'ready', kind: 'event' }).whereNot('node_id', 'n1').first('id', 'node_id')) as
          { id: number; node_id: string } | undefined,
      30_000,
    ).catch(async (err: unknown) => {
      console.error(JSON.stringify({ clips: await db('clips').select('id', 'state', 'node_id', 'path', 'error', 'kind') }));
      throw err;
    });
    const res = await fetch(`${nodes.get('n1')!.url}/api/clips/${clip.id}/video.mp4`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/video\/mp4/);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(4, 8).toString()).toBe('ftyp'); // an MP4 from the other node's disk
    // a forged hop is refused, not served or forwarded again
    const forged = await fetch(`${nodes.get('n1')!.url}/api/clips/${clip.id}/video.mp4`, { headers: { cookie, 'x-binhyen-cluster': 'not-the-secret' } });
    expect(forged.status).toBe(403);
  }, 60_000);

  it('exports a range recorded on another node through the node the user is on, with its manifest and hash', async () => {
    // Two seconds of a camera that only n2 or n3 recorded (n1 has nothing of it then).
    const rows = (await db('recordings')
      .whereNot('node_id', 'n1')
      .where('end_at', '<', Date.now() - 5000)
      .orderBy('start_at', 'desc')
      .limit(200)) as {
      camera_id: number;
      start_at: number;
      end_at: number;
      node_id: string;
    }[];
    let pick: (typeof rows)[number] | undefined;
    for (const r of rows) {
      if (r.end_at - r.start_at < 2000) continue;
      const onN1 = await db('recordings')
        .where({ camera_id: r.camera_id, node_id: 'n1' })
        .where('end_at', '>', r.start_at)
        .where('start_at', '<', r.end_at)
        .first('id');
      if (!onN1) {
        pick = r;
        break;
      }
    }
    expect(pick, 'a stretch recorded only off n1').toBeDefined();
    const n1 = nodes.get('n1')!.url;
    const res = await fetch(`${n1}/api/clips/export`, {
      method: 'POST',
      headers: { cookie, origin: n1, 'content-type': 'application/json' },
      body: JSON.stringify({ cameraId: pick!.camera_id, from: pick!.start_at, to: pick!.start_at + 2000, reason: 'Công an xã trích xuất làm chứng cứ' }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const out = (await res.json()) as { clip: { id: number }; manifest: { sha256: string; bytes: number; clipId: number } };
    // cut on the node whose disk holds the recording, asked through n1
    expect(((await db('clips').where({ id: out.clip.id }).first('node_id')) as { node_id: string }).node_id).toBe(pick!.node_id);
    const dl = await fetch(`${n1}/api/clips/${out.clip.id}/download`, { headers: { cookie } });
    expect(dl.status).toBe(200);
    const body = Buffer.from(await dl.arrayBuffer());
    expect(body.subarray(4, 8).toString()).toBe('ftyp');
    const sha = createHash('sha256').update(body).digest('hex');
    expect(dl.headers.get('x-content-sha256')).toBe(sha);
    expect(out.manifest).toMatchObject({ clipId: out.clip.id, sha256: sha, bytes: body.length });
    const manifest = await getJson<{ sha256: string }>(`${n1}/api/clips/${out.clip.id}/manifest.json`, cookie, 5000);
    expect(manifest?.sha256).toBe(sha);
  }, 60_000);

  it('never had a camera on two nodes at once (checked every 200 ms)', () => {
    expect(watch.samples).toBeGreaterThan(100);
    expect(watch.doubles).toEqual([]);
    // every alert the database holds reached the socket on n1, each once
    return db('alerts')
      .select('id')
      .then((rows: { id: number }[]) => {
        expect(received.map((a) => a.id).sort((a, b) => a - b)).toEqual(rows.map((r) => r.id).sort((a, b) => a - b));
      });
  });
});
