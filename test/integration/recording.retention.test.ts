import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { RecordingRetention, type DiskState } from '../../server/ingest/recording.retention.js';
import type { CameraRecord } from '../../server/store/camera.repository.js';
import { addCamera, ingestEnv, waitFor, type IngestEnv } from './ingest.helpers.js';

/**
 * Issue 19, defect 2 (the recordings side): below the free-space floor every recording was
 * deleted as soon as it was indexed, and a segment was deleted between a clip cut's existence
 * check and its concat. The camera keeps recording while the disk is "full" (free space is
 * what the retention's file-system adapter reports).
 */
describe('retention under a full disk (issue 19, defect 2)', () => {
  let env: IngestEnv;
  let sim: SimulatedCamera;
  let cam: CameraRecord;
  const recDir = () => path.join(env.dataDir, 'recordings');
  const rows = () => env.store.recordings.overlapping(cam.id, 0, Date.now() + 60_000);

  beforeAll(async () => {
    sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 320, height: 180, fps: 10 });
    await sim.start();
    env = await ingestEnv({ segmentSeconds: 2, detectFps: 2, detectWidth: 160 });
    cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
    await env.runtime.start(cam);
  });
  afterAll(async () => {
    await env?.close();
    await sim?.stop();
  });

  it('keeps the recent window and held segments, deletes the rest oldest first, and says the disk is low', async () => {
    const initial = await waitFor(
      '8 segments',
      async () => {
        const r = await rows();
        return r.length >= 8 && r;
      },
      40_000,
      200,
    );
    let free = 0; // the disk is full
    const config = { ...env.retentionConfig, minFreeGb: 1, keepRecentMinutes: 10 };
    const states: DiskState[] = [];
    const retention = new RecordingRetention({
      recordings: env.store.recordings,
      recordingsDir: recDir(),
      config: () => config,
      log: env.log,
      freeBytes: async () => free,
      onDiskState: (s) => states.push(s),
    });

    // Everything is within the last 10 minutes: nothing goes, the disk state says why.
    expect((await retention.sweep()).byFreeSpace).toBe(0);
    expect(retention.disk()).toMatchObject({ state: 'low', freeBytes: 0, minFreeBytes: 1e9 });
    expect(retention.disk().message).toMatch(/below the 1\.00 GB floor; only the last 10 minutes/);
    expect((await rows()).length).toBeGreaterThanOrEqual(initial.length);

    // A window that ends between the 5th and 6th segments; a clip cut holds the 2nd.
    config.keepRecentMinutes = (Date.now() - (initial[4]!.endAt + initial[5]!.endAt) / 2) / 60_000;
    const held = initial[1]!;
    const release = retention.hold(cam.id, held.startAt + 10, held.endAt - 10);
    const r = await retention.sweep();
    expect(r.byFreeSpace).toBe(4);
    const left = (await rows()).map((x) => x.id);
    for (const i of [0, 2, 3, 4]) {
      expect(left).not.toContain(initial[i]!.id);
      expect(existsSync(path.join(recDir(), initial[i]!.path))).toBe(false);
    }
    for (const i of [1, 5, 6, 7]) expect(left).toContain(initial[i]!.id);
    expect(existsSync(path.join(recDir(), held.path))).toBe(true);
    expect(retention.disk().state).toBe('low');

    // Released: the next sweep may take it.
    release();
    expect((await retention.sweep()).byFreeSpace).toBe(1);
    expect((await rows()).map((x) => x.id)).not.toContain(held.id);

    // The camera kept recording through all of it: the index is never emptied.
    const lastBefore = (await rows()).at(-1)!.endAt;
    await waitFor('a new segment', async () => (await rows()).some((x) => x.startAt >= lastBefore), 10_000, 200);

    free = 5e9;
    await retention.sweep();
    expect(retention.disk()).toMatchObject({ state: 'ok', message: null });
    expect(states.map((s) => s.state)).toEqual(['low', 'ok']);
  });
});
