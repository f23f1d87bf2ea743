import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipCutter } from '../../server/clips/clip.cutter.js';
import { readStamp } from '../../server/demo/frame.stamp.js';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { recordingsDirOf } from '../../server/ingest/ingest.runtime.js';
import type { CameraRecord } from '../../server/store/camera.repository.js';
import { addCamera, ingestEnv, waitFor, type IngestEnv } from './ingest.helpers.js';

/**
 * Issue 11 §3 (clip ready ≤ 2 s after post-roll) with a real camera, real ffmpeg and the real
 * recorder: a clip whose end lies in the segment still being written is playable as soon as
 * the picture past its end is on disk, seconds before that segment closes, and its last
 * picture is the camera's picture at the clip's end (the stamp burned into it says so).
 */
const SEGMENT_S = 4;

/** Stamps of every picture of a video file, in order (grey plane at its own size). */
function stampsOf(file: string, width: number, height: number): Promise<number[]> {
  return new Promise((resolve) => {
    const p = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const chunks: Buffer[] = [];
    p.stdout.on('data', (c: Buffer) => chunks.push(c));
    p.on('close', () => {
      const all = Buffer.concat(chunks);
      const out: number[] = [];
      for (let o = 0; o + width * height <= all.length; o += width * height) {
        const s = readStamp(all.subarray(o, o + width * height), width, height);
        if (s !== null) out.push(s);
      }
      resolve(out);
    });
  });
}

describe('a clip that ends in the segment being written', () => {
  let env: IngestEnv;
  let sim: SimulatedCamera;
  let cam: CameraRecord;

  beforeAll(async () => {
    sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 640, height: 360, fps: 10, stamp: true });
    await sim.start();
    env = await ingestEnv({ segmentSeconds: SEGMENT_S, detectFps: 2, detectWidth: 320 });
    cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
    await env.runtime.start(cam);
  });
  afterAll(async () => {
    await env?.close();
    await sim?.stop();
  });

  it('is on disk up to its end before that segment closes, and cuts to its end', async () => {
    // The camera's own delay (stamp → frame at BinhYen), read from the frames meanwhile: the
    // recording clock runs on arrival, so the clip's last picture is stamped that much before its end.
    const frames = env.runtime.frames(cam.id);
    const arrivals: { at: number; delay: number }[] = [];
    const reading = (async () => {
      for await (const f of frames) {
        const stamp = readStamp(f.data, f.width, f.height);
        if (stamp !== null) arrivals.push({ at: Date.now(), delay: Date.now() - stamp });
      }
    })();
    // A head a second or two into its four: the clip's end (a second from now) lies inside it.
    const head = await waitFor(
      'a segment being written, 1–2 s into its four',
      async () => {
        const h = await env.runtime.recordingHead(cam.id);
        return h && Date.now() - h.startAt > 1000 && Date.now() - h.startAt < 2000 ? h : undefined;
      },
      45_000,
      50,
    );
    const to = Date.now() + 1000;
    const from = to - 6000;
    const onDisk = await waitFor('the end on disk', async () => ((await env.runtime.recordingHead(cam.id))?.writtenUntil ?? 0) >= to, 10_000, 50);
    expect(onDisk).toBe(true);
    const readyAfterMs = Date.now() - to;
    expect(readyAfterMs).toBeLessThan(2000);
    // The segment holding the end is still open: without the head the clip would wait for it.
    expect((await env.store.recordings.latestEnd(cam.id)) ?? 0).toBeLessThan(to);
    expect((await env.runtime.recordingHead(cam.id))?.startAt).toBe(head.startAt);

    const cutter = new ClipCutter({
      recordings: env.store.recordings,
      ffmpeg: env.ffmpeg,
      recordingsDir: recordingsDirOf(env.dataDir),
      log: env.log,
      head: (id) => env.runtime.recordingHead(id),
    });
    const withoutHead = new ClipCutter({ recordings: env.store.recordings, ffmpeg: env.ffmpeg, recordingsDir: recordingsDirOf(env.dataDir), log: env.log });
    // Cut from the index alone (first, while the segment is most likely still open: on a busy
    // machine it closes during the cut below), the same range stops where the index stops.
    const indexEnd = (await env.store.recordings.latestEnd(cam.id)) ?? 0;
    const early = await withoutHead.cutClip({ cameraId: cam.id, from, to, outPath: path.join(env.dataDir, 'early.mp4') }).catch((e: Error) => e);
    if (!(early instanceof Error)) expect(early.endAt).toBeLessThanOrEqual(indexEnd);
    const out = path.join(env.dataDir, 'clip.mp4');
    const r = await cutter.cutClip({ cameraId: cam.id, from, to, outPath: out });
    expect(r.endAt).toBe(to);
    const stamps = await stampsOf(out, 640, 360);
    expect(stamps.length).toBeGreaterThan(30);
    // Its last picture was recorded at the clip's end: stamped then, less the camera's own delay
    // (the stamp is taken before encoding; the recording clock runs on arrival).
    frames.close();
    await reading;
    expect(arrivals.length).toBeGreaterThan(3);
    // The delay of the frames that arrived last before the end: a busy machine can hold the camera's
    // pictures back for a moment, and the recording clock counts that moment too.
    const cameraDelay = arrivals.filter((a) => a.at <= to).at(-1)!.delay;
    const lag = to - stamps.at(-1)! - cameraDelay;
    expect(lag).toBeGreaterThan(-250);
    expect(lag).toBeLessThan(750);
  });
});
