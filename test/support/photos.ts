import { FfmpegAdapter } from '../../server/ingest/ffmpeg.adapter.js';

/** Test photos made by ffmpeg (a test pattern), and the EXIF block a phone would add. */
let adapter: Promise<FfmpegAdapter> | undefined;
const ffmpeg = () => (adapter ??= FfmpegAdapter.create());

export async function testPhoto(kind: 'jpeg' | 'png', size = '320x240'): Promise<Buffer> {
  const codec = kind === 'jpeg' ? ['-f', 'mjpeg'] : ['-c:v', 'png', '-f', 'image2pipe'];
  const r = await (
    await ffmpeg()
  ).exec(['-v', 'error', '-nostdin', '-f', 'lavfi', '-i', `testsrc=size=${size}`, '-frames:v', '1', ...codec, 'pipe:1'], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  return r.stdout;
}

/** An APP1 Exif segment carrying a (fake) GPS position, inserted after the JPEG's SOI. */
export const GPS_MARK = 'GPSLatitude 10.7626N GPSLongitude 106.6602E';
export function withExifGps(jpeg: Buffer): Buffer {
  // A minimal valid TIFF header with an empty IFD; the GPS text rides behind it as a phone's maker data would.
  const tiff = Buffer.from([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff, Buffer.from(GPS_MARK, 'latin1')]);
  const seg = Buffer.alloc(4);
  seg.writeUInt16BE(0xffe1, 0);
  seg.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), seg, payload, jpeg.subarray(2)]);
}

/** The start of a HEIC file (ftyp box, brand heic): what an iPhone sends by default. */
export const HEIC_HEAD = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(64)]);
