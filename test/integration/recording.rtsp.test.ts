import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { RecordingRetention } from '../../server/ingest/recording.retention.js';
import { AppError } from '../../server/shared/errors.js';
import type { CameraRecord } from '../../server/store/camera.repository.js';
import { addCamera, ffmpegChildren, ingestEnv, nextFrame, recordingFiles, waitFor, type IngestEnv } from './ingest.helpers.js';

const SEGMENT_S = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('continuous recording from the simulated camera', () => {
  let env: IngestEnv;
  let sim: SimulatedCamera;
  let cam: CameraRecord;
  let startedAt: number;
  const recDir = () => path.join(env.dataDir, 'recordings');
  const rows = () => env.store.recordings.overlapping(cam.id, 0, Date.now() + 60_000);
  const waitSegments = (n: number, after = 0) =>
    waitFor(
      `${n} segments`,
      async () => {
        const r = (await rows()).filter((x) => x.startAt >= after);
        return r.length >= n && r;
      },
      30_000,
      200,
    );

  beforeAll(async () => {
    sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 640, height: 360, fps: 10, user: 'ghi', password: 'hinh-2026' });
    await sim.start();
    // Few, small detection frames: this file is about recording.
    env = await ingestEnv({ segmentSeconds: SEGMENT_S, detectFps: 2, detectWidth: 160 });
    cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
    startedAt = Date.now();
    await env.runtime.start(cam, { username: 'ghi', password: 'hinh-2026' });
  });
  afterAll(async () => {
    await env?.close();
    await sim?.stop();
  });

  it('indexes finished segments by wall-clock time, contiguous, and each file plays for its indexed length', async () => {
    const segs = await waitSegments(3);
    const now = Date.now();
    expect(segs[0]!.startAt).toBeGreaterThan(startedAt - 1000);
    expect(segs.at(-1)!.endAt).toBeLessThanOrEqual(now);
    for (const [i, s] of segs.entries()) {
      // Cut at the first keyframe (every 1 s here) after each multiple of the segment length;
      // the first segment starts at the first keyframe, so it may be shorter.
      if (i > 0) expect(Math.abs(s.endAt - s.startAt - SEGMENT_S * 1000)).toBeLessThan(1100);
      expect(s.endAt - s.startAt).toBeGreaterThan(500);
      if (i > 0) expect(Math.abs(s.startAt - segs[i - 1]!.endAt)).toBeLessThan(400);
      const file = path.join(recDir(), s.path);
      expect(statSync(file).size).toBe(s.bytes);
      const probe = await env.ffmpeg.probe(file);
      expect(probe).toMatchObject({ videoCodec: 'h264', width: 640, height: 360 });
      expect(Math.abs(probe.durationS * 1000 - (s.endAt - s.startAt))).toBeLessThan(400);
    }
    const [stats] = await env.runtime.stats();
    expect(stats).toMatchObject({ codec: 'h264', browserPlayable: true });
    expect(stats!.recordingBytes).toBeGreaterThanOrEqual(segs.reduce((a, s) => a + s.bytes, 0));
  });

  it('cuts any kept window into a faststart MP4 that plays for the window, within one segment', async () => {
    const segs = await waitSegments(4);
    const from = segs[1]!.startAt + 700;
    const to = segs[3]!.startAt + 900;
    const out = path.join(env.dataDir, 'clips', 'cut.mp4');
    const r = await env.cutter.cutClip({ cameraId: cam.id, from, to, outPath: out });
    expect(r.path).toBe(out);
    expect(r.bytes).toBe(statSync(out).size);
    const probe = await env.ffmpeg.probe(out);
    expect(probe).toMatchObject({ videoCodec: 'h264', width: 640, height: 360 });
    expect(Math.abs(probe.durationS - (to - from) / 1000)).toBeLessThanOrEqual(SEGMENT_S);
    expect(probe.durationS).toBeGreaterThanOrEqual((to - from) / 1000 - 0.2);
    // faststart: the index (moov) precedes the media (mdat).
    const head = readFileSync(out).subarray(0, 4096).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(0);
    expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat') === -1 ? Infinity : head.indexOf('mdat'));
    expect(recordingFiles(env.dataDir, cam.id).kept.length).toBeGreaterThanOrEqual(4);
  });

  it('answers 404 range_not_kept for a range that is not recorded', async () => {
    const err = await env.cutter
      .cutClip({ cameraId: cam.id, from: startedAt - 3_600_000, to: startedAt - 3_000_000, outPath: path.join(env.dataDir, 'clips', 'old.mp4') })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'range_not_kept', status: 404 });
    expect((err as Error).message).toMatch(/kept from/);
    expect(existsSync(path.join(env.dataDir, 'clips', 'old.mp4'))).toBe(false);
  });

  it('loses at most the segment being written when ffmpeg is SIGKILLed, and keeps the index consistent', async () => {
    const before = await waitSegments(1);
    const lastEnd = before.at(-1)!.endAt;
    // Kill mid-segment: about half a segment after the last one was closed.
    await sleep(Math.max(0, lastEnd + (SEGMENT_S * 1000) / 2 - Date.now()));
    const [stats] = await env.runtime.stats();
    const killedAt = Date.now();
    process.kill(stats!.sessions[0]!.pid!, 'SIGKILL');
    const after = await waitSegments(2, killedAt);
    const all = await rows();
    // The index names only files that exist; every file kept on disk is indexed.
    const files = recordingFiles(env.dataDir, cam.id);
    expect(all.every((r) => existsSync(path.join(recDir(), r.path)))).toBe(true);
    expect(files.kept.sort()).toEqual(all.map((r) => r.path).sort());
    // Only the running ffmpeg's current segment is in the live directory.
    expect(files.live.length).toBeLessThanOrEqual(1);
    // The interrupted segment was salvaged from its probed duration: it continues the last
    // finished one and holds the ~1 s written before the kill.
    const salvaged = all.find((r) => r.startAt === lastEnd);
    expect(salvaged).toBeDefined();
    expect(salvaged!.endAt - salvaged!.startAt).toBeGreaterThan(300);
    expect(salvaged!.endAt).toBeLessThanOrEqual(killedAt + 300);
    expect(env.logLines.some((l) => l.includes('recovered an unfinished recording segment'))).toBe(true);
    for (let i = 1; i < all.length; i++) expect(all[i]!.startAt).toBeGreaterThanOrEqual(all[i - 1]!.endAt - 300);
    // Lost: only what was in flight at the kill and the restart (no recording while ffmpeg was down).
    expect(after[0]!.startAt - salvaged!.endAt).toBeLessThan(4000);
    expect(env.logLines.join('\n')).not.toContain('hinh-2026');
  });

  it('retention deletes the oldest segments first under a small quota', async () => {
    await waitSegments(6);
    await env.runtime.stop(cam.id);
    expect(ffmpegChildren(sim.pids())).toEqual([]);
    const all = await rows();
    const keep = all.slice(-3);
    const quotaBytes = keep.reduce((a, r) => a + r.bytes, 0);
    env.retentionConfig.maxDiskGb = quotaBytes / 1e9;
    const result = await env.retention.sweep();
    expect(result.byQuota).toBe(all.length - 3);
    const left = await rows();
    expect(left.map((r) => r.id)).toEqual(keep.map((r) => r.id));
    for (const r of all.slice(0, -3)) expect(existsSync(path.join(recDir(), r.path))).toBe(false);
    expect(await env.store.recordings.totalBytes()).toBeLessThanOrEqual(quotaBytes);
    // The free-space floor and the age limit delete oldest first as well.
    env.retentionConfig.maxDiskGb = 0;
    env.retentionConfig.minFreeGb = 1;
    env.retentionConfig.keepRecentMinutes = 0; // these segments are all recent (recording.retention.test.ts covers the window)
    const lowDisk = new RecordingRetention({
      recordings: env.store.recordings,
      recordingsDir: recDir(),
      config: () => env.retentionConfig,
      log: env.log,
      freeBytes: async () => 1e9 - keep[0]!.bytes, // one segment short of the floor
    });
    expect((await lowDisk.sweep()).byFreeSpace).toBe(1);
    expect((await rows()).map((r) => r.id)).toEqual(keep.slice(1).map((r) => r.id));
    env.retentionConfig.minFreeGb = 0;
    const later = new RecordingRetention({
      recordings: env.store.recordings,
      recordingsDir: recDir(),
      config: () => env.retentionConfig,
      log: env.log,
      cameraDays: () => new Map([[cam.id, 1]]),
      now: () => Date.now() + 86_400_000 + 60_000,
    });
    expect((await later.sweep()).byAge).toBe(2);
    expect(await rows()).toEqual([]);
  });

  it('uses the sub-stream for frames and the main stream for recording: two sessions, one per stream', async () => {
    const sub = new SimulatedCamera({ source: { kind: 'pattern' }, width: 320, height: 180, fps: 10, user: 'ghi', password: 'hinh-2026' });
    await sub.start();
    try {
      const two = await addCamera(env.store, { detect: { url: sub.rtspUrl }, record: { url: sim.rtspUrl } });
      await env.runtime.start(two, { username: 'ghi', password: 'hinh-2026' });
      expect(ffmpegChildren([...sim.pids(), ...sub.pids()]).length).toBe(2);
      expect(await nextFrame(env, two.id)).toMatchObject({ width: 160, height: 90 });
      const [seg] = await waitFor(
        'a main-stream segment',
        async () => {
          const r = await env.store.recordings.overlapping(two.id, 0, Date.now() + 1000);
          return r.length >= 1 && r;
        },
        20_000,
      );
      expect(await env.ffmpeg.probe(path.join(recDir(), seg!.path))).toMatchObject({ width: 640, height: 360 });
      const stats = (await env.runtime.stats()).find((x) => x.cameraId === two.id)!;
      expect(stats.sessions.map((x) => [x.role, x.input?.width])).toEqual([
        ['detect', 320],
        ['record', 640],
      ]);
      expect(stats).toMatchObject({ state: 'online', frameSize: { width: 160, height: 90 }, browserPlayable: true });
      expect(stats.sessions[1]!.inputFps).toBeGreaterThan(8);
      const test = await env.runtime.grabTestFrame(two.id, 'record');
      expect(test).toMatchObject({ source: 'running', width: 640, height: 360, codec: 'h264' });
      expect(test!.jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      await env.runtime.stop(two.id);
      expect(ffmpegChildren([...sim.pids(), ...sub.pids()])).toEqual([]);
    } finally {
      await sub.stop();
    }
  });
});
