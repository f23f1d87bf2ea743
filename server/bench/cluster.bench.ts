import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { ProcSampler } from '../ingest/proc.sampler.js';
import type { CameraStatsRow } from '../realtime/camera.stats.push.js';
import { silentLogger } from '../shared/log.js';
import { createScratchDatabase, dropScratchDatabase, postgresReachable } from '../store/db.scratch.js';
import { migrateLatest, openDb } from '../store/db.js';
import { createStore, type Store } from '../store/store.js';
import { benchVerdict, type Verdict } from './bench.verdict.js';
import { CommuneFleet, isBusy } from './commune.fleet.js';
import { addAdmin, dropRedisStream, freePort, login, nodeStats, redisReachable, startNode, stopNode, type BenchNode } from './cluster.nodes.js';
import { measureFailover, type FailoverResult } from './cluster.failover.js';

/**
 * The cluster rows of the bench (issue 16): 1, 2 and 3 real node processes on this machine,
 * one PostgreSQL database (created for the run, dropped after) and Redis, the commune's
 * simulated cameras. For each node count a short fixed ladder of camera counts (smaller than
 * the single-node sweep: the cluster part stays near 4 minutes), each judged with the same
 * verdict as the sweep, so "held" means the same thing; the CPU of every node process and its
 * ffmpegs shows what coordination costs per node. Then one node of the largest cluster is
 * killed (SIGKILL) and the time until its cameras are analysed again on the survivors is
 * measured, with the product's lease defaults.
 */
export interface ClusterBenchOptions {
  footage: string;
  ffmpegPath: string;
  nodeCounts: number[];
  /** Total cameras per step (the same ladder for every node count). */
  steps: number[];
  windowS: number;
  warmupS: number;
  /** PostgreSQL server (its database is only used to create and drop the bench's own). */
  postgresUrl: string;
  redisUrl: string;
  say(line: string): void;
}

export interface ClusterNodeUse {
  id: string;
  cameras: number;
  cpuPct: number;
}

export interface ClusterStep {
  cameras: number;
  busy: number;
  verdict: Verdict;
  analysedFps: number;
  /** Node processes plus their ffmpegs, % of one core (summed over nodes). */
  cpuPct: number;
  perNode: ClusterNodeUse[];
}

export interface ClusterNodesRow {
  nodes: number;
  /** Largest step held (0: none of the ladder). */
  camerasHeld: number;
  /** CPU at the first step, % of one core, all nodes together. */
  cpuPct: number | null;
  /** (CPU with this many nodes − CPU with one) / (nodes − 1), at the first step: what each extra node costs. */
  overheadCpuPctPerNode: number | null;
  steps: ClusterStep[];
}

export type ClusterBenchResult =
  | { skipped: string }
  | {
      ladder: number[];
      windowS: number;
      note: string;
      nodes: ClusterNodesRow[];
      failoverMs: number | null;
      failover: FailoverResult;
    };

const TARGET_FPS = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r1 = (x: number) => Math.round(x * 10) / 10;

