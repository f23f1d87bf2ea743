import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import type { CameraStatsMessage } from '../../server/domain/socket.events.js';
import type { TestServer } from '../support/server.js';
import { addUser, call, login, openSocket, seedAreas, startAuthServer } from './auth.world.js';

/** A running camera's figures reach the police and technicians over socket.io, and only them. */
let srv: TestServer;
let sim: SimulatedCamera;
let cameraId: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 320, height: 240, fps: 10 });
  await sim.start();
  srv = await startAuthServer({}, { ingest: { statsPushMs: 500, statsHistoryMs: 500 } });
  const areas = await seedAreas(srv.store);
  await addUser(srv, 'congan', ['police']);
  await addUser(srv, 'cudan', ['resident'], [areas.hamletA]);
  cameraId = (await srv.cameras.service.register({ name: 'Cổng chợ', areaId: areas.hamletA, streams: { detect: { url: sim.rtspUrl } } })).id;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await srv?.stop();
  await sim?.stop();
});

async function socketAs(username: string): Promise<Socket> {
  const socket = await openSocket(srv, { cookie: await login(srv, username) });
  sockets.push(socket);
  return socket;
}

function nextOnlineStats(socket: Socket, ms: number): Promise<CameraStatsMessage | null> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(null), ms);
    socket.on('camera:stats', (m: CameraStatsMessage) => {
      if (m.state !== 'online' || m.frameFps <= 0) return;
      clearTimeout(t);
      resolve(m);
    });
  });
}

describe('camera stats over socket.io', () => {
  it('pushes fps, drops, restarts, CPU, RSS and detection figures to the camera room', async () => {
    const police = await socketAs('congan');
    const joined = await police.timeout(5000).emitWithAck('cameras:subscribe', {});
    expect(joined).toMatchObject({ ok: true });
    const m = await nextOnlineStats(police, 20_000);
    expect(m).not.toBeNull();
    expect(m).toMatchObject({ cameraId, state: 'online', restarts: expect.any(Number), recordingBytes: expect.any(Number) });
    expect(m!.frameFps).toBeGreaterThan(0);
    expect(m!.rssBytes).toBeGreaterThan(0);
    expect(m!.detection).toMatchObject({ analysed: expect.any(Number) });
    // The same figures are on the API.
    const api = await call<{ cameras: { cameraId: number; framesIn: number }[] }>(srv, 'GET', '/api/cameras/stats', { cookie: await login(srv, 'congan') });
    expect(api.body.cameras.find((c) => c.cameraId === cameraId)?.framesIn).toBeGreaterThan(0);
    // The health charts' last hour is kept on the server: a page opened now gets it at once.
    type WithHistory = { cameraId: number; history: { at: number; frameFps: number }[] };
    const history = async () =>
      (await call<{ cameras: WithHistory[] }>(srv, 'GET', '/api/cameras/stats', { cookie: await login(srv, 'congan') })).body.cameras.find(
        (c) => c.cameraId === cameraId,
      )!.history;
    await expect.poll(async () => (await history()).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const h = await history();
    expect(h.map((x) => x.at)).toEqual([...h.map((x) => x.at)].sort((a, b) => a - b));
    expect(h.at(-1)!.frameFps).toBeGreaterThan(0);
  });

  it('never sends them to a resident, who may not join camera rooms', async () => {
    const resident = await socketAs('cudan');
    const refused = await resident.timeout(5000).emitWithAck('cameras:subscribe', {});
    expect(refused).toMatchObject({ ok: false });
    expect(await nextOnlineStats(resident, 2_000)).toBeNull();
  });
});
