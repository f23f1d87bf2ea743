import type { RelRect } from '../domain/camera.settings.privacy.js';

/**
 * Privacy masks as an ffmpeg filter: one `drawbox` per band rectangle (the bands of
 * domain/camera.settings.privacy.ts), in expressions of the picture's own size, so one filter
 * string serves every resolution (main stream, sub-stream, a clip, a JPEG). drawbox touches only
 * the pixels of its box: a mask costs a few memsets per frame, unlike geq's expression per pixel,
 * and it needs no mask picture as a second input (overlay), which a camera session's single input
 * and a JPEG piped on stdin would both make awkward. Edges round outwards, like pixelRects.
 */
export function blackoutFilter(rects: readonly RelRect[]): string {
  const n = (v: number) => Number(v.toFixed(5));
  return rects
    .map(([x0, y0, x1, y1]) => {
      const x = `floor(iw*${n(x0)})`;
      const y = `floor(ih*${n(y0)})`;
      return `drawbox=x=${x}:y=${y}:w=ceil(iw*${n(x1)})-${x}:h=ceil(ih*${n(y1)})-${y}:color=black@1:t=fill`;
    })
    .join(',');
}

/** The chain with the blackout in front (or alone); unchanged without rectangles. */
export const withBlackout = (rects: readonly RelRect[] | undefined, chain: string): string =>
  rects?.length ? (chain ? `${blackoutFilter(rects)},${chain}` : blackoutFilter(rects)) : chain;
