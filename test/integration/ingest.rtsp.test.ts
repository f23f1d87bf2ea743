import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import type { Frame } from '../../server/domain/frame.js';
import type { CameraState } from '../../server/store/camera.repository.js';
import { addCamera, FAST_INGEST, ffmpegChildren, ingestEnv, nextFrame, waitFor, type IngestEnv } from './ingest.helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const USER = 'quanly';
const PASSWORD = 'Mk#9z!pa$$';

describe('ingest over RTSP from the simulated camera (TCP, basic auth)', () => {
  let env: IngestEnv;
  let sim: SimulatedCamera;

  beforeAll(async () => {
    sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 640, height: 360, fps: 10, user: USER, password: PASSWORD });
    await sim.start();
    env = await ingestEnv({ record: false, detectFps: 5, detectWidth: 320 });
  });
  afterAll(async () => {
    await env?.close();
    await sim?.stop();
  });
  // A failed test must not leave its camera running into the next one.
  afterEach(async () => env?.runtime.stopAll());

  it('delivers frames at the configured rate and size', async () => {
    const cam = await addCamera(env.store, { detect: { url: sim.rtspUrl, transport: 'tcp' } });
    await env.runtime.start(cam, { username: USER, password: PASSWORD });
    const frames: (Frame & { arrivedAt: number })[] = [];
    for await (const f of env.runtime.frames(cam.id)) {
      frames.push({ ...f, arrivedAt: Date.now() });
      if (frames.length >= 26) break;
    }
    expect(frames[0]).toMatchObject({ width: 320, height: 180 });
    // Steady state (after the start-up burst): frames arrive at the configured 5 fps…
    const steady = frames.slice(-16);
    const arrivalFps = (steady.length - 1) / ((steady.at(-1)!.arrivedAt - steady[0]!.arrivedAt) / 1000);
    expect(arrivalFps).toBeGreaterThan(4);
    expect(arrivalFps).toBeLessThan(6.5);
    // …and capture times never go back, are never after arrival, and are 200 ms apart per frame once settled.
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.capturedAt).toBeGreaterThanOrEqual(frames[i - 1]!.capturedAt);
    expect(frames.every((f) => f.capturedAt <= f.arrivedAt)).toBe(true);
    const a = steady[0]!;
    const b = steady.at(-1)!;
    expect(Math.abs(b.capturedAt - a.capturedAt - 200 * (b.seq - a.seq))).toBeLessThan(150);
    const [stats] = await env.runtime.stats();
    expect(stats).toMatchObject({ state: 'online', codec: 'h264' });
    await env.runtime.stop(cam.id);
    expect(ffmpegChildren(sim.pids())).toEqual([]);
  });

  const stateOf = async (id: number) => (await env.store.cameras.get(id))!.state;
  const waitState = (id: number, state: CameraState, timeoutMs: number) =>
    waitFor(`camera ${id} ${state}`, () => env.states.find((m) => m.cameraId === id && m.state === state && m.at >= since), timeoutMs, 50).catch(
      (err: Error) => {
        const seen = env.states.filter((m) => m.cameraId === id).map((m) => `${m.state}@${m.at - since}: ${m.reason}`);
        throw new Error(`${err.message}; states: ${seen.join(' | ')}; now: ${JSON.stringify(env.runtime.diagnostics(id))}`);
      },
    );
  let since = 0;

  it('goes stalled when the uplink is cut and comes back online by itself once it returns', async () => {
    const cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
    since = Date.now();
    await env.runtime.start(cam, { username: USER, password: PASSWORD });
    await waitState(cam.id, 'online', 10_000);
    since = Date.now();
    await sim.cutStream();
    const stalled = await waitState(cam.id, 'stalled', FAST_INGEST.stallTimeoutMs! + 3000);
    expect(stalled.at - since).toBeGreaterThanOrEqual(FAST_INGEST.stallTimeoutMs! - 100);
    expect(stalled.reason).toMatch(/no video for 1.5 s from rtsp:\/\/127\.0\.0\.1:\d+/);
    await sleep(2000);
    const resumedAt = Date.now(); // resumeStream() resolves only once the stream plays again
    since = resumedAt;
    await sim.resumeStream();
    const online = await waitState(cam.id, 'online', 15_000);
    // Back within the longest backoff plus one connection and start-up (times shortened for tests).
    expect(online.at - resumedAt).toBeLessThan(FAST_INGEST.backoffMaxMs! + FAST_INGEST.startTimeoutMs!);
    expect(await stateOf(cam.id)).toBe('online');
    const it = env.runtime.frames(cam.id)[Symbol.asyncIterator]();
    expect((await it.next()).value!.capturedAt).toBeGreaterThan(resumedAt - 500);
    await it.return!();
    await env.runtime.stop(cam.id);
  });

  it('restarts ffmpeg when it is killed', async () => {
    const cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
    since = Date.now();
    await env.runtime.start(cam, { username: USER, password: PASSWORD });
    await waitState(cam.id, 'online', 10_000);
    const before = (await env.runtime.stats()).find((c) => c.cameraId === cam.id);
    const pid = before!.sessions[0]!.pid!;
    since = Date.now();
    process.kill(pid, 'SIGKILL');
    await waitState(cam.id, 'stalled', 5000);
    await waitState(cam.id, 'online', 10_000);
    const after = (await env.runtime.stats()).find((c) => c.cameraId === cam.id);
    expect(after!.sessions[0]!.pid).not.toBe(pid);
    expect(after!.restarts).toBe(1);
    await env.runtime.stop(cam.id);
  });

  it('ends offline with a readable reason on a wrong password, and retries slowly', async () => {
    const cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
    since = Date.now();
    await env.runtime.start(cam, { username: USER, password: 'wrong-Pa55' });
    const offline = await waitState(cam.id, 'offline', 10_000);
    expect(offline.reason).toMatch(/rejected the user name or password \(401\) \(rtsp:\/\/127\.0\.0\.1:\d+\)$/);
    expect((await env.store.cameras.get(cam.id))!.stateReason).toBe(offline.reason);
    // No spin: over 3 s at most two more attempts (the longest backoff is 2 s), mostly no ffmpeg at all.
    const r0 = (await env.runtime.stats())[0]!.restarts;
    let running = 0;
    for (let i = 0; i < 30; i++) {
      running += ffmpegChildren(sim.pids()).length;
      await sleep(100);
    }
    expect((await env.runtime.stats())[0]!.restarts - r0).toBeLessThanOrEqual(2);
    expect(running).toBeLessThan(15);
    await env.runtime.stop(cam.id);
  });

  it('ends offline on a wrong path or a closed port', async () => {
    const wrongPath = await addCamera(env.store, { detect: { url: `${sim.rtspUrl}-nope` } });
    const closedPort = await addCamera(env.store, { detect: { url: 'rtsp://127.0.0.1:9/stream' } });
    since = Date.now();
    await env.runtime.start(wrongPath, { username: USER, password: PASSWORD });
    await env.runtime.start(closedPort, null);
    expect((await waitState(wrongPath.id, 'offline', 10_000)).reason).toMatch(/not found/);
    expect((await waitState(closedPort.id, 'offline', 10_000)).reason).toMatch(/^connection refused/);
    await env.runtime.stopAll();
    expect(ffmpegChildren(sim.pids())).toEqual([]);
  });

  it('also pulls over UDP when the camera is set to it', async () => {
    const cam = await addCamera(env.store, { detect: { url: sim.rtspUrl, transport: 'udp' } });
    await env.runtime.start(cam, { username: USER, password: PASSWORD });
    expect(await nextFrame(env, cam.id)).toMatchObject({ width: 320, height: 180 });
    expect(env.runtime.diagnostics(cam.id)[0]!.state).toBe('online');
    await env.runtime.stop(cam.id);
  });

  it('never lets the credentials reach logs, stats, states or diagnostics', async () => {
    const cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
    await env.runtime.start(cam, { username: USER, password: PASSWORD });
    await nextFrame(env, cam.id);
    const stats = JSON.stringify(await env.runtime.stats());
    await env.runtime.stop(cam.id);
    const everything = [
      stats,
      ...env.logLines,
      JSON.stringify(env.states),
      JSON.stringify(await env.store.cameras.list()),
      ...env.states.map((s) => s.cameraId).map((id) => JSON.stringify(env.runtime.diagnostics(id))),
    ].join('\n');
    expect(env.logLines.length).toBeGreaterThan(5);
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), 'wrong-Pa55', USER]) expect(everything).not.toContain(secret);
  });
});
