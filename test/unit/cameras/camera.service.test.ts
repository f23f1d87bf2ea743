import { describe, expect, it, vi } from 'vitest';
import { CredentialCipher } from '../../../server/cameras/camera.crypto.js';
import type { FrameGrabber, TestFrame } from '../../../server/ingest/ffmpeg.grab.js';
import type { CameraRunner } from '../../../server/cameras/camera.runner.js';
import { streamUrlWithCredentials } from '../../../server/cameras/camera.runner.js';
import { CameraService } from '../../../server/cameras/camera.service.js';
import type { ProbeResult } from '../../../server/cameras/onvif.probe.js';
import { NetworkGuard } from '../../../server/cameras/network.guard.js';
import { DEFAULT_DENIED_RANGES, RangePolicy } from '../../../server/shared/address.ranges.js';
import { Bus } from '../../../server/shared/bus.js';
import { silentLogger } from '../../../server/shared/log.js';
import type { CameraRecord, NewCamera } from '../../../server/store/camera.repository.js';
import type { Store } from '../../../server/store/store.js';

/** Strict fakes: any call the service should not make fails the test. */
function strict<T extends object>(impl: Partial<T>, name: string): T {
  return new Proxy(impl, {
    get: (t, k) =>
      k in t
        ? (t as Record<PropertyKey, unknown>)[k]
        : k === 'then'
          ? undefined
          : () => {
              throw new Error(`unexpected call ${name}.${String(k)}`);
            },
  }) as T;
}

function setup() {
  const rows = new Map<number, CameraRecord>();
  let next = 1;
  const cameras = strict<Store['cameras']>(
    {
      create: vi.fn(async (c: NewCamera) => {
        const r = { ...c, id: next++, state: 'stopped', stateReason: null, settingsProblems: [], createdAt: 1, updatedAt: 1 } as unknown as CameraRecord;
        rows.set(r.id, r);
        return r;
      }),
      get: vi.fn(async (id: number) => rows.get(id)),
      update: vi.fn(async (id: number, p: Partial<NewCamera>) => {
        const cur = rows.get(id)!;
        const clean = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
        rows.set(id, { ...cur, ...clean });
        return rows.get(id);
      }),
      remove: vi.fn(async (id: number) => rows.delete(id)),
      list: vi.fn(async () => [...rows.values()]),
    },
    'cameras',
  );
  const areas = strict<Store['areas']>(
    { get: vi.fn(async (id: number) => (id === 1 ? { id: 1, parentId: null, kind: 'hamlet', name: 'A', createdAt: 0 } : undefined)) } as Partial<
      Store['areas']
    >,
    'areas',
  );
  const store = strict<Store>({ cameras, areas }, 'store');
  const runtime = {
    start: vi.fn(async () => undefined),
    stop: vi.fn(async () => undefined),
    grabTestFrame: vi.fn(async (): Promise<TestFrame | undefined> => undefined),
  } satisfies CameraRunner;
  const grabber = {
    grab: vi.fn(async (): Promise<TestFrame> => ({
      jpeg: Buffer.from([0xff, 0xd8]),
      width: 640,
      height: 360,
      fps: 10,
      codec: 'h264',
      source: 'one-shot',
      at: 0,
    })),
  } satisfies FrameGrabber;
  const probe = vi.fn(async (): Promise<ProbeResult> => ({
    manufacturer: 'M',
    model: 'X',
    firmware: null,
    serial: null,
    hardwareId: null,
    deviceServiceUrl: 'http://10.0.0.5/onvif/device_service',
    clockOffsetMs: -5000,
    clockSource: 'utc',
    auth: 'ws-security',
    profiles: [
      {
        token: 'main',
        name: 'Main',
        encoding: 'H264',
        width: 1920,
        height: 1080,
        fps: 25,
        bitrate: 4096,
        ptz: false,
        streamUri: 'rtsp://10.0.0.5/main',
        advertisedStreamUri: null,
      },
      {
        token: 'sub',
        name: 'Sub',
        encoding: 'H265',
        width: 704,
        height: 576,
        fps: 12,
        bitrate: 512,
        ptz: false,
        streamUri: 'rtsp://10.0.0.5/sub',
        advertisedStreamUri: null,
      },
    ],
    snapshotUri: null,
    ptz: false,
    events: true,
    defaults: { detect: 'sub', record: 'main' },
    warnings: [],
  }));
  const bus = new Bus();
  const changes: string[] = [];
  bus.on('camera.changed', (m) => changes.push(`${m.change}:${m.cameraId}`));
  const cipher = new CredentialCipher(Buffer.alloc(32, 3));
  // The default ranges, over a fake DNS: "h" is a camera on the LAN, "loopy" a name for this computer.
  const names: Record<string, string> = { h: '10.0.0.9', loopy: '127.0.0.1' };
  const guard = new NetworkGuard({
    policy: () => new RangePolicy({ allow: [], deny: [...DEFAULT_DENIED_RANGES] }),
    lookup: async (host) => {
      if (!names[host]) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return [{ address: names[host], family: 4 }];
    },
    ownAddresses: () => [],
  });
  const service = new CameraService({ store, cipher, runtime, bus, log: silentLogger, grabber, probe, guard, rtspTransport: 'udp' });
  return { service, rows, runtime, grabber, probe, cipher, changes };
}

