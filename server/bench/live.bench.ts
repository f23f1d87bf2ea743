import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configSchema } from '../config/config.schema.js';
import { SimulatedCamera } from '../demo/sim-camera.js';
import { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import { IngestRuntime } from '../ingest/ingest.runtime.js';
import { LiveHub } from '../ingest/live.remux.js';
import { ProcSampler } from '../ingest/proc.sampler.js';
import { Bus } from '../shared/bus.js';
import { silentLogger } from '../shared/log.js';
import { migrateLatest, openDb } from '../store/db.js';
import { createStore } from '../store/store.js';

/**
 * Live video cost (issue 15): one camera (1280×720, 15 fps) ingested as the server does it,
 * watched by 0, 1 and 10 viewers of its fMP4 remux. Per step, over one window: the remux's
 * ffmpeg CPU, the server process's CPU (tail reads, box splitting, a copy per viewer as a send
 * would make; socket.io framing is not included) and the bytes per viewer. The camera's own
 * ffmpeg is reported apart: it does not change with viewers.
 */
export interface LiveBenchRow {
  viewers: number;
  remuxCpuPercent: number;
  serverCpuPercent: number;
  cameraFfmpegCpuPercent: number;
  kbitPerViewer: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r1 = (x: number) => Math.round(x * 10) / 10;

export async function runLiveBench(o: { windowS: number; warmupS: number; say(line: string): void }): Promise<{ rows: LiveBenchRow[] }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'binhyen-live-bench-'));
  const db = openDb({ url: `sqlite:${path.join(dataDir, 'bench.sqlite')}` });
  const sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 1280, height: 720, fps: 15 });
  let runtime: IngestRuntime | undefined;
  let hub: LiveHub | undefined;
  const stops: (() => void)[] = [];
  try {
    await migrateLatest(db);
    const store = createStore(db);
    const ffmpeg = await FfmpegAdapter.create();
    const config = configSchema.parse({});
    runtime = new IngestRuntime({
      ffmpeg, cameras: store.cameras, recordings: store.recordings, bus: new Bus(), log: silentLogger, dataDir,
      detect: { fps: config.detect.fps, width: config.detect.width }, record: config.record, ingest: config.ingest,
    });
    await sim.start();
    const cam = await store.cameras.create({
      name: 'live bench', areaId: null, ownerName: null, ownerKind: null, address: null, latitude: null, longitude: null, onvifUrl: null,
      credentialsEnc: null, streams: { detect: { url: sim.rtspUrl } }, settings: {}, defaultVisibility: 'internal', enabled: true, clockOffsetMs: null, demo: true,
    });
    await runtime.start(cam, null);
    const live = new LiveHub({ ffmpeg, recordingsDir: runtime.recordingsDir, source: runtime, log: silentLogger });
    hub = live;
    for (let i = 0; i < 60 && live.mode(cam.id) !== 'fmp4'; i++) await sleep(1000);
    let bytes = 0;
    const addViewer = () => {
      let sink = 0;
      stops.push(
        live.watch(cam.id, {
          init: (d) => (sink += Buffer.from(d).length),
          fragment: (f) => {
            sink += Buffer.from(f.data).length; // the copy a send makes
            bytes += f.data.length;
          },
        }),
      );
    };
    const sampler = new ProcSampler();
    const cameraPid = async () => (await runtime!.stats()).find((s) => s.cameraId === cam.id)?.sessions[0]?.pid ?? undefined;
    const rows: LiveBenchRow[] = [];
    for (const viewers of [0, 1, 10]) {
      while (stops.length < viewers) addViewer();
      o.say(`  live video: ${viewers} viewer(s), warming up ${o.warmupS} s, measuring ${o.windowS} s`);
      await sleep(o.warmupS * 1000);
      const pid = live.running()[0]?.pid;
      await sampler.sample(pid);
      await sampler.sample(await cameraPid());
      const cpu0 = process.cpuUsage();
      bytes = 0;
      await sleep(o.windowS * 1000);
      const used = process.cpuUsage(cpu0);
      rows.push({
        viewers,
        remuxCpuPercent: (await sampler.sample(pid))?.cpuPercent ?? 0,
        serverCpuPercent: r1(((used.user + used.system) / 1000 / (o.windowS * 1000)) * 100),
        cameraFfmpegCpuPercent: (await sampler.sample(await cameraPid()))?.cpuPercent ?? 0,
        kbitPerViewer: viewers ? Math.round((bytes * 8) / 1000 / o.windowS / viewers) : 0,
      });
    }
    return { rows };
  } finally {
    stops.forEach((s) => s());
    await hub?.close();
    await runtime?.stopAll();
    await sim.stop();
    await db.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatLiveBench(rows: readonly LiveBenchRow[]): string {
  const lines = ['Live video (1 camera 1280×720 15 fps, fMP4 remux of the recording; CPU % of one core)', '  viewers  remux ffmpeg  server  camera ffmpeg  kbit/s per viewer'];
  for (const r of rows) lines.push(`  ${String(r.viewers).padStart(7)}  ${String(r.remuxCpuPercent).padStart(12)}  ${String(r.serverCpuPercent).padStart(6)}  ${String(r.cameraFfmpegCpuPercent).padStart(13)}  ${String(r.kbitPerViewer).padStart(17)}`);
  return lines.join('\n');
}
