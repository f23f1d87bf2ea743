import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema } from '../config/config.schema.js';
import { SimulatedCamera } from '../demo/sim-camera.js';
import type { PipelineMode } from '../detect/camera.pipeline.js';
import { DetectService } from '../detect/detect.service.js';
import type { ObjectWorkerPool } from '../detect/object.pool.js';
import { DetectionQueue } from '../detect/object.queue.js';
import { defaultRegionPolicy } from '../detect/regions.planner.js';
import { IngestRuntime } from '../ingest/ingest.runtime.js';
import type { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import { ProcSampler } from '../ingest/proc.sampler.js';
import { Bus } from '../shared/bus.js';
import { silentLogger } from '../shared/log.js';
import { migrateLatest, openDb } from '../store/db.js';
import { createStore } from '../store/store.js';

/**
 * The real detection path on N simulated RTSP cameras playing real street footage, in real
 * time: ingest (with recording) → motion → regions → shared queue → worker pool → tracker.
 * A count is held only when every camera gets ≥ 95 % of its target analysed frame rate,
 * dropped detection work is ≤ 5 % of requested regions, and person tracking stays ≥ 90 % of
 * the uncontended run (people tracked per sample, see `occupancy`).
 */

export interface LiveRun {
  mode: PipelineMode;
  cameras: number;
  windowS: number;
  targetFps: number;
  perCamera: { cameraId: number; framesIn: number; analysed: number; analysedFps: number; framesDropped: number; regionsRequested: number; regionsDone: number; regionsDropped: number; personOccupancy: number; ffmpegCpuPercent: number; ffmpegRssMb: number }[];
  minAnalysedFps: number;
  regionsRequested: number;
  regionsDropped: number;
  dropRatio: number;
  /** Mean number of people tracked per camera at any moment. */
  personOccupancy: number;
  /** Detections per second done by the pool over the window. */
  regionsPerSecond: number;
  serverCpuPercent: number;
  serverRssMb: number;
  ffmpegCpuPercent: number;
  simulatorCpuPercent: number;
  held?: boolean;
  why?: string;
}

export interface LiveBenchOptions {
  footage: string;
  ffmpeg: FfmpegAdapter;
  detector: ObjectWorkerPool;
  mode: PipelineMode;
  cameras: number;
  windowS: number;
  warmupS: number;
  fps: number;
  width: number;
  say(line: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r1 = (x: number) => Math.round(x * 10) / 10;
const mb = (b: number) => r1(b / 1048576);

/** Simulated cameras are shared by all runs (each is an RTSP server + publisher, like a real camera). */
export class SimFleet {
  readonly sims: SimulatedCamera[] = [];
  constructor(private readonly footage: string, private readonly ffmpegPath: string) {}
  async ensure(n: number): Promise<SimulatedCamera[]> {
    while (this.sims.length < n) {
      const sim = new SimulatedCamera({ source: { kind: 'file', path: this.footage }, ffmpegPath: this.ffmpegPath, logger: silentLogger });
      await sim.start();
      this.sims.push(sim);
    }
    return this.sims.slice(0, n);
  }
  async stop(): Promise<void> {
    await Promise.allSettled(this.sims.map((s) => s.stop()));
  }
}

/** One measured run: N cameras for `windowS` after `warmupS`. */
export async function runLive(o: LiveBenchOptions, fleet: SimFleet): Promise<LiveRun> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'binhyen-bench-'));
  const db = openDb({ url: `sqlite:${path.join(dataDir, 'bench.sqlite')}` });
  const config = configSchema.parse({ detect: { fps: o.fps, width: o.width } });
  const bus = new Bus();
  const queue = new DetectionQueue({ maxPerCameraPerSecond: config.detect.maxPerCameraPerSecond, staleMs: config.detect.staleMs }, { detector: o.detector, log: silentLogger });
  let runtime: IngestRuntime | undefined;
  let detect: DetectService | undefined;
  try {
    await migrateLatest(db);
    const store = createStore(db);
    runtime = new IngestRuntime({ ffmpeg: o.ffmpeg, cameras: store.cameras, recordings: store.recordings, bus, log: silentLogger, dataDir, detect: config.detect, record: config.record, ingest: config.ingest });
    const rt = runtime;
    detect = new DetectService({ config: config.detect, queue, frames: (id) => rt.frames(id), regionPolicy: defaultRegionPolicy(), bus, log: silentLogger, mode: o.mode });
    const people = trackPeople(bus);
    const sims = await fleet.ensure(o.cameras);
    for (const [i, sim] of sims.entries()) {
      const cam = await store.cameras.create({
        name: `bench ${i + 1}`, areaId: null, ownerName: null, ownerKind: null, address: null, latitude: null, longitude: null, onvifUrl: null,
        credentialsEnc: null, streams: { detect: { url: sim.rtspUrl } }, settings: {}, defaultVisibility: 'internal', enabled: true, clockOffsetMs: null, demo: true,
      });
      await rt.start(cam, null);
      detect.start(cam);
    }
    o.say(`  ${o.mode} × ${o.cameras}: warming up ${o.warmupS} s, measuring ${o.windowS} s`);
    await sleep(o.warmupS * 1000);
    return await measure(o, rt, detect, queue, people, fleet);
  } finally {
    await detect?.stopAll();
    await runtime?.stopAll();
    await queue.close();
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Live confirmed person tracks per camera, sampled every 200 ms while measuring. */
function trackPeople(bus: Bus) {
  const live = new Map<number, Set<string>>();
  const sums = new Map<number, number>();
  let samples = 0;
  const set = (id: number) => live.get(id) ?? live.set(id, new Set()).get(id)!;
  bus.on('track.start', (t) => t.label === 'person' && set(t.cameraId).add(t.trackId));
  bus.on('track.end', (t) => set(t.cameraId).delete(t.trackId));
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      timer = setInterval(() => {
        samples++;
        for (const [id, s] of live) sums.set(id, (sums.get(id) ?? 0) + s.size);
      }, 200);
    },
    stop: () => clearInterval(timer),
    occupancy: (id: number) => (samples ? (sums.get(id) ?? 0) / samples : 0),
  };
}

