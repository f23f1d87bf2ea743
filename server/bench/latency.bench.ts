import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { io as connect } from 'socket.io-client';
import { configFrom } from '../config/config.load.js';
import { readStamp } from '../demo/frame.stamp.js';
import { startServer, type RunningServer } from '../main.js';
import type { AlertMessage, ClientToServerEvents, ServerToClientEvents } from '../domain/socket.events.js';
import { silentLogger } from '../shared/log.js';

/**
 * Alert latency as the police feel it: from the wall-clock stamp burned into the simulated
 * camera's picture (the frame of the first detection) to the alert arriving at a socket.io
 * client, through the real server: RTSP ingest → motion → objects → tracker (2 hits) →
 * event → alert → socket.io. The camera runs in its own process so its stamps are on time.
 * Also reports how long after an event's end its clip is ready.
 */
export interface LatencyResult {
  alerts: number;
  medianMs: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  clipsReady: number;
  clipReadyMedianS: number | null;
  clipReadyP95S: number | null;
  rules: string;
}

const PASSWORD = 'mật khẩu đo hiệu năng 2026';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]! : null);

async function startSimProcess(footage: string): Promise<{ child: ChildProcess; rtspUrl: string }> {
  const main = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'demo', 'simcam.main.js');
  const child = spawn(process.execPath, [main, JSON.stringify({ source: { kind: 'file', path: footage }, stamp: true })], { stdio: ['pipe', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulated camera exited (${code})`)));
  });
  return { child, rtspUrl: (JSON.parse(first) as { rtspUrl: string }).rtspUrl };
}

async function policeSocket(srv: RunningServer) {
  await srv.auth.users.add({ username: 'canbo.bench', roles: ['police'], areaIds: [], password: PASSWORD }, { name: 'cli' });
  const res = await fetch(`${srv.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: srv.url }, body: JSON.stringify({ username: 'canbo.bench', password: PASSWORD }) });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const socket = connect(srv.url, { transports: ['websocket'], extraHeaders: { cookie, origin: srv.url } }) as import('socket.io-client').Socket<ServerToClientEvents, ClientToServerEvents>;
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  await socket.timeout(5000).emitWithAck('alerts:subscribe', { afterId: 0 });
  return socket;
}

export async function runLatencyBench(o: { footage: string; seconds: number; say(l: string): void }): Promise<LatencyResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'binhyen-latency-'));
  const sim = await startSimProcess(o.footage);
  let srv: RunningServer | undefined;
  try {
    srv = await startServer(configFrom({ port: 0, host: '127.0.0.1', dataDir, demoCamera: false, auth: { scryptLog2N: 10 } }), silentLogger);
    const socket = await policeSocket(srv);
    // Every person is an alert: no cooldown, and the event starts at tracker confirmation (2 hits).
    const rules = { alerts: { cooldownSeconds: 0 }, minDurationMs: 0, minFrames: 2 };
    const cam = await srv.cameras.service.register({ name: 'latency bench', streams: { detect: { url: sim.rtspUrl } }, settings: { rules } });
    const stamps = new Map<number, number>();
    void (async () => {
      for await (const f of srv.ingest.frames(cam.id)) {
        const s = readStamp(f.data, f.width, f.height);
        if (s !== null) stamps.set(f.capturedAt, s);
      }
    })();
    const latencies: number[] = [];
    socket.on('alert:new', (a: AlertMessage) => {
      const stamp = stamps.get(a.startedAt);
      if (a.kind === 'object' && stamp !== undefined) latencies.push(Date.now() - stamp);
    });
    o.say(`  latency: one stamped camera through the whole server for ${o.seconds} s`);
    await sleep(o.seconds * 1000);
    socket.close();
    const ready = await clipReadiness(srv);
    return {
      alerts: latencies.length, medianMs: quantile(latencies, 0.5), p95Ms: quantile(latencies, 0.95), maxMs: latencies.length ? Math.max(...latencies) : null,
      clipsReady: ready.length, clipReadyMedianS: quantile(ready, 0.5), clipReadyP95S: quantile(ready, 0.95),
      rules: 'minFrames 2, minDurationMs 0, cooldown 0',
    };
  } finally {
    await srv?.close();
    sim.child.stdin?.end();
    await new Promise((r) => sim.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Seconds from an event's end to its clip being ready (the clip waits for post-roll and the segment to close). */
async function clipReadiness(srv: RunningServer): Promise<number[]> {
  return (await srv.store.clips.readiness()).map((r) => Math.round((r.finalisedAt - r.eventEndAt) / 100) / 10);
}
