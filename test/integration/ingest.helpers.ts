/**
 * Shared set-up for the ingest and recording integration tests: a real SQLite database in a
 * temporary data directory, the real ffmpeg adapter, a IngestRuntime with short timeouts, and
 * helpers that look at what really happened (child processes, files, the index).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClipCutter } from '../../server/clips/clip.cutter.js';
import { configSchema, type IngestConfig, type RetentionConfig } from '../../server/config/config.schema.js';
import { IngestRuntime, recordingsDirOf } from '../../server/ingest/ingest.runtime.js';
import type { Frame } from '../../server/domain/frame.js';
import { RecordingRetention } from '../../server/ingest/recording.retention.js';
import { FfmpegAdapter } from '../../server/ingest/ffmpeg.adapter.js';
import { Bus, type BusEvents } from '../../server/shared/bus.js';
import { createLogger, type Logger } from '../../server/shared/log.js';
import type { CameraRecord, CameraStreams } from '../../server/store/camera.repository.js';
import { migrateLatest, openDb } from '../../server/store/db.js';
import { createStore, type Store } from '../../server/store/store.js';

export const FAST_INGEST: Partial<IngestConfig> = {
  stallTimeoutMs: 1500,
  startTimeoutMs: 6000,
  backoffInitialMs: 300,
  backoffMaxMs: 2000,
  healthyResetMs: 5000,
  offlineAfterFailures: 3,
  killGraceMs: 1500,
  socketTimeoutMs: 1500,
};

export interface IngestEnv {
  dataDir: string;
  store: Store;
  bus: Bus;
  ffmpeg: FfmpegAdapter;
  runtime: IngestRuntime;
  retention: RecordingRetention;
  /** Mutable: the retention service reads it on every sweep. */
  retentionConfig: RetentionConfig;
  cutter: ClipCutter;
  logLines: string[];
  log: Logger;
  states: BusEvents['camera.state'][];
  close(): Promise<void>;
}

export async function ingestEnv(
  o: {
    ingest?: Partial<IngestConfig>;
    segmentSeconds?: number;
    detectFps?: number;
    detectWidth?: number;
    record?: boolean;
    ffmpegPath?: string;
    envPath?: string;
  } = {},
): Promise<IngestEnv> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'binhyen-ingest-'));
  const db = openDb({ url: `sqlite:${path.join(dataDir, 'test.sqlite')}` });
  await migrateLatest(db);
  const store = createStore(db);
  const bus = new Bus();
  const states: BusEvents['camera.state'][] = [];
  bus.on('camera.state', (m) => states.push(m));
  const logLines: string[] = [];
  const log = createLogger('debug', (l) => logLines.push(l));
  const ffmpeg = await FfmpegAdapter.create({ configuredPath: o.ffmpegPath, envPath: o.envPath });
  const config = configSchema.parse({ ingest: { ...FAST_INGEST, ...o.ingest }, record: { segmentSeconds: o.segmentSeconds ?? 2, enabled: o.record ?? true } });
  const retentionConfig: RetentionConfig = { ...config.retention, minFreeGb: 0 };
  const days = new Map<number, number>();
  const retention = new RecordingRetention({
    recordings: store.recordings,
    recordingsDir: recordingsDirOf(dataDir),
    config: () => retentionConfig,
    cameraDays: () => days,
    log,
  });
  const runtime = new IngestRuntime({
    ffmpeg,
    cameras: store.cameras,
    recordings: store.recordings,
    bus,
    log,
    dataDir,
    detect: { fps: o.detectFps ?? 5, width: o.detectWidth ?? 320 },
    record: config.record,
    ingest: config.ingest,
    onSegmentIndexed: () => retention.segmentAdded(),
  });
  const cutter = new ClipCutter({ recordings: store.recordings, ffmpeg, recordingsDir: recordingsDirOf(dataDir), log });
  return {
    dataDir,
    store,
    bus,
    ffmpeg,
    runtime,
    retention,
    retentionConfig,
    cutter,
    logLines,
    log,
    states,
    close: async () => {
      await runtime.stopAll();
      retention.stop();
      await db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function addCamera(store: Store, streams: CameraStreams, settings: Record<string, unknown> = {}): Promise<CameraRecord> {
  return store.cameras.create({
    name: 'Cổng chợ',
    areaId: null,
    ownerName: null,
    ownerKind: null,
    address: null,
    latitude: null,
    longitude: null,
    onvifUrl: null,
    credentialsEnc: null,
    streams,
    settings,
    defaultVisibility: 'internal',
    enabled: true,
    clockOffsetMs: null,
    demo: false,
  });
}

/** Pids of ffmpeg processes whose parent is this test process (minus the simulator's own, listed in `except`). */
export function ffmpegChildren(except: number[] = []): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      // The adapter starts ffmpeg through setpriv (death signal), which execs it a moment later.
      if (ppid === process.pid && (comm === 'ffmpeg' || comm === 'setpriv') && !except.includes(Number(name))) out.push(Number(name));
    } catch {
      // the process ended while we listed /proc: it is no child any more
    }
  }
  return out;
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, stepMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Files in the live and day directories of a camera's recordings. */
export function recordingFiles(dataDir: string, cameraId: number): { live: string[]; kept: string[] } {
  const root = path.join(dataDir, 'recordings', String(cameraId));
  if (!existsSync(root)) return { live: [], kept: [] };
  const live = existsSync(path.join(root, 'live')) ? readdirSync(path.join(root, 'live')) : [];
  const kept = readdirSync(root)
    .filter((d) => d !== 'live')
    .flatMap((d) => readdirSync(path.join(root, d)).map((f) => `${cameraId}/${d}/${f}`));
  return { live, kept };
}

export const lavfi = (size = '640x360', rate = 10) => ({ kind: 'lavfi' as const, graph: `testsrc2=size=${size}:rate=${rate}`, realtime: true });

/** The next frame of a running camera, or a failure naming the camera's state after timeoutMs. */
export async function nextFrame(env: IngestEnv, cameraId: number, timeoutMs = 15_000): Promise<Frame> {
  const it = env.runtime.frames(cameraId)[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  try {
    const r = await Promise.race([
      it.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no frame from camera ${cameraId} in ${timeoutMs} ms: ${JSON.stringify(env.runtime.diagnostics(cameraId))}`)),
          timeoutMs,
        );
      }),
    ]);
    if (r.done) throw new Error(`camera ${cameraId} frames ended`);
    return r.value;
  } finally {
    clearTimeout(timer);
    await it.return?.();
  }
}
