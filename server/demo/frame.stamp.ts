/**
 * A machine-readable wall-clock stamp burned into a frame's Y (grey) plane, so the benchmark
 * can measure latency from the picture itself: the simulated camera writes the epoch ms at
 * which it publishes a frame, the detection path reads it back from the decoded frame.
 *
 * It must survive what happens between the two: H.264 compression and rescaling (the
 * detect path turns 768×576 into 640×480, 1280×720 into 640×360, or smaller). So the stamp
 * is a strip of big black/white cells at the top of the frame, each cell a fixed fraction
 * of the frame's width and height, read by averaging the centre of each cell.
 *
 * Layout: STAMP_ROWS rows × STAMP_COLS cells. The four corner cells are fixed markers
 * (white, black / black, white) that give the reader its threshold and reject frames
 * without a stamp; the remaining 60 cells carry 48 data bits (epoch ms, most significant
 * first) then a CRC-8 of those 6 bytes, then 4 fixed pattern bits. A reading whose cells
 * are not clearly black or white, or whose CRC does not match, is null: a wrong stamp would
 * corrupt latency figures, a missing one only loses a sample.
 */

export const STAMP_COLS = 32;
export const STAMP_ROWS = 2;
/** Each row is this fraction of the frame height (the whole strip is 2/32 = 1/16). */
const ROW_FRACTION = 1 / 32;
const WHITE = 235;
const BLACK = 16;
const DATA_BITS = 48;
const CRC_BITS = 8;
const PATTERN = [1, 0, 1, 0];
/** Darkest allowed white-minus-black marker contrast; below it the strip is not a stamp. */
const MIN_CONTRAST = 80;
/** Every cell must be at least this fraction of the contrast away from the threshold. */
const MIN_MARGIN = 0.2;

/** Rows of the frame covered by the stamp (mask them out of motion detection). */
export function stampStripHeight(height: number): number {
  return Math.min(height, Math.round(height * ROW_FRACTION * STAMP_ROWS));
}

