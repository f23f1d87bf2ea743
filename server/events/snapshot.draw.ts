import type { Box } from '../domain/frame.js';
import { pixelRects, type RelRect } from '../domain/camera.settings.privacy.js';

/** A yuv420p picture: Y plane (width × height), then U and V at half width and height. */
export interface YuvImage {
  width: number;
  height: number;
  data: Uint8Array;
}

// Red in BT.601 limited range: stands out on grey night footage and on daylight streets.
const RED = { y: 81, u: 90, v: 240 };

/**
 * A copy of the picture with the box outlined (the original frame may be shared with other
 * stages, so it is never written). Thickness scales with the frame so the box stays visible
 * on a phone. Cost is a copy plus the outline: well under a millisecond at 640×360.
 */
export function drawBox(img: YuvImage, box: Box, thickness = Math.max(2, Math.round(Math.min(img.width, img.height) / 180))): YuvImage {
  const { width: w, height: h } = img;
  const out = new Uint8Array(img.data);
  const clamp = (v: number, max: number) => Math.min(Math.max(Math.round(v), 0), max);
  const x1 = clamp(box[0], w - 1),
    y1 = clamp(box[1], h - 1),
    x2 = clamp(box[2], w - 1),
    y2 = clamp(box[3], h - 1);
  if (x2 <= x1 || y2 <= y1) return { width: w, height: h, data: out };
  outline(out, 0, w, h, x1, y1, x2, y2, thickness, RED.y);
  const cw = w >> 1,
    ch = h >> 1,
    t2 = Math.max(1, thickness >> 1);
  outline(out, w * h, cw, ch, x1 >> 1, y1 >> 1, Math.min(x2 >> 1, cw - 1), Math.min(y2 >> 1, ch - 1), t2, RED.u);
  outline(out, w * h + cw * ch, cw, ch, x1 >> 1, y1 >> 1, Math.min(x2 >> 1, cw - 1), Math.min(y2 >> 1, ch - 1), t2, RED.v);
  return { width: w, height: h, data: out };
}

function outline(
  buf: Uint8Array,
  offset: number,
  stride: number,
  rows: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  t: number,
  value: number,
): void {
  const fillRect = (ax: number, ay: number, bx: number, by: number) => {
    for (let y = Math.max(ay, 0); y <= Math.min(by, rows - 1); y++) {
      buf.fill(value, offset + y * stride + Math.max(ax, 0), offset + y * stride + Math.min(bx, stride - 1) + 1);
    }
  };
  fillRect(x1, y1, x2, y1 + t - 1);
  fillRect(x1, y2 - t + 1, x2, y2);
  fillRect(x1, y1, x1 + t - 1, y2);
  fillRect(x2 - t + 1, y1, x2, y2);
}

/**
 * Fills the rectangles of "hide from everyone" privacy masks with black, in place (call it on a
 * copy, e.g. drawBox's): the stored snapshot never holds what is behind them. Y 16, U/V 128 is
 * black in the camera's limited range; chroma rectangles round outwards like the luma ones.
 */
export function blackout(img: YuvImage, rects: readonly RelRect[]): YuvImage {
  const { width: w, height: h, data } = img;
  const cw = w >> 1;
  const ch = h >> 1;
  for (const [x0, y0, x1, y1] of pixelRects(rects, w, h)) {
    for (let y = y0; y < y1; y++) data.fill(16, y * w + x0, y * w + x1);
    const [cx0, cy0, cx1, cy1] = [x0 >> 1, y0 >> 1, Math.min(cw, (x1 + 1) >> 1), Math.min(ch, (y1 + 1) >> 1)];
    for (let y = cy0; y < cy1; y++) {
      data.fill(128, w * h + y * cw + cx0, w * h + y * cw + cx1);
      data.fill(128, w * h + cw * ch + y * cw + cx0, w * h + cw * ch + y * cw + cx1);
    }
  }
  return img;
}