async function measure(o: LiveBenchOptions, rt: IngestRuntime, detect: DetectService, queue: DetectionQueue, people: ReturnType<typeof trackPeople>, fleet: SimFleet): Promise<LiveRun> {
  const sampler = new ProcSampler();
  const ingest0 = await rt.stats();
  const pids = ingest0.flatMap((c) => c.sessions.map((s) => s.pid ?? 0)).filter(Boolean);
  const simPids = fleet.sims.slice(0, o.cameras).flatMap((s) => s.pids());
  for (const pid of [...pids, ...simPids]) await sampler.sample(pid);
  const det0 = detect.stats();
  const q0 = new Map([...queue.allStats()].map(([k, v]) => [k, { ...v }]));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  people.start();
  await sleep(o.windowS * 1000);
  people.stop();
  const windowS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const ingest1 = await rt.stats();
  const det1 = detect.stats();
  const perCamera: LiveRun['perCamera'] = [];
  for (const c of ingest1) {
    const before = ingest0.find((x) => x.cameraId === c.cameraId);
    const d0 = det0[c.cameraId];
    const d1 = det1[c.cameraId];
    const qa = q0.get(c.cameraId);
    const qb = queue.stats(c.cameraId);
    let ffCpu = 0;
    let ffRss = 0;
    for (const s of c.sessions) {
      const u = await sampler.sample(s.pid ?? undefined);
      ffCpu += u?.cpuPercent ?? 0;
      ffRss += u?.rssBytes ?? 0;
    }
    const analysed = (d1?.analysed ?? 0) - (d0?.analysed ?? 0);
    const requested = qb.requested - (qa?.requested ?? 0);
    const dropped = ['droppedStale', 'droppedCap', 'droppedSuperseded', 'droppedClosed', 'failed'].reduce(
      (n, k) => n + (qb[k as keyof typeof qb] - (qa?.[k as keyof typeof qb] ?? 0)), 0);
    perCamera.push({
      cameraId: c.cameraId, framesIn: c.framesIn - (before?.framesIn ?? 0), analysed, analysedFps: r1(analysed / windowS),
      framesDropped: c.framesDropped - (before?.framesDropped ?? 0) + ((d1?.detectDropped ?? 0) - (d0?.detectDropped ?? 0)),
      regionsRequested: requested, regionsDone: qb.done - (qa?.done ?? 0), regionsDropped: dropped,
      personOccupancy: r1(people.occupancy(c.cameraId)), ffmpegCpuPercent: r1(ffCpu), ffmpegRssMb: mb(ffRss),
    });
  }
  let simCpu = 0;
  for (const pid of simPids) simCpu += (await sampler.sample(pid))?.cpuPercent ?? 0;
  const sum = (f: (c: LiveRun['perCamera'][number]) => number) => perCamera.reduce((a, c) => a + f(c), 0);
  const regionsRequested = sum((c) => c.regionsRequested);
  const regionsDropped = sum((c) => c.regionsDropped);
  return {
    mode: o.mode, cameras: o.cameras, windowS: r1(windowS), targetFps: o.fps, perCamera,
    minAnalysedFps: Math.min(...perCamera.map((c) => c.analysedFps)),
    regionsRequested, regionsDropped, dropRatio: regionsRequested ? Math.round((regionsDropped / regionsRequested) * 1000) / 1000 : 0,
    personOccupancy: r1(sum((c) => c.personOccupancy) / Math.max(1, perCamera.length)),
    regionsPerSecond: r1(sum((c) => c.regionsDone) / windowS),
    serverCpuPercent: r1(((cpu.user + cpu.system) / 1000 / (windowS * 1000)) * 100),
    serverRssMb: mb(process.memoryUsage().rss),
    ffmpegCpuPercent: r1(sum((c) => c.ffmpegCpuPercent)),
    simulatorCpuPercent: r1(simCpu),
  };
}

/** Applies the held definition against the uncontended (one camera) run of the same mode. */
export function judge(run: LiveRun, uncontended: LiveRun): LiveRun {
  const reasons: string[] = [];
  if (run.minAnalysedFps < 0.95 * run.targetFps) reasons.push(`analysed ${run.minAnalysedFps} fps < 95 % of ${run.targetFps}`);
  if (run.dropRatio > 0.05) reasons.push(`dropped ${Math.round(run.dropRatio * 100)} % of regions`);
  if (uncontended.personOccupancy > 0 && run.personOccupancy < 0.9 * uncontended.personOccupancy) {
    reasons.push(`people tracked ${run.personOccupancy} < 90 % of ${uncontended.personOccupancy}`);
  }
  return { ...run, held: reasons.length === 0, why: reasons.join('; ') || 'held' };
}
