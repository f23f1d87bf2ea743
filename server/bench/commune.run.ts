import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configFrom } from '../config/config.load.js';
import type { DetectConfig } from '../config/config.schema.js';
import { readStamp } from '../demo/frame.stamp.js';
import type { PipelineMode } from '../detect/camera.pipeline.js';
import type { AlertMessage } from '../domain/socket.events.js';
import { ProcSampler } from '../ingest/proc.sampler.js';
import { startServer, type RunningServer } from '../main.js';
import type { Bus, TrackMessage } from '../shared/bus.js';
import type { CameraSample } from './bench.verdict.js';
import type { CommuneFleet } from './commune.fleet.js';
import { clipReadyMs, countingLogger, dirBytes, policeSocket, readClipCounters } from './commune.probe.js';

/**
 * One run of the commune scenario: the real server (startServer, SQLite in a temp data dir,
 * events, snapshots, clips, recording and socket.io all on) with N simulated cameras
 * registered through the camera service, a police socket.io client receiving alerts.
 * Warm up, measure a window, then let clips drain and read how long they took.
 */
export interface CommuneRunOptions {
  mode: PipelineMode;
  cameras: number;
  detect: Partial<Pick<DetectConfig, 'backend' | 'model'>>;
  windowS: number;
  warmupS: number;
  drainS: number;
  fleet: CommuneFleet;
  say(line: string): void;
}

export interface CameraRow extends CameraSample {
  framesIn: number;
  ingestDropped: number;
  /** Person tracks confirmed during the window. */
  personTracks: number;
  modelCalls: number;
  /** Why the model ran on this camera's frames in the window (PipelineStats.modelRuns). */
  modelRuns: Record<string, number>;
  ffmpegCpuPercent: number;
  ffmpegRssMb: number;
}

export interface CommuneRun {
  mode: PipelineMode;
  model: string;
  backend: string;
  cameras: number;
  busy: number;
  windowS: number;
  targetFps: number;
  perCamera: CameraRow[];
  analysedFps: number;
  modelCallsPerSecond: number;
  /** Share of the model calls that ran on CenterNet's 16:9 twin (the rest letterboxed into 512×512). */
  wideShare: number | null;
  inferMedianMs: number | null;
  cpu: { serverPercent: number; ffmpegPercent: number; totalPercent: number; perCameraPercent: number; simulatorPercent: number };
  rssMb: { server: number; ffmpeg: number; total: number; perCamera: number };
  backlog: number[];
  /**
   * Alert latency samples; `cameraMs`: the stamp → the frame reaching BinhYen (the simulated camera's encoder and transport).
   * `stages`, per alert: `camera` (stamp → the first detected frame reaching BinhYen), `detect` (that frame's
   * arrival → its track confirmed and announced: waiting for the confirming frame, motion, the model twice),
   * `publish` (track announced → `alert:new` at the client: rules, the event and alert transaction, socket.io).
   */
  latency: { alerts: number; samplesMs: number[]; cameraMs: number[]; stages: LatencyStages };
  clips: { ready: number; readyMs: number[]; pendingMax: number; failures: number };
  snapshots: { failures: number };
  disk: { recordingBytesPerCameraHour: number; eventMediaBytesPerCameraHour: number };
  errors: number;
  /** Why the run did not finish (the sweep records it as not held); absent when it did. */
  error?: string;
}

export interface LatencyStages {
  camera: number[];
  detect: number[];
  publish: number[];
}

/** The row of a run that threw before it could measure: N cameras, nothing analysed, and why. */
export function failedRun(mode: PipelineMode, cameras: number, err: unknown): CommuneRun {
  const zero = { serverPercent: 0, ffmpegPercent: 0, totalPercent: 0, perCameraPercent: 0, simulatorPercent: 0 };
  return {
    mode, model: 'none', backend: 'none', cameras, busy: 0, windowS: 0, targetFps: TARGET_FPS, perCamera: [], analysedFps: 0, modelCallsPerSecond: 0,
    wideShare: null, inferMedianMs: null, cpu: zero, rssMb: { server: 0, ffmpeg: 0, total: 0, perCamera: 0 }, backlog: [],
    latency: { alerts: 0, samplesMs: [], cameraMs: [], stages: { camera: [], detect: [], publish: [] } },
    clips: { ready: 0, readyMs: [], pendingMax: 0, failures: 0 }, snapshots: { failures: 0 },
    disk: { recordingBytesPerCameraHour: 0, eventMediaBytesPerCameraHour: 0 }, errors: 1, error: (err as Error)?.message ?? String(err),
  };
}

