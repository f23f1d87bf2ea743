import { describe, expect, it } from 'vitest';
import { RecordingThumbs } from '../../../server/clips/recording.thumbs.js';
import type { ExecResult } from '../../../server/ingest/ffmpeg.adapter.js';
import type { Recording } from '../../../server/store/recording.repository.js';

const SOI = Buffer.from([0xff, 0xd8, 0xff]);
const text = (b: Buffer) => b.subarray(3).toString();
const SEG: Recording = { id: 7, cameraId: 1, path: '1/2026-12-07/1000.ts', startAt: 1_000_000, endAt: 1_004_000, bytes: 1 };

/** Fake ffmpeg whose runs finish when the test says so; fake files in a map. */
function harness(opts: { concurrency?: number; maxWaiting?: number; maxFiles?: number } = {}) {
  const runs: { args: string[]; finish: () => void }[] = [];
  const disk = new Map<string, Buffer>();
  const thumbs = new RecordingThumbs({
    recordings: { overlapping: (cameraId: number, from: number) => Promise.resolve(cameraId === 1 && from >= SEG.startAt && from < SEG.endAt ? [SEG] : []) },
    ffmpeg: {
      info: { path: 'ffmpeg', source: 'path', hidesCameraUrls: true, version: { major: 6, minor: 1, lavfMajor: 60, text: '6.1' } },
      exec: (args: string[]) =>
        new Promise<ExecResult>((resolve) => {
          // Every keyframe up to -t as a JPEG: the service keeps the last.
          const jpeg = Buffer.concat([SOI, Buffer.from('earlier'), SOI, Buffer.from(`jpeg@${args[args.indexOf('-t') + 1]}`)]);
          runs.push({ args, finish: () => resolve({ code: 0, signal: null, stdout: jpeg, stderr: '', timedOut: false, missing: false, aborted: false }) });
        }),
    },
    files: {
      abs: (rel: string) => `/data/${rel}`,
      read: (rel: string) => Promise.resolve(disk.get(rel)),
      writeAtomic: (rel: string, b: Uint8Array) => (disk.set(rel, Buffer.from(b)), Promise.resolve(b.length)),
      remove: (rel: string) => (disk.delete(rel), Promise.resolve()),
    },
    recordingsDir: '/rec',
    ...opts,
  });
  const settle = () => new Promise((r) => setImmediate(r));
  return { thumbs, runs, disk, settle };
}

describe('recording thumbnails', () => {
  it('decodes the keyframes of the segment holding the moment up to its second, keeps the last, 160 px wide', async () => {
    const { thumbs, runs, settle } = harness();
    const p = thumbs.thumb(1, SEG.startAt + 2_600);
    await settle();
    expect(runs).toHaveLength(1);
    const a = runs[0]!.args;
    expect(a.slice(a.indexOf('-skip_frame'), a.indexOf('-i') + 2)).toEqual(['-skip_frame', 'nokey', '-t', '3', '-i', '/rec/1/2026-12-07/1000.ts']);
    expect(a).toContain('scale=160:-2');
    expect(a.slice(a.indexOf('-fps_mode'), a.indexOf('-fps_mode') + 2)).toEqual(['-fps_mode', 'passthrough']);
    runs[0]!.finish();
    expect(text(await p)).toBe('jpeg@3');
  });

  it('says why when no recording covers the moment', async () => {
    const { thumbs } = harness();
    await expect(thumbs.thumb(1, SEG.endAt + 10)).rejects.toMatchObject({ code: 'no_recording', status: 404 });
  });

  it('one ffmpeg for requests of the same second, none for a cached one', async () => {
    const { thumbs, runs, disk, settle } = harness();
    const a = thumbs.thumb(1, SEG.startAt + 1_100);
    const b = thumbs.thumb(1, SEG.startAt + 1_900);
    await settle();
    expect(runs).toHaveLength(1);
    runs[0]!.finish();
    expect((await a).equals(await b)).toBe(true);
    expect([...disk.keys()]).toEqual(['cache/thumbs/1-7-1.jpg']);
    expect(text(await thumbs.thumb(1, SEG.startAt + 1_500))).toBe('jpeg@2');
    expect(runs).toHaveLength(1);
  });

  it('a sweeping pointer: bounded ffmpegs, the oldest waiting request dropped, closed requests leave the queue', async () => {
    const { thumbs, runs, settle } = harness({ concurrency: 1, maxWaiting: 2 });
    const first = thumbs.thumb(1, SEG.startAt);
    await settle();
    const queued = [1, 2, 3].map((s) => thumbs.thumb(1, SEG.startAt + s * 1_000));
    const dropped = queued[0]!.catch((e: unknown) => e);
    const closed = new AbortController();
    await settle();
    expect(thumbs.stats()).toMatchObject({ running: 1, waiting: 2 });
    expect(await dropped).toMatchObject({ code: 'thumbnail_superseded', status: 503 });
    // A request the browser closed (its img moved on) leaves the queue without an ffmpeg.
    const gone = thumbs.thumb(1, SEG.startAt + 200, closed.signal); // second 0: shares the running job
    closed.abort();
    runs[0]!.finish();
    await first;
    await gone;
    await settle();
    // Newest first: second 3 runs before second 2.
    expect(runs.map((r) => r.args[r.args.indexOf('-t') + 1])).toEqual(['1', '4']);
    runs[1]!.finish();
    await settle();
    runs[2]!.finish();
    expect(text(await queued[1]!)).toBe('jpeg@3');
    expect(thumbs.stats()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('a queued request whose every asker went away is dropped', async () => {
    const { thumbs, runs, settle } = harness({ concurrency: 1 });
    const first = thumbs.thumb(1, SEG.startAt);
    const closed = new AbortController();
    const later = thumbs.thumb(1, SEG.startAt + 3_000, closed.signal);
    await settle();
    closed.abort();
    await expect(later).rejects.toMatchObject({ code: 'thumbnail_cancelled' });
    runs[0]!.finish();
    await first;
    await settle();
    expect(runs).toHaveLength(1);
  });

  it('the disk cache is bounded, least recently used out first', async () => {
    const { thumbs, runs, disk, settle } = harness({ maxFiles: 2 });
    for (const s of [0, 1, 2]) {
      const p = thumbs.thumb(1, SEG.startAt + s * 1_000);
      await settle();
      runs.at(-1)!.finish();
      await p;
      if (s === 1) await thumbs.thumb(1, SEG.startAt); // second 0 used again: second 1 is now the oldest
    }
    expect([...disk.keys()].sort()).toEqual(['cache/thumbs/1-7-0.jpg', 'cache/thumbs/1-7-2.jpg']);
  });
});
