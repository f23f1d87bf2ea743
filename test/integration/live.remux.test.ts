import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStamp } from '../../server/demo/frame.stamp.js';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { startRemoteCamera, type RemoteCamera } from '../../server/demo/simcam.remote.js';
import { PROJECT_ROOT } from '../../server/version.js';
import { LiveHub, type LiveMode } from '../../server/ingest/live.remux.js';
import type { Fmp4Fragment } from '../../server/ingest/live.fmp4.js';
import { createLogger } from '../../server/shared/log.js';
import type { CameraRecord } from '../../server/store/camera.repository.js';
import { addCamera, ingestEnv, waitFor, type IngestEnv } from './ingest.helpers.js';

const W = 640;
const H = 360;

/** Runs ffmpeg on a file; stdout as a buffer. */
function ffmpegOut(args: string[]): Promise<Buffer> {
  return new Promise((resolve) => {
    const p = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    p.stdout.on('data', (c: Buffer) => chunks.push(c));
    p.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

class Collector {
  init: Buffer | null = null;
  inits = 0;
  readonly fragments: (Fmp4Fragment & { at: number })[] = [];
  readonly viewer = {
    init: (d: Buffer) => {
      this.init = d;
      this.inits += 1;
    },
    fragment: (f: Fmp4Fragment) => this.fragments.push({ ...f, at: Date.now() }),
  };
}

/**
 * Live video (issue 15 item 1) on a real RTSP camera through the real recorder: the remux
 * reads the segments the camera session writes (no second camera session), copies the video
 * into fragmented MP4, shares one ffmpeg among viewers, stops when nobody watches, and keeps
 * one timeline across segment boundaries. The stamp in the simulated camera's picture gives
 * the delay from the camera to a fragment leaving the server.
 */
describe('live video remux from the recording', () => {
  let env: IngestEnv;
  let sim: RemoteCamera;
  let cam: CameraRecord;
  let hub: LiveHub;

  beforeAll(async () => {
    // Its own process: the stamps step by the camera's frame interval whatever this test's event loop is doing.
    sim = await startRemoteCamera(
      { source: { kind: 'pattern' }, width: W, height: H, fps: 10, stamp: true },
      path.join(PROJECT_ROOT, 'dist/server/demo/simcam.main.js'),
    );
    env = await ingestEnv({ segmentSeconds: 2, detectFps: 2, detectWidth: 160 });
    cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
    await env.runtime.start(cam);
    hub = new LiveHub({ ffmpeg: env.ffmpeg, recordingsDir: path.join(env.dataDir, 'recordings'), source: env.runtime, log: createLogger('warn'), idleMs: 500 });
  });
  afterAll(async () => {
    await hub?.close();
    await env?.close();
    await sim?.stop();
  });

  it('shares one remux, plays across segment boundaries, and stops when nobody watches', async () => {
    await waitFor('the camera recording H.264', () => hub.mode(cam.id) === 'fmp4', 45_000);
    const a = new Collector();
    const stopA = hub.watch(cam.id, a.viewer);
    await waitFor('6 s of live fragments', () => a.fragments.length > 0 && a.fragments.at(-1)!.at - a.fragments[0]!.at > 6_000, 30_000);
    const b = new Collector();
    const stopB = hub.watch(cam.id, b.viewer);
    // A late viewer gets the init segment and starts at a keyframe at once, from the same remux.
    expect(b.init).not.toBeNull();
    expect(b.fragments[0]?.key).toBe(true);
    expect(hub.running()).toEqual([{ cameraId: cam.id, viewers: 2, pid: expect.any(Number) }]);
    const pid = hub.running()[0]!.pid!;

    // A's stream is one playable H.264 file with one timeline across ≥ 3 recording segments.
    const file = path.join(env.dataDir, 'live-a.mp4');
    writeFileSync(file, Buffer.concat([a.init!, ...a.fragments.map((f) => f.data)]));
    const probe = (await ffmpegOut(['-i', file, '-map', '0:v', '-c', 'copy', '-f', 'framemd5', '-'])).toString('utf8');
    const pts = probe
      .split('\n')
      .filter((l) => /^\d/.test(l))
      .map((l) => Number(l.split(',')[2]));
    expect(pts.length).toBeGreaterThan(50);
    const gaps = pts.slice(1).map((p, i) => p - pts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThan(0);
    // Every stored picture once (passthrough): ffmpeg's default constant-rate output would repeat or
    // drop pictures to even out the camera's own jitter, which is not the remux's doing.
    const gray = await ffmpegOut(['-i', file, '-fps_mode', 'passthrough', '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1']);
    const stamps: number[] = [];
    for (let o = 0; o + W * H <= gray.length; o += W * H) stamps.push(readStamp(gray.subarray(o, o + W * H), W, H) ?? Number.NaN);
    expect(stamps.filter(Number.isFinite).length).toBeGreaterThan(50);
    // No picture lost or repeated at segment joins: the stamps step by 1/10 s throughout.
    const steps = stamps
      .slice(1)
      .map((s, i) => s - stamps[i]!)
      .filter(Number.isFinite);
    expect(Math.max(...steps)).toBeLessThan(250);
    expect(Math.min(...steps)).toBeGreaterThan(0);

    // Camera → fragment out: the first picture of each key fragment against its departure.
    const delays: number[] = [];
    for (const f of a.fragments.filter((x) => x.key).slice(2)) {
      const one = path.join(env.dataDir, 'one.mp4');
      writeFileSync(one, Buffer.concat([a.init!, f.data]));
      const y = await ffmpegOut(['-i', one, '-frames:v', '1', '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1']);
      const s = y.length >= W * H ? readStamp(y.subarray(0, W * H), W, H) : null;
      if (s !== null) delays.push(f.at - s);
    }
    expect(delays.length).toBeGreaterThan(0);
    process.stdout.write(`live remux: camera stamp → fragment out, ms: ${JSON.stringify(delays)}\n`);

    stopA();
    stopB();
    await waitFor('the remux to stop after the last viewer', () => hub.running().length === 0, 10_000);
    await waitFor('its ffmpeg to exit', () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    });
  });

  it('answers JPEG for a camera that does not record', () => {
    expect(hub.mode(cam.id + 1000)).toBe('not_recording');
  });

  it('an H.265 main stream: live video is the H.264 sub-stream, opened only while watched, shared by viewers', async () => {
    // Main stream H.265 (recorded), sub-stream H.264 (detection): the running simulated camera.
    const main = new SimulatedCamera({ source: { kind: 'pattern' }, width: 320, height: 180, fps: 10, codec: 'h265' });
    await main.start();
    try {
      const hevc = await addCamera(env.store, { detect: { url: sim.rtspUrl, codec: 'H264' }, record: { url: main.rtspUrl } });
      await env.runtime.start(hevc);
      // A viewer asking at once (codec not read yet) is never offered the H.265 recording, and is told when video can come.
      const early = hub.mode(hevc.id);
      const told: LiveMode[] = [];
      const unfollow = hub.followMode(hevc.id, early, (m) => told.push(m));
      await waitFor('the H.265 recording to be known', () => env.runtime.recordedCodec(hevc.id) === 'hevc', 45_000);
      expect(hub.mode(hevc.id)).toBe('fmp4-sub');
      await waitFor('the early viewer to be told', () => (told.at(-1) ?? early) === 'fmp4-sub', 10_000);
      expect([early, ...told]).not.toContain('fmp4');
      unfollow();
      const rtspClients = () => countRtspClientsOf(sim.rtspUrl);
      const before = rtspClients();
      const a = new Collector();
      const stopA = hub.watch(hevc.id, a.viewer);
      await waitFor('3 s of live fragments from the sub-stream', () => a.fragments.length > 0 && a.fragments.at(-1)!.at - a.fragments[0]!.at > 3_000, 30_000);
      const b = new Collector();
      const stopB = hub.watch(hevc.id, b.viewer);
      expect(b.init).not.toBeNull();
      expect(hub.running().filter((r) => r.cameraId === hevc.id)).toEqual([{ cameraId: hevc.id, viewers: 2, pid: expect.any(Number) }]);
      expect(rtspClients()).toBe(before + 1);
      // What the browser gets is H.264 (playable by MSE) at the sub-stream's size.
      const file = path.join(env.dataDir, 'live-sub.mp4');
      writeFileSync(file, Buffer.concat([a.init!, ...a.fragments.map((f) => f.data)]));
      const gray = await ffmpegOut(['-i', file, '-frames:v', '1', '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1']);
      expect(gray.length).toBe(W * H);
      expect(a.init!.includes(Buffer.from('avc1'))).toBe(true);
      stopA();
      stopB();
      await waitFor('the sub-stream reader to stop after the last viewer', () => hub.running().every((r) => r.cameraId !== hevc.id), 10_000);
      await waitFor('its camera connection to close', () => rtspClients() === before, 10_000);
      await env.runtime.stop(hevc.id);
    } finally {
      await main.stop();
    }
  });
});

/** ffmpeg processes reading a URL (the live remux gets it on stdin, so count by ESTABLISHED sockets to its port). */
function countRtspClientsOf(url: string): number {
  const port = Number(new URL(url).port);
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `dport = :${port}`]).toString('utf8');
  return out.split('\n').filter(Boolean).length;
}