/** Every person is an alert on the stamped camera: no cooldown, the event starts on confirmation. */
const LATENCY_RULES = { alerts: { cooldownSeconds: 0 }, minDurationMs: 0, minFrames: 2 };
export const CONFIRM_HITS = LATENCY_RULES.minFrames;
const TARGET_FPS = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r1 = (x: number) => Math.round(x * 10) / 10;
const mb = (b: number) => r1(b / 1048576);

/**
 * A person counts as seen while its track got a detection within this much of now: four
 * analysed frames, more than the 600 ms re-check of a stationary track. Short enough that a
 * track split in two, or kept alive without detections, does not count twice for long, and a
 * camera analysed late or slowly loses people.
 */
const SEEN_MS = 800;

/**
 * People tracked per camera: at each 200 ms sample, the person tracks that were detected
 * within the last SEEN_MS (capture time). A starved detector loses people here; tracks kept
 * alive without detections, or split in two, do not count twice.
 */
function watchPeople(bus: Bus) {
  const live = new Map<number, Map<string, number>>();
  const sums = new Map<number, number>();
  const starts = new Map<number, number>();
  let samples = 0;
  let measuring = false;
  const of = (id: number) => live.get(id) ?? live.set(id, new Map()).get(id)!;
  const seen = (t: TrackMessage) => t.label === 'person' && of(t.cameraId).set(t.trackId, t.lastSeenAt);
  bus.on('track.start', (t) => {
    seen(t);
    if (measuring && t.label === 'person') starts.set(t.cameraId, (starts.get(t.cameraId) ?? 0) + 1);
  });
  bus.on('track.update', seen);
  bus.on('track.end', (t) => of(t.cameraId).delete(t.trackId));
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      measuring = true;
      timer = setInterval(() => {
        samples++;
        const since = Date.now() - SEEN_MS;
        for (const [id, tracks] of live) sums.set(id, (sums.get(id) ?? 0) + [...tracks.values()].filter((at) => at >= since).length);
      }, 200);
    },
    stop() {
      measuring = false;
      clearInterval(timer);
    },
    people: (id: number) => (samples ? (sums.get(id) ?? 0) / samples : 0),
    starts: (id: number) => starts.get(id) ?? 0,
  };
}

