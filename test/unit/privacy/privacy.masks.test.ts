import { describe, expect, it } from 'vitest';
import { cameraSettingsSchema } from '../../../server/domain/camera.settings.js';
import { blackoutRects, maskKey, masksFor, pixelRects, polygonBands, type PrivacyMask } from '../../../server/domain/camera.settings.privacy.js';
import { pointInPolygon, type Point } from '../../../server/domain/geometry.js';
import { withPrivacyMasks } from '../../../server/detect/detect.service.js';
import { motionSettings } from '../../../server/domain/camera.settings.motion.js';
import { blackoutFilter } from '../../../server/ingest/ffmpeg.blackout.js';
import { buildSessionArgs } from '../../../server/ingest/ffmpeg.args.js';
import { MaskedCache } from '../../../server/privacy/privacy.cache.js';
import { blackout } from '../../../server/events/snapshot.draw.js';

const quad: Point[] = [
  [0.2, 0.2],
  [0.6, 0.25],
  [0.5, 0.7],
  [0.25, 0.6],
];
const residents: PrivacyMask = { points: quad, hide: 'residents' };
const everyone: PrivacyMask = {
  points: [
    [0.7, 0.7],
    [0.9, 0.7],
    [0.9, 0.9],
  ],
  hide: 'everyone',
};

describe('privacy masks in the camera settings', () => {
  it('default to hiding from residents, and name the field of a bad polygon', () => {
    const s = cameraSettingsSchema.parse({ privacyMasks: [{ points: quad }] });
    expect(s.privacyMasks[0]!.hide).toBe('residents');
    const bad = cameraSettingsSchema.safeParse({
      privacyMasks: [
        {
          points: [
            [0, 0],
            [0.5, 0.5],
            [1, 1],
          ],
        },
      ],
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path.join('.')).toBe('privacyMasks.0.points');
    expect(bad.error!.issues[0]!.message).toMatch(/encloses no area/);
    expect(cameraSettingsSchema.safeParse({ privacyMasks: [{ points: quad, hide: 'police' }] }).success).toBe(false);
  });

  it('give residents every mask and staff only the "hide from everyone" ones', () => {
    expect(masksFor([residents, everyone], 'resident')).toHaveLength(2);
    expect(masksFor([residents, everyone], 'staff')).toEqual([everyone.points]);
    expect(maskKey([residents], 'staff')).toBe('');
    expect(maskKey([residents], 'resident')).not.toBe(maskKey([residents, everyone], 'resident'));
  });

  it('count as motion masks for detection', () => {
    const m = withPrivacyMasks(motionSettings({ masks: [everyone.points] }), [residents]);
    expect(m.masks).toEqual([everyone.points, quad]);
  });
});

describe('polygon bands', () => {
  it('cover every pixel inside the polygon, and little outside it', () => {
    const w = 1920;
    const h = 1080;
    const rects = pixelRects(polygonBands(quad), w, h);
    const covered = (x: number, y: number) => rects.some(([x0, y0, x1, y1]) => x >= x0 && x < x1 && y >= y0 && y < y1);
    let inside = 0;
    let extra = 0;
    for (let y = 0; y < h; y += 6)
      for (let x = 0; x < w; x += 6) {
        const inPoly = pointInPolygon((x + 0.5) / w, (y + 0.5) / h, quad);
        if (inPoly) {
          inside++;
          expect(covered(x, y)).toBe(true);
        } else if (covered(x, y)) extra++;
      }
    expect(extra / inside).toBeLessThan(0.05);
  });

  it('make a rectangle one box', () => {
    expect(
      polygonBands([
        [0.1, 0.1],
        [0.4, 0.1],
        [0.4, 0.3],
        [0.1, 0.3],
      ]),
    ).toEqual([[0.1, 0.1, 0.4, 0.3]]);
  });
});

describe('the ffmpeg blackout', () => {
  it('is one filled drawbox per band in the picture size, rounded outwards', () => {
    const f = blackoutFilter([[0.1, 0.2, 0.4, 0.3]]);
    expect(f).toBe('drawbox=x=floor(iw*0.1):y=floor(ih*0.2):w=ceil(iw*0.4)-floor(iw*0.1):h=ceil(ih*0.3)-floor(ih*0.2):color=black@1:t=fill');
  });

  it('turns the recording from a stream copy into an encode, and draws on the live JPEG before scaling', () => {
    const v = { major: 5, minor: 1, lavfMajor: 59 } as never;
    const src = { kind: 'rtsp', url: 'rtsp://cam/1', transport: 'tcp' } as const;
    const rects = blackoutRects([everyone], 'staff');
    const record = { liveDir: '/tmp/x', filePrefix: '1', segmentSeconds: 4 };
    const plain = buildSessionArgs(src, src.url, { record, jpeg: { fps: 1, width: 640, quality: 7 } }, v, { socketTimeoutMs: 5000, decodeThreads: 1 }).args;
    expect(plain.join(' ')).toContain('-c:v copy');
    const masked = buildSessionArgs(src, src.url, { record: { ...record, blackout: rects }, jpeg: { fps: 1, width: 640, quality: 7, blackout: rects } }, v, {
      socketTimeoutMs: 5000,
      decodeThreads: 1,
    }).args;
    expect(masked.join(' ')).not.toContain('-c:v copy');
    expect(masked.join(' ')).toContain('libx264');
    const vfs = masked.flatMap((a, i) => (a === '-vf' ? [masked[i + 1]!] : []));
    expect(vfs[0]).toMatch(/^drawbox=/);
    expect(vfs[1]).toMatch(/^fps=1,drawbox=.*,scale=/);
  });
});

describe('the masked-variant cache', () => {
  it('makes one encode for many requests at once, and retries after a failure', async () => {
    const cache = new MaskedCache(1 << 20);
    let runs = 0;
    const make = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 5));
      return Buffer.alloc(100);
    };
    await Promise.all(Array.from({ length: 100 }, () => cache.get('a', make)));
    expect(runs).toBe(1);
    await expect(cache.get('b', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await cache.get('b', make);
    expect(runs).toBe(2);
  });

  it('stays within its byte bound', async () => {
    const cache = new MaskedCache(250);
    for (const k of ['a', 'b', 'c']) await cache.get(k, async () => Buffer.alloc(100));
    await new Promise((r) => setImmediate(r));
    let remade = 0;
    await cache.get('a', async () => (remade++, Buffer.alloc(100)));
    expect(remade).toBe(1);
  });
});

describe('"hide from everyone" masks in event snapshots', () => {
  it('black out the polygon in the YUV picture before it is encoded, and nothing else', () => {
    const w = 64;
    const h = 36;
    const img = { width: w, height: h, data: new Uint8Array(w * h * 1.5).fill(200) };
    blackout(img, blackoutRects([everyone], 'staff'));
    const y = (x: number, yy: number) => img.data[yy * w + x]!;
    const u = (x: number, yy: number) => img.data[w * h + (yy >> 1) * (w >> 1) + (x >> 1)]!;
    expect(y(Math.round(0.85 * w), Math.round(0.75 * h))).toBe(16);
    expect(u(Math.round(0.85 * w), Math.round(0.75 * h))).toBe(128);
    expect(y(Math.round(0.2 * w), Math.round(0.2 * h))).toBe(200);
    expect(y(Math.round(0.72 * w), Math.round(0.88 * h))).toBe(200); // outside the triangle, below its slanted edge
    expect(img.data.filter((v) => v === 16).length).toBeLessThan(w * h * 0.05);
  });
});
