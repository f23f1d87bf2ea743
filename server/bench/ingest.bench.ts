import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { configSchema, type IngestConfig } from '../config/config.schema.js';
import { SimulatedCamera } from '../demo/sim-camera.js';
import { IngestRuntime } from '../ingest/ingest.runtime.js';
import type { CameraIngestStats } from '../ingest/camera.stats.js';
import { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import { ProcSampler } from '../ingest/proc.sampler.js';
import { Bus } from '../shared/bus.js';
import { silentLogger, type Logger } from '../shared/log.js';
import { migrateLatest, openDb } from '../store/db.js';
import { createStore } from '../store/store.js';

/**
 * Ingest benchmark: N simulated RTSP cameras (generated pattern, published with -c copy so
 * the simulator costs little), each ingested the way the server does it (one ffmpeg per
 * stream: detection frames, a live JPEG and continuous recording), consumed by a newest-frame
 * reader per camera. Measures, over a window after warm-up: CPU % (of one core) and RSS of
 * each camera's ffmpeg, the simulator's own CPU apart, the server process's CPU, frames in,
 * delivered and dropped; then cuts one camera's uplink and times the recovery.
 */

export interface IngestBenchOptions {
  cameras?: number;
  /** Measurement window, after warm-up. */
  durationS?: number;
  warmupS?: number;
  /** Camera stream (main stream of a single-stream camera). */
  width?: number;
  height?: number;
  fps?: number;
  detectFps?: number;
  detectWidth?: number;
  record?: boolean;
  segmentSeconds?: number;
  /** Time a consumer is busy per frame (awaited, like a detector's workers), to see drops under a slow detector; 0 = just read. */
  consumerMs?: number;
  /** Uplink cut for the recovery measurement (0 skips it); longer than the stall timeout to count. */
  cutS?: number;
  ingest?: Partial<IngestConfig>;
  ffmpegPath?: string;
  log?: Logger;
  /** Progress lines (e.g. console.error); silent by default. */
  progress?: (line: string) => void;
}

export interface IngestBenchCamera {
  cameraId: number;
  state: string;
  ffmpegCpuPercent: number;
  ffmpegRssMb: number;
  framesIn: number;
  framesDelivered: number;
  framesDropped: number;
  frameFps: number;
  inputFps: number | null;
  restarts: number;
  recordingMb: number;
}

export interface IngestBenchResult {
  machine: { cpus: number; model: string; node: string; ffmpeg: string; loadAvgBefore: number[]; loadAvgAfter: number[] };
  options: Required<Omit<IngestBenchOptions, 'ingest' | 'ffmpegPath' | 'log' | 'progress'>>;
  windowS: number;
  cameras: IngestBenchCamera[];
  perCamera: { cpuPercentMean: number; cpuPercentMax: number; rssMbMean: number; framesDroppedTotal: number; dropRatio: number };
  /** The server process itself (framing, channels, indexing); includes the benchmark's consumers. */
  server: { cpuPercent: number; rssMb: number };
  /** GStreamer RTSP servers and ffmpeg publishers of the simulated cameras, reported apart. */
  simulator: { cpuPercent: number; rssMb: number };
  totalProductCpuPercent: number;
  /** Medians over the cameras whose cut took effect; per camera in samples. */
  recovery?: { cutS: number; detectStallMs: number | null; resumeToOnlineMs: number | null; stallTimeoutMs: number; samples: RecoverySample[] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;
const round1 = (x: number) => Math.round(x * 10) / 10;

const DEFAULTS = {
  cameras: 10, durationS: 60, warmupS: 10, width: 1280, height: 720, fps: 15, detectFps: 5, detectWidth: 640,
  record: true, segmentSeconds: 4, consumerMs: 0, cutS: 15,
};

/** CPU ticks of a set of pids, read twice: the share of one core used in between. */
async function cpuOver(sampler: ProcSampler, pids: number[]): Promise<{ cpuPercent: number; rssBytes: number }> {
  let cpu = 0;
  let rss = 0;
  for (const pid of pids) {
    const u = await sampler.sample(pid);
    cpu += u?.cpuPercent ?? 0;
    rss += u?.rssBytes ?? 0;
  }
  return { cpuPercent: round1(cpu), rssBytes: rss };
}

/**
 * A newest-frame reader per camera that touches each frame and then waits `busyMs` before
 * taking the next, like a detection pipeline awaiting its worker threads (the event loop stays free).
 */
async function consume(runtime: IngestRuntime, cameraId: number, busyMs: number, signal: { stop: boolean }): Promise<number> {
  let sink = 0;
  for await (const f of runtime.frames(cameraId)) {
    if (signal.stop) break;
    for (let i = 0; i < f.data.length; i += 97) sink += f.data[i]!;
    if (busyMs > 0) await sleep(busyMs);
  }
  return sink;
}

export async function runIngestBench(opts: IngestBenchOptions = {}): Promise<IngestBenchResult> {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & IngestBenchOptions;
  const say = opts.progress ?? (() => undefined);
  const log = opts.log ?? silentLogger;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'binhyen-ingest-bench-'));
  const db = openDb({ url: `sqlite:${path.join(dataDir, 'bench.sqlite')}` });
  const sims: SimulatedCamera[] = [];
  const signal = { stop: false };
  let runtime: IngestRuntime | undefined;
  try {
    await migrateLatest(db);
    const store = createStore(db);
    const ffmpeg = await FfmpegAdapter.create({ configuredPath: opts.ffmpegPath });
    const config = configSchema.parse({ ingest: opts.ingest ?? {}, record: { enabled: o.record, segmentSeconds: o.segmentSeconds } });
    const bus = new Bus();
    const states: { cameraId: number; state: string; at: number }[] = [];
    bus.on('camera.state', (m) => states.push(m));
    runtime = new IngestRuntime({
      ffmpeg, cameras: store.cameras, recordings: store.recordings, bus, log, dataDir,
      detect: { fps: o.detectFps, width: o.detectWidth }, record: config.record, ingest: config.ingest,
    });

    const loadAvgBefore = os.loadavg().map(round1);
    say(`starting ${o.cameras} simulated cameras ${o.width}x${o.height}@${o.fps}`);
    for (let i = 0; i < o.cameras; i++) {
      const sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: o.width, height: o.height, fps: o.fps, ffmpegPath: ffmpeg.info.path, logger: log });
      await sim.start();
      sims.push(sim);
    }
    const consumers: Promise<number>[] = [];
    for (const [i, sim] of sims.entries()) {
      const cam = await store.cameras.create({
        name: `bench ${i + 1}`, areaId: null, ownerName: null, ownerKind: null, address: null, latitude: null, longitude: null, onvifUrl: null,
        credentialsEnc: null, streams: { detect: { url: sim.rtspUrl } }, settings: {}, defaultVisibility: 'internal', enabled: true, clockOffsetMs: null, demo: true,
      });
      await runtime.start(cam, null);
      consumers.push(consume(runtime, cam.id, o.consumerMs, signal));
    }
    say(`warming up ${o.warmupS} s`);
    await sleep(o.warmupS * 1000);

    const measured = await measureWindow(runtime, sims, o.durationS, say);
    const recovery = o.cutS > 0 ? await measureRecovery(runtime, sims.slice(0, Math.min(3, sims.length)), states, o.cutS, config.ingest.stallTimeoutMs, say) : undefined;
    signal.stop = true;
    await runtime.stopAll();
    await Promise.allSettled(consumers);
    return {
      machine: {
        cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version, ffmpeg: ffmpeg.info.version.text,
        loadAvgBefore, loadAvgAfter: os.loadavg().map(round1),
      },
      options: { cameras: o.cameras, durationS: o.durationS, warmupS: o.warmupS, width: o.width, height: o.height, fps: o.fps, detectFps: o.detectFps,
        detectWidth: o.detectWidth, record: o.record, segmentSeconds: o.segmentSeconds, consumerMs: o.consumerMs, cutS: o.cutS },
      ...measured,
      recovery,
    };
  } finally {
    signal.stop = true;
    await runtime?.stopAll();
    await Promise.allSettled(sims.map((s) => s.stop()));
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

type Measured = Pick<IngestBenchResult, 'windowS' | 'cameras' | 'perCamera' | 'server' | 'simulator' | 'totalProductCpuPercent'>;

async function measureWindow(runtime: IngestRuntime, sims: SimulatedCamera[], durationS: number, say: (l: string) => void): Promise<Measured> {
  const sampler = new ProcSampler();
  const simPids = () => sims.flatMap((s) => s.pids());
  const before = await runtime.stats();
  const ffPids = before.flatMap((c) => c.sessions.map((s) => s.pid ?? 0)).filter(Boolean);
  await cpuOver(sampler, [...ffPids, ...simPids()]); // first samples: the window starts here
  const nodeCpu0 = process.cpuUsage();
  const t0 = performance.now();
  say(`measuring ${durationS} s`);
  await sleep(durationS * 1000);
  const windowS = (performance.now() - t0) / 1000;
  const nodeCpu = process.cpuUsage(nodeCpu0);
  const after = await runtime.stats();
  const cameras: IngestBenchCamera[] = [];
  for (const c of after) {
    const b = before.find((x) => x.cameraId === c.cameraId);
    const usage = await cpuOver(sampler, c.sessions.map((s) => s.pid ?? 0).filter(Boolean));
    cameras.push(cameraRow(c, b, usage));
  }
  const sim = await cpuOver(sampler, simPids());
  const cpus = cameras.map((c) => c.ffmpegCpuPercent);
  const delivered = cameras.reduce((a, c) => a + c.framesDelivered, 0);
  const dropped = cameras.reduce((a, c) => a + c.framesDropped, 0);
  const serverCpu = round1(((nodeCpu.user + nodeCpu.system) / 1000 / (windowS * 1000)) * 100);
  return {
    windowS: round1(windowS),
    cameras,
    perCamera: {
      cpuPercentMean: round1(cpus.reduce((a, x) => a + x, 0) / Math.max(1, cpus.length)),
      cpuPercentMax: round1(Math.max(0, ...cpus)),
      rssMbMean: round1(cameras.reduce((a, c) => a + c.ffmpegRssMb, 0) / Math.max(1, cameras.length)),
      framesDroppedTotal: dropped,
      dropRatio: delivered + dropped ? Math.round((dropped / (delivered + dropped)) * 10000) / 10000 : 0,
    },
    server: { cpuPercent: serverCpu, rssMb: mb(process.memoryUsage().rss) },
    simulator: { cpuPercent: sim.cpuPercent, rssMb: mb(sim.rssBytes) },
    totalProductCpuPercent: round1(cpus.reduce((a, x) => a + x, 0) + serverCpu),
  };
}

function cameraRow(c: CameraIngestStats, b: CameraIngestStats | undefined, usage: { cpuPercent: number; rssBytes: number }): IngestBenchCamera {
  return {
    cameraId: c.cameraId, state: c.state,
    ffmpegCpuPercent: usage.cpuPercent, ffmpegRssMb: mb(usage.rssBytes),
    framesIn: c.framesIn - (b?.framesIn ?? 0),
    framesDelivered: c.framesDelivered - (b?.framesDelivered ?? 0),
    framesDropped: c.framesDropped - (b?.framesDropped ?? 0),
    frameFps: c.frameFps, inputFps: c.inputFps, restarts: c.restarts, recordingMb: mb(c.recordingBytes),
  };
}

interface RecoverySample { cameraId: number; cutEffective: boolean; detectStallMs: number | null; resumeToOnlineMs: number | null }

/**
 * Cuts the uplink of a few cameras at once for cutS, then restores it: how long until each is
 * seen stalled, and back online with frames. A cut that does not stop the frames (another
 * process feeding the simulator's UDP port on a shared machine) is reported, not timed.
 */
async function measureRecovery(
  runtime: IngestRuntime, sims: SimulatedCamera[], states: { cameraId: number; state: string; at: number }[],
  cutS: number, stallTimeoutMs: number, say: (l: string) => void,
): Promise<NonNullable<IngestBenchResult['recovery']>> {
  const ids = (await runtime.stats()).map((c) => c.cameraId).slice(0, sims.length);
  const find = (id: number, state: string, after: number) => states.find((m) => m.cameraId === id && m.state === state && m.at >= after);
  const lastFrame = async (id: number) => (await runtime.stats()).find((x) => x.cameraId === id)?.lastFrameAt ?? 0;
  say(`cutting the uplink of ${sims.length} camera(s) for ${cutS} s`);
  const cutAt = Date.now();
  await Promise.all(sims.map((s) => s.cutStream()));
  await sleep(cutS * 1000);
  // Frames still arriving well after the cut: something else feeds that simulator; not timed.
  const effective = await Promise.all(ids.map(async (id) => (await lastFrame(id)) < cutAt + 3000));
  const resumedAt = Date.now();
  await Promise.all(sims.map((s) => s.resumeStream()));
  // Online is declared on the first frame of the new connection: that is the recovery time.
  const deadline = resumedAt + 90_000;
  while (ids.some((id) => !find(id, 'online', resumedAt)) && Date.now() < deadline) await sleep(50);
  const samples: RecoverySample[] = ids.map((id, i) => {
    const stalled = find(id, 'stalled', cutAt);
    const online = find(id, 'online', resumedAt);
    say(`camera ${id} since the cut: ${states.filter((m) => m.cameraId === id && m.at >= cutAt).map((m) => `${m.state}@+${m.at - cutAt}ms`).join(', ')}`);
    return {
      cameraId: id, cutEffective: effective[i]!,
      detectStallMs: stalled ? stalled.at - cutAt : null,
      resumeToOnlineMs: online ? online.at - resumedAt : null,
    };
  });
  const timed = samples.filter((x) => x.cutEffective && x.resumeToOnlineMs !== null);
  const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : null);
  return {
    cutS, stallTimeoutMs, samples,
    detectStallMs: median(timed.map((x) => x.detectStallMs ?? 0)),
    resumeToOnlineMs: median(timed.map((x) => x.resumeToOnlineMs!)),
  };
}

