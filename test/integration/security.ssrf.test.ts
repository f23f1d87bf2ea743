import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { DEFAULT_DENIED_RANGES } from '../../server/shared/address.ranges.js';
import type { TestServer } from '../support/server.js';
import { addUser, call, login, seedAreas, startAuthServer, type Reply } from './auth.world.js';

/**
 * Issue 12, finding 6: test-connection, probe and discovery reached any host, 127.0.0.1 and
 * 169.254.169.254 included, and their error texts told an open port from a closed one. This
 * server runs with the default camera address ranges (no loopback allowance, unlike the other
 * test servers): every refused target gets the same answer, and a listening port on loopback
 * never sees a connection. After an admin allows 127.0.0.0/8, the simulated camera works.
 */
let srv: TestServer;
let admin: string;
let tech: string;
let sim: SimulatedCamera;
let listener: net.Server;
let accepted = 0;
let open: number;
let closed: number;
let redirector: HttpServer;

const listen = (server: net.Server | HttpServer, host: string) =>
  new Promise<number>((resolve) => server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port)));

beforeAll(async () => {
  // A service on this computer (like the database or the server itself): what an attacker maps.
  listener = net.createServer((s) => {
    accepted += 1;
    s.end('HTTP/1.0 200 OK\r\n\r\nsecret');
  });
  open = await listen(listener, '127.0.0.1');
  const gone = net.createServer();
  closed = await listen(gone, '127.0.0.1');
  await new Promise((r) => gone.close(r));
  // A "camera" at an allowed address that redirects to the loopback service.
  redirector = createHttpServer((_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${open}/onvif/device_service` }).end());
  await listen(redirector, '127.0.0.2');

  sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 320, height: 240, fps: 10 });
  await sim.start();
  srv = await startAuthServer({}, { cameraNetwork: { allow: [] } });
  const areas = await seedAreas(srv.store);
  await srv.auth.users.add({ username: 'chief', roles: ['admin'], areaIds: [], password: 'bootstrap password 1' }, { name: 'cli' });
  await addUser(srv, 'tech-a', ['technician'], [areas.hamletA]);
  [admin, tech] = [await login(srv, 'chief', 'bootstrap password 1'), await login(srv, 'tech-a')];
}, 30_000);
afterAll(async () => {
  await srv?.stop();
  await sim?.stop();
  listener?.close();
  redirector?.close();
});

const ownAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === 'IPv4')?.address;

/** Every way the issue reached a refused target, by every role that may probe. */
function attempts(): { what: string; method: string; path: string; body: unknown }[] {
  const hosts = [`127.0.0.1:${open}`, `127.0.0.1:${closed}`, '169.254.169.254', `localhost:${open}`, `[::1]:${open}`, `0.0.0.0:${open}`];
  if (ownAddress) hosts.push(`${ownAddress}:${srv.port}`);
  return hosts.flatMap((h) => [
    { what: `probe ${h}`, method: 'POST', path: '/api/cameras/probe', body: { target: h, username: 'admin', password: 'x' } },
    { what: `test rtsp ${h}`, method: 'POST', path: '/api/cameras/test-connection', body: { url: `rtsp://${h}/stream` } },
    { what: `test http ${h}`, method: 'POST', path: '/api/cameras/test-connection', body: { url: `http://${h}/video.mjpg` } },
    { what: `discover ${h}`, method: 'POST', path: '/api/cameras/discover', body: { targets: [h], timeoutSeconds: 0.5 } },
    { what: `register ${h}`, method: 'POST', path: '/api/cameras', body: { name: 'x', streams: { detect: { url: `rtsp://${h}/stream` } } } },
  ]);
}

describe('camera targets outside the allowed address ranges', () => {
  it('loopback, link-local, this server, by IP, name or IPv6, open or closed port: one answer, and no connection', async () => {
    const answers = new Map<string, Reply<{ error: { code: string; message: string } }>>();
    for (const cookie of [admin, tech]) {
      for (const a of [
        ...attempts(),
        { what: 'test rtsp 127.1', method: 'POST', path: '/api/cameras/test-connection', body: { url: `rtsp://127.1:${open}/` } },
      ]) {
        answers.set(`${cookie === admin ? 'admin' : 'tech'} ${a.what}`, await call(srv, a.method, a.path, { cookie, body: a.body }));
      }
    }
    const shapes = new Set([...answers.values()].map((r) => JSON.stringify([r.status, r.body])));
    expect([...answers.entries()].filter(([, r]) => r.body?.error?.code !== 'target_not_allowed').map(([k, r]) => `${k}: ${r.status}`)).toEqual([]);
    expect(shapes.size, [...shapes].join('\n')).toBe(1);
    expect(answers.get(`admin probe 127.0.0.1:${open}`)!.status).toBe(403);
    expect(accepted).toBe(0);
    expect(await srv.store.cameras.count()).toBe(0);
  });

  it('a camera at an allowed address cannot redirect the probe onto a refused one', async () => {
    await call(srv, 'PUT', '/api/settings/camera-network', { cookie: admin, body: { allow: ['127.0.0.2/32'], deny: [...DEFAULT_DENIED_RANGES] } });
    const port = (redirector.address() as net.AddressInfo).port;
    const r = await call<{ error: { code: string } }>(srv, 'POST', '/api/cameras/probe', { cookie: tech, body: { target: `127.0.0.2:${port}` } });
    expect(r.body.error.code).toBe('not_onvif'); // the 302 is an answer, not a way elsewhere
    expect(accepted).toBe(0);
  });
});

describe('the admin decides the ranges', () => {
  it('technicians may not change them; an allowed 127.0.0.0/8 makes the simulated camera work, and refused cameras stop', async () => {
    const body = { allow: ['127.0.0.0/8'], deny: [...DEFAULT_DENIED_RANGES] };
    expect((await call(srv, 'PUT', '/api/settings/camera-network', { cookie: tech, body })).status).toBe(403);
    expect((await call(srv, 'GET', '/api/settings/camera-network', { cookie: tech })).status).toBe(403);
    const bad = await call<{ error: { field: string } }>(srv, 'PUT', '/api/settings/camera-network', {
      cookie: admin,
      body: { allow: ['10.0.0.0/8', 'cam.local'], deny: [] },
    });
    expect([bad.status, bad.body.error.field]).toEqual([400, 'body.allow.1']);

    await call(srv, 'PUT', '/api/settings/camera-network', { cookie: admin, body: { allow: [], deny: [...DEFAULT_DENIED_RANGES] } });
    const test = () =>
      call<{ width?: number; error?: { code: string } }>(srv, 'POST', '/api/cameras/test-connection', { cookie: tech, body: { url: sim.rtspUrl } });
    expect((await test()).body.error?.code).toBe('target_not_allowed');

    const saved = await call<{ allow: string[]; source: string }>(srv, 'PUT', '/api/settings/camera-network', { cookie: admin, body });
    expect(saved.body).toMatchObject({ allow: ['127.0.0.0/8'], source: 'saved' });
    const frame = await test();
    expect(frame.status, JSON.stringify(frame.body)).toBe(200);
    expect(frame.body.width).toBe(320);

    // A camera registered now runs; when the admin refuses loopback again it stops, shown offline with the reason.
    const cam = await call<{ id: number }>(srv, 'POST', '/api/cameras', { cookie: tech, body: { name: 'Cổng', streams: { detect: { url: sim.rtspUrl } } } });
    expect(cam.status).toBe(201);
    await expect.poll(async () => (await srv.store.cameras.get(cam.body.id))?.state, { timeout: 15_000 }).toBe('online');
    await call(srv, 'DELETE', '/api/settings/camera-network', { cookie: admin });
    expect(await srv.store.cameras.get(cam.body.id)).toMatchObject({ state: 'offline', stateReason: 'target_not_allowed' });
    await expect(srv.ingest.grabTestFrame(cam.body.id, 'detect')).resolves.toBeUndefined();
  });
});
