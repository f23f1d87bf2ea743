import { createHash } from 'node:crypto';
import { blackoutRects, maskKey, type MaskAudience, type PrivacyMask } from '../domain/camera.settings.privacy.js';
import type { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import { blackoutFilter } from '../ingest/ffmpeg.blackout.js';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { maskedClipDir, type MediaFiles } from '../shared/media.files.js';
import { MaskedCache } from './privacy.cache.js';

/**
 * Privacy masks applied on the way out (issue 17): what a resident receives has every mask's
 * polygon black, staff get the original (and, for snapshots, the "hide from everyone" masks,
 * which recordings and the live JPEG already carry from ffmpeg). Stored media stay untouched:
 * the clip a police officer downloads is the one whose SHA-256 and manifest chain were recorded.
 *
 * JPEGs go through ffmpeg (decode, drawbox, encode): the product has a JPEG encoder in process
 * (events/jpeg.codec.ts) but no decoder, and a decoder written for this would cost more to keep
 * correct than a ~25 ms ffmpeg run per picture (bench: privacy). The run is shared: variants sit
 * in a byte-bounded cache keyed by the picture's content and the masks, so a snapshot opened by
 * 100 residents, or a live frame polled by all of them, is encoded once.
 *
 * Clips: a masked rendition (re-encoded H.264) is made once per clip and set of masks, stored
 * under masked/clips/<clip id>/ (removed with the clip by retention) beside a small JSON with its own SHA-256 and the original's, and reused.
 */
export interface PrivacyMaskerDeps {
  ffmpeg: Pick<FfmpegAdapter, 'exec'>;
  files: Pick<MediaFiles, 'abs' | 'read' | 'sha256' | 'size' | 'writeAtomic' | 'rename' | 'remove' | 'ensureDir'>;
  /** The camera's privacy masks; null when its stored masks no longer validate (then residents get nothing). */
  masksOf(cameraId: number): Promise<readonly PrivacyMask[] | null>;
  log: Logger;
  /** Bytes of masked JPEGs kept in memory (default 32 MB). */
  cacheBytes?: number;
  /** Deadline of one clip rendition (default 10 minutes). */
  clipTimeoutMs?: number;
}

/** Where a masked picture must carry which masks: staff see "everyone" masks only where ffmpeg did not already draw them. */
export type MaskedMedia = 'snapshot' | 'live' | 'clip';

export interface Rendition {
  rel: string;
  sha256: string | null;
  masked: boolean;
}

interface RenditionInfo {
  clipId: number;
  maskKey: string;
  sha256: string;
  bytes: number;
  originalSha256: string | null;
  createdAt: number;
}

export class PrivacyMasker {
  private readonly cache: MaskedCache;
  private readonly clipsInFlight = new Map<string, Promise<Rendition>>();

  constructor(private readonly d: PrivacyMaskerDeps) {
    this.cache = new MaskedCache(d.cacheBytes ?? 32 << 20);
  }

  /** JPEG encodes started (for the bench and tests: requests minus this is what the cache saved). */
  get jpegEncodes(): number {
    return this.cache.misses;
  }

  /** The masks this audience gets on this kind of media. */
  async masksFor(cameraId: number, audience: MaskAudience, media: MaskedMedia): Promise<PrivacyMask[]> {
    const masks = await this.d.masksOf(cameraId);
    if (masks === null) {
      // Fail closed: masks that cannot be read could be hiding anything.
      if (audience === 'resident')
        throw new AppError('privacy_mask_failed', `the privacy masks of camera ${cameraId} cannot be read; ask a technician to redraw them`, 503);
      return [];
    }
    if (audience === 'resident') return [...masks];
    return media === 'snapshot' ? masks.filter((m) => m.hide === 'everyone') : [];
  }

  /** A JPEG as this audience may see it: the same bytes when no mask applies. */
  async jpeg(cameraId: number, original: Buffer, audience: MaskAudience, media: MaskedMedia): Promise<Buffer> {
    const masks = await this.masksFor(cameraId, audience, media);
    const key = maskKey(masks, 'resident');
    if (!key) return original;
    const digest = createHash('sha1').update(original).digest('hex');
    return this.cache.get(`${cameraId}:${digest}:${key}`, () => this.maskJpeg(original, masks));
  }

  /** A stored JPEG (snapshot, poster) for this audience: its path when no mask applies, else the masked bytes. */
  async jpegFile(cameraId: number, rel: string, audience: MaskAudience, media: MaskedMedia): Promise<{ rel: string } | { data: Buffer }> {
    if (!(await this.masksFor(cameraId, audience, media)).length) return { rel };
    const original = await this.d.files.read(rel);
    if (!original) throw new AppError('no_media', 'this picture is no longer on disk', 404);
    return { data: await this.jpeg(cameraId, original, audience, media) };
  }

  private async maskJpeg(original: Buffer, masks: PrivacyMask[]): Promise<Buffer> {
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'image2pipe', '-c:v', 'mjpeg', '-i', 'pipe:0'];
    args.push('-vf', blackoutFilter(blackoutRects(masks, 'resident')), '-frames:v', '1', '-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2pipe', 'pipe:1');
    const r = await this.d.ffmpeg.exec(args, { stdin: original, timeoutMs: 20_000, maxStdout: 16 << 20 });
    // Fail closed: a picture that could not be masked is never handed out unmasked.
    if (r.code !== 0 || r.stdout.length === 0) {
      this.d.log.warn('privacy mask of a JPEG failed', { code: r.code, stderr: r.stderr.slice(-300) });
      throw new AppError('privacy_mask_failed', 'the picture could not be prepared with its privacy masks; try again', 503);
    }
    return r.stdout;
  }

  /** A clip's video for this audience: the original, or its masked rendition (made once, then reused). */
  async clip(clip: { id: number; cameraId: number; sha256: string | null }, rel: string, audience: MaskAudience): Promise<Rendition> {
    const masks = await this.masksFor(clip.cameraId, audience, 'clip');
    const key = maskKey(masks, 'resident');
    if (!key) return { rel, sha256: clip.sha256, masked: false };
    const out = `${maskedClipDir(clip.id)}/${key}.mp4`;
    const flight = this.clipsInFlight.get(out);
    if (flight) return flight;
    const job = this.rendition(clip, rel, masks, key, out).finally(() => this.clipsInFlight.delete(out));
    this.clipsInFlight.set(out, job);
    return job;
  }

  private async rendition(clip: { id: number; sha256: string | null }, rel: string, masks: PrivacyMask[], key: string, out: string): Promise<Rendition> {
    const infoRel = out.replace(/\.mp4$/, '.json');
    const known = await this.d.files.read(infoRel);
    if (known && (await this.d.files.size(out)) !== undefined) {
      const info = JSON.parse(known.toString('utf8')) as RenditionInfo;
      return { rel: out, sha256: info.sha256, masked: true };
    }
    await this.d.files.ensureDir(maskedClipDir(clip.id));
    const tmp = `${out}.part.mp4`;
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', this.d.files.abs(rel), '-map', '0:v:0', '-an'];
    args.push('-vf', blackoutFilter(blackoutRects(masks, 'resident')), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-pix_fmt', 'yuv420p');
    args.push('-movflags', '+faststart', '-f', 'mp4', this.d.files.abs(tmp));
    const r = await this.d.ffmpeg.exec(args, { timeoutMs: this.d.clipTimeoutMs ?? 600_000 });
    if (r.code !== 0) {
      await this.d.files.remove(tmp);
      this.d.log.warn('masked rendition of a clip failed', { clipId: clip.id, code: r.code, stderr: r.stderr.slice(-300) });
      throw new AppError('privacy_mask_failed', `clip ${clip.id} could not be prepared with its privacy masks; try again`, 503);
    }
    await this.d.files.rename(tmp, out);
    const info: RenditionInfo = {
      clipId: clip.id,
      maskKey: key,
      sha256: await this.d.files.sha256(out),
      bytes: (await this.d.files.size(out)) ?? 0,
      originalSha256: clip.sha256,
      createdAt: Date.now(),
    };
    await this.d.files.writeAtomic(infoRel, Buffer.from(JSON.stringify(info, null, 2)));
    return { rel: out, sha256: info.sha256, masked: true };
  }
}
