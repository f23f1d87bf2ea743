import { z } from 'zod';
import { polygonArea, type Point } from './geometry.js';

/**
 * Privacy masks (vùng che riêng tư, issue 17): polygons a technician draws over what the
 * camera must not show — a neighbour's window, a yard, a door. Unlike motion masks (vùng loại
 * trừ, which only stop motion counting) they black out the picture:
 * - `residents` (the default): everything a resident can receive (event snapshots, clips and
 *   their posters, the live picture) has the polygon black; police, technicians and admins get
 *   the original, for evidence.
 * - `everyone`: also burned into the recording at recording time (re-encoded through an ffmpeg
 *   filter, a CPU cost per camera: see the privacy bench) and into the live JPEG and event
 *   snapshots, so nobody sees behind it from then on. Recordings made before keep the picture.
 * Both kinds also count as motion masks: nothing behind them wakes detection.
 */

export const PRIVACY_AUDIENCES = ['residents', 'everyone'] as const;
export type PrivacyHide = (typeof PRIVACY_AUDIENCES)[number];

const relative = z.number().min(0, 'must be between 0 and 1 (fraction of the frame)').max(1, 'must be between 0 and 1 (fraction of the frame)');

export const privacyMaskSchema = z
  .object({
    points: z
      .array(z.tuple([relative, relative]), { error: 'a privacy mask is a list of [x, y] points' })
      .min(3, 'a privacy mask needs at least 3 points')
      .max(64, 'a privacy mask has at most 64 points')
      .refine((poly) => polygonArea(poly) > 1e-6, 'the privacy mask encloses no area: its points lie on a line or on top of each other'),
    hide: z
      .enum(PRIVACY_AUDIENCES)
      .default('residents')
      .describe('Hide from residents only (police keep the original) or from everyone (burned into the recording)'),
  })
  .strict();

export const privacyMasksSchema = z.array(privacyMaskSchema).max(16, 'at most 16 privacy masks').default([]);

export type PrivacyMask = z.infer<typeof privacyMaskSchema>;

/** Who is looking: staff (police, technicians, admins) see the original except `everyone` masks. */
export type MaskAudience = 'staff' | 'resident';

/** The polygons to black out for this audience. */
export function masksFor(masks: readonly PrivacyMask[], audience: MaskAudience): Point[][] {
  return masks.filter((m) => audience === 'resident' || m.hide === 'everyone').map((m) => m.points);
}

/** A frame-relative rectangle [x0, y0, x1, y1] (0..1). */
export type RelRect = [number, number, number, number];

/** Bands per frame height: 1/120 (9 px at 1080p, 3 px at 360p) keeps slanted edges close. */
const BANDS_PER_FRAME = 120;

/**
 * A polygon as horizontal bands of rectangles that together cover it: each band spans the
 * polygon's x-extent within the band's rows, so the cover can be a little larger than the
 * polygon (a concave notch inside one band, the staircase of a slanted edge), never smaller.
 * Consecutive bands of the same extent merge (a rectangle is one box). Rectangles are what
 * ffmpeg's drawbox and a plain fill of YUV planes can draw at no per-pixel test.
 */
export function polygonBands(poly: readonly Point[], bandsPerFrame = BANDS_PER_FRAME): RelRect[] {
  const ys = poly.map((p) => p[1]);
  const top = Math.min(...ys);
  const bottom = Math.max(...ys);
  const first = Math.floor(top * bandsPerFrame);
  const last = Math.max(first, Math.ceil(bottom * bandsPerFrame) - 1);
  const out: RelRect[] = [];
  for (let k = first; k <= last; k++) {
    const y0 = Math.max(top, k / bandsPerFrame);
    const y1 = Math.min(bottom, (k + 1) / bandsPerFrame);
    const span = xExtent(poly, y0, y1);
    if (!span) continue;
    const prev = out[out.length - 1];
    const rect: RelRect = [span[0], k / bandsPerFrame, span[1], (k + 1) / bandsPerFrame];
    if (prev && Math.abs(prev[0] - rect[0]) < 1e-6 && Math.abs(prev[2] - rect[2]) < 1e-6 && Math.abs(prev[3] - rect[1]) < 1e-9) prev[3] = rect[3];
    else out.push(rect);
  }
  return out.map(([a, b, c, d]) => [clamp01(a), clamp01(Math.max(b, top)), clamp01(c), clamp01(Math.min(d, bottom))]);
}

/** The x-extent of the polygon between two rows: every edge clipped to [y0, y1], min and max of its ends. */
function xExtent(poly: readonly Point[], y0: number, y1: number): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [ax, ay] = poly[j]!;
    const [bx, by] = poly[i]!;
    const eTop = Math.min(ay, by);
    const eBottom = Math.max(ay, by);
    if (eBottom < y0 || eTop > y1) continue;
    const at = (y: number) => (ay === by ? [ax, bx] : [ax + ((y - ay) * (bx - ax)) / (by - ay)]);
    for (const x of [...at(Math.max(eTop, y0)), ...at(Math.min(eBottom, y1))]) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
  }
  return hi > lo ? [lo, hi] : undefined;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** Every polygon's bands, for one audience. */
export const blackoutRects = (masks: readonly PrivacyMask[], audience: MaskAudience): RelRect[] => masksFor(masks, audience).flatMap((p) => polygonBands(p));

/** Rectangles in whole pixels of a width × height picture, rounded outwards (never a sliver left showing). */
export function pixelRects(rects: readonly RelRect[], width: number, height: number): [number, number, number, number][] {
  return rects.map(([x0, y0, x1, y1]) => [
    Math.floor(x0 * width),
    Math.floor(y0 * height),
    Math.min(width, Math.ceil(x1 * width)),
    Math.min(height, Math.ceil(y1 * height)),
  ]);
}

/** A short stable key of the masks an audience gets: cached masked media are named by it. */
export function maskKey(masks: readonly PrivacyMask[], audience: MaskAudience): string {
  const polys = masksFor(masks, audience);
  if (!polys.length) return '';
  let h = 2166136261;
  for (const ch of JSON.stringify(polys)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return `${polys.length}-${h.toString(16)}`;
}