/** Skips with the reason when PostgreSQL or Redis does not answer (a user's machine). */
export async function clusterPrerequisites(o: Pick<ClusterBenchOptions, 'postgresUrl' | 'redisUrl'>): Promise<string | undefined> {
  const pg = await postgresReachable(o.postgresUrl);
  if (pg) return `PostgreSQL not reachable at ${redact(o.postgresUrl)} (${pg}); point --postgres at a PostgreSQL server to run the cluster rows`;
  const redis = await redisReachable(o.redisUrl);
  if (redis) return `Redis not reachable at ${redact(o.redisUrl)} (${redis}); point --redis at a Redis server to run the cluster rows`;
  return undefined;
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

export async function runClusterBench(o: ClusterBenchOptions): Promise<ClusterBenchResult> {
  const why = await clusterPrerequisites(o);
  if (why) {
    o.say(`cluster: skipped — ${why}`);
    return { skipped: why };
  }
  const dbName = `binhyen_bench_${process.pid}`;
  const stream = `binhyen-bench-${randomBytes(4).toString('hex')}`;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'binhyen-cluster-bench-'));
  const dbUrl = await createScratchDatabase(o.postgresUrl, dbName);
  const db = openDb({ url: dbUrl });
  const fleet = new CommuneFleet({ footage: o.footage, ffmpegPath: o.ffmpegPath, log: silentLogger, maxCameras: Math.max(...o.steps) + 1 });
  try {
    await migrateLatest(db);
    const env = nodeEnv(dbUrl, o.redisUrl, stream, tmp);
    addAdmin({ ...env, BINHYEN_DATA_DIR: path.join(tmp, 'cli') }, 'quantri.bench');
    const store = createStore(db);
    const cameraIds = await registerCameras(store, await fleet.ensure(Math.max(...o.steps)));
    o.say(`cluster: ${o.nodeCounts.join(', ')} node processes, PostgreSQL ${dbName} + Redis; cameras ${o.steps.join(', ')} per node count; ${o.windowS} s windows`);
    const rows: ClusterNodesRow[] = [];
    let failover: FailoverResult = { skipped: 'no cluster of two nodes or more was run' };
    const largest = Math.max(...o.nodeCounts);
    for (const k of o.nodeCounts) {
      const group = await runGroup(o, { k, env, tmp, db, store, cameraIds, killAfter: k === largest && k > 1 });
      const first = group.steps[0]?.cpuPct ?? null;
      const one = rows.find((r) => r.nodes === 1)?.cpuPct ?? null;
      rows.push({
        nodes: k,
        camerasHeld: Math.max(0, ...group.steps.filter((s) => s.verdict.held).map((s) => s.cameras)),
        cpuPct: first,
        overheadCpuPctPerNode: k > 1 && first !== null && one !== null ? r1((first - one) / (k - 1)) : null,
        steps: group.steps,
      });
      if (group.failover) failover = group.failover;
    }
    return {
      ladder: o.steps,
      windowS: o.windowS,
      note: `a fixed ladder of ${o.steps.join(' and ')} cameras per node count (the single-node sweep goes further); held = the sweep's verdict without its people check (the nodes are other processes); lease ${10} s and heartbeat 2 s as shipped, joinAfterMs 0`,
      nodes: rows,
      failoverMs: 'failoverMs' in failover ? failover.failoverMs : null,
      failover,
    };
  } finally {
    await fleet.stop();
    await db.destroy();
    await dropScratchDatabase(o.postgresUrl, dbName).catch((err: unknown) => o.say(`  cluster: database ${dbName} not dropped: ${(err as Error).message}`));
    await dropRedisStream(o.redisUrl, stream);
    rmSync(tmp, { recursive: true, force: true });
  }
}

function nodeEnv(dbUrl: string, redisUrl: string, stream: string, tmp: string): Record<string, string> {
  return {
    BINHYEN_DATABASE_URL: dbUrl,
    BINHYEN_CLUSTER__REDIS_URL: redisUrl,
    BINHYEN_CLUSTER__STREAM_NAME: stream,
    BINHYEN_CLUSTER__SECRET: randomBytes(16).toString('hex'),
    // Every node must hold the same keys (camera credentials, audit chain): a node with others is refused.
    BINHYEN_SECRET_KEY_FILE: path.join(tmp, 'secret.key'),
    BINHYEN_AUDIT__KEY_FILE: path.join(tmp, 'audit.key'),
    // The cameras are enabled once every node heartbeats, so nobody waits to count for the balance.
    BINHYEN_CLUSTER__JOIN_AFTER_MS: '0',
    BINHYEN_DEMO_CAMERA: 'false',
    BINHYEN_CAMERA_NETWORK__ALLOW: '127.0.0.0/8',
    BINHYEN_DETECT__FPS: String(TARGET_FPS),
    BINHYEN_DETECT__WIDTH: '640',
    BINHYEN_AUTH__SCRYPT_LOG2_N: '10',
    BINHYEN_LOG_LEVEL: 'warn',
  };
}

async function registerCameras(store: Store, cams: { index: number; url: string }[]): Promise<number[]> {
  const ids: number[] = [];
  for (const cam of cams) {
    const rec = await store.cameras.create({
      name: `cụm ${cam.index + 1}`, areaId: null, ownerName: null, ownerKind: null, address: null, latitude: null, longitude: null,
      onvifUrl: null, credentialsEnc: null, streams: { detect: { url: cam.url } }, settings: {}, defaultVisibility: 'internal',
      enabled: false, clockOffsetMs: null, demo: false,
    });
    ids.push(rec.id);
  }
  return ids;
}

interface GroupCtx {
  k: number;
  env: Record<string, string>;
  tmp: string;
  db: Knex;
  store: Store;
  cameraIds: number[];
  killAfter: boolean;
}

