import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { FfmpegFrameGrabber } from '../../server/ingest/ffmpeg.grab.js';
import { urlWithCredentials } from '../../server/ingest/stream.source.js';
import { encodeUserinfo } from '../../server/shared/redact.js';
import { addCamera, ffmpegChildren, ingestEnv, nextFrame, waitFor, type IngestEnv } from './ingest.helpers.js';

/**
 * Issue 12, finding 5: camera passwords must not show in ffmpeg's command line, which every
 * local user can read (`ps`, /proc/<pid>/cmdline). Real cameras that insist on Digest (the
 * simulated RTSP camera, and an HTTP snapshot camera here), real ffmpeg, every child checked.
 */
const USER = 'quanly';
const RTSP_PASSWORD = "Dg'9-rtsp";
const HTTP_PASSWORD = "Sn'p#2-http";
const forms = (p: string) => [p, encodeURIComponent(p), encodeUserinfo(p)];

/** Every ffmpeg (or setpriv about to exec it) this process started, with its command line as `ps` shows it. */
function commandLines(): string[] {
  return ffmpegChildren().flatMap((pid) => {
    try {
      return [readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')];
    } catch {
      return []; // it just exited
    }
  });
}

function expectNoPassword(lines: string[]) {
  for (const line of lines) for (const p of [...forms(RTSP_PASSWORD), ...forms(HTTP_PASSWORD)]) expect(line).not.toContain(p);
}

/** An HTTP snapshot camera that asks for Digest (MD5, qop=auth), as many cheap ones do. */
async function digestSnapshotCamera(jpeg: Buffer): Promise<{ server: Server; url: string; requests: () => number }> {
  const realm = 'IP Camera';
  const nonce = randomBytes(8).toString('hex');
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  let served = 0;
  const server = createServer((req, res) => {
    const p = Object.fromEntries([...(req.headers.authorization ?? '').matchAll(/(\w+)="?([^",]*)"?/g)].map((m) => [m[1], m[2]]));
    const expected = md5(`${md5(`${USER}:${realm}:${HTTP_PASSWORD}`)}:${nonce}:${p.nc}:${p.cnonce}:auth:${md5(`GET:${p.uri}`)}`);
    if (!req.headers.authorization?.startsWith('Digest ') || p.username !== USER || p.response !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': `Digest realm="${realm}", nonce="${nonce}", qop="auth"` }).end();
      return;
    }
    served += 1;
    res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length }).end(jpeg);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cgi-bin/snapshot.cgi`, requests: () => served };
}

/** The WWW-Authenticate a DESCRIBE without credentials gets. */
function rtspChallenge(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => socket.write(`DESCRIBE ${url} RTSP/1.0\r\nCSeq: 1\r\n\r\n`));
    let text = '';
    socket.on('data', (d) => {
      text += d.toString();
      if (!text.includes('\r\n\r\n')) return;
      socket.destroy();
      resolve(/^WWW-Authenticate: (.*)$/im.exec(text)?.[1]?.trim() ?? text);
    });
    socket.on('error', reject);
  });
}

describe('camera credentials never reach an ffmpeg command line', () => {
  let env: IngestEnv;
  let sim: SimulatedCamera;
  let snap: Awaited<ReturnType<typeof digestSnapshotCamera>>;

  beforeAll(async () => {
    sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 640, height: 360, fps: 10, user: USER, password: RTSP_PASSWORD, auth: 'digest' });
    await sim.start();
    env = await ingestEnv({ segmentSeconds: 2, detectFps: 5, detectWidth: 320 });
    const jpeg = (await env.ffmpeg.exec(['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=320x240', '-frames:v', '1', '-f', 'mjpeg', 'pipe:1'])).stdout;
    snap = await digestSnapshotCamera(jpeg);
  });
  afterAll(async () => {
    await env?.close();
    await sim?.stop();
    snap?.server.close();
  });
  afterEach(async () => env?.runtime.stopAll());

  it('samples and records a Digest RTSP camera while no ffmpeg shows its password', async () => {
    expect(env.ffmpeg.info.hidesCameraUrls).toBe(true);
    expect(await rtspChallenge(sim.rtspUrl)).toMatch(/^Digest realm=/);
    const cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
    await env.runtime.start(cam, { username: USER, password: RTSP_PASSWORD });
    expect(await nextFrame(env, cam.id)).toMatchObject({ width: 320, height: 180 });
    const lines = commandLines();
    // One ffmpeg reads the camera, records (stream copy) and samples: all from the URL on its stdin.
    expect(lines.some((l) => l.includes('-f concat') && l.includes('-i pipe:0') && l.includes('-f segment'))).toBe(true);
    expectNoPassword(lines);
  });

  it('reports a wrong Digest password as one, still from ffmpeg itself', async () => {
    const cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
    await env.runtime.start(cam, { username: USER, password: 'not-it' });
    const off = await waitFor('offline', () => env.states.find((m) => m.cameraId === cam.id && m.state === 'offline'), 15_000);
    expect(off.reason).toMatch(/rejected the user name or password \(401\)/);
  });

  it('polls a Digest HTTP snapshot camera through the loopback relay; no ffmpeg shows its URL or password', async () => {
    const cam = await addCamera(env.store, { detect: { url: snap.url } }, { recording: { enabled: false } });
    await env.runtime.start(cam, { username: USER, password: HTTP_PASSWORD });
    expect(await nextFrame(env, cam.id)).toMatchObject({ width: 320, height: 240 });
    const lines = commandLines();
    expect(lines.some((l) => /-i http:\/\/127\.0\.0\.1:\d+\/snapshot\/[0-9a-f]{32}/.test(l))).toBe(true);
    expect(lines.join('\n')).not.toContain(snap.url);
    expectNoPassword(lines);
    expect(snap.requests()).toBeGreaterThan(0);
    await env.runtime.start(cam, { username: USER, password: 'not-it' });
    const off = await waitFor('offline', () => env.states.find((m) => m.cameraId === cam.id && m.state === 'offline'), 15_000);
    expect(off.reason).toMatch(/user name or password/);
  });

  it('keeps the password out of the one-shot test-connection ffmpeg too', async () => {
    const grabber = new FfmpegFrameGrabber(env.ffmpeg);
    const seen: string[] = [];
    let done = false;
    const grab = grabber
      .grab({ url: urlWithCredentials(sim.rtspUrl, { username: USER, password: RTSP_PASSWORD }), transport: 'tcp', timeoutMs: 8000, secrets: [RTSP_PASSWORD] })
      .finally(() => (done = true));
    while (!done) {
      seen.push(...commandLines());
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await grab).toMatchObject({ width: 640, height: 360, codec: 'h264' });
    expect(seen.length).toBeGreaterThan(0);
    expectNoPassword(seen);
  });
});
