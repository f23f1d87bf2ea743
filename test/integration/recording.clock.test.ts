import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStamp } from '../../server/demo/frame.stamp.js';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import type { Recording } from '../../server/store/recording.repository.js';
import type { CameraRecord } from '../../server/store/camera.repository.js';
import { addCamera, ingestEnv, nextFrame, waitFor, type IngestEnv } from './ingest.helpers.js';

/**
 * Issue 19, defect 1: a camera that restarts its encoder at another resolution while it stays
 * "online" made ffmpeg rebuild its filters, the progress clock jumped by the session's uptime
 * and later segments were indexed that much too early, over time already covered. The camera
 * runs for 45 s first, so such a shift would be 45 s here, thirty times the tolerance; each
 * segment's indexed start is checked against the wall-clock stamp burned into its first picture.
 */
const SEGMENT_S = 4;
const RUN_BEFORE_CHANGE_MS = 45_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stamp of the first picture ffmpeg decodes from a segment file (grey plane at its own size). */
function firstStamp(file: string, width: number, height: number): Promise<number | null> {
  return new Promise((resolve) => {
    const p = spawn(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-frames:v', '1', '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const chunks: Buffer[] = [];
    p.stdout.on('data', (c: Buffer) => chunks.push(c));
    p.on('close', () => {
      const y = Buffer.concat(chunks);
      resolve(y.length >= width * height ? readStamp(y.subarray(0, width * height), width, height) : null);
    });
  });
}

describe('the recording clock across a camera resolution change (issue 19, defect 1)', () => {
  let env: IngestEnv;
  let sim: SimulatedCamera;
  let cam: CameraRecord;
  const rows = () => env.store.recordings.overlapping(cam.id, 0, Date.now() + 60_000);

  beforeAll(async () => {
    sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 640, height: 360, fps: 10, stamp: true });
    await sim.start();
    // The encoder restart leaves a gap of a second or two: the camera stays "online" through it
    // (as a real camera does), so the change reaches the running ffmpeg.
    env = await ingestEnv({ segmentSeconds: SEGMENT_S, detectFps: 2, detectWidth: 320, ingest: { stallTimeoutMs: 8000, socketTimeoutMs: 8000 } });
    cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
    await env.runtime.start(cam);
  });
  afterAll(async () => {
    await env?.close();
    await sim?.stop();
  });

  it(
    'keeps every segment on the wall clock, restarts the stream as a camera event and reports the new size',
    async () => {
      const t0 = Date.now();
      expect(await nextFrame(env, cam.id)).toMatchObject({ width: 320, height: 180 });
      await sleep(RUN_BEFORE_CHANGE_MS);
      const changedAt = Date.now();
      await sim.restartEncoder({ width: 480, height: 360 });

      // A camera event, not a silent drift: restarting (with why), then online again.
      const restarting = await waitFor('the restart event', () => env.states.find((m) => m.state === 'restarting' && m.at >= changedAt), 15_000);
      expect(restarting.reason).toMatch(/changed its picture from 640×360 to 480×360/);
      await waitFor('online again', () => env.states.find((m) => m.state === 'online' && m.at >= restarting.at), 15_000);
      expect(env.logLines.some((l) => l.includes('camera changed its picture size'))).toBe(true);

      // Detection frames keep the camera's aspect ratio (4:3 now), stats show the new size.
      await waitFor('a 4:3 frame', async () => (await nextFrame(env, cam.id)).height === 240, 15_000);
      const [stats] = await env.runtime.stats();
      expect(stats).toMatchObject({ state: 'online', frameSize: { width: 320, height: 240 } });
      expect(stats!.sessions[0]!.input).toMatchObject({ width: 480, height: 360 });

      const after = await waitFor(
        '3 segments after the change',
        async () => {
          const r = (await rows()).filter((x) => x.startAt > changedAt + 1000);
          return r.length >= 3 && r;
        },
        40_000,
        250,
      );
      const all = await rows();
      console.info(`change at +${changedAt - t0} ms, ${all.length} segments at +${Date.now() - t0} ms`);
      expect(all.length).toBeGreaterThan(RUN_BEFORE_CHANGE_MS / 1000 / SEGMENT_S - 3);
      // Monotonic and non-overlapping: no two rows claim the same moment.
      for (let i = 1; i < all.length; i++) {
        expect(all[i]!.startAt).toBeGreaterThanOrEqual(all[i - 1]!.endAt);
        expect(all[i]!.endAt).toBeGreaterThan(all[i]!.startAt);
      }
      expect(all.at(-1)!.endAt).toBeLessThanOrEqual(Date.now());

      // Each indexed start is within 1.5 s of the stamp in the segment's first picture
      // (the first decodable picture may be up to a keyframe interval, 1 s, into the segment).
      const off: { rec: Recording; stamp: number | null; width: number }[] = [];
      for (const rec of all) {
        const file = path.join(env.dataDir, 'recordings', rec.path);
        const p = await env.ffmpeg.probe(file);
        off.push({ rec, stamp: await firstStamp(file, p.width!, p.height!), width: p.width! });
      }
      console.info(`stamps read at +${Date.now() - t0} ms`);
      const read = off.filter((o) => o.stamp !== null);
      expect(read.length).toBeGreaterThanOrEqual(all.length - 2);
      const errors = read.map((o) => o.rec.startAt - o.stamp!);
      console.info(`indexed start − stamp over ${read.length} segments: min ${Math.min(...errors)} ms, max ${Math.max(...errors)} ms`);
      for (const o of read) expect(Math.abs(o.rec.startAt - o.stamp!), `segment ${o.rec.path}`).toBeLessThan(1500);
      // Segments recorded after the change hold the new picture.
      for (const rec of after) expect(off.find((o) => o.rec.id === rec.id)!.width).toBe(480);
      expect(off[0]!.width).toBe(640);
    },
    RUN_BEFORE_CHANGE_MS + 120_000,
  );
});
