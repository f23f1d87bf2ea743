import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import type { CameraRecord } from '../../server/store/camera.repository.js';
import { addCamera, ingestEnv, waitFor, type IngestEnv } from './ingest.helpers.js';

/**
 * Issue 19 item 1, for a camera with a sub-stream: its main stream is recorded by stream copy
 * in a session that decodes nothing, so a resolution change there went unnoticed (stats kept
 * the old size, segments mixed both). The main stream's encoder restarts at another size while
 * the camera stays online: the recording session must restart cleanly as a camera event, its
 * stats show the new size, and every segment recorded after the restart holds the new picture.
 */
const SEGMENT_S = 2;

describe('a picture-size change on the recorded main stream of a camera with a sub-stream', () => {
  let env: IngestEnv;
  let main: SimulatedCamera;
  let sub: SimulatedCamera;
  let cam: CameraRecord;
  const rows = () => env.store.recordings.overlapping(cam.id, 0, Date.now() + 60_000);

  beforeAll(async () => {
    main = new SimulatedCamera({ source: { kind: 'pattern' }, width: 640, height: 360, fps: 10 });
    sub = new SimulatedCamera({ source: { kind: 'pattern' }, width: 320, height: 180, fps: 10 });
    await Promise.all([main.start(), sub.start()]);
    env = await ingestEnv({ segmentSeconds: SEGMENT_S, detectFps: 2, detectWidth: 320, ingest: { stallTimeoutMs: 8000, socketTimeoutMs: 8000 } });
    cam = await addCamera(env.store, { detect: { url: sub.rtspUrl }, record: { url: main.rtspUrl } });
    await env.runtime.start(cam);
  });
  afterAll(async () => {
    await env?.close();
    await Promise.all([main?.stop(), sub?.stop()]);
  });

  it('restarts the recording session as a camera event and records the new size from then on', async () => {
    await waitFor('two segments of the main stream', async () => (await rows()).length >= 2, 20_000, 200);
    const changedAt = Date.now();
    await main.restartEncoder({ width: 480, height: 360 });

    const restarting = await waitFor('the restart event', () => env.states.find((m) => m.state === 'restarting' && m.at >= changedAt), 15_000);
    expect(restarting.reason).toBe('recording stream: the camera changed its picture from 640×360 to 480×360: restarting the stream');
    await waitFor('online again', () => env.states.find((m) => m.state === 'online' && m.at >= restarting.at), 15_000);
    expect(env.logLines.some((l) => l.includes('camera changed its picture size: restarting its stream') && l.includes('"role":"record"'))).toBe(true);

    const [stats] = await env.runtime.stats();
    expect(stats!.sessions.map((s) => [s.role, s.input?.width, s.input?.height])).toEqual([
      ['detect', 320, 180],
      ['record', 480, 360],
    ]);
    expect(stats!.sessions.find((s) => s.role === 'detect')!.restarts).toBe(0); // the sub-stream never noticed

    const after = await waitFor(
      'two segments after the restart',
      async () => {
        const r = (await rows()).filter((x) => x.startAt >= restarting.at);
        return r.length >= 2 && r;
      },
      20_000,
      200,
    );
    const all = await rows();
    for (let i = 1; i < all.length; i++) expect(all[i]!.startAt).toBeGreaterThanOrEqual(all[i - 1]!.endAt);
    const width = async (p: string) => (await env.ffmpeg.probe(path.join(env.dataDir, 'recordings', p))).width;
    for (const r of after) expect(await width(r.path), r.path).toBe(480);
    for (const r of all.filter((x) => x.endAt <= changedAt)) expect(await width(r.path), r.path).toBe(640);
  });
});
