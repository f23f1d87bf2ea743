import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { JpegCodec } from '../../server/events/jpeg.codec.js';
import type { YuvImage } from '../../server/events/snapshot.draw.js';
import { resolveJpegWorkerFile, ThreadJpegEncoder } from '../../server/events/snapshot.encoder.js';
import { createLogger } from '../../server/shared/log.js';
import { tempDir } from '../support/tmp.js';

/** The snapshot encoder's threads (compiled worker from dist/: build first). */
const tmp = tempDir('binhyen-jpeg-');
const encoders: ThreadJpegEncoder[] = [];
const encoder = (o: ConstructorParameters<typeof ThreadJpegEncoder>[0] = {}) => {
  const e = new ThreadJpegEncoder(o);
  encoders.push(e);
  return e;
};
afterAll(async () => {
  await Promise.all(encoders.map((e) => e.close()));
  tmp.remove();
});

function picture(width = 320, height = 180): YuvImage {
  const data = new Uint8Array(width * height * 1.5);
  for (let i = 0; i < width * height; i++) data[i] = (i % width) + ((i / width) | 0);
  data.fill(128, width * height);
  return { width, height, data };
}

describe('ThreadJpegEncoder', () => {
  it("encodes on its thread what the codec makes, moving the picture's buffer instead of copying it", async () => {
    const e = encoder();
    const expected = new JpegCodec().encode(picture());
    const img = picture();
    const jpeg = await e.encode(img);
    expect(jpeg.equals(Buffer.from(expected))).toBe(true);
    expect(img.data.byteLength).toBe(0); // moved to the thread
    // A picture that is part of a larger buffer is copied: the rest of that buffer stays the caller's.
    const shared = new Uint8Array(10 + 320 * 180 * 1.5);
    shared.set(picture().data, 10);
    expect((await e.encode({ width: 320, height: 180, data: shared.subarray(10) })).equals(Buffer.from(expected))).toBe(true);
    expect(shared.byteLength).toBe(10 + 320 * 180 * 1.5);
  });

  it('refuses at once past its queue, then takes work again; a bad picture fails on its own', async () => {
    const e = encoder({ workers: 1, maxQueue: 1 });
    const runs = [e.encode(picture()), e.encode(picture()), e.encode(picture())];
    await expect(runs[2]).rejects.toThrow(/snapshot encoder busy: 1 pictures already wait/);
    expect((await Promise.all(runs.slice(0, 2))).map((j) => j.subarray(0, 2).toString('hex'))).toEqual(['ffd8', 'ffd8']);
    await expect(e.encode({ width: 321, height: 180, data: new Uint8Array(321 * 180 * 2) })).rejects.toThrow(/^width: 321/);
    expect((await e.encode(picture())).length).toBeGreaterThan(1000);
  });

  it('a thread that dies fails the encode it had, is logged, and the next encode gets a new thread', async () => {
    // The real worker behind a trap: its message handler throws out of the thread on a 64-pixel-wide picture.
    const file = path.join(tmp.dir, 'trap.worker.mjs');
    writeFileSync(
      file,
      `import { parentPort } from 'node:worker_threads';
const on = parentPort.on.bind(parentPort);
parentPort.on = (event, fn) => on(event, (job) => { if (job.width === 64) throw new Error('injected crash'); fn(job); });
await import(${JSON.stringify(pathToFileURL(resolveJpegWorkerFile()).href)});`,
    );
    const logs: string[] = [];
    const e = encoder({ workerFile: file, log: createLogger('info', (l) => logs.push(l)) });
    const crash = e.encode(picture(64, 32));
    const behind = e.encode(picture());
    await expect(crash).rejects.toThrow(/injected crash/);
    expect(logs.join('\n')).toMatch(/snapshot encoder thread failed.*injected crash/);
    expect((await behind).subarray(0, 2).toString('hex')).toBe('ffd8');
    expect((await e.encode(picture())).subarray(0, 2).toString('hex')).toBe('ffd8');
  });

  it('close fails the encodes running or waiting and refuses new ones', async () => {
    const e = encoder({ maxQueue: 4 });
    const runs = [e.encode(picture()), e.encode(picture()), e.encode(picture())].map((p) =>
      p.then(
        () => 'done',
        (err: Error) => err.message,
      ),
    );
    await e.close();
    expect(await Promise.all(runs)).toEqual(Array(3).fill('snapshot encoder is closed'));
    await expect(e.encode(picture())).rejects.toThrow(/snapshot encoder is closed/);
  });
});
