import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { sampleFootagePath } from '../../server/demo/footage.js';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import type { AlertMessage } from '../../server/domain/socket.events.js';
import type { TestServer } from '../support/server.js';
import { addUser, call, login, openSocket, seedAreas, startAuthServer } from './auth.world.js';

/**
 * The whole path with real parts: a simulated RTSP camera playing real street footage →
 * ingest and recording → motion → CenterNet → tracker → event → alert on a socket.io client →
 * acknowledged and resolved with a public note → the clip cut from the recording plays and
 * matches its stored SHA-256.
 */
const FOOTAGE = sampleFootagePath();
const SEGMENT_S = 2;
const ROLL_S = 2;
let srv: TestServer;
let sim: SimulatedCamera;
let socket: Socket;
let police: string;
let resident: string;
const alerts: AlertMessage[] = [];

beforeAll(async () => {
  if (!existsSync(FOOTAGE)) throw new Error(`sample footage missing at ${FOOTAGE}: run ./scripts/fetch-sample-footage`);
  sim = new SimulatedCamera({ source: { kind: 'file', path: FOOTAGE } });
  await sim.start();
  srv = await startAuthServer({}, { detect: { workers: 1 }, record: { segmentSeconds: SEGMENT_S, preRollSeconds: ROLL_S, postRollSeconds: ROLL_S } });
  const areas = await seedAreas(srv.store);
  await addUser(srv, 'congan', ['police']);
  await addUser(srv, 'cudan', ['resident'], [areas.hamletA]);
  police = await login(srv, 'congan');
  resident = await login(srv, 'cudan');
  socket = await openSocket(srv, { cookie: police });
  socket.on('alert:new', (a: AlertMessage) => alerts.push(a));
  await socket.timeout(5000).emitWithAck('alerts:subscribe', { afterId: 0 });
  // Every person is an alert (no cooldown) and events are shared with the hamlet's residents.
  await srv.cameras.service.register({
    name: 'Ngã ba chợ',
    areaId: areas.hamletA,
    defaultVisibility: 'shared',
    streams: { detect: { url: sim.rtspUrl } },
    settings: { rules: { alerts: { cooldownSeconds: 0 } } },
  });
}, 120_000);

afterAll(async () => {
  socket?.close();
  await srv?.stop();
  await sim?.stop();
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('camera to alert to clip, on real footage', () => {
  it('a person becomes an event, its alert reaches the police socket, is worked and its clip plays', async () => {
    // The first person event that has ended and whose clip is ready.
    const { event, clip } = await until(
      'a finished event with a ready clip',
      async () => {
        const { items } = await srv.store.events.list({ label: 'person' }, { all: true }, { limit: 50, offset: 0, sort: 'startAt', order: 'asc' });
        for (const e of items.filter((x) => x.endAt !== null)) {
          const c = await srv.store.clips.byEvent(e.id);
          if (c?.state === 'ready') return { event: e, clip: c };
        }
        return undefined;
      },
      150_000,
    );

    const alert = alerts.find((a) => a.eventId === event.id);
    expect(alert, 'the event reached the police socket as an alert').toMatchObject({ kind: 'object', label: 'person', state: 'new', cameraName: 'Ngã ba chợ' });

    const ack = await call<{ state: string }>(srv, 'POST', `/api/alerts/${alert!.id}/state`, {
      cookie: police,
      body: { state: 'acknowledged', note: 'Tổ tuần tra đang tới', noteVisibility: 'internal' },
    });
    expect(ack.status).toBe(200);
    const done = await call<{ state: string }>(srv, 'POST', `/api/alerts/${alert!.id}/state`, {
      cookie: police,
      body: { state: 'resolved', note: 'Đã kiểm tra: người đi bộ, không có gì bất thường', noteVisibility: 'public' },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);

    // The resident of the hamlet sees the public note, never the internal one.
    const seen = await call<{ notes: { body: string }[] }>(srv, 'GET', `/api/events/${event.id}`, { cookie: resident });
    expect(seen.status).toBe(200);
    const bodies = JSON.stringify(seen.body);
    expect(bodies).toContain('không có gì bất thường');
    expect(bodies).not.toContain('Tổ tuần tra');

    // The clip is a range of the recording, cut for the browser on demand: it covers the event.
    // (No stored SHA-256: only pinned and exported clips get files of their own, and hashes.)
    expect(clip).toMatchObject({ path: null, sha256: null });
    const video = await fetch(`${srv.url}/api/clips/${clip.id}/video.mp4`, { headers: { cookie: resident } });
    expect(video.status).toBe(200);
    const bytes = Buffer.from(await video.arrayBuffer());
    const file = path.join(srv.config.dataDir, 'clip-check.mp4');
    writeFileSync(file, bytes);
    const probed = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', file], { encoding: 'utf8' }),
    ) as { format: { duration: string }; streams: { codec_name: string }[] };
    expect(probed.streams[0]?.codec_name).toBe('h264');
    const wanted = (event.endAt! - event.startAt) / 1000 + 2 * ROLL_S;
    expect(Math.abs(Number(probed.format.duration) - wanted), `clip ${probed.format.duration} s for a ${wanted} s window`).toBeLessThanOrEqual(SEGMENT_S + 0.5);
  }, 200_000);
});