export async function runCommune(o: CommuneRunOptions): Promise<CommuneRun> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'binhyen-commune-'));
  const { log, counts } = countingLogger();
  // The simulated cameras listen on loopback, which cameras may not reach by default (issue 12 finding 6).
  const config = configFrom({
    port: 0, host: '127.0.0.1', dataDir, demoCamera: false, auth: { scryptLog2N: 10 }, cameraNetwork: { allow: ['127.0.0.0/8'] },
    detect: { fps: TARGET_FPS, width: 640, ...o.detect },
  });
  const cams = await o.fleet.ensure(o.cameras);
  let srv: RunningServer | undefined;
  try {
    srv = await startServer(config, log, { detectMode: o.mode });
    const server = srv;
    const { socket, cookie } = await policeSocket(server);
    const people = watchPeople(server.bus);
    const ids: { id: number; busy: boolean }[] = [];
    const registeredAt = Date.now();
    const stamps = new Map<number, number>();
    /** When each stamped frame (by capture time) reached the bench's frame reader, and when each track of that camera was announced (by its first frame). */
    const arrivals = new Map<number, number>();
    const announced = new Map<number, number>();
    const latencies: number[] = [];
    const cameraMs: number[] = [];
    const stages: LatencyStages = { camera: [], detect: [], publish: [] };
    let measuring = false;
    for (const cam of cams) {
      const rec = await server.cameras.service.register({ name: `commune ${cam.index + 1}`, streams: { detect: { url: cam.url } }, settings: cam.stamped ? { rules: LATENCY_RULES } : {} });
      ids.push({ id: rec.id, busy: cam.busy });
      if (cam.stamped) {
        void (async () => {
          for await (const f of server.ingest.frames(rec.id)) {
            const s = readStamp(f.data, f.width, f.height);
            if (s === null) continue;
            stamps.set(f.capturedAt, s);
            arrivals.set(f.capturedAt, Date.now());
            if (measuring) cameraMs.push(Date.now() - s);
          }
        })();
      }
    }
    const stampedId = ids[0]!.id;
    server.bus.on('track.start', (t) => {
      if (t.cameraId === stampedId) announced.set(t.firstSeenAt, Date.now());
    });
    socket.on('alert:new', (a: AlertMessage) => {
      const stamp = stamps.get(a.startedAt);
      if (!measuring || a.cameraId !== stampedId || a.kind !== 'object' || stamp === undefined) return;
      const now = Date.now();
      latencies.push(now - stamp);
      const arrived = arrivals.get(a.startedAt);
      const confirmed = announced.get(a.startedAt);
      if (arrived === undefined || confirmed === undefined) return;
      stages.camera.push(arrived - stamp);
      stages.detect.push(confirmed - arrived);
      stages.publish.push(now - confirmed);
    });
    o.say(`  ${o.mode} × ${o.cameras} (${ids.filter((c) => c.busy).length} busy): warming up ${o.warmupS} s, measuring ${o.windowS} s`);
    await sleep(o.warmupS * 1000);
    measuring = true;
    const m = await measureWindow(o, server, ids, people, cookie);
    const backlog = [...m.backlog];
    // Drain: events that ended in the window get their clips; pending keeps being watched.
    for (let i = 0; i < o.drainS; i++) {
      await sleep(1000);
      backlog.push((await readClipCounters(server, cookie)).pending);
    }
    measuring = false;
    const readyMs = await clipReadyMs(server, registeredAt);
    const counters = await readClipCounters(server, cookie);
    socket.close();
    return {
      ...m.run, backlog,
      latency: { alerts: latencies.length, samplesMs: latencies, cameraMs, stages },
      clips: { ready: readyMs.length, readyMs, pendingMax: Math.max(0, ...backlog), failures: counts.clipFailures },
      snapshots: { failures: Math.max(counts.snapshotFailures, counters.snapshotFailures ?? 0) },
      errors: counts.errors,
    };
  } finally {
    await srv?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measureWindow(o: CommuneRunOptions, srv: RunningServer, ids: { id: number; busy: boolean }[], people: ReturnType<typeof watchPeople>, cookie: string) {
  const sampler = new ProcSampler();
  const simSampler = new ProcSampler();
  const simPids = o.fleet.pids();
  const ingest0 = await srv.ingest.stats();
  const pidsOf = (s: typeof ingest0) => s.flatMap((c) => c.sessions.map((x) => x.pid ?? 0)).filter(Boolean);
  for (const pid of pidsOf(ingest0)) await sampler.sample(pid);
  for (const pid of simPids) await simSampler.sample(pid);
  const media0 = await eventMediaBytes(srv);
  const det0 = srv.detection.service.stats();
  const q0 = srv.detection.queue.allStats();
  const wide0 = srv.detection.detector?.describe().wideRuns ?? 0;
  srv.detection.detector?.resetTimings();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const backlog: number[] = [];
  people.start();
  const end = t0 + o.windowS * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(1000, end - performance.now()));
    backlog.push((await readClipCounters(srv, cookie)).pending);
  }
  people.stop();
  const windowS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const ingest1 = await srv.ingest.stats();
  const det1 = srv.detection.service.stats();
  const media1 = await eventMediaBytes(srv);
  const perCamera: CameraRow[] = [];
  let ffRssTotal = 0;
  for (const { id, busy } of ids) {
    const a = ingest0.find((x) => x.cameraId === id);
    const b = ingest1.find((x) => x.cameraId === id);
    const qa = q0.get(id);
    const qb = srv.detection.queue.stats(id);
    let ffCpu = 0;
    let ffRss = 0;
    for (const s of b?.sessions ?? []) {
      const u = await sampler.sample(s.pid ?? undefined);
      ffCpu += u?.cpuPercent ?? 0;
      ffRss += u?.rssBytes ?? 0;
    }
    ffRssTotal += ffRss;
    const analysed = (det1[id]?.analysed ?? 0) - (det0[id]?.analysed ?? 0);
    const dropped = (['droppedStale', 'droppedCap', 'droppedSuperseded', 'droppedClosed', 'failed'] as const).reduce((n, k) => n + qb[k] - (qa?.[k] ?? 0), 0);
    perCamera.push({
      cameraId: id, busy, analysedFps: r1(analysed / windowS),
      regionsRequested: qb.requested - (qa?.requested ?? 0), regionsDropped: dropped, people: Math.round(people.people(id) * 100) / 100,
      framesIn: (b?.framesIn ?? 0) - (a?.framesIn ?? 0), ingestDropped: (b?.framesDropped ?? 0) - (a?.framesDropped ?? 0),
      personTracks: people.starts(id), modelCalls: qb.done - (qa?.done ?? 0), modelRuns: runsDelta(det0[id]?.modelRuns, det1[id]?.modelRuns), ffmpegCpuPercent: r1(ffCpu), ffmpegRssMb: mb(ffRss),
    });
  }
  let simCpu = 0;
  for (const pid of simPids) simCpu += (await simSampler.sample(pid))?.cpuPercent ?? 0;
  const n = ids.length;
  const sum = (f: (c: CameraRow) => number) => perCamera.reduce((acc, c) => acc + f(c), 0);
  const serverPercent = r1(((cpu.user + cpu.system) / 1000 / (windowS * 1000)) * 100);
  const ffmpegPercent = r1(sum((c) => c.ffmpegCpuPercent));
  const serverRss = process.memoryUsage().rss;
  const recBytes = ingest1.reduce((acc, c) => acc + c.recordingBytes, 0) - ingest0.reduce((acc, c) => acc + c.recordingBytes, 0);
  const perCamHour = (bytes: number) => Math.round(bytes / n / (windowS / 3600));
  const timings = srv.detection.detector?.timings();
  const run: Omit<CommuneRun, 'backlog' | 'latency' | 'clips' | 'snapshots' | 'errors'> = {
    mode: o.mode, model: srv.detection.detector?.describe().source ?? 'none', backend: srv.detection.status().backend ?? 'none',
    cameras: n, busy: ids.filter((c) => c.busy).length, windowS: r1(windowS), targetFps: TARGET_FPS, perCamera,
    analysedFps: r1(sum((c) => c.analysedFps)), modelCallsPerSecond: r1(sum((c) => c.modelCalls) / windowS),
    wideShare: wideShare((srv.detection.detector?.describe().wideRuns ?? 0) - wide0, sum((c) => c.modelCalls)),
    inferMedianMs: timings ? r1(timings.inferMs.medianMs) : null,
    cpu: { serverPercent, ffmpegPercent, totalPercent: r1(serverPercent + ffmpegPercent), perCameraPercent: r1((serverPercent + ffmpegPercent) / n), simulatorPercent: r1(simCpu) },
    rssMb: { server: mb(serverRss), ffmpeg: mb(ffRssTotal), total: mb(serverRss + ffRssTotal), perCamera: mb((serverRss + ffRssTotal) / n) },
    disk: { recordingBytesPerCameraHour: perCamHour(recBytes), eventMediaBytesPerCameraHour: perCamHour(Math.max(0, media1 - media0)) },
  };
  return { run, backlog };
}

const runsDelta = (a: Record<string, number> | undefined, b: Record<string, number> | undefined): Record<string, number> =>
  Object.fromEntries(Object.entries(b ?? {}).map(([k, v]) => [k, v - (a?.[k] ?? 0)]));

const wideShare = (wide: number, calls: number): number | null => (calls > 0 ? Math.round((Math.min(wide, calls) / calls) * 100) / 100 : null);

/** Snapshots and clips: everything in the data dir but recordings and the database. */
function eventMediaBytes(srv: RunningServer): Promise<number> {
  const dataDir = path.dirname(srv.ingest.recordingsDir);
  return dirBytes(dataDir, (name) => name === 'recordings' || name.includes('.sqlite') || name.endsWith('.db'));
}
