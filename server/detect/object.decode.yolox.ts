/**
 * YOLOX output → candidate rows. The exported graph (YOLOX tools/export_onnx.py, no decode in
 * the graph) gives [1, N, 5 + classes] per anchor: x, y as offsets in grid cells, w, h as log
 * sizes, objectness, class scores; anchors are the cells of the stride-8, 16 and 32 grids in
 * that order, row-major. This turns them into the same rows CenterNet emits —
 * x1, y1, x2, y2 (model-input pixels), score, class — so one decoder on the main thread
 * (object.model.ts: per-label thresholds, letterbox mapping, class-aware NMS) serves both.
 * Pure functions on typed arrays; runs in the worker so only a few rows cross threads.
 */

export const YOLOX_STRIDES: readonly number[] = [8, 16, 32];
/** Rows kept before NMS: far more than people in a frame, and bounds NMS (quadratic) on noise. */
export const YOLOX_MAX_CANDIDATES = 300;

/** Per-anchor grid x, y and stride for one input size, computed once per worker. */
export interface YoloxGrid {
  size: number;
  gx: Float32Array;
  gy: Float32Array;
  stride: Float32Array;
}

export function yoloxGrid(size: number, strides: readonly number[] = YOLOX_STRIDES): YoloxGrid {
  if (!Number.isInteger(size) || strides.some((s) => size % s !== 0))
    throw new RangeError(`YOLOX input size ${size} must be a multiple of ${Math.max(...strides)}`);
  const n = strides.reduce((sum, s) => sum + (size / s) ** 2, 0);
  const grid: YoloxGrid = { size, gx: new Float32Array(n), gy: new Float32Array(n), stride: new Float32Array(n) };
  let i = 0;
  for (const s of strides) {
    const cells = size / s;
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++, i++) {
        grid.gx[i] = x;
        grid.gy[i] = y;
        grid.stride[i] = s;
      }
    }
  }
  return grid;
}

/**
 * Decodes anchors whose best score (objectness × class score) is at least `minScore`: one row
 * per anchor, best class only (as YOLOX's own demo). The highest `maxRows` are kept.
 */
export function decodeYolox(out: Float32Array, grid: YoloxGrid, classes: number, minScore: number, maxRows = YOLOX_MAX_CANDIDATES): Float32Array {
  const width = 5 + classes;
  const anchors = grid.gx.length;
  if (out.length !== anchors * width)
    throw new RangeError(
      `YOLOX output has ${out.length} values; [1, ${anchors}, ${width}] was expected for input ${grid.size} and ${classes} labels (detect.model.inputSize, detect.model.labels)`,
    );
  const rows: number[] = [];
  for (let a = 0; a < anchors; a++) {
    const o = a * width;
    const objectness = out[o + 4]!;
    // score = objectness × class score ≤ objectness: most anchors stop here.
    if (!(objectness >= minScore)) continue;
    let best = 0;
    let cls = -1;
    for (let c = 0; c < classes; c++) {
      const v = out[o + 5 + c]!;
      if (v > best) {
        best = v;
        cls = c;
      }
    }
    const score = objectness * best;
    if (cls < 0 || !(score >= minScore)) continue;
    const s = grid.stride[a]!;
    const cx = (out[o]! + grid.gx[a]!) * s;
    const cy = (out[o + 1]! + grid.gy[a]!) * s;
    const w = Math.exp(out[o + 2]!) * s;
    const h = Math.exp(out[o + 3]!) * s;
    rows.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score, cls);
  }
  return topRows(rows, maxRows);
}

function topRows(rows: number[], maxRows: number): Float32Array {
  const count = rows.length / 6;
  if (count <= maxRows) return Float32Array.from(rows);
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => rows[b * 6 + 4]! - rows[a * 6 + 4]!);
  const kept = new Float32Array(maxRows * 6);
  for (let k = 0; k < maxRows; k++) kept.set(rows.slice(order[k]! * 6, order[k]! * 6 + 6), k * 6);
  return kept;
}
