import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { addCamera, ffmpegChildren, ingestEnv, waitFor, type IngestEnv } from './ingest.helpers.js';

/**
 * The fallback binary: the static ffmpeg 4.1 inside @ffmpeg-installer/ffmpeg (used when no
 * ffmpeg is on PATH). Its RTSP timeout is -stimeout, it has no -fps_mode and no ffprobe.
 */
const bundled = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;

describe('ingest with the bundled ffmpeg 4.1', () => {
  let env: IngestEnv;
  let sim: SimulatedCamera;
  beforeAll(async () => {
    sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 640, height: 360, fps: 10, user: 'kt', password: 'pw-4.1-test' });
    await sim.start();
    // An empty PATH hides the system ffprobe too, so probing takes the ffmpeg-only path.
    env = await ingestEnv({ ffmpegPath: bundled, envPath: '', segmentSeconds: 2, detectFps: 5, detectWidth: 320 });
  });
  afterAll(async () => {
    await env?.close();
    await sim?.stop();
  });

  it('is detected as 4.x and ingests RTSP: frames, a live JPEG and indexed segments (probed without ffprobe)', async () => {
    expect(env.ffmpeg.info).toMatchObject({ source: 'config', ffprobePath: undefined, version: { major: 4, lavfMajor: 58 } });
    const cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
    await env.runtime.start(cam, { username: 'kt', password: 'pw-4.1-test' });
    const it = env.runtime.frames(cam.id)[Symbol.asyncIterator]();
    expect((await it.next()).value).toMatchObject({ width: 320, height: 180 });
    await it.return!();
    await waitFor('a live JPEG', () => env.runtime.latestJpeg(cam.id));
    const segs = await waitFor(
      'indexed segments',
      async () => {
        const r = await env.store.recordings.overlapping(cam.id, 0, Date.now() + 1000);
        return r.length >= 2 && r;
      },
      20_000,
    );
    const probe = await env.ffmpeg.probe(`${env.runtime.recordingsDir}/${segs[1]!.path}`);
    expect(probe).toMatchObject({ videoCodec: 'h264', width: 640, height: 360 });
    expect(Math.abs(probe.durationS * 1000 - (segs[1]!.endAt - segs[1]!.startAt))).toBeLessThan(400);
    await env.runtime.stop(cam.id);
    expect(ffmpegChildren(sim.pids())).toEqual([]);
  });

  it('reports a wrong password as offline with the same readable reason', async () => {
    const cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
    await env.runtime.start(cam, { username: 'kt', password: 'nope-nope' });
    const m = await waitFor('offline', () => env.states.find((s) => s.cameraId === cam.id && s.state === 'offline'), 10_000);
    expect(m.reason).toMatch(/user name or password \(401\)/);
    await env.runtime.stop(cam.id);
  });
});
