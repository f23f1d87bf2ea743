import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFrom } from '../../server/config/config.load.js';
import { SimulatedCamera } from '../../server/demo/sim-camera.js';
import { startServer, type RunningServer } from '../../server/main.js';
import { createLogger } from '../../server/shared/log.js';
import { TEST_CAMERA_NETWORK } from '../support/server.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from './ingest.helpers.js';

/**
 * Issue 12, finding 5: the database, recordings, clips, snapshots and keys were 0644 in 0755
 * folders. A real server (recording a simulated camera with ffmpeg) on a data folder left by an
 * older version: afterwards nothing in it may be readable by other users, and with
 * storage.group the group may read (keys excepted).
 */
interface Policy {
  dir: number;
  file: number;
}

/** Every path under the data folder with its mode, the folder itself included. */
function modes(root: string): { path: string; mode: number; dir: boolean }[] {
  const out = [{ path: '.', mode: statSync(root).mode & 0o7777, dir: true }];
  const visit = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      out.push({ path: r, mode: statSync(path.join(root, r)).mode & 0o7777, dir: e.isDirectory() });
      if (e.isDirectory()) visit(r);
    }
  };
  visit('');
  return out;
}

const expected = (p: Policy, e: { path: string; dir: boolean }) => (e.dir ? p.dir : /\.key$|setup-code\.txt$|vapid\.json$/.test(e.path) ? 0o600 : p.file);
const wrong = (root: string, p: Policy) => modes(root).filter((e) => e.mode !== expected(p, e));

/** What an older version left: world-readable database, evidence and key, in open folders. */
function oldInstall(dir: string) {
  chmodSync(dir, 0o755);
  writeFileSync(path.join(dir, 'binhyen.sqlite'), '', { mode: 0o644 });
  writeFileSync(path.join(dir, 'secret.key'), Buffer.alloc(32, 3).toString('base64') + '\n', { mode: 0o644 });
  mkdirSync(path.join(dir, 'exports', '1', '2026-12-01'), { recursive: true, mode: 0o755 });
  writeFileSync(path.join(dir, 'exports', '1', '2026-12-01', 'evidence.mp4'), 'old', { mode: 0o644 });
  chmodSync(path.join(dir, 'exports'), 0o777);
}

let sim: SimulatedCamera;
beforeAll(async () => {
  sim = new SimulatedCamera({ source: { kind: 'pattern' }, width: 320, height: 240, fps: 10 });
  await sim.start();
});
afterAll(async () => sim?.stop());

for (const variant of [
  { name: 'by default: the server user alone', group: undefined, policy: { dir: 0o700, file: 0o600 } },
  { name: 'with storage.group: that group reads too, keys excepted', group: String(process.getgid!()), policy: { dir: 0o2750, file: 0o640 } },
]) {
  describe(`data folder permissions ${variant.name}`, () => {
    const tmp = tempDir('binhyen-perms-');
    let srv: RunningServer;

    beforeAll(async () => {
      oldInstall(tmp.dir);
      const config = configFrom({
        port: 0,
        host: '127.0.0.1',
        dataDir: tmp.dir,
        demoCamera: false,
        cameraNetwork: TEST_CAMERA_NETWORK,
        record: { segmentSeconds: 2 },
        storage: variant.group === undefined ? {} : { group: variant.group },
      });
      srv = await startServer(config, createLogger('error'));
      await srv.cameras.service.register({ name: 'Cổng chợ', streams: { detect: { url: sim.rtspUrl } } });
    });
    afterAll(async () => {
      await srv?.close();
      tmp.remove();
    });

    it('holds for what the server, its ffmpeg and older versions wrote', async () => {
      const cameraId = (await srv.store.cameras.list())[0]!.id;
      // The segment ffmpeg is writing: created by the child, with the umask it inherited.
      await waitFor(
        'a segment being recorded',
        () => modes(tmp.dir).some((e) => e.path.startsWith(`recordings/${cameraId}/`) && e.path.endsWith('.ts')),
        20_000,
      );
      await srv.auth.audit.record({ action: 'test.permissions' });
      await srv.auth.audit.anchorNow();
      await waitFor('every mode right', () => wrong(tmp.dir, variant.policy).length === 0, 5_000).catch(() => undefined);
      expect(wrong(tmp.dir, variant.policy).map((e) => `${e.path} ${e.mode.toString(8)}`)).toEqual([]);
      const files = modes(tmp.dir).map((e) => e.path);
      // Written by ffmpeg (segments), by the server (database, keys, anchor) and left by an older version.
      expect(files).toEqual(expect.arrayContaining(['binhyen.sqlite', 'secret.key', 'audit.key', 'audit-anchor.json', 'exports/1/2026-12-01/evidence.mp4']));
      expect(files.some((f) => f.startsWith(`recordings/${cameraId}/`) && f.endsWith('.ts'))).toBe(true);
      if (variant.group !== undefined) for (const f of files) expect(statSync(path.join(tmp.dir, f)).gid, f).toBe(Number(variant.group));
    });
  });
}
