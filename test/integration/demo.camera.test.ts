import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoCamera, type DemoSim } from '../../server/demo/demo.camera.js';
import { silentLogger } from '../../server/shared/log.js';
import { migrateLatest, openDb } from '../../server/store/db.js';
import { createStore, type Store } from '../../server/store/store.js';
import { tempDir } from '../support/tmp.js';

/** `npm start`'s demo camera: registered at once, and still there on a machine without GStreamer. */
const tmp = tempDir('binhyen-demo-');
let store: Store;
let destroy: () => Promise<void>;
const env = process.env.BINHYEN_CACHE_DIR;

beforeAll(async () => {
  const db = openDb({ url: `sqlite:${path.join(tmp.dir, 'd.sqlite')}` });
  await migrateLatest(db);
  store = createStore(db);
  destroy = () => db.destroy();
  process.env.BINHYEN_CACHE_DIR = path.join(tmp.dir, 'cache'); // no footage fetched yet
});
afterAll(async () => {
  await destroy();
  if (env === undefined) delete process.env.BINHYEN_CACHE_DIR;
  else process.env.BINHYEN_CACHE_DIR = env;
  tmp.remove();
});

const fakeSim = (fail: boolean): DemoSim => ({
  rtspUrl: 'rtsp://127.0.0.1:8554/stream',
  start: async () => {
    if (fail) throw new Error('gst-rtsp-server is not installed');
  },
  switchSource: async () => undefined,
  stop: async () => undefined,
});

describe('demo camera', () => {
  it('plays a generated local video when no RTSP simulator can start', async () => {
    const demo = new DemoCamera({ store, log: silentLogger, createSim: () => fakeSim(true), footage: async () => null, cacheDir: path.join(tmp.dir, 'cache') });
    const cam = await demo.start();
    expect(cam?.demo).toBe(true);
    expect(cam?.streams.detect.url).toBe(path.join(tmp.dir, 'cache', 'demo-pattern.mp4'));
    expect(existsSync(cam!.streams.detect.url)).toBe(true);
    await demo.stop();
  });

  it('without an RTSP simulator still fetches the street footage, then restarts the camera on it', async () => {
    const footage = path.join(tmp.dir, 'street.avi');
    let fetched!: () => void;
    const arrived = new Promise<void>((r) => (fetched = r));
    const restarted: string[] = [];
    const demo = new DemoCamera({
      store,
      log: silentLogger,
      createSim: () => fakeSim(true),
      cacheDir: path.join(tmp.dir, 'cache'),
      footage: async () => {
        await arrived;
        return footage;
      },
      restart: async (c) => {
        restarted.push(c.streams.detect.url);
      },
    });
    const cam = await demo.start();
    expect(cam?.streams.detect.url).toBe(path.join(tmp.dir, 'cache', 'demo-pattern.mp4'));
    fetched();
    await expect.poll(() => restarted).toEqual([footage]);
    expect((await store.cameras.get(cam!.id))?.streams.detect.url).toBe(footage);
    await demo.stop();
  });

  it('reuses its row and points it at the simulator when it starts, and steps aside for a real camera', async () => {
    const demo = new DemoCamera({ store, log: silentLogger, createSim: () => fakeSim(false), footage: async () => null });
    const cam = await demo.start();
    expect(cam?.streams.detect.url).toBe('rtsp://127.0.0.1:8554/stream');
    expect((await store.cameras.list()).filter((c) => c.demo)).toHaveLength(1);
    await demo.stop();
    await store.cameras.create({
      name: 'Nhà trọ Hoa',
      areaId: null,
      ownerName: null,
      ownerKind: null,
      address: null,
      latitude: null,
      longitude: null,
      onvifUrl: null,
      credentialsEnc: null,
      streams: { detect: { url: 'rtsp://10.0.0.5/sub' } },
      settings: {},
      defaultVisibility: 'internal',
      enabled: true,
      clockOffsetMs: null,
      demo: false,
    });
    expect(await new DemoCamera({ store, log: silentLogger, createSim: () => fakeSim(false) }).start()).toBeNull();
  });
});