interface Cell {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

function cellRect(col: number, row: number, width: number, height: number): Cell {
  const rowH = height * ROW_FRACTION;
  return {
    x0: Math.round((col * width) / STAMP_COLS),
    x1: Math.round(((col + 1) * width) / STAMP_COLS),
    y0: Math.round(row * rowH),
    y1: Math.round((row + 1) * rowH),
  };
}

/** Cell index (row-major) of each marker and its colour (1 = white). */
const MARKERS: ReadonlyArray<readonly [number, number]> = [
  [0, 1],
  [STAMP_COLS - 1, 0],
  [STAMP_COLS, 0],
  [2 * STAMP_COLS - 1, 1],
];
const MARKER_INDEX = new Set(MARKERS.map(([i]) => i));
/** Payload cells in order: every cell that is not a marker. */
const PAYLOAD_CELLS: number[] = Array.from({ length: STAMP_COLS * STAMP_ROWS }, (_, i) => i).filter((i) => !MARKER_INDEX.has(i));

/** CRC-8 (polynomial 0x07) over bytes: cheap and catches burst errors a parity bit misses. */
export function crc8(bytes: readonly number[]): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function toBytes(epochMs: number): number[] {
  const bytes: number[] = [];
  let v = Math.floor(epochMs);
  for (let i = 0; i < DATA_BITS / 8; i++) {
    bytes.unshift(v % 256);
    v = Math.floor(v / 256);
  }
  return bytes;
}

function payloadBits(epochMs: number): number[] {
  const bytes = toBytes(epochMs);
  const bits: number[] = [];
  for (const byte of [...bytes, crc8(bytes)]) {
    for (let i = 7; i >= 0; i--) bits.push((byte >> i) & 1);
  }
  return [...bits, ...PATTERN];
}

function fillCell(y: Uint8Array, width: number, cell: Cell, value: number): void {
  for (let row = cell.y0; row < cell.y1; row++) y.fill(value, row * width + cell.x0, row * width + cell.x1);
}

/** Burns `epochMs` (integer ms, 0 ≤ value < 2^48) into the top strip of the Y plane. */
export function writeStamp(y: Uint8Array, width: number, height: number, epochMs: number): void {
  if (!Number.isFinite(epochMs) || epochMs < 0 || epochMs >= 2 ** DATA_BITS) throw new RangeError(`stamp out of range: ${epochMs}`);
  if (y.length < width * height) throw new RangeError(`Y plane too small for ${width}x${height}`);
  const bits = payloadBits(epochMs);
  const colourOf = new Map<number, number>(MARKERS.map(([i, c]) => [i, c]));
  PAYLOAD_CELLS.forEach((cellIndex, k) => colourOf.set(cellIndex, bits[k] ?? 0));
  for (const [index, bit] of colourOf) {
    const cell = cellRect(index % STAMP_COLS, Math.floor(index / STAMP_COLS), width, height);
    fillCell(y, width, cell, bit ? WHITE : BLACK);
  }
}

/**
 * Writes the stamp into a whole yuv420p frame and greys the chroma under it, so the cells
 * stay black and white after colour conversion (the detector sees RGB).
 */
export function writeStampYuv420p(frame: Uint8Array, width: number, height: number, epochMs: number): void {
  writeStamp(frame, width, height, epochMs);
  const cw = width >> 1;
  const ch = height >> 1;
  const rows = Math.min(ch, Math.ceil(stampStripHeight(height) / 2) + 1);
  for (const base of [width * height, width * height + cw * ch]) {
    if (frame.length >= base + rows * cw) frame.fill(128, base, base + rows * cw);
  }
}

/** Mean of the central half of a cell: edges blur under scaling and H.264 ringing. */
function cellMean(y: Uint8Array, width: number, cell: Cell): number {
  const mx = Math.floor((cell.x1 - cell.x0) / 4);
  const my = Math.floor((cell.y1 - cell.y0) / 4);
  const x0 = cell.x0 + mx;
  const x1 = Math.max(x0 + 1, cell.x1 - mx);
  const y0 = cell.y0 + my;
  const y1 = Math.max(y0 + 1, cell.y1 - my);
  let sum = 0;
  for (let row = y0; row < y1; row++) {
    for (let x = x0; x < x1; x++) sum += y[row * width + x] ?? 0;
  }
  return sum / ((x1 - x0) * (y1 - y0));
}

function readCells(y: Uint8Array, width: number, height: number): number[] {
  const means: number[] = [];
  for (let i = 0; i < STAMP_COLS * STAMP_ROWS; i++) {
    means.push(cellMean(y, width, cellRect(i % STAMP_COLS, Math.floor(i / STAMP_COLS), width, height)));
  }
  return means;
}

function bitsToNumber(bits: readonly number[]): number {
  return bits.reduce((acc, b) => acc * 2 + b, 0);
}

/** Reads the stamp back; null when there is none or it cannot be read with confidence. */
export function readStamp(y: Uint8Array, width: number, height: number): number | null {
  // Cells narrower than 2 px or rows shorter than 2 px cannot be sampled away from edges.
  if (width < STAMP_COLS * 2 || height * ROW_FRACTION < 2 || y.length < width * height) return null;
  const means = readCells(y, width, height);
  const whites = MARKERS.filter(([, c]) => c === 1).map(([i]) => means[i] ?? 0);
  const blacks = MARKERS.filter(([, c]) => c === 0).map(([i]) => means[i] ?? 0);
  const white = Math.min(...whites);
  const black = Math.max(...blacks);
  const contrast = white - black;
  if (contrast < MIN_CONTRAST) return null;
  const threshold = (white + black) / 2;
  const margin = contrast * MIN_MARGIN;
  const bits: number[] = [];
  for (const index of PAYLOAD_CELLS) {
    const m = means[index] ?? 0;
    if (Math.abs(m - threshold) < margin) return null;
    bits.push(m > threshold ? 1 : 0);
  }
  const pattern = bits.slice(DATA_BITS + CRC_BITS);
  if (pattern.some((b, i) => b !== PATTERN[i])) return null;
  const bytes: number[] = [];
  for (let i = 0; i < DATA_BITS; i += 8) bytes.push(bitsToNumber(bits.slice(i, i + 8)));
  if (crc8(bytes) !== bitsToNumber(bits.slice(DATA_BITS, DATA_BITS + CRC_BITS))) return null;
  return bitsToNumber(bits.slice(0, DATA_BITS));
}
