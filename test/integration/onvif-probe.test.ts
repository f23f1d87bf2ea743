import { createServer as createHttpServer, type Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../server/shared/errors.js';
import { probeOnvif, type ProbeOptions, type ProbeResult } from '../../server/cameras/onvif.probe.js';
import { parseProbeTarget } from '../../server/cameras/onvif.target.js';
import { OnvifSimulator, type OnvifSimOptions } from '../fixtures/onvif-sim/onvif-sim.js';
import type { SimFault } from '../fixtures/onvif-sim/onvif-sim.faults.js';
import { SIM_TOLERANCE_FAULTS } from '../fixtures/onvif-sim/onvif-sim.tolerance.js';

/** Probe against the ONVIF simulator on loopback: what it reads, and how every failure is classified. */

const USER = 'admin';
const PASS = 'Cam3ra!';
const YEAR = 365 * 86_400_000;
const LIMITS: ProbeOptions = { callTimeoutMs: 1500, deadlineMs: 4000 };

let rtsp: net.Server;
let rtspUrl: string;
let closedPort: number;
const sims: OnvifSimulator[] = [];

beforeAll(async () => {
  // A minimal RTSP server: answers OPTIONS, which is all the probe's stream check asks.
  rtsp = net.createServer((s) => s.on('data', () => s.end('RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY\r\n\r\n')));
  await new Promise<void>((r) => rtsp.listen(0, '127.0.0.1', r));
  rtspUrl = `rtsp://127.0.0.1:${(rtsp.address() as AddressInfo).port}/Streaming/Channels/101`;
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(async () => {
  await new Promise<void>((r) => rtsp.close(() => r()));
});
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

async function sim(opts: OnvifSimOptions = {}): Promise<OnvifSimulator> {
  const s = await new OnvifSimulator({ username: USER, password: PASS, streamUri: rtspUrl, discovery: false, ...opts }).start();
  sims.push(s);
  return s;
}

function probe(
  s: OnvifSimulator | string,
  creds: { username?: string; password?: string } = { username: USER, password: PASS },
  opts: ProbeOptions = {},
): Promise<ProbeResult> {
  const url = typeof s === 'string' ? s : s.deviceServiceUrl;
  return probeOnvif({ ...parseProbeTarget(url), ...creds }, { ...LIMITS, ...opts });
}

async function failure(p: Promise<unknown>): Promise<AppError & { params: Record<string, unknown>; elapsed: number }> {
  const started = Date.now();
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    return Object.assign(e, { params: (e.details.params ?? {}) as Record<string, unknown>, elapsed: Date.now() - started });
  }
  throw new Error('expected the probe to fail');
}

describe('probe reads an ONVIF camera', () => {
  it('reads device information, profiles, stream and snapshot URIs and capabilities, and picks defaults', async () => {
    const s = await sim({ ptz: true });
    const r = await probe(s);
    expect(r).toMatchObject({
      manufacturer: 'BinhYenSim',
      model: 'IPC-SIM-2MP',
      firmware: 'V5.4.0 build 201130',
      serial: 'SIM0001',
      hardwareId: 'SIM-HW-1',
      ptz: true,
      events: true,
      auth: 'ws-security',
    });
    expect(r.profiles.map((p) => [p.token, p.name, p.encoding, p.width, p.height, p.fps, p.bitrate])).toEqual([
      ['Profile_1', 'MainStream', 'H264', 1920, 1080, 25, 4096],
      ['Profile_2', 'SubStream', 'H264', 640, 360, 15, 512],
      ['Profile_3', 'MobileStream', 'H264', 352, 288, 10, 256],
    ]);
    for (const p of r.profiles) expect(p.streamUri).toBe(rtspUrl);
    // smallest profile at least 640 px wide detects, the largest records
    expect(r.defaults).toEqual({ detect: 'Profile_2', record: 'Profile_1' });
    expect(r.snapshotUri).toBe(`http://127.0.0.1:${s.port}/onvif/snapshot.jpg?profile=Profile_2`);
    const jpeg = Buffer.from(await (await fetch(r.snapshotUri!)).arrayBuffer());
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    expect(Math.abs(r.clockOffsetMs!)).toBeLessThan(2000);
    expect(r.warnings).toEqual([]);
    const calls = s.calls.map((c) => c.action);
    expect(calls).toEqual([
      'GetSystemDateAndTime',
      'GetDeviceInformation',
      'GetCapabilities',
      'GetServices',
      'GetProfiles',
      'GetStreamUri',
      'GetStreamUri',
      'GetStreamUri',
      'GetSnapshotUri',
      'GetEventProperties',
      'GetNodes',
      'GetServiceCapabilities',
    ]);
    // only the clock is read before authenticating; everything else carries a valid UsernameToken
    expect(s.calls.slice(1).every((c) => c.auth.ok === true && c.auth.via === 'ws-security')).toBe(true);
    expect(
      s.calls.filter((c) => c.action.startsWith('Get') && /Profiles|StreamUri|SnapshotUri/.test(c.action)).every((c) => c.path === '/onvif/media_service'),
    ).toBe(true);
  });

  it.each([[-3 * YEAR], [5 * YEAR + 1234567]])('connects to a camera whose clock is off by %d ms and reports the offset', async (offset) => {
    const s = await sim({ clockOffsetMs: offset });
    const r = await probe(s);
    expect(r.manufacturer).toBe('BinhYenSim');
    expect(Math.abs(r.clockOffsetMs! - offset)).toBeLessThan(2000);
    expect(r.clockSource).toBe('utc');
  });

  it('sends a non-ASCII password as UTF-8 (the onvif library cannot)', async () => {
    const s = await sim({ password: 'mậtkhẩu-Bình' });
    expect((await probe(s, { username: USER, password: 'mậtkhẩu-Bình' })).model).toBe('IPC-SIM-2MP');
  });

  it('behind NAT keeps talking to the address it reached and rewrites stream and snapshot hosts, keeping port and path', async () => {
    const s = await sim({ advertisedHost: '127.0.0.2' });
    const r = await probe(s);
    const reached = new URL(rtspUrl);
    for (const p of r.profiles) {
      expect(p.streamUri).toBe(rtspUrl);
      expect(p.advertisedStreamUri).toBe(`rtsp://127.0.0.2:${reached.port}${reached.pathname}`);
    }
    expect(r.snapshotUri).toBe(`http://127.0.0.1:${s.port}/onvif/snapshot.jpg?profile=Profile_2`);
    expect(s.calls.map((c) => c.path)).toContain('/onvif/media_service');
  });

  it('falls back to HTTP digest when the camera asks for it', async () => {
    const s = await sim({ auth: 'digest' });
    const r = await probe(s);
    expect(r.auth).toBe('digest');
    expect(s.calls.filter((c) => c.auth.ok === true).every((c) => c.auth.ok === true && c.auth.via === 'digest')).toBe(true);
  });

  it('tolerates optional calls that fail and fields left out: warnings, not errors', async () => {
    const s = await sim({
      faults: { GetSnapshotUri: 'soap-fault', GetCapabilities: 'soap-fault', GetSystemDateAndTime: 'missing-fields', GetDeviceInformation: 'missing-fields' },
    });
    const r = await probe(s);
    expect(r).toMatchObject({ snapshotUri: null, clockOffsetMs: null, manufacturer: null, model: null });
    expect(r.profiles).toHaveLength(3); // media address came from GetServices
    expect(r.warnings.map((w) => [w.code, w.call])).toEqual([
      ['no_clock', 'GetSystemDateAndTime'],
      ['refused', 'GetCapabilities'],
      ['refused', 'GetSnapshotUri'],
    ]);
    expect(r.warnings[2]!.detail).toMatch(/ActionNotSupported Optional Action Not Implemented/);
  });

  const optionalCalls = [
    'GetSystemDateAndTime',
    'GetDeviceInformation',
    'GetCapabilities',
    'GetServices',
    'GetSnapshotUri',
    'GetEventProperties',
    'GetNodes',
    'GetServiceCapabilities',
  ];
  const optionalFaults: [SimFault, string][] = [
    ['malformed', 'bad_reply'],
    ['soap-fault', 'refused'],
    ['entity-expansion', 'bad_reply'],
    ['wrong-namespace', 'bad_reply'],
  ];
  it.each(optionalCalls.flatMap((call) => optionalFaults.map(([fault, code]) => [call, fault, code] as const)))(
    'optional %s answering %s: the probe succeeds with a %s warning naming the call',
    async (call, fault, code) => {
      const s = await sim({ ptz: true, faults: { [call]: fault } });
      const r = await probe(s);
      expect(r.profiles).toHaveLength(3);
      expect(r.warnings.filter((w) => w.call === call).map((w) => w.code)).toEqual([code]);
      expect(r.warnings.every((w) => w.call === call)).toBe(true);
      expect(s.canaryFetches).toBe(0);
    },
  );

  it.each([
    ['GetSnapshotUri', 'html'],
    ['GetEventProperties', 'http-500'],
    ['GetNodes', 'trickle'],
    ['GetDeviceInformation', 'huge'],
  ] as const)('optional %s answering %s after the camera has answered ONVIF: a warning, within the deadline', async (call, fault) => {
    const s = await sim({ ptz: true, faults: { [call]: fault } });
    const r = await probe(s, undefined, { deadlineMs: 8000 });
    expect(r.warnings.map((w) => w.call)).toEqual([call]);
    expect(['bad_reply', 'no_answer']).toContain(r.warnings[0]!.code);
  });

  it('an operator account refused PTZ after logging in: a not_allowed warning, not wrong credentials', async () => {
    const s = await sim({ ptz: true });
    s.denyActions(['GetNodes']);
    const r = await probe(s);
    expect(r.warnings.map((w) => [w.code, w.call])).toEqual([['not_allowed', 'GetNodes']]);
  });
});

describe('probe tolerates what real firmware sends', () => {
  it.each(SIM_TOLERANCE_FAULTS)('every reply sent as %s reads exactly like the normal one', async (fault) => {
    const s = await sim({ faults: { '*': fault }, device: { manufacturer: 'Société Caméra', model: 'IPC-SIM-2MP' } });
    const r = await probe(s);
    expect(r).toMatchObject({ manufacturer: 'Société Caméra', model: 'IPC-SIM-2MP', serial: 'SIM0001', auth: 'ws-security' });
    expect(r.profiles.map((p) => [p.token, p.width, p.height])).toEqual([
      ['Profile_1', 1920, 1080],
      ['Profile_2', 640, 360],
      ['Profile_3', 352, 288],
    ]);
    expect(r.snapshotUri).toBe(`http://127.0.0.1:${s.port}/onvif/snapshot.jpg?profile=Profile_2`);
    expect(Math.abs(r.clockOffsetMs!)).toBeLessThan(2000);
    expect(r.warnings).toEqual([]);
    expect(s.calls.every((c) => c.status === 200)).toBe(true);
  });
});

describe('Profile T: a camera offering only Media2', () => {
  it('reads profiles and stream and snapshot URIs through Media2, and notes the H.265 profiles browsers cannot play', async () => {
    const s = await sim({
      media2Only: true,
      profiles: [
        { token: 'MainH265', name: 'Main', encoding: 'H265', width: 2560, height: 1440, fps: 20, bitrate: 3072 },
        { token: 'SubH264', name: 'Sub', encoding: 'H264', width: 640, height: 360, fps: 15, bitrate: 512 },
      ],
    });
    const r = await probe(s);
    expect(r.profiles.map((p) => [p.token, p.encoding, p.width, p.height, p.fps, p.streamUri])).toEqual([
      ['MainH265', 'H265', 2560, 1440, 20, rtspUrl],
      ['SubH264', 'H264', 640, 360, 15, rtspUrl],
    ]);
    expect(r.defaults).toEqual({ detect: 'SubH264', record: 'MainH265' });
    expect(r.snapshotUri).toBe(`http://127.0.0.1:${s.port}/onvif/snapshot.jpg?profile=SubH264`);
    expect(r.warnings).toEqual([{ code: 'h265_profile', call: 'GetProfiles', detail: '"Main" (MainH265)' }]);
    const media = s.calls.filter((c) => /Profiles|StreamUri|SnapshotUri/.test(c.action));
    expect(media.every((c) => c.path === '/onvif/media2_service' && c.status === 200)).toBe(true);
  });
});

describe('probe classifies every failure with an actionable message', () => {
  it('wrong password → wrong_credentials; the message mentions a clock that is far off', async () => {
    const s = await sim({ clockOffsetMs: -4 * YEAR });
    const e = await failure(probe(s, { username: USER, password: 'nope' }));
    expect(e.code).toBe('wrong_credentials');
    expect(e.message).toMatch(/refused user "admin"/);
    expect(e.message).toMatch(/clock is 4 years \d+ days behind/);
    expect(e.message).not.toContain('nope');
    const near = await failure(probe(await sim(), { username: USER, password: 'nope' }));
    expect(near.code).toBe('wrong_credentials');
    expect(near.message).not.toMatch(/clock/);
  });

  it('wrong password on a digest camera and no credentials at all → wrong_credentials', async () => {
    const d = await failure(probe(await sim({ auth: 'digest' }), { username: USER, password: 'nope' }));
    expect(d.code).toBe('wrong_credentials');
    expect(d.params.method).toBe('HTTP digest');
    expect((await failure(probe(await sim(), {}))).code).toBe('wrong_credentials');
  });

  it('nothing listening → unreachable (refused)', async () => {
    const e = await failure(probe(`http://127.0.0.1:${closedPort}/onvif/device_service`));
    expect(e.code).toBe('unreachable');
    expect(e.params.reason).toBe('refused');
    expect(e.message).toMatch(/ONVIF usually listens on port 80, 8000/);
  });

  it('an HTTP server that is not a camera → not_onvif', async () => {
    const web: Server = createHttpServer((_q, res) => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    try {
      const e = await failure(probe(`127.0.0.1:${(web.address() as AddressInfo).port}`));
      expect([e.code, e.params.reason]).toEqual(['not_onvif', 'http_status']);
    } finally {
      await new Promise<void>((r) => web.close(() => r()));
    }
  });

  it('RTSP port closed → rtsp_unreachable naming the stream', async () => {
    const s = await sim({ streamUri: `rtsp://127.0.0.1:${closedPort}/live`, advertisedHost: '127.0.0.2' });
    const e = await failure(probe(s));
    expect(e.code).toBe('rtsp_unreachable');
    expect(e.message).toContain(`rtsp://127.0.0.1:${closedPort}/live`);
    expect(e.message).toMatch(/behind NAT/);
  });

  const cases: [string, SimFault, string, string][] = [
    ['GetSystemDateAndTime', 'html', 'not_onvif', 'http_status'],
    ['GetSystemDateAndTime', 'http-500', 'not_onvif', 'http_status'],
    ['GetSystemDateAndTime', 'empty', 'not_onvif', 'not_xml'],
    ['GetProfiles', 'malformed', 'not_onvif', 'malformed_xml'],
    ['GetProfiles', 'huge', 'not_onvif', 'too_large'],
    ['GetProfiles', 'entity-expansion', 'not_onvif', 'dtd_forbidden'],
    ['GetProfiles', 'external-entity', 'not_onvif', 'dtd_forbidden'],
    ['GetProfiles', 'wrong-namespace', 'not_onvif', 'wrong_namespace'],
    ['GetProfiles', 'wrong-envelope', 'not_onvif', 'wrong_namespace'],
    ['GetProfiles', 'soap-fault', 'no_media_profiles', ''],
    ['GetProfiles', 'no-profiles', 'no_media_profiles', ''],
    ['GetProfiles', 'missing-fields', 'no_media_profiles', ''],
    ['GetStreamUri', 'missing-fields', 'no_media_profiles', ''],
    ['GetStreamUri', 'soap-fault', 'no_media_profiles', ''],
    ['GetSystemDateAndTime', 'trickle', 'unreachable', 'timeout'],
    ['GetProfiles', 'trickle', 'unreachable', 'timeout'],
    ['GetSystemDateAndTime', 'hang', 'unreachable', 'timeout'],
    ['GetProfiles', 'slow', 'unreachable', 'timeout'],
  ];
  it.each(cases)('%s answering %s → %s %s, within the deadline', async (action, fault, code, reason) => {
    const s = await sim({ faults: { [action]: fault }, slowMs: 10_000 });
    const e = await failure(probe(s));
    expect(e.code).toBe(code);
    if (reason) expect(e.params.reason).toBe(reason);
    // after the camera has answered ONVIF once, the message blames its firmware, not the port
    if (code === 'not_onvif') expect(e.params.afterOnvif).toBe(action !== 'GetSystemDateAndTime');
    if (code === 'not_onvif') expect(e.params.stage).toBe(action);
    expect(e.message.length).toBeGreaterThan(40);
    expect(e.elapsed).toBeLessThan(LIMITS.deadlineMs! + 1000);
    expect(s.canaryFetches).toBe(0);
  });

  it('device information and the media service both failing: the probe fails on the media call', async () => {
    const s = await sim({ faults: { GetDeviceInformation: 'malformed', GetProfiles: 'malformed' } });
    const e = await failure(probe(s));
    expect([e.code, e.params.reason, e.params.stage]).toEqual(['not_onvif', 'malformed_xml', 'GetProfiles']);
  });

  it('a camera slow on every call is cut by the overall deadline, not by the per-call limit', async () => {
    const s = await sim({ faults: { '*': 'slow' }, slowMs: 900 });
    const e = await failure(probe(s));
    expect([e.code, e.params.reason]).toEqual(['unreachable', 'deadline']);
    expect(e.message).toMatch(/within the 4 s limit/);
    expect(e.elapsed).toBeLessThan(LIMITS.deadlineMs! + 1000);
  });
});
