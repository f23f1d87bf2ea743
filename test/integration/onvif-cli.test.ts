import { spawn } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';
import { OnvifSimulator } from '../fixtures/onvif-sim/onvif-sim.js';

/** `binhyen probe` and `binhyen discover` as a technician runs them (the compiled CLI; npm test builds first). */
const CLI = path.join(__dirname, '../../dist/server/cli.js');
const tmp = tempDir('binhyen-onvif-cli-');
let sim: OnvifSimulator;
let rtsp: net.Server;

function run(args: string[], stdin?: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, BINHYEN_DATA_DIR: tmp.dir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.end(stdin ?? '');
  });
}

beforeAll(async () => {
  rtsp = net.createServer((s) => s.on('data', () => s.end('RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n')));
  await new Promise<void>((r) => rtsp.listen(0, '127.0.0.1', r));
  const rtspUrl = `rtsp://127.0.0.1:${(rtsp.address() as AddressInfo).port}/Streaming/Channels/101`;
  sim = await new OnvifSimulator({
    username: 'admin',
    password: 'pw-123',
    streamUri: rtspUrl,
    advertisedHost: '127.0.0.2',
    clockOffsetMs: -2 * 365 * 86_400_000,
  }).start();
});
afterAll(async () => {
  await sim?.stop();
  await new Promise<void>((r) => rtsp.close(() => r()));
  tmp.remove();
});

