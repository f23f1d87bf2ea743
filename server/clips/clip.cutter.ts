import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { Recording, RecordingRepository } from '../store/recording.repository.js';
import { headContinues } from './clip.ranges.js';
import type { CutClip, CutRequest, CutResult, RecordingHead } from './clip.types.js';
import { serverStopping } from './clip.work.queue.js';

/**
 * Cuts a wall-clock range out of the continuous recording: the segments overlapping
 * [from, to) are concatenated by stream copy (concat demuxer, no decoding), the last one cut at
 * `to`, and remuxed to an MP4 with its index first (faststart). The clip starts at the first
 * segment's keyframe, at most one segment before `from`. The MP4 is written under a temporary
 * name and renamed, so a reader never sees half a clip.
 */

export interface ClipCutterDeps {
  recordings: RecordingRepository;
  ffmpeg: Pick<FfmpegAdapter, 'run' | 'probe'>;
  /** Recording paths in the index are relative to it (absolute paths are accepted too). */
  recordingsDir: string;
  log: Logger;
  /** Longest clip that may be cut at once. */
  maxRangeMs?: number;
  timeoutMs?: number;
  /** The segment each camera is recording now: a range may end in it (clip ready before it closes). */
  head?: RecordingHead;
}

export interface ClipResult extends CutResult {
  /** Wall-clock range actually covered by the segments used. */
  startAt: number;
  endAt: number;
  segments: number;
}

interface Segment {
  rec: Recording;
  file: string;
  /** The segment being written: it may be closed and moved while we read. */
  live?: boolean;
}

class LiveSegmentMoved extends Error {}

const concatLine = (file: string) => `file '${file.replace(/'/g, "'\\''")}'`;

export class ClipCutter {
  constructor(private readonly d: ClipCutterDeps) {}

  /** The CutClip port the events/clips area uses. */
  get cut(): CutClip {
    return (req) => this.cutClip(req);
  }

  async cutClip(req: CutRequest): Promise<ClipResult> {
    try {
      return await this.cutOnce(req);
    } catch (err) {
      // The segment being written was closed and moved into its day folder meanwhile: now it is indexed.
      if (err instanceof LiveSegmentMoved) return this.cutOnce(req);
      throw err;
    }
  }

  private async cutOnce({ cameraId, from, to, outPath, signal }: CutRequest): Promise<ClipResult> {
    if (!(Number.isFinite(from) && Number.isFinite(to) && to > from)) {
      throw new AppError('invalid_range', 'the clip range must end after it starts', 400, { field: 'to', params: { from, to } });
    }
    const maxRangeMs = this.d.maxRangeMs ?? 6 * 3_600_000;
    if (to - from > maxRangeMs) {
      throw new AppError('range_too_long', `a clip can cover at most ${maxRangeMs / 60_000} minutes`, 400, {
        field: 'to',
        params: { maxMinutes: maxRangeMs / 60_000 },
      });
    }
    const segs = await this.keptSegments(cameraId, from, to);
    if (segs.length === 0) throw await this.notKept(cameraId, from, to);

    const first = segs[0]!;
    const last = segs.at(-1)!;
    const codec = (await this.d.ffmpeg.probe(first.file)).videoCodec;
    await mkdir(path.dirname(outPath), { recursive: true });
    const tag = randomBytes(4).toString('hex');
    const listFile = `${outPath}.${tag}.ffconcat`;
    const partFile = `${outPath}.${tag}.part`;
    await writeFile(listFile, await this.concatList(segs, to));
    try {
      const r = await this.d.ffmpeg.run(
        [
          '-hide_banner',
          '-nostdin',
          '-loglevel',
          'error',
          '-y',
          '-f',
          'concat',
          '-safe',
          '0',
          '-i',
          listFile,
          '-map',
          '0:v:0',
          '-c',
          'copy',
          // Browsers (Safari) need the hvc1 tag to play H.265 at all; H.264 plays everywhere.
          ...(codec === 'hevc' ? ['-tag:v', 'hvc1'] : []),
          '-movflags',
          '+faststart',
          '-f',
          'mp4',
          partFile,
        ],
        { timeoutMs: this.d.timeoutMs ?? 120_000, signal },
      );
      if (r.aborted) throw serverStopping();
      if (r.code !== 0) {
        if (last.live && !existsSync(last.file)) throw new LiveSegmentMoved();
        throw new AppError('clip_failed', `could not cut the clip (ffmpeg ${r.signal ?? r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`, 500);
      }
      const { durationS } = await this.d.ffmpeg.probe(partFile);
      const { size } = await stat(partFile);
      await rename(partFile, outPath);
      return { path: outPath, durationS, bytes: size, startAt: first.rec.startAt, endAt: Math.min(to, last.rec.endAt), segments: segs.length };
    } finally {
      await rm(listFile, { force: true });
      await rm(partFile, { force: true });
    }
  }

  /**
   * Whole segments, the last one cut at `to` with an outpoint (dropping packets after it is
   * exact with stream copy; an inpoint is not: decoding must start at a keyframe, so the
   * clip starts at the first segment's start, at most one segment early).
   */
  private async concatList(segs: Segment[], to: number): Promise<string> {
    const lines = ['ffconcat version 1.0', ...segs.map((s) => concatLine(s.file))];
    const last = segs.at(-1)!;
    if (to < last.rec.endAt) {
      const { startS } = await this.d.ffmpeg.probe(last.file); // outpoint is in the file's own timestamps
      lines.push(`outpoint ${(startS + Math.max(0, to - last.rec.startAt) / 1000).toFixed(3)}`);
    }
    return lines.join('\n') + '\n';
  }

  /**
   * Indexed segments of the range whose files still exist (retention may be deleting right
   * now), then the segment being written when the range ends in it.
   */
  private async keptSegments(cameraId: number, from: number, to: number): Promise<Segment[]> {
    const recs = await this.d.recordings.overlapping(cameraId, from, to);
    const kept: Segment[] = recs
      .map((rec) => ({ rec, file: path.isAbsolute(rec.path) ? rec.path : path.join(this.d.recordingsDir, rec.path) }))
      .filter((s) => existsSync(s.file));
    const head = kept.length === recs.length && this.d.head ? await this.d.head(cameraId) : undefined;
    if (!headContinues(recs, head, from, to)) return kept;
    const rec: Recording = { id: 0, cameraId, path: head.file, startAt: head.startAt, endAt: head.writtenUntil, bytes: 0 };
    return [...kept, { rec, file: head.file, live: true }];
  }

  private async notKept(cameraId: number, from: number, to: number): Promise<AppError> {
    const earliest = await this.d.recordings.earliestStart(cameraId);
    const why =
      earliest === undefined
        ? 'nothing of this camera is recorded'
        : from < earliest
          ? `recordings of this camera are kept from ${new Date(earliest).toISOString()} on`
          : 'the camera was not recording then';
    return new AppError(
      'range_not_kept',
      `no recording of camera ${cameraId} between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}: ${why}`,
      404,
      {
        params: { cameraId, from, to, earliestKept: earliest ?? null },
      },
    );
  }
}
