import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../server/domain/frame.js';
import { addCamera, ffmpegChildren, ingestEnv, lavfi, recordingFiles, waitFor, type IngestEnv } from './ingest.helpers.js';

describe('ingest session (lavfi source, real ffmpeg)', () => {
  let env: IngestEnv;
  beforeAll(async () => {
    env = await ingestEnv({ segmentSeconds: 2 });
  });
  afterAll(async () => env?.close());

  it('delivers newest frames of the detect size, a live JPEG and indexed segments from one ffmpeg', async () => {
    const cam = await addCamera(env.store, { detect: { url: 'rtsp://127.0.0.1:9/unused' } });
    await env.runtime.start(cam, null, { source: lavfi('640x360', 10) });
    expect(ffmpegChildren().length).toBe(1);
    const frames: Frame[] = [];
    const started = Date.now();
    for await (const f of env.runtime.frames(cam.id)) {
      frames.push(f);
      if (Date.now() - started > 3000) break;
    }
    expect(frames[0]).toMatchObject({ cameraId: cam.id, width: 320, height: 180 });
    expect(frames[0]!.data.byteLength).toBe(320 * 180 * 1.5);
    const spanS = (frames.at(-1)!.capturedAt - frames[0]!.capturedAt) / 1000;
    expect((frames.length - 1) / spanS).toBeGreaterThan(4); // 5 fps asked
    expect((frames.length - 1) / spanS).toBeLessThan(6);
    expect(frames.every((f, i) => i === 0 || f.seq > frames[i - 1]!.seq)).toBe(true);

    const jpeg = await waitFor('a live JPEG', () => env.runtime.latestJpeg(cam.id));
    expect(jpeg.jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const rec = await waitFor('two indexed segments', async () => {
      const r = await env.store.recordings.overlapping(cam.id, 0, Date.now() + 1000);
      return r.length >= 2 && r;
    });
    expect(Math.abs(rec[0]!.endAt - rec[0]!.startAt - 2000)).toBeLessThan(300);
    expect(Math.abs(rec[0]!.startAt - started)).toBeLessThan(3000);
    expect(recordingFiles(env.dataDir, cam.id).kept).toEqual(expect.arrayContaining(rec.map((r) => r.path)));

    const [stats] = await env.runtime.stats();
    expect(stats).toMatchObject({ cameraId: cam.id, state: 'online', codec: 'rawvideo', browserPlayable: true, frameSize: { width: 320, height: 180 } });
    expect(stats!.rssBytes).toBeGreaterThan(5e6);
    expect(stats!.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(stats!.recordingBytes).toBeGreaterThan(0);
    expect(stats!.inputFps).toBeGreaterThan(7);

    await env.runtime.stopAll();
    expect(ffmpegChildren()).toEqual([]);
    expect((await env.store.cameras.get(cam.id))!.state).toBe('stopped');
    expect(env.states.filter((s) => s.cameraId === cam.id).map((s) => s.state)).toEqual(['starting', 'online', 'stopped']);
    // The segment open at stop was closed by ffmpeg and indexed; nothing is left half-written.
    expect(recordingFiles(env.dataDir, cam.id).live).toEqual([]);
  });
});
