import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.js';
import { cameraPtzRoutes } from '../../server/api/camera.ptz.routes.js';
import { createAuthorizer } from '../../server/auth/authorize.js';
import { CameraPtz } from '../../server/cameras/camera.ptz.js';
import { GuardTours } from '../../server/cameras/camera.tour.js';
import { silentLogger } from '../../server/shared/log.js';
import type { Store } from '../../server/store/store.js';
import { OnvifSimulator } from '../fixtures/onvif-sim/onvif-sim.js';
import { addTestCamera, openTestStore, tempDir, waitFor } from './events.fixture.js';

/** PTZ through the API against the simulated camera's PTZ service: moves, stop, presets, home, and the errors. */
const dataDir = tempDir('camera-ptz');
let store: Store;
let sim: OnvifSimulator;
let http: Server;
let base: string;
let cameraId: number;
let plainId: number;
let tours: GuardTours;

async function api(method: string, p: string, body?: unknown) {
  const res = await fetch(base + p, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; field?: string; message: string } } };
}

beforeAll(async () => {
  store = await openTestStore(dataDir);
  sim = await new OnvifSimulator({ username: 'admin', password: 'pw', ptz: true, discovery: false }).start();
  cameraId = (await addTestCamera(store, 'Ngã tư', null)).id;
  await store.cameras.update(cameraId, { onvifUrl: sim.deviceServiceUrl });
  plainId = (await addTestCamera(store, 'RTSP only', null)).id;
  const ptz = new CameraPtz({ cameras: store.cameras, credentialsOf: () => ({ username: 'admin', password: 'pw' }) });
  tours = new GuardTours({ cameras: store.cameras, ptz, log: silentLogger });
  http = createApp({ log: silentLogger, routers: [cameraPtzRoutes({ store, authorizer: createAuthorizer(), ptz, tours })] }).listen(0, '127.0.0.1');
  await new Promise<void>((r) => http.once('listening', () => r()));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  tours.stopAll();
  await new Promise<void>((r) => http.close(() => r()));
  await sim.stop();
  await store.db.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('PTZ through the API', () => {
  it('moves continuously with a safety timeout, then stops', async () => {
    expect((await api('POST', `/api/cameras/${cameraId}/ptz`, { action: 'move', pan: -0.5, tilt: 0.25 })).status).toBe(200);
    expect(sim.ptzService.state).toMatchObject({ moving: true, velocity: { pan: -0.5, tilt: 0.25, zoom: 0 }, lastTimeout: 'PT10S' });
    expect((await api('POST', `/api/cameras/${cameraId}/ptz`, { action: 'move', zoom: 1 })).status).toBe(200);
    expect(sim.ptzService.state.velocity).toEqual({ pan: 0, tilt: 0, zoom: 1 });
    expect((await api('POST', `/api/cameras/${cameraId}/ptz`, { action: 'stop' })).status).toBe(200);
    expect(sim.ptzService.state.moving).toBe(false);
    // the camera's services were read once: later commands reuse the connection
    expect(sim.calls.filter((c) => c.action === 'GetProfiles')).toHaveLength(1);
  });

  it('lists presets, saves the position as a new one, goes to it and home', async () => {
    const list = await api('GET', `/api/cameras/${cameraId}/ptz/presets`);
    expect(list.body.presets).toEqual([{ token: '1', name: 'Cổng chính' }]);
    const saved = await api('POST', `/api/cameras/${cameraId}/ptz`, { action: 'set', name: 'Sân sau' });
    expect(saved.body).toEqual({ presetToken: '2' });
    expect((await api('GET', `/api/cameras/${cameraId}/ptz/presets`)).body.presets).toEqual([
      { token: '1', name: 'Cổng chính' },
      { token: '2', name: 'Sân sau' },
    ]);
    await api('POST', `/api/cameras/${cameraId}/ptz`, { action: 'goto', preset: '1' });
    expect(sim.ptzService.state.position).toEqual({ pan: 0.5, tilt: -0.2, zoom: 0.1 });
    await api('POST', `/api/cameras/${cameraId}/ptz`, { action: 'home' });
    expect(sim.ptzService.state.position).toEqual({ pan: 0, tilt: 0, zoom: 0 });
  });

  it('answers clear errors: bad speed (field named), unknown preset, camera without ONVIF', async () => {
    const bad = await api('POST', `/api/cameras/${cameraId}/ptz`, { action: 'move', pan: 3 });
    expect([bad.status, bad.body.error?.code, bad.body.error?.field]).toEqual([400, 'validation', 'body.pan']);
    const unknown = await api('POST', `/api/cameras/${cameraId}/ptz`, { action: 'goto', preset: '99' });
    expect([unknown.status, unknown.body.error?.code]).toEqual([422, 'ptz_refused']);
    const plain = await api('POST', `/api/cameras/${plainId}/ptz`, { action: 'stop' });
    expect([plain.status, plain.body.error?.code]).toEqual([422, 'no_ptz']);
  });
});

describe('guard tour', () => {
  const gotos = () => sim.calls.filter((c) => c.action === 'GotoPreset').length;
  const MARKET = { pan: -0.8, tilt: 0.1, zoom: 0.3 };
  const GATE = { pan: 0.5, tilt: -0.2, zoom: 0.1 };
  const at = (p: typeof GATE) => () => JSON.stringify(sim.ptzService.state.position) === JSON.stringify(p) || undefined;

  it('is off until started, and cannot start without stops (field named)', async () => {
    expect((await api('GET', `/api/cameras/${cameraId}/ptz/tour`)).body).toEqual({ running: false, pausedUntil: null, stop: null });
    const none = await api('POST', `/api/cameras/${cameraId}/ptz/tour`, { action: 'start' });
    expect([none.status, none.body.error?.field]).toEqual([400, 'settings.ptzTour.stops']);
  });

  it('visits the presets in turn, pauses while someone steers, resumes after the idle time, and stops', async () => {
    sim.ptzService.state.presets.push({ token: '7', name: 'Chợ', position: MARKET });
    await store.cameras.update(cameraId, {
      settings: {
        ptzTour: {
          stops: [
            { preset: '1', dwellSeconds: 1 },
            { preset: '7', dwellSeconds: 1 },
          ],
          resumeAfterIdleSeconds: 2,
        },
      },
    });
    expect((await api('POST', `/api/cameras/${cameraId}/ptz/tour`, { action: 'start' })).body).toMatchObject({ running: true });
    await waitFor(at(GATE), 5000);
    await waitFor(at(MARKET), 5000);
    await waitFor(at(GATE), 5000);

    expect((await api('POST', `/api/cameras/${cameraId}/ptz`, { action: 'home' })).status).toBe(200);
    expect((await api('GET', `/api/cameras/${cameraId}/ptz/tour`)).body.pausedUntil).toEqual(expect.any(Number));
    const paused = gotos();
    await new Promise((r) => setTimeout(r, 1500)); // longer than a dwell, shorter than the idle time
    expect(gotos()).toBe(paused);
    expect(sim.ptzService.state.position).toEqual({ pan: 0, tilt: 0, zoom: 0 });
    await waitFor(() => gotos() > paused || undefined, 5000);

    expect((await api('POST', `/api/cameras/${cameraId}/ptz/tour`, { action: 'stop' })).body).toEqual({ running: false, pausedUntil: null, stop: null });
    const stopped = gotos();
    await new Promise((r) => setTimeout(r, 1500));
    expect(gotos()).toBe(stopped);
  });
});
