import { createHash } from 'node:crypto';
import { AppError } from '../shared/errors.js';

/** A photo as uploaded: its position in the form (for error fields) and bytes. */
export interface UploadedPhoto {
  index: number;
  filename: string | null;
  data: Buffer;
}
export interface CheckedPhoto {
  index: number;
  mime: 'image/jpeg' | 'image/png';
  ext: 'jpg' | 'png';
  data: Buffer;
  sha256: string;
}
/** Port: does the image really decode (not only start like one)? ffmpeg in production. */
export type ImageDecodes = (data: Buffer, mime: 'image/jpeg' | 'image/png') => Promise<boolean>;

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1', 'heif', 'avif']);

function sniff(data: Buffer): 'jpeg' | 'png' | 'heic' | null {
  if (data.length > 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  if (data.subarray(0, 8).equals(PNG_SIG)) return 'png';
  if (data.subarray(4, 8).toString('latin1') === 'ftyp' && HEIF_BRANDS.has(data.subarray(8, 12).toString('latin1'))) return 'heic';
  return null;
}

const photoError = (code: string, index: number, reason: string, status = 400, params: Record<string, unknown> = {}) =>
  new AppError(code, `photos[${index}]: ${reason}`, status, { field: `photos.${index}`, params: { index, n: index + 1, reason, ...params } });

/**
 * Checks every photo before anything is stored: a known type by its bytes (not its name),
 * within the size limit, and decoding as a whole. HEIC (iPhones' default) is refused with a
 * hint, since this server cannot decode it. EXIF and text metadata (GPS position, device) are
 * removed unless the reporter chose to share their location.
 */
export async function checkPhotos(photos: UploadedPhoto[], opts: { maxBytes: number; keepLocation: boolean; decodes: ImageDecodes }): Promise<CheckedPhoto[]> {
  const out: CheckedPhoto[] = [];
  for (const p of photos) {
    if (p.data.length > opts.maxBytes)
      throw photoError('photo_too_large', p.index, `larger than ${Math.round(opts.maxBytes / 1024 / 1024)} MB`, 413, { maxBytes: opts.maxBytes });
    const kind = sniff(p.data);
    if (kind === 'heic')
      throw photoError('photo_heic', p.index, 'HEIC photos cannot be read here; send JPEG or PNG (iPhone: Settings → Camera → Formats → Most Compatible)');
    if (!kind) throw photoError('photo_type', p.index, 'not a JPEG or PNG image');
    const mime = kind === 'jpeg' ? 'image/jpeg' : 'image/png';
    if (!(await opts.decodes(p.data, mime))) throw photoError('photo_unreadable', p.index, 'the image is damaged or incomplete and cannot be decoded');
    const data = opts.keepLocation ? p.data : kind === 'jpeg' ? stripJpegMetadata(p.data) : stripPngMetadata(p.data);
    out.push({ index: p.index, mime, ext: kind === 'jpeg' ? 'jpg' : 'png', data, sha256: createHash('sha256').update(data).digest('hex') });
  }
  return out;
}

/** Drops APP1 (EXIF, XMP: where GPS lives), APP13 (IPTC) and comments before the scan data. */
export function stripJpegMetadata(src: Buffer): Buffer {
  const keep: Buffer[] = [src.subarray(0, 2)];
  let pos = 2;
  while (pos + 4 <= src.length && src[pos] === 0xff) {
    const marker = src[pos + 1]!;
    if (marker === 0xda || marker === 0xd9) break; // start of scan: the rest is image data
    const len = src.readUInt16BE(pos + 2);
    const drop = marker === 0xe1 || marker === 0xed || marker === 0xfe;
    if (!drop) keep.push(src.subarray(pos, pos + 2 + len));
    pos += 2 + len;
  }
  keep.push(src.subarray(pos));
  return Buffer.concat(keep);
}

const PNG_DROP = new Set(['eXIf', 'tEXt', 'iTXt', 'zTXt', 'tIME']);

/** Drops PNG's EXIF and text chunks (where XMP and GPS go); chunks carry their own CRC, so the rest stays valid. */
export function stripPngMetadata(src: Buffer): Buffer {
  const keep: Buffer[] = [src.subarray(0, 8)];
  let pos = 8;
  while (pos + 12 <= src.length) {
    const len = src.readUInt32BE(pos);
    const type = src.subarray(pos + 4, pos + 8).toString('latin1');
    const end = pos + 12 + len;
    if (!PNG_DROP.has(type)) keep.push(src.subarray(pos, end));
    pos = end;
    if (type === 'IEND') break;
  }
  return Buffer.concat(keep);
}
