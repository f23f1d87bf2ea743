import { copyFileSync, existsSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { quarantineDirOf } from '../../server/ingest/recording.reconcile.js';
import type { CameraRecord } from '../../server/store/camera.repository.js';
import { addCamera, ingestEnv, recordingFiles, waitFor, type IngestEnv } from './ingest.helpers.js';

/**
 * Issue 19, defect 6: a `kill -9` between a segment's rename into its day folder and its index
 * insert left a file no one indexed or deleted (start-up recovery scanned only `live/`). The
 * fault is laid out on disk as the kill leaves it, then the camera is started again.
 */
describe('start-up reconciliation of the recordings tree (issue 19, defect 6)', () => {
  let env: IngestEnv;
  let sim: SimulatedCamera;
  let cam: CameraRecord;
  const recDir = () => path.join(env.dataDir, 'recordings');
  const rows = () => env.store.recordings.overlapping(cam.id, 0, Date.now() + 60_000);

  beforeAll(async () => {
    sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 640, height: 360, fps: 10 });
    await sim.start();
    env = await ingestEnv({ segmentSeconds: 2, detectFps: 2, detectWidth: 160 });
    cam = await addCamera(env.store, { detect: { url: sim.rtspUrl } });
  });
  afterAll(async () => {
    await env?.close();
    await sim?.stop();
  });

  it('indexes a finished but unindexed segment by its own timestamps, quarantines what is not valid, drops rows without files', async () => {
    await env.runtime.start(cam);
    await waitFor('6 segments', async () => (await rows()).length >= 6, 30_000, 200);
    await env.runtime.stop(cam.id);
    const before = await rows();
    // Renamed into its day folder, killed before the insert: a whole segment (the tail the stop
    // cut can be a few frames, which a loaded machine's probe may not call playable).
    const unindexed = before.filter((r) => r.endAt - r.startAt >= 1000).at(-1)!;
    const fileless = before[0]!; // its file deleted by a sweep killed before the row delete
    await env.store.recordings.delete([unindexed.id]);
    unlinkSync(path.join(recDir(), fileless.path));
    const dayDir = path.dirname(path.join(recDir(), unindexed.path));
    // Not evidence: garbage under a segment name, a copy claiming footage already indexed, a stray file.
    const garbage = `${unindexed.endAt + 5000}.ts`;
    writeFileSync(path.join(dayDir, garbage), Buffer.alloc(50_000, 7));
    const duplicate = `${before[2]!.startAt + 300}.ts`;
    copyFileSync(path.join(recDir(), before[2]!.path), path.join(dayDir, duplicate));
    writeFileSync(path.join(dayDir, 'notes.txt'), 'hello');

    await env.runtime.start(cam);
    await env.runtime.stop(cam.id);

    const after = await rows();
    const back = after.find((r) => r.path === unindexed.path);
    expect(back).toBeDefined();
    expect(back!.startAt).toBe(unindexed.startAt);
    // Its end comes from its probed length now, not the segment list: the two differ by up to
    // a frame or two, more on a loaded machine (recording.rtsp.test.ts allows 400 ms as well).
    expect(Math.abs(back!.endAt - unindexed.endAt)).toBeLessThan(400);
    expect(back!.bytes).toBe(unindexed.bytes);
    expect(after.find((r) => r.id === fileless.id)).toBeUndefined();
    // The index and the tree agree: every kept file indexed, every row's file present.
    const files = recordingFiles(env.dataDir, cam.id).kept.filter((p) => !p.includes('/quarantine/'));
    expect(files.sort()).toEqual(after.map((r) => r.path).sort());
    for (let i = 1; i < after.length; i++) expect(after[i]!.startAt).toBeGreaterThanOrEqual(after[i - 1]!.endAt - 300);
    const quarantined = readdirSync(quarantineDirOf(recDir(), cam.id)).sort();
    const day = path.basename(dayDir);
    expect(quarantined).toEqual([`${day}-${duplicate}`, `${day}-${garbage}`, `${day}-notes.txt`].sort());
    expect(existsSync(path.join(dayDir, garbage))).toBe(false);
    expect(env.logLines.filter((l) => l.includes('quarantined a recording file'))).toHaveLength(3);
    expect(env.logLines.some((l) => l.includes('overlaps indexed footage'))).toBe(true);
  });
});
