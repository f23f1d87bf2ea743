import { open } from 'node:fs/promises';

/**
 * How much picture an MPEG-TS file being written holds, from its own timestamps. The file's
 * mtime says when ffmpeg last wrote, not what it wrote: an ffmpeg that fell behind (a loaded
 * machine, a stalled pipe) writes pictures seconds old, and a clip cut "to the mtime" then
 * ends seconds before the end it claims. Measured from the first and the last frame started
 * in the file (its last frame may still be incomplete, so the span ends where it begins).
 */

const PACKET = 188;
const SYNC = 0x47;
/** Read from each end: enough for a few frames of a sub-stream, whatever the bit rate. */
const HEAD_BYTES = PACKET * 64;
const TAIL_BYTES = PACKET * 1024;
const CLOCK_HZ = 90_000;

/**
 * The decode time (DTS, or PTS when there is none) of each video PES start in whole TS
 * packets of `buf`, in 90 kHz ticks. Packets that do not start with the sync byte are skipped.
 */
export function videoStartTimes(buf: Uint8Array): number[] {
  const out: number[] = [];
  for (let p = 0; p + PACKET <= buf.length; p += PACKET) {
    if (buf[p] !== SYNC || !(buf[p + 1]! & 0x40)) continue; // not a payload unit start
    const afc = (buf[p + 3]! >> 4) & 3;
    if (!(afc & 1)) continue; // no payload
    const pes = p + 4 + (afc & 2 ? 1 + buf[p + 4]! : 0);
    if (pes + 19 > p + PACKET) continue;
    if (buf[pes] !== 0 || buf[pes + 1] !== 0 || buf[pes + 2] !== 1) continue;
    if ((buf[pes + 3]! & 0xf0) !== 0xe0) continue; // not a video stream
    const flags = buf[pes + 7]! >> 6;
    if (flags === 3) out.push(timestamp(buf, pes + 14));
    else if (flags === 2) out.push(timestamp(buf, pes + 9));
  }
  return out;
}

/** A 33-bit PES timestamp (5 bytes with marker bits), without 32-bit overflow. */
function timestamp(b: Uint8Array, i: number): number {
  return ((b[i]! >> 1) & 0x07) * 2 ** 30 + b[i + 1]! * 2 ** 22 + (b[i + 2]! >> 1) * 2 ** 15 + b[i + 3]! * 2 ** 7 + (b[i + 4]! >> 1);
}

/**
 * Milliseconds of picture from the first frame of `file` to the start of its last frame, or
 * undefined when the file does not hold two frames yet (or cannot be read).
 */
export async function writtenSpanMs(file: string): Promise<number | undefined> {
  const fh = await open(file, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size - (size % PACKET)));
    await fh.read(head, 0, head.length, 0);
    const tailStart = Math.max(0, Math.floor((size - TAIL_BYTES) / PACKET) * PACKET);
    const tail = Buffer.alloc(Math.floor((size - tailStart) / PACKET) * PACKET);
    await fh.read(tail, 0, tail.length, tailStart);
    const first = videoStartTimes(head)[0];
    const last = videoStartTimes(tail).at(-1);
    if (first === undefined || last === undefined || last <= first) return undefined;
    return ((last - first) * 1000) / CLOCK_HZ;
  } finally {
    await fh.close();
  }
}
