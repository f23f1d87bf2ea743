import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileFrames } from '../../server/ingest/file.frames.js';
import type { Frame } from '../../server/domain/frame.js';
import { AppError } from '../../server/shared/errors.js';
import { addCamera, ffmpegChildren, ingestEnv, nextFrame, recordingFiles, waitFor, type IngestEnv } from './ingest.helpers.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ffmpeg = (...args: string[]) => run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args]);

/** A cheap "HTTP camera" on 127.0.0.1: multipart MJPEG at 5 fps and a snapshot URL, both behind basic auth. */
async function httpCamera(jpegs: Buffer[], user: string, password: string): Promise<{ server: Server; base: string }> {
  const expected = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
  const server = createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cam"' }).end();
      return;
    }
    if (req.url === '/snapshot.jpg') {
      const jpeg = jpegs[Math.floor(Date.now() / 500) % jpegs.length]!;
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length }).end(jpeg);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=frame' });
    let i = 0;
    const timer = setInterval(() => {
      const j = jpegs[i++ % jpegs.length]!;
      res.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${j.length}\r\n\r\n`);
      res.write(j);
      res.write('\r\n');
    }, 200);
    req.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('other sources: files, HTTP MJPEG and snapshots, H.265, leftovers', () => {
  let env: IngestEnv;
  let media: string;
  let http: { server: Server; base: string };

  beforeAll(async () => {
    env = await ingestEnv({ segmentSeconds: 2, detectFps: 5, detectWidth: 160 });
    media = path.join(env.dataDir, 'media');
    mkdirSync(media, { recursive: true });
    await ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=10',
      '-t',
      '4',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-g',
      '10',
      '-pix_fmt',
      'yuv420p',
      path.join(media, 'h264.mp4'),
    );
    await ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=10',
      '-t',
      '4',
      '-c:v',
      'libx265',
      '-preset',
      'ultrafast',
      '-x265-params',
      'keyint=10:log-level=error',
      '-pix_fmt',
      'yuv420p',
      path.join(media, 'hevc.mp4'),
    );
    await ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=5', '-frames:v', '5', '-q:v', '5', path.join(media, 'f%d.jpg'));
    const jpegs = readdirSync(media)
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .map((f) => readFileSync(path.join(media, f)));
    http = await httpCamera(jpegs, 'nha', 'cong#1');
  });
  afterAll(async () => {
    await env?.close();
    await new Promise((r) => http?.server.close(r));
  });

  it('reads every sampled frame of a file with its media time when the consumer is slow (back-pressure)', async () => {
    const frames: Frame[] = [];
    for await (const f of readFileFrames({ ffmpeg: env.ffmpeg, path: path.join(media, 'h264.mp4'), fps: 5, width: 160 })) {
      frames.push(f);
      await sleep(30); // slower than ffmpeg decodes: nothing may be dropped
    }
    expect(frames.length).toBeGreaterThanOrEqual(20);
    expect(frames.length).toBeLessThanOrEqual(21);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    expect(frames[10]!.mediaTime).toBeCloseTo(2, 5);
    expect(frames[10]!.capturedAt - frames[0]!.capturedAt).toBe(2000);
    expect(frames[0]).toMatchObject({ width: 160, height: 120 });
    expect(ffmpegChildren()).toEqual([]);
  });

  it('fails clearly on a file that is not video', async () => {
    const bad = path.join(media, 'bad.mp4');
    writeFileSync(bad, 'not a video at all');
    const consume = async () => {
      for await (const f of readFileFrames({ ffmpeg: env.ffmpeg, path: bad, fps: 5, width: 160 })) expect(f).toBeUndefined();
    };
    await expect(consume()).rejects.toMatchObject({ code: 'file_unreadable' });
    await expect(consume()).rejects.toBeInstanceOf(AppError);
    expect(ffmpegChildren()).toEqual([]);
  });

  it('ingests an HTTP MJPEG camera with credentials and records it (re-encoded to H.264)', async () => {
    const cam = await addCamera(env.store, { detect: { url: `${http.base}/video.mjpg` } });
    await env.runtime.start(cam, { username: 'nha', password: 'cong#1' });
    expect(await nextFrame(env, cam.id)).toMatchObject({ width: 160, height: 120 });
    await waitFor('an indexed segment', async () => (await env.store.recordings.overlapping(cam.id, 0, Date.now() + 1000)).length >= 1, 20_000);
    const [stats] = (await env.runtime.stats()).filter((s) => s.cameraId === cam.id);
    expect(stats).toMatchObject({ state: 'online', codec: 'mjpeg', browserPlayable: true });
    await env.runtime.stop(cam.id);
  });

  it('polls an HTTP snapshot URL, and a wrong password puts it offline', async () => {
    const cam = await addCamera(env.store, { detect: { url: `${http.base}/snapshot.jpg` } }, { recording: { enabled: false } });
    await env.runtime.start(cam, { username: 'nha', password: 'cong#1' });
    expect(await nextFrame(env, cam.id)).toMatchObject({ width: 160, height: 120 });
    expect(await env.store.recordings.overlapping(cam.id, 0, Date.now() + 1000)).toEqual([]);
    await env.runtime.start(cam, { username: 'nha', password: 'wrong' });
    const off = await waitFor('offline', () => env.states.find((m) => m.cameraId === cam.id && m.state === 'offline'), 10_000);
    expect(off.reason).toMatch(/user name or password/);
    await env.runtime.stop(cam.id);
  });

  it('records H.265 as it comes, flags it as not browser-playable and cuts an hvc1-tagged MP4', async () => {
    const cam = await addCamera(env.store, { detect: { url: 'rtsp://127.0.0.1:9/unused' } });
    const t0 = Date.now();
    await env.runtime.start(cam, null, { source: { kind: 'file', path: path.join(media, 'hevc.mp4'), loop: true, realtime: true } });
    const segs = await waitFor(
      'two segments',
      async () => {
        const r = await env.store.recordings.overlapping(cam.id, 0, Date.now() + 1000);
        return r.length >= 2 && r;
      },
      20_000,
    );
    const [stats] = (await env.runtime.stats()).filter((s) => s.cameraId === cam.id);
    expect(stats).toMatchObject({ codec: 'hevc', browserPlayable: false, state: 'online' });
    expect(stats!.reason).toMatch(/H\.265/);
    expect((await env.store.cameras.get(cam.id))!.stateReason).toMatch(/browsers cannot play it/);
    const out = path.join(env.dataDir, 'clips', 'hevc.mp4');
    await env.cutter.cutClip({ cameraId: cam.id, from: t0, to: segs[1]!.endAt, outPath: out });
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,codec_tag_string', '-of', 'csv=p=0', out]);
    expect(stdout.trim()).toBe('hevc,hvc1');
    await env.runtime.stop(cam.id);
  });

  it('indexes a segment a crash left behind before recording again, and deletes an empty one', async () => {
    const cam = await addCamera(env.store, { detect: { url: 'rtsp://127.0.0.1:9/unused' } });
    const live = path.join(env.runtime.recordingsDir, String(cam.id), 'live');
    mkdirSync(live, { recursive: true });
    await ffmpeg('-i', path.join(media, 'h264.mp4'), '-t', '1.5', '-c', 'copy', '-f', 'mpegts', path.join(live, '1700000000000-000003.ts'));
    writeFileSync(path.join(live, '1700000000000-000004.ts'), '');
    await env.runtime.start(cam, null, { source: { kind: 'file', path: path.join(media, 'h264.mp4'), loop: true, realtime: true } });
    const [rec] = await env.store.recordings.oldest(1, cam.id);
    expect(rec!.endAt - rec!.startAt).toBeGreaterThan(1200);
    expect(rec!.endAt - rec!.startAt).toBeLessThan(1800);
    const files = recordingFiles(env.dataDir, cam.id);
    expect(files.kept).toContain(rec!.path);
    expect(files.live.filter((f) => f.startsWith('1700000000000'))).toEqual([]);
    await env.runtime.stop(cam.id);
  });
});
