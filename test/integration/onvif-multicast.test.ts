import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetnsPair, runInNetns, startInNetns, type NetnsPair } from '../fixtures/onvif-sim/netns.js';
import { transpileClosure } from '../fixtures/onvif-sim/transpile.js';
import { tempDir } from '../support/tmp.js';

/**
 * Multicast WS-Discovery, only inside network namespaces this test creates: the simulated
 * camera in one, the compiled `binhyen` CLI in the other, joined by a veth pair with
 * 224.0.0.0/4 routed on the link. Nothing is sent on the machine's real interfaces.
 */
const ROOT = path.join(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/server/cli.js');
const work = tempDir('binhyen-netns-');
let net: NetnsPair | undefined;
let sim: Awaited<ReturnType<typeof startInNetns>> | undefined;
let ready: { port: number; endpoint: string };
const outDir = path.join(ROOT, 'test-output', `netns-sim-${path.basename(work.dir)}`);

beforeAll(async () => {
  net = createNetnsPair();
  // The simulator runs as its own process in the camera namespace: transpile it (Node 20 runs no TypeScript).
  const main = transpileClosure(path.join(ROOT, 'test/fixtures/onvif-sim/onvif-sim.main.ts'), ROOT, outDir);
  sim = await startInNetns(
    net.camera.ns,
    process.execPath,
    [
      main,
      JSON.stringify({
        host: net.camera.ip,
        username: 'admin',
        password: 'pw',
        scopes: { name: 'Nha van hoa', hardware: 'IPC-SIM-2MP', location: 'country/vietnam/city/Hue' },
        discovery: { port: 3702, multicastInterface: net.camera.ip },
      }),
    ],
    15_000,
  );
  ready = sim.ready as unknown as typeof ready;
});

afterAll(async () => {
  await sim?.stop();
  net?.remove();
  work.remove();
  rmSync(outDir, { recursive: true, force: true });
});

const cli = (args: string[]) =>
  runInNetns(net!.client.ns, process.execPath, [CLI, ...args], 30_000, { PATH: process.env.PATH, HOME: process.env.HOME, BINHYEN_DATA_DIR: work.dir });

describe('multicast discovery inside network namespaces', () => {
  it('binhyen discover on the chosen interface finds the camera in the other namespace', async () => {
    const r = await cli(['discover', '--interface', net!.client.dev, '--timeout', '2', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out) as { interfaces: string[]; devices: Record<string, unknown>[] };
    expect(j.interfaces).toEqual([net!.client.dev]);
    expect(j.devices).toEqual([
      expect.objectContaining({
        endpoint: ready.endpoint,
        address: net!.camera.ip,
        deviceServiceUrl: `http://${net!.camera.ip}:${ready.port}/onvif/device_service`,
        scopes: expect.objectContaining({ name: 'Nha van hoa', hardware: 'IPC-SIM-2MP', location: 'country/vietnam/city/Hue' }),
        registered: false,
      }),
    ]);
  });

  it('then probes it over the link', async () => {
    const r = await cli(['probe', `${net!.camera.ip}:${ready.port}`, '--user', 'admin', '--password', 'pw', '--skip-rtsp-check', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      manufacturer: 'BinhYenSim',
      profiles: expect.arrayContaining([expect.objectContaining({ token: 'Profile_2' })]),
    });
  });

  it('probing on another interface (loopback of the client namespace) finds nothing: the interface choice is real', async () => {
    const r = await cli(['discover', '--interface', 'lo', '--timeout', '1', '--json']);
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as { devices: unknown[] }).devices).toEqual([]);
  });
});