describe('binhyen probe', () => {
  it('prints the JSON shape technicians script against', async () => {
    const r = await run(['probe', `127.0.0.1:${sim.port}`, '--user', 'admin', '--password', 'pw-123', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual([
      'manufacturer',
      'model',
      'firmware',
      'serial',
      'hardwareId',
      'profiles',
      'snapshotUri',
      'ptz',
      'events',
      'clockOffsetMs',
      'defaults',
      'warnings',
    ]);
    expect(j).toMatchObject({
      manufacturer: 'BinhYenSim',
      model: 'IPC-SIM-2MP',
      firmware: 'V5.4.0 build 201130',
      serial: 'SIM0001',
      hardwareId: 'SIM-HW-1',
      ptz: false,
      events: true,
    });
    const profiles = j.profiles as Record<string, unknown>[];
    expect(Object.keys(profiles[0]!)).toEqual(['token', 'name', 'encoding', 'width', 'height', 'fps', 'streamUri']);
    expect(profiles[1]).toEqual({
      token: 'Profile_2',
      name: 'SubStream',
      encoding: 'H264',
      width: 640,
      height: 360,
      fps: 15,
      streamUri: expect.stringMatching(/^rtsp:\/\/127\.0\.0\.1:\d+\/Streaming\/Channels\/101$/),
    });
    expect(Math.abs((j.clockOffsetMs as number) + 2 * 365 * 86_400_000)).toBeLessThan(2000);
  });

  it('reads the password from stdin and prints a readable summary', async () => {
    const r = await run(['probe', sim.deviceServiceUrl, '--user', 'admin', '--password-stdin'], 'pw-123\n');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/BinhYenSim IPC-SIM-2MP/);
    expect(r.out).toMatch(/Camera clock: 2 years \d+ days behind/);
    expect(r.out).toMatch(/Profile_2 .*640x360.*\[detect\]/);
    expect(r.out).toMatch(/Profile_1 .*1920x1080.*\[record\]/);
  });

  it('succeeds with warnings when optional calls fail, fails only on a required one', async () => {
    sim.setFault('GetSnapshotUri', 'malformed');
    sim.setFault('GetEventProperties', 'soap-fault');
    try {
      const j = await run(['probe', `127.0.0.1:${sim.port}`, '--user', 'admin', '--password', 'pw-123', '--json']);
      expect(j.code, j.err).toBe(0);
      expect((JSON.parse(j.out) as { warnings: unknown }).warnings).toEqual([
        { code: 'bad_reply', call: 'GetSnapshotUri', detail: expect.stringMatching(/^malformed_xml: /) },
        { code: 'refused', call: 'GetEventProperties', detail: expect.stringMatching(/ActionNotSupported/) },
      ]);
      const text = await run(['probe', `127.0.0.1:${sim.port}`, '--user', 'admin', '--password', 'pw-123']);
      expect(text.out).toMatch(/Warning \[refused\] GetEventProperties: /);
      sim.setFault('GetProfiles', 'malformed');
      const failed = await run(['probe', `127.0.0.1:${sim.port}`, '--user', 'admin', '--password', 'pw-123']);
      expect(failed.code).toBe(4);
      expect(failed.err).toMatch(/probe failed \[not_onvif\]: .*GetProfiles/);
    } finally {
      for (const a of ['GetSnapshotUri', 'GetEventProperties', 'GetProfiles']) sim.setFault(a, null);
    }
  });

  it('exits with the failure class and an actionable message', async () => {
    const wrong = await run(['probe', `127.0.0.1:${sim.port}`, '--user', 'admin', '--password', 'nope']);
    expect(wrong.code).toBe(5);
    expect(wrong.err).toMatch(/probe failed \[wrong_credentials\]: .*clock is 2 years/);
    const json = await run(['probe', `127.0.0.1:${sim.port}`, '--user', 'admin', '--password', 'nope', '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ error: { code: 'wrong_credentials' } });
    const bad = await run(['probe', 'not a host!', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.out).error.code).toBe('validation');
  });
});

describe('binhyen events', () => {
  it('prints the camera events of a PullPoint subscription, one JSON object per line, then unsubscribes', async () => {
    const emit = setInterval(
      () =>
        sim.emitEvent({
          topic: 'tns1:RuleEngine/CellMotionDetector/Motion',
          source: { VideoSourceConfigurationToken: 'VideoSourceToken', Rule: 'MyMotionDetectorRule' },
          data: { IsMotion: 'true' },
        }),
      700,
    );
    try {
      const r = await run(['events', `127.0.0.1:${sim.port}`, '--user', 'admin', '--password', 'pw-123', '--seconds', '3', '--json']);
      expect(r.code, r.err).toBe(0);
      const lines = r.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines[0]).toEqual({
        topic: 'tns1:RuleEngine/CellMotionDetector/Motion',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        source: { VideoSourceConfigurationToken: 'VideoSourceToken', Rule: 'MyMotionDetectorRule' },
        data: { IsMotion: 'true' },
      });
      // the subscription was created at the address reached (NAT) and removed at the end
      expect(sim.calls.filter((c) => c.action === 'PullMessages').every((c) => c.path.startsWith('/onvif/pullpoint/'))).toBe(true);
      expect(sim.events.subscriptions.size).toBe(0);
    } finally {
      clearInterval(emit);
    }
  });

  it('a wrong password exits 5 with the classified message', async () => {
    const r = await run(['events', `127.0.0.1:${sim.port}`, '--user', 'admin', '--password', 'nope', '--seconds', '1']);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/events failed \[wrong_credentials\]/);
  });
});

describe('binhyen ptz', () => {
  it('moves, stops, lists, saves and goes to presets, and goes home on the simulated camera', async () => {
    sim.set({ ptz: true });
    try {
      const args = ['ptz', `127.0.0.1:${sim.port}`, '--user', 'admin', '--password', 'pw-123'];
      const move = await run([...args, '--seconds', '1', '--json', '--', 'move', '0.5', '-0.5']);
      expect(move.code, move.err).toBe(0);
      expect(sim.ptzService.state).toMatchObject({ moving: false, moves: 1 });
      const list = await run([...args, 'presets']);
      expect(list.out).toContain('1  Cổng chính');
      expect(JSON.parse((await run([...args, 'set', 'Ngõ', '3', '--json'])).out)).toEqual({ presetToken: '2' });
      expect((await run([...args, 'goto', '1'])).code).toBe(0);
      expect(sim.ptzService.state.position).toEqual({ pan: 0.5, tilt: -0.2, zoom: 0.1 });
      expect((await run([...args, 'home'])).code).toBe(0);
      expect(sim.ptzService.state.position).toEqual({ pan: 0, tilt: 0, zoom: 0 });
      const refused = await run([...args, 'goto', '42']);
      expect([refused.code, refused.err]).toEqual([8, expect.stringMatching(/ptz failed \[ptz_refused\]/)]);
      const bad = await run([...args, 'move', '2', '0']);
      expect([bad.code, bad.err]).toEqual([2, expect.stringMatching(/pan must be a speed between -1 and 1/)]);
    } finally {
      sim.set({ ptz: false });
    }
  });
});

describe('binhyen discover', () => {
  it('finds the simulator with a directed probe and prints JSON (no multicast with --target only)', async () => {
    const r = await run(['discover', '--target', `127.0.0.1:${sim.discoveryPort}`, '--timeout', '1', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { devices: Record<string, unknown>[]; interfaces: string[] };
    expect(j.interfaces).toEqual([]);
    expect(j.devices).toEqual([
      expect.objectContaining({ endpoint: sim.endpoint, address: '127.0.0.1', registered: false, scopes: expect.objectContaining({ name: 'Cong truoc nha' }) }),
    ]);
  });

  it('rejects an interface that does not exist', async () => {
    const r = await run(['discover', '--interface', 'nosuch0', '--timeout', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\[unknown_interface\].*"nosuch0" does not exist/);
  });
});