describe('CameraService', () => {
  it('registers a plain RTSP camera: credentials split from the URL and encrypted, runtime started', async () => {
    const t = setup();
    const cam = await t.service.register({ name: 'Shop', areaId: 1, streams: { detect: { url: 'rtsp://admin:p%40ss@10.0.0.7/live' } } });
    expect(cam.streams.detect.url).toBe('rtsp://10.0.0.7/live');
    expect(cam.credentialsEnc).toMatch(/^v1:/);
    expect(t.cipher.decryptCredentials(cam.credentialsEnc!)).toEqual({ username: 'admin', password: 'p@ss' });
    expect(t.runtime.start).toHaveBeenCalledWith(cam, { username: 'admin', password: 'p@ss' });
    expect(t.changes).toEqual([`created:${cam.id}`]);
  });

  it('registers by ONVIF address alone: streams and clock offset come from the probe', async () => {
    const t = setup();
    const cam = await t.service.register({ name: 'Gate', onvifUrl: 'http://10.0.0.5', credentials: { username: 'admin', password: 'pw' } });
    expect(t.probe).toHaveBeenCalledWith({ url: new URL('http://10.0.0.5/onvif/device_service'), username: 'admin', password: 'pw' });
    expect(cam.onvifUrl).toBe('http://10.0.0.5/onvif/device_service');
    expect(cam.streams).toEqual({
      detect: { url: 'rtsp://10.0.0.5/sub', profileToken: 'sub', width: 704, height: 576, fps: 12, codec: 'h265' },
      record: { url: 'rtsp://10.0.0.5/main', profileToken: 'main', width: 1920, height: 1080, fps: 25, codec: 'h264' },
    });
    expect(cam.clockOffsetMs).toBe(-5000);
  });

  it('refuses an unknown area by field, before storing anything', async () => {
    const t = setup();
    await expect(t.service.register({ name: 'X', areaId: 9, streams: { detect: { url: 'rtsp://h/1' } } })).rejects.toMatchObject({
      code: 'validation',
      details: { field: 'body.areaId' },
    });
    expect(t.rows.size).toBe(0);
  });

  it('a runtime that fails to start does not fail the registration', async () => {
    const t = setup();
    t.runtime.start.mockRejectedValueOnce(new Error('ffmpeg exploded'));
    await expect(t.service.register({ name: 'X', streams: { detect: { url: 'rtsp://h/1' } } })).resolves.toMatchObject({ id: 1 });
  });

  it('edits: changing streams or credentials restarts the camera; a rename does not', async () => {
    const t = setup();
    const cam = await t.service.register({ name: 'X', streams: { detect: { url: 'rtsp://h/1' } } });
    t.runtime.start.mockClear();
    await t.service.update(cam.id, { name: 'Y' });
    expect(t.runtime.stop).not.toHaveBeenCalled();
    await t.service.update(cam.id, { credentials: { username: 'u', password: 'new' } });
    expect(t.runtime.stop).toHaveBeenCalledWith(cam.id);
    expect(t.runtime.start).toHaveBeenLastCalledWith(expect.objectContaining({ id: cam.id }), { username: 'u', password: 'new' });
    await t.service.update(cam.id, { enabled: false });
    expect(t.runtime.start).toHaveBeenCalledTimes(1);
    await t.service.update(cam.id, { credentials: null });
    expect(t.rows.get(cam.id)!.credentialsEnc).toBeNull();
  });

  it('removes softly and stops the camera', async () => {
    const t = setup();
    const cam = await t.service.register({ name: 'X', streams: { detect: { url: 'rtsp://h/1' } } });
    await t.service.remove(cam.id);
    expect(t.runtime.stop).toHaveBeenCalledWith(cam.id);
    await expect(t.service.remove(cam.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('test connection: the running session first, else a one-shot grab with credentials added only then', async () => {
    const t = setup();
    const cam = await t.service.register({ name: 'X', streams: { detect: { url: 'rtsp://h/1' } }, credentials: { username: 'u', password: 'p:w@d' } });
    t.runtime.grabTestFrame.mockResolvedValueOnce({ jpeg: Buffer.alloc(1), width: 1, height: 1, fps: 1, codec: 'h264', source: 'running', at: 0 });
    expect((await t.service.testConnection({ cameraId: cam.id })).source).toBe('running');
    expect(t.grabber.grab).not.toHaveBeenCalled();
    await t.service.testConnection({ cameraId: cam.id });
    // ffmpeg gets the address that was checked, not the name (which could resolve elsewhere the second time).
    expect(t.grabber.grab).toHaveBeenCalledWith({ url: 'rtsp://u:p%3Aw%40d@10.0.0.9/1', transport: 'udp', timeoutMs: 10_000, secrets: ['p:w@d', 'u'] });
  });

  it('refuses stream addresses outside the camera address ranges before storing, starting or grabbing anything', async () => {
    const t = setup();
    for (const url of ['rtsp://loopy/1', 'rtsp://[::1]/1', 'http://169.254.169.254/latest/meta-data', 'http://[::ffff:127.0.0.1]/x']) {
      await expect(t.service.register({ name: 'X', streams: { detect: { url } } }), url).rejects.toMatchObject({ code: 'target_not_allowed', status: 403 });
      await expect(t.service.testConnection({ url }), url).rejects.toMatchObject({ code: 'target_not_allowed', status: 403 });
    }
    await expect(t.service.register({ name: 'X', onvifUrl: 'http://127.0.0.1:8000/onvif/device_service' } as never)).rejects.toMatchObject({
      code: 'target_not_allowed',
    });
    expect(t.rows.size).toBe(0);
    expect(t.runtime.start).not.toHaveBeenCalled();
    expect(t.grabber.grab).not.toHaveBeenCalled();
    expect(t.probe).not.toHaveBeenCalled();
    // A name that does not resolve now is no refusal (nothing is reached through it now).
    await expect(t.service.register({ name: 'X', streams: { detect: { url: 'rtsp://nowhere/1' } } })).resolves.toMatchObject({ id: 1 });
  });

  it('the demo camera given streams of its own is no longer the exempt demo', async () => {
    const t = setup();
    const cam = await t.service.register({ name: 'Demo', streams: { detect: { url: 'rtsp://h/1' } } });
    t.rows.set(cam.id, { ...t.rows.get(cam.id)!, demo: true });
    await t.service.update(cam.id, { streams: { detect: { url: 'rtsp://h/2' } } });
    expect(t.rows.get(cam.id)!.demo).toBe(false);
  });

  it('spawn-time URLs percent-encode credentials', () => {
    expect(streamUrlWithCredentials('rtsp://10.0.0.5:554/a?b=1', { username: 'ad min', password: 'p@ss/:' })).toBe(
      'rtsp://ad%20min:p%40ss%2F%3A@10.0.0.5:554/a?b=1',
    );
    expect(streamUrlWithCredentials('rtsp://h/x', null)).toBe('rtsp://h/x');
  });
});
