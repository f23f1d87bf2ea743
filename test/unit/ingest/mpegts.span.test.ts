import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { videoStartTimes, writtenSpanMs } from '../../../server/ingest/mpegts.span.js';
import { testVideo } from '../../support/media.js';
import { tempDir } from '../../support/tmp.js';

/** A real MPEG-TS segment as the recorder writes it (ffmpeg, H.264 with B-frames: DTS differs from PTS), 3 s at 10 fps. */
const tmp = tempDir('binhyen-mpegts-');
const full = path.join(tmp.dir, 'full.ts');
beforeAll(() => testVideo(full, { seconds: 3, bFrames: 2 }));
afterAll(() => tmp.remove());

describe('the picture an MPEG-TS file being written holds', () => {
  it('spans from its first frame to the start of its last one', async () => {
    expect(await writtenSpanMs(full)).toBeCloseTo(2900, -1);
    expect(videoStartTimes(readFileSync(full))).toHaveLength(30);
  });

  it('counts only what is written so far when the file is cut short, even mid-packet', async () => {
    const bytes = readFileSync(full);
    const half = path.join(tmp.dir, 'half.ts');
    writeFileSync(half, bytes.subarray(0, Math.floor(bytes.length / 2) + 77));
    const span = (await writtenSpanMs(half))!;
    expect(span).toBeGreaterThan(800);
    expect(span).toBeLessThan(2200);
  });

  it('knows nothing of a file with one frame, no frames, or that is not MPEG-TS', async () => {
    const bytes = readFileSync(full);
    const times = videoStartTimes(bytes);
    expect(times[1]! - times[0]!).toBe(9000); // 100 ms in 90 kHz ticks
    const tiny = path.join(tmp.dir, 'tiny.ts');
    writeFileSync(tiny, bytes.subarray(0, 188 * 3));
    expect(await writtenSpanMs(tiny)).toBeUndefined();
    const junk = path.join(tmp.dir, 'junk.ts');
    writeFileSync(junk, Buffer.alloc(188 * 100, 0x47));
    expect(await writtenSpanMs(junk)).toBeUndefined();
    expect(await writtenSpanMs(path.join(tmp.dir, 'missing.ts'))).toBeUndefined();
  });
});
