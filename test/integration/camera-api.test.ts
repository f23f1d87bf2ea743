import { readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.js';
import { cameraRoutes } from '../../server/api/camera.routes.js';
import { createAuthorizer } from '../../server/auth/authorize.js';
import { CredentialCipher, loadOrCreateKey, type CameraCredentials } from '../../server/cameras/camera.crypto.js';
import { FfmpegAdapter } from '../../server/ingest/ffmpeg.adapter.js';
import { FfmpegFrameGrabber, type TestFrame } from '../../server/ingest/ffmpeg.grab.js';
import { CameraOnboarding } from '../../server/cameras/camera.onboarding.js';
import type { CameraRunner } from '../../server/cameras/camera.runner.js';
import { CameraService } from '../../server/cameras/camera.service.js';
import { createUnicastProber } from '../../server/cameras/onvif.discovery.adapters.js';
import { OnvifDiscovery } from '../../server/cameras/onvif.discovery.js';
import { probeOnvif } from '../../server/cameras/onvif.probe.js';
import { NetworkGuard } from '../../server/cameras/network.guard.js';
import { DEFAULT_DENIED_RANGES, RangePolicy } from '../../server/shared/address.ranges.js';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { Bus } from '../../server/shared/bus.js';
import { createLogger } from '../../server/shared/log.js';
import type { CameraRecord } from '../../server/store/camera.repository.js';
import { createStore, type Store } from '../../server/store/store.js';
import { dbTargets, openMigrated } from '../support/db.js';
import { tempDir } from '../support/tmp.js';
import { OnvifSimulator } from '../fixtures/onvif-sim/onvif-sim.js';

/**
 * The technician's path through the REST API against a simulated ONVIF camera whose stream is
 * a real RTSP server: discover → probe → register (credentials encrypted) → test connection
 * (a real frame) → edit → remove. Real SQLite, real ffmpeg/ffprobe, the camera routes alone
 * (loopback policy: the session/role policy is tested with the auth module).
 */
const USER = 'admin';
const PASS = 'Cam3ra:p@ss/1';
const OFFSET = -3 * 365 * 86_400_000;

const tmp = tempDir('binhyen-camapi-');
const logs: string[] = [];
const log = createLogger('debug', (l) => logs.push(l));
let db: Awaited<ReturnType<typeof openMigrated>>;
let store: Store;
let simcam: SimulatedCamera;
let onvif: OnvifSimulator;
let http: Server;
let base: string;
let dbFile: string;

class RecordingRuntime implements CameraRunner {
  started: { id: number; credentials: CameraCredentials | null }[] = [];
  stopped: number[] = [];
  runningFrame: TestFrame | undefined;
  async start(c: CameraRecord, credentials: CameraCredentials | null) {
    this.started.push({ id: c.id, credentials });
  }
  async stop(id: number) {
    this.stopped.push(id);
  }
  async grabTestFrame() {
    return this.runningFrame;
  }
}
const runtime = new RecordingRuntime();

async function api(
  method: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> & { error?: { code: string; field?: string; message: string } } }> {
  const res = await fetch(base + p, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

beforeAll(async () => {
  db = await openMigrated(dbTargets[0]!);
  dbFile = db.url.slice('sqlite:'.length);
  store = createStore(db.db);
  simcam = new SimulatedCamera({ source: { kind: 'pattern' }, width: 320, height: 240, fps: 10, user: USER, password: PASS });
  await simcam.start();
  onvif = await new OnvifSimulator({ username: USER, password: PASS, clockOffsetMs: OFFSET, streamUri: simcam.rtspUrl }).start();
  const cipher = new CredentialCipher(loadOrCreateKey(path.join(tmp.dir, 'secret.key'), log));
  // The simulated cameras are on loopback, which the default ranges refuse: allowed here, as in every test fixture.
  const guard = new NetworkGuard({ policy: () => new RangePolicy({ allow: ['127.0.0.0/8'], deny: [...DEFAULT_DENIED_RANGES] }) });
  const discovery = new OnvifDiscovery({
    networkInterfaces: () => os.networkInterfaces(),
    multicast: {
      probe: async () => {
        throw new Error('no multicast in this test');
      },
    },
    unicast: createUnicastProber(log, guard),
    log,
  });
  const probe: typeof probeOnvif = (t, o) => probeOnvif(t, { callTimeoutMs: 3000, deadlineMs: 8000, ...o, guard });
  const cameras = new CameraService({
    guard,
    store,
    cipher,
    runtime,
    bus: new Bus(),
    log,
    probe,
    grabber: new FfmpegFrameGrabber(await FfmpegAdapter.create()),
    rtspTransport: 'tcp',
    testTimeoutMs: 8000,
  });
  const onboarding = new CameraOnboarding({ store, discovery, probe, log });
  const app = createApp({
    log,
    routers: [
      cameraRoutes({
        store,
        authorizer: createAuthorizer(),
        liveFeed: { latestJpeg: () => undefined },
        cameras,
        onboarding,
        privacy: { jpeg: async (_id, jpeg) => jpeg },
      }),
    ],
  });
  http = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => http.once('listening', () => r()));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
  await onvif?.stop();
  await simcam?.stop();
  await db?.cleanup();
  tmp.remove();
});

let cameraId: number;

describe('discover → probe → register → test → edit → remove', () => {
  it('discovers the camera, not yet registered', async () => {
    const r = await api('POST', '/api/cameras/discover', { targets: [`127.0.0.1:${onvif.discoveryPort}`], timeoutSeconds: 1 });
    expect(r.status).toBe(200);
    expect(r.body.devices).toEqual([expect.objectContaining({ endpoint: onvif.endpoint, deviceServiceUrl: onvif.deviceServiceUrl, registered: false })]);
  });

  it('probes it: profiles, the stream URI of the RTSP camera, the clock offset', async () => {
    const r = await api('POST', '/api/cameras/probe', { target: onvif.deviceServiceUrl, username: USER, password: PASS });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ manufacturer: 'BinhYenSim', defaults: { detect: 'Profile_2', record: 'Profile_1' } });
    expect((r.body.profiles as { streamUri: string }[]).every((p) => p.streamUri === simcam.rtspUrl)).toBe(true);
    expect(Math.abs((r.body.clockOffsetMs as number) - OFFSET)).toBeLessThan(2000);
  });

  it('a wrong password in a probe is a classified 422, never a 401 (the browser would read an expired session)', async () => {
    const r = await api('POST', '/api/cameras/probe', { target: onvif.deviceServiceUrl, username: USER, password: 'wrong' });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'wrong_credentials' });
    expect(r.body.error!.message).toMatch(/clock is 3 years/);
  });

  it('registers it from its ONVIF address: streams filled from the probe, credentials encrypted, runtime started', async () => {
    const area = await store.areas.create({ parentId: null, kind: 'hamlet', name: 'Thôn Đông' });
    const r = await api('POST', '/api/cameras', {
      name: 'Cổng nhà văn hoá',
      areaId: area.id,
      ownerName: 'Nguyễn Văn A',
      ownerKind: 'resident',
      address: '12 Lê Lợi',
      latitude: 16.4637,
      longitude: 107.5909,
      onvifUrl: onvif.deviceServiceUrl,
      onvifEndpoint: onvif.endpoint,
      credentials: { username: USER, password: PASS },
    });
    expect(r.status).toBe(201);
    cameraId = r.body.id as number;
    expect(r.body.onvifEndpoint).toBe(onvif.endpoint);
    expect(r.body).toMatchObject({ credentials: 'set', onvifUrl: onvif.deviceServiceUrl, areaId: area.id, latitude: 16.4637 });
    expect(r.body.streams).toEqual({
      detect: { url: simcam.rtspUrl, profileToken: 'Profile_2', width: 640, height: 360, fps: 15, codec: 'h264' },
      record: { url: simcam.rtspUrl, profileToken: 'Profile_1', width: 1920, height: 1080, fps: 25, codec: 'h264' },
    });
    expect(Math.abs((r.body.clockOffsetMs as number) - OFFSET)).toBeLessThan(2000);
    expect(JSON.stringify(r.body)).not.toContain(PASS);
    expect(runtime.started).toEqual([{ id: cameraId, credentials: { username: USER, password: PASS } }]);
  });

  it('never stores the password in clear, and the key is not in the database', async () => {
    const row = await db.db('cameras').where({ id: cameraId }).first<{ credentials_enc: string }>();
    expect(row.credentials_enc).toMatch(/^v1:[A-Za-z0-9+/=]+$/);
    await db.db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
    const raw = Buffer.concat([
      readFileSync(dbFile),
      ...['-wal', '-shm'].flatMap((s) => {
        try {
          return [readFileSync(dbFile + s)];
        } catch {
          return [];
        }
      }),
    ]);
    for (const secret of [PASS, encodeURIComponent(PASS), Buffer.from(PASS).toString('base64')]) expect(raw.includes(secret)).toBe(false);
    const key = readFileSync(path.join(tmp.dir, 'secret.key'), 'utf8').trim();
    expect(raw.includes(key)).toBe(false);
    expect(statSync(path.join(tmp.dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect((await api('GET', `/api/cameras/${cameraId}`)).body.credentials).toBe('set');
  });

  it('discovery now marks it registered', async () => {
    const r = await api('POST', '/api/cameras/discover', { targets: [`127.0.0.1:${onvif.discoveryPort}`], timeoutSeconds: 1 });
    expect(r.body.devices).toEqual([expect.objectContaining({ registered: true, cameraId, channels: [{ cameraId, channel: 'Profile_2' }] })]);
  });

  it('a camera on the same host:port but with another endpoint reference (an NVR channel, a replaced camera) is not marked registered', async () => {
    const row = await store.cameras.get(cameraId);
    await store.cameras.update(cameraId, { onvifEndpoint: 'urn:uuid:some-other-device' });
    try {
      const r = await api('POST', '/api/cameras/discover', { targets: [`127.0.0.1:${onvif.discoveryPort}`], timeoutSeconds: 1 });
      expect(r.body.devices).toEqual([expect.objectContaining({ registered: false, cameraId: null, channels: [] })]);
    } finally {
      await store.cameras.update(cameraId, { onvifEndpoint: row!.onvifEndpoint });
    }
  });

  it('test connection grabs a real frame and measures resolution, fps and codec', async () => {
    const r = await api('POST', `/api/cameras/${cameraId}/test-connection`, {});
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ width: 320, height: 240, codec: 'h264', source: 'one-shot' });
    expect(r.body.fps as number).toBeGreaterThan(7);
    expect(r.body.fps as number).toBeLessThan(13);
    const jpeg = Buffer.from(r.body.jpegBase64 as string, 'base64');
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
  });

  it('test connection works on a host without ffmpeg on PATH, through the binary ingest uses (the bundled build)', async () => {
    const ffmpeg = await FfmpegAdapter.create({ envPath: '' });
    expect(ffmpeg.info.source).toBe('bundled');
    const url = new URL(simcam.rtspUrl);
    url.username = USER;
    url.password = PASS;
    const frame = await new FfmpegFrameGrabber(ffmpeg).grab({ url: url.href, transport: 'tcp', timeoutMs: 8000, secrets: [PASS] });
    expect(frame).toMatchObject({ width: 320, height: 240, codec: 'h264', source: 'one-shot' });
  });

  it('a running camera answers from its session, without opening another', async () => {
    runtime.runningFrame = { jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xd9]), width: 640, height: 360, fps: 15, codec: 'h264', source: 'running', at: Date.now() };
    try {
      const res = await fetch(`${base}/api/cameras/${cameraId}/test-connection`, { method: 'POST', headers: { accept: 'image/jpeg' } });
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(res.headers.get('x-frame-source')).toBe('running');
      expect(res.headers.get('x-frame-width')).toBe('640');
    } finally {
      runtime.runningFrame = undefined;
    }
  });

  it('test connection of an unsaved URL with a wrong password is wrong_credentials, password masked', async () => {
    const r = await api('POST', '/api/cameras/test-connection', { url: simcam.rtspUrl, credentials: { username: USER, password: 'wrong-one' } });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'wrong_credentials' });
    expect(JSON.stringify(r.body)).not.toContain('wrong-one');
  });

  it('a stream URL serving a playlist of local files reads no local file', async () => {
    const { createServer } = await import('node:http');
    const web = createServer((_q, res) =>
      res
        .writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl' })
        .end('#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/hostname\n#EXT-X-ENDLIST\n'),
    );
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    try {
      const r = await api('POST', '/api/cameras/test-connection', { url: `http://127.0.0.1:${(web.address() as AddressInfo).port}/live.m3u8` });
      expect(r.status).toBe(502);
      expect(r.body.error).toMatchObject({ code: 'rtsp_unreachable' });
    } finally {
      await new Promise<void>((r) => web.close(() => r()));
    }
  });

  it('edits: new password re-encrypted, runtime restarted; settings validated per field', async () => {
    const r = await api('PATCH', `/api/cameras/${cameraId}`, {
      name: 'Cổng sau',
      credentials: { username: USER, password: 'new-pass' },
      settings: { motion: { threshold: 40 } },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'Cổng sau', credentials: 'set', settings: { motion: expect.objectContaining({ threshold: 40, enabled: true }) } });
    expect(runtime.stopped).toContain(cameraId);
    expect(runtime.started.at(-1)).toEqual({ id: cameraId, credentials: { username: USER, password: 'new-pass' } });
    const bad = await api('PATCH', `/api/cameras/${cameraId}`, { settings: { motion: { threshold: 999 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation', field: 'body.settings.motion.threshold' });
  });

  it('registers a plain RTSP camera; credentials typed into the URL are split off', async () => {
    const withCreds = simcam.rtspUrl.replace('rtsp://', `rtsp://${USER}:${encodeURIComponent(PASS)}@`);
    const r = await api('POST', '/api/cameras', { name: 'Tiệm tạp hoá', streams: { detect: { url: withCreds, transport: 'tcp' } } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ onvifUrl: null, credentials: 'set', streams: { detect: { url: simcam.rtspUrl, transport: 'tcp' } } });
    expect(runtime.started.at(-1)!.credentials).toEqual({ username: USER, password: PASS });
  });

  it('removes it: runtime stopped, gone from the API, past events kept', async () => {
    await db.db('events').insert({
      camera_id: cameraId,
      label: 'person',
      score: 0.8,
      zones: '[]',
      start_at: Date.now(),
      visibility: 'internal',
      pinned: false,
      created_at: Date.now(),
      updated_at: Date.now(),
    });
    const r = await api('DELETE', `/api/cameras/${cameraId}`);
    expect(r.status).toBe(204);
    expect(runtime.stopped.at(-1)).toBe(cameraId);
    expect((await api('GET', `/api/cameras/${cameraId}`)).status).toBe(404);
    expect(await db.db('events').where({ camera_id: cameraId }).count({ n: '*' })).toEqual([{ n: 1 }]);
    expect((await store.cameras.getIncludingRemoved(cameraId))?.name).toBe('Cổng sau');
  });

  it('no log line ever carried a password', () => {
    const all = logs.join('\n');
    for (const s of [PASS, encodeURIComponent(PASS), 'new-pass', 'wrong-one']) expect(all).not.toContain(s);
    expect(all).toMatch(/camera registered/);
  });
});

describe('validated bodies with field-level errors', () => {
  it.each([
    [{ name: '' }, 'body.name'],
    [{ name: 'x' }, 'body.streams'],
    [{ name: 'x', streams: { detect: { url: 'ftp://cam/1' } } }, 'body.streams.detect.url'],
    [{ name: 'x', streams: { detect: { url: 'rtsp://h/1' } }, latitude: 16 }, 'body.longitude'],
    [{ name: 'x', streams: { detect: { url: 'rtsp://h/1' } }, latitude: 100, longitude: 1 }, 'body.latitude'],
    [{ name: 'x', streams: { detect: { url: 'rtsp://h/1' } }, ownerKind: 'alien' }, 'body.ownerKind'],
    [{ name: 'x', streams: { detect: { url: 'rtsp://h/1' } }, password: 'oops' }, 'body.password'],
    [{ name: 'x', streams: { detect: { url: 'rtsp://h/1' } }, areaId: 999 }, 'body.areaId'],
    [
      {
        name: 'x',
        streams: { detect: { url: 'rtsp://h/1' } },
        settings: {
          motion: {
            masks: [
              [
                [0, 0],
                [1, 1],
              ],
            ],
          },
        },
      },
      'body.settings.motion.masks.0',
    ],
    [{ name: 'x', streams: { detect: { url: 'rtsp://h/1' } }, settings: { nonsense: 1 } }, 'body.settings.nonsense'],
  ])('%j → %s', async (body, field) => {
    const r = await api('POST', '/api/cameras', body);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'validation', field });
  });

  it('probe and discover bodies too', async () => {
    expect((await api('POST', '/api/cameras/probe', { target: 'not a host!' })).body.error).toMatchObject({ code: 'validation', field: 'body.target' });
    expect((await api('POST', '/api/cameras/discover', { interfaces: ['nosuch0'] })).body.error).toMatchObject({
      code: 'unknown_interface',
      field: 'interfaces.0',
    });
    expect((await api('POST', '/api/cameras/discover', { timeoutSeconds: 999 })).body.error).toMatchObject({
      code: 'validation',
      field: 'body.timeoutSeconds',
    });
  });
});