async function setEnabled(store: Store, cameraIds: number[], n: number): Promise<void> {
  for (const [i, id] of cameraIds.entries()) await store.cameras.update(id, { enabled: i < n });
}

async function runGroup(o: ClusterBenchOptions, g: GroupCtx): Promise<{ steps: ClusterStep[]; failover?: FailoverResult }> {
  await setEnabled(g.store, g.cameraIds, 0);
  const nodes: BenchNode[] = [];
  try {
    for (let i = 1; i <= g.k; i++) {
      const dataDir = path.join(g.tmp, `g${g.k}`, `n${i}`);
      mkdirSync(dataDir, { recursive: true });
      // Node ids of their own per node count: a node never meets the index rows of an earlier one.
      nodes.push(startNode(`c${g.k}n${i}`, await freePort(), { ...g.env, BINHYEN_DATA_DIR: dataDir }));
    }
    const cookie = await waitForNodes(nodes, g.db);
    const steps: ClusterStep[] = [];
    for (const n of o.steps) {
      const mark = new Map(nodes.map((nd) => [nd.id, nd.tail.length]));
      await setEnabled(g.store, g.cameraIds, n);
      const step = await measureStep(o, nodes, cookie, g, n);
      steps.push(step);
      if (!step.verdict.held) sayWarnings(o, nodes, mark);
      o.say(`  ${g.k} node(s) × ${n} cameras: ${step.verdict.held ? 'held' : 'NOT held: ' + step.verdict.reasons.join('; ')} (min ${step.verdict.minAnalysedFps} fps, CPU ${step.cpuPct} %: ${step.perNode.map((p) => `${p.id} ${p.cameras} cams ${p.cpuPct} %`).join(', ')})`);
      if (!step.verdict.held) break;
    }
    if (!g.killAfter) return { steps };
    // Failover from a steady state: the largest count held (a count not held may be thrashing already).
    const steady = Math.max(0, ...steps.filter((x) => x.verdict.held).map((x) => x.cameras)) || o.steps[0]!;
    if (steady !== steps[steps.length - 1]!.cameras) {
      await setEnabled(g.store, g.cameraIds, steady);
      await sleep(5000); // the cameras beyond it stop at the next round (disabled: nobody runs them)
      await waitRunning(nodes, cookie, g.cameraIds.slice(0, steady));
    }
    o.say(`  failover at ${steady} cameras on ${g.k} nodes`);
    const failover = { atCameras: steady, ...(await measureFailover({ nodes, cookie, say: o.say })) };
    return { steps, failover };
  } finally {
    await Promise.all(nodes.map((n) => stopNode(n)));
  }
}

/** A step not held: what the nodes warned about meanwhile (the first lines), for whoever reads the bench. */
function sayWarnings(o: ClusterBenchOptions, nodes: BenchNode[], since: Map<string, number>): void {
  for (const nd of nodes) {
    const lines = nd.tail.slice(since.get(nd.id) ?? 0).filter((l) => / (WARN|ERROR) /.test(l));
    if (lines.length) o.say(`    ${nd.id}: ${lines.length} warnings, first: ${lines.slice(0, 3).map((l) => l.slice(0, 300)).join('\n      ')}`);
  }
}

