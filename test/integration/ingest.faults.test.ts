import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import type { CameraState } from '../../server/store/camera.repository.js';
import { addCamera, ffmpegChildren, ingestEnv, waitFor, type IngestEnv } from './ingest.helpers.js';

/**
 * Issue 19, defect 9: a camera that accepts the connection and sends nothing was reported as
 * sending data ffmpeg could not read; a camera back from a power cut waited out the whole
 * backoff (up to a minute) before video returned.
 */
describe('camera faults seen by ingest (issue 19, defect 9)', () => {
  let env: IngestEnv | undefined;
  let since = 0;
  const waitState = (e: IngestEnv, id: number, state: CameraState, timeoutMs: number) =>
    waitFor(`camera ${id} ${state}`, () => e.states.find((m) => m.cameraId === id && m.state === state && m.at >= since), timeoutMs, 50).catch((err: Error) => {
      const seen = e.states.filter((m) => m.cameraId === id).map((m) => `${m.state}@${m.at - since}: ${m.reason}`);
      throw new Error(`${err.message}; states: ${seen.join(' | ')}`);
    });
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  describe('a silent camera', () => {
    let silent: net.Server;
    const sockets = new Set<net.Socket>();
    beforeAll(async () => {
      // Accepts every connection, reads what it is sent, never answers.
      silent = net.createServer((s) => {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      });
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    });

    it('is reported as sending nothing, not as sending unreadable data', async () => {
      env = await ingestEnv({ record: false });
      const port = (silent.address() as net.AddressInfo).port;
      const cam = await addCamera(env.store, { detect: { url: `rtsp://127.0.0.1:${port}/stream` } });
      since = Date.now();
      await env.runtime.start(cam);
      const offline = await waitState(env, cam.id, 'offline', 30_000);
      expect(offline.reason).toMatch(new RegExp(`^the camera accepted the connection but sent nothing \\(rtsp://127\\.0\\.0\\.1:${port}`));
      expect((await env.store.cameras.get(cam.id))!.stateReason).toBe(offline.reason);
      expect(env.states.filter((m) => m.cameraId === cam.id).some((m) => /could not read/.test(m.reason ?? ''))).toBe(false);
    });
  });

  describe('a camera back from a power cut', () => {
    let sim: SimulatedCamera;
    beforeAll(async () => {
      sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 320, height: 180, fps: 10 });
      await sim.start();
    });
    afterAll(async () => sim?.stop());

    it('restarts as soon as the camera answers again, well before its backoff ends', async () => {
      const BACKOFF_MS = 25_000;
      env = await ingestEnv({ record: false, ingest: { backoffInitialMs: BACKOFF_MS, backoffMaxMs: BACKOFF_MS, probeIntervalMs: 300 } });
      const cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
      since = Date.now();
      await env.runtime.start(cam);
      await waitState(env, cam.id, 'online', 15_000);
      since = Date.now();
      await sim.kill();
      const down = await waitState(env, cam.id, 'stalled', 10_000);
      // The backoff has begun (no ffmpeg running); the camera stays dark for a while.
      await waitFor('no ffmpeg during the backoff', () => ffmpegChildren().length === 0, 10_000);
      await new Promise((r) => setTimeout(r, 2000));
      const backAt = Date.now();
      await sim.start(); // same port; resolves once the stream plays again
      since = down.at;
      const online = await waitState(env, cam.id, 'online', BACKOFF_MS);
      expect(online.at - down.at).toBeLessThan(BACKOFF_MS * 0.8);
      expect(env.logLines.some((l) => l.includes('the camera answers again'))).toBe(true);
      console.info(`back online ${online.at - backAt} ms after the camera was powered on again (backoff ${BACKOFF_MS} ms)`);
    });
  });
});