/** A plain-text table of the result, for `npm run bench`. */
export function formatIngestBench(r: IngestBenchResult): string {
  const head = `ingest: ${r.cameras.length} cameras ${r.options.width}x${r.options.height}@${r.options.fps}, detect ${r.options.detectWidth}px@${r.options.detectFps}, `
    + `record ${r.options.record ? `${r.options.segmentSeconds}s segments` : 'off'}, window ${r.windowS} s — ${r.machine.cpus} cores, ${r.machine.ffmpeg}`;
  const rows = r.cameras.map((c) => `  cam ${String(c.cameraId).padStart(2)}  ${c.state.padEnd(8)} ffmpeg ${String(c.ffmpegCpuPercent).padStart(5)} % ${String(c.ffmpegRssMb).padStart(6)} MB  `
    + `in ${c.framesIn} delivered ${c.framesDelivered} dropped ${c.framesDropped}  ${c.frameFps} fps (camera ${c.inputFps ?? '?'} fps)  restarts ${c.restarts}`);
  const rec = r.recovery
    ? `  recovery after a ${r.recovery.cutS} s uplink cut (median of ${r.recovery.samples.filter((x) => x.cutEffective).length} cameras): stalled after ${r.recovery.detectStallMs} ms `
      + `(stall timeout ${r.recovery.stallTimeoutMs} ms), online again (first frame) ${r.recovery.resumeToOnlineMs} ms after the uplink returned`
    : '  recovery: not measured';
  return [
    head, `  load average before ${r.machine.loadAvgBefore.join(' ')}, after ${r.machine.loadAvgAfter.join(' ')}`, ...rows,
    `  per camera: ffmpeg ${r.perCamera.cpuPercentMean} % of a core (max ${r.perCamera.cpuPercentMax} %), ${r.perCamera.rssMbMean} MB RSS; dropped ${r.perCamera.framesDroppedTotal} (${(r.perCamera.dropRatio * 100).toFixed(2)} %)`,
    `  server process ${r.server.cpuPercent} % (${r.server.rssMb} MB); product total ${r.totalProductCpuPercent} %; simulator apart ${r.simulator.cpuPercent} % (${r.simulator.rssMb} MB)`,
    rec,
  ].join('\n');
}