/** Until every node answers and heartbeats in the shared table; returns an admin's cookie. */
async function waitForNodes(nodes: BenchNode[], db: Knex): Promise<string> {
  const deadline = Date.now() + 90_000;
  let cookie = '';
  while (Date.now() < deadline) {
    const dead = nodes.find((n) => n.proc.exitCode !== null);
    if (dead) throw new Error(`node ${dead.id} exited (${dead.proc.exitCode}): ${dead.tail.slice(-5).join(' | ')}`);
    try {
      cookie ||= await login(nodes[0]!.url, 'quantri.bench');
      const live = (await db('cluster_nodes').whereIn('id', nodes.map((n) => n.id)).where('heartbeat_at', '>', Date.now() - 5000).count<{ n: string }[]>({ n: '*' }))[0];
      const answering = await Promise.all(nodes.map((n) => nodeStats(n, cookie)));
      if (Number(live?.n) === nodes.length && answering.every(Boolean)) return cookie;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  throw new Error('the cluster nodes did not all come up within 90 s');
}

type Seen = Map<number, { node: string; row: CameraStatsRow }>;

/** Until every camera is analysed (at least one frame) on some node, or 60 s; how many were. */
async function waitRunning(nodes: BenchNode[], cookie: string, ids: number[]): Promise<number> {
  const began = Date.now();
  let started = 0;
  while (Date.now() < began + 60_000) {
    const seen = await snapshot(nodes, cookie);
    started = ids.filter((id) => (seen.get(id)?.row.detection?.analysed ?? 0) > 0).length;
    if (started === ids.length) break;
    await sleep(500);
  }
  return started;
}

/** What every node runs now. A node slow to answer (a loaded machine) is asked again: a missing answer would read as "runs nothing". */
async function snapshot(nodes: BenchNode[], cookie: string): Promise<Seen> {
  const seen: Seen = new Map();
  for (const n of nodes) {
    let rows: CameraStatsRow[] | undefined;
    for (let i = 0; i < 3 && rows === undefined && n.proc.exitCode === null && n.proc.signalCode === null; i++) rows = await nodeStats(n, cookie, 10_000);
    for (const row of rows ?? []) seen.set(row.cameraId, { node: n.id, row });
  }
  return seen;
}

async function measureStep(o: ClusterBenchOptions, nodes: BenchNode[], cookie: string, g: GroupCtx, n: number): Promise<ClusterStep> {
  const ids = g.cameraIds.slice(0, n);
  // Clips of this step only: the scratch database keeps the rows of earlier groups, whose nodes are gone
  // with their recordings, so their clips stay pending for good and are no backlog of these nodes.
  const stepFrom = Date.now();
  // Every camera running (analysed at least once) on exactly one node.
  const started = await waitRunning(nodes, cookie, ids);
  if (started < ids.length) {
    o.say(`  ${g.k} node(s) × ${n}: only ${started} cameras analysed after 60 s; the nodes said:`);
    for (const nd of nodes) o.say(`    ${nd.id} (exit ${nd.proc.exitCode}): ${nd.tail.filter((l) => /WARN|ERROR/.test(l)).slice(0, 8).join('\n      ')}`);
  }
  await sleep(o.warmupS * 1000);
  const sampler = new ProcSampler();
  const pidsOf = (seen: Seen, node: string) => [...seen.values()].filter((s) => s.node === node).flatMap((s) => s.row.sessions.map((x) => x.pid ?? 0)).filter(Boolean);
  const s0 = await snapshot(nodes, cookie);
  for (const nd of nodes) for (const pid of [nd.proc.pid ?? 0, ...pidsOf(s0, nd.id)]) await sampler.sample(pid);
  const t0 = performance.now();
  const backlog: number[] = [];
  const end = t0 + o.windowS * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(1000, end - performance.now()));
    const due = (await g.store.clips.listPending()).filter((c) => c.endAt >= stepFrom && c.endAt + 1000 <= Date.now()).length;
    backlog.push(due);
  }
  const windowS = (performance.now() - t0) / 1000;
  const s1 = await snapshot(nodes, cookie);
  const perNode: ClusterNodeUse[] = [];
  for (const nd of nodes) {
    let cpu = 0;
    for (const pid of [nd.proc.pid ?? 0, ...pidsOf(s1, nd.id)]) cpu += (await sampler.sample(pid))?.cpuPercent ?? 0;
    perNode.push({ id: nd.id, cameras: [...s1.values()].filter((s) => s.node === nd.id).length, cpuPct: r1(cpu) });
  }
  const cameras = ids.map((id, i) => {
    const a = s0.get(id);
    const b = s1.get(id);
    // A camera that moved during the window counts as not analysed: a hand-over is not free.
    const same = a && b && a.node === b.node;
    const d = (f: (r: CameraStatsRow) => number) => (same ? Math.max(0, f(b.row) - f(a.row)) : 0);
    const requested = d((r) => r.detection?.regionsRequested ?? 0);
    return {
      cameraId: id, busy: isBusy(i), analysedFps: r1(d((r) => r.detection?.analysed ?? 0) / windowS),
      regionsRequested: requested, regionsDropped: Math.max(0, requested - d((r) => r.detection?.regionsDone ?? 0)), people: 0,
    };
  });
  const verdict = benchVerdict({ targetFps: TARGET_FPS, cameras, backlog, referencePeople: null });
  return {
    cameras: n, busy: cameras.filter((c) => c.busy).length, verdict, analysedFps: r1(cameras.reduce((a, c) => a + c.analysedFps, 0)),
    cpuPct: r1(perNode.reduce((a, p) => a + p.cpuPct, 0)), perNode,
  };
}
