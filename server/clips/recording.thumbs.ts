import path from 'node:path';
import { rm } from 'node:fs/promises';
import type { FfmpegAdapter } from '../ingest/ffmpeg.adapter.js';
import { passthrough } from '../ingest/ffmpeg.args.js';
import { AppError } from '../shared/errors.js';
import type { MediaFiles } from '../shared/media.files.js';
import type { Recording, RecordingRepository } from '../store/recording.repository.js';

/** Width of a hover preview: a tooltip, not a picture to study. */
export const THUMB_WIDTH = 160;
const DIR = 'cache/thumbs';
/** Start of a JPEG (SOI + a marker); inside entropy-coded data 0xFF is always stuffed, so it cannot occur there. */
const JPEG_START = Buffer.from([0xff, 0xd8, 0xff]);

export interface ThumbsDeps {
  recordings: Pick<RecordingRepository, 'overlapping'>;
  ffmpeg: Pick<FfmpegAdapter, 'exec' | 'info'>;
  files: Pick<MediaFiles, 'abs' | 'read' | 'writeAtomic' | 'remove'>;
  /** Where the recording index's relative paths start. */
  recordingsDir: string;
  /** Thumbnails kept on disk (LRU); ≈ 5 KB each. */
  maxFiles?: number;
  /** ffmpegs decoding thumbnails at once. */
  concurrency?: number;
  /** Requests waiting for an ffmpeg; beyond this the oldest is dropped (the pointer has moved on). */
  maxWaiting?: number;
  timeoutMs?: number;
}

interface Job {
  key: string;
  run: () => Promise<Buffer>;
  resolve: (b: Buffer) => void;
  reject: (e: unknown) => void;
  /** Requests still wanting it; at 0 while queued it is dropped. */
  wanted: number;
  promise: Promise<Buffer>;
}

const superseded = () => new AppError('thumbnail_superseded', 'a newer preview was asked for; this one was dropped', 503);
const gone = () => new AppError('thumbnail_cancelled', 'the request for this preview was closed', 499);

/**
 * Hover previews of any moment of the continuous recording (issue 15): one small JPEG of the
 * recording at time t, decoded by ffmpeg from the indexed segment holding t. Only keyframes are
 * decoded (`-skip_frame nokey`), from the segment's start to the end of t's second, and the last
 * one is shown: the picture is the keyframe at or before t, up to one keyframe interval
 * (≈ 1–4 s on cameras) early — plenty for finding a moment. A 4 s segment costs one or two
 * keyframe decodes; the longest (60 s, 1080p, keyframe every 2 s) ≈ 30, about 0.4 s of CPU.
 *
 * Why on demand and not pre-generated strips (Frigate, UniFi Protect): strips cost CPU for
 * every recorded minute of every camera, forever, to serve the few minutes someone hovers.
 * On demand costs only what is looked at, and a sweeping mouse is kept cheap by: the UI asking
 * at most every ~150 ms and on a grid of whole seconds (server rounds too), identical requests
 * sharing one ffmpeg, at most `concurrency` ffmpegs, a short queue that drops its oldest entry
 * when a newer moment is asked for, and a request closed by the browser (its img src moved on)
 * leaving the queue. Results are cached on disk per (camera, segment, second), LRU-bounded.
 */
export class RecordingThumbs {
  private readonly cached = new Map<string, string>();
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  private running = 0;
  private wiped: Promise<void> | null = null;

  constructor(private readonly d: ThumbsDeps) {}

  /** The JPEG of camera `cameraId` at `at` (epoch ms). `signal`: the HTTP request went away. */
  async thumb(cameraId: number, at: number, signal?: AbortSignal): Promise<Buffer> {
    const seg = await this.segmentAt(cameraId, at);
    const offsetS = Math.floor((at - seg.startAt) / 1000);
    const key = `${cameraId}-${seg.id}-${offsetS}`;
    const rel = this.cached.get(key);
    if (rel) {
      const hit = await this.d.files.read(rel);
      if (hit) {
        this.cached.delete(key); // re-insert: most recently used last
        this.cached.set(key, rel);
        return hit;
      }
      this.cached.delete(key);
    }
    return this.enqueue(key, () => this.render(key, seg, offsetS), signal);
  }

  /** Counters for tests and health: ffmpegs running, requests waiting, thumbnails cached. */
  stats(): { running: number; waiting: number; cached: number } {
    return { running: this.running, waiting: this.waiting.length, cached: this.cached.size };
  }

  private async segmentAt(cameraId: number, at: number): Promise<Recording> {
    const seg = (await this.d.recordings.overlapping(cameraId, at, at + 1)).find((r) => r.startAt <= at && at < r.endAt);
    if (!seg) {
      throw new AppError(
        'no_recording',
        `no recording of camera ${cameraId} covers ${new Date(at).toISOString()} (a gap, older than retention, or still being written)`,
        404,
        {
          field: 'query.at',
          params: { cameraId, at },
        },
      );
    }
    return seg;
  }

  private enqueue(key: string, run: () => Promise<Buffer>, signal?: AbortSignal): Promise<Buffer> {
    let job = this.jobs.get(key);
    if (job) job.wanted++;
    else {
      let resolve!: (b: Buffer) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<Buffer>((res, rej) => ((resolve = res), (reject = rej)));
      job = { key, run, resolve, reject, wanted: 1, promise };
      this.jobs.set(key, job);
      this.waiting.push(job);
      while (this.waiting.length > (this.d.maxWaiting ?? 4)) this.drop(this.waiting[0]!, superseded());
      this.pump();
    }
    const j = job;
    signal?.addEventListener(
      'abort',
      () => {
        if (--j.wanted <= 0 && this.waiting.includes(j)) this.drop(j, gone());
      },
      { once: true },
    );
    return j.promise;
  }

  private drop(job: Job, err: AppError): void {
    this.waiting.splice(this.waiting.indexOf(job), 1);
    this.jobs.delete(job.key);
    job.reject(err);
  }

  private pump(): void {
    while (this.running < (this.d.concurrency ?? 2) && this.waiting.length) {
      // Newest first: the moment under the pointer now matters more than where it was.
      const job = this.waiting.pop()!;
      this.running++;
      job
        .run()
        .then(job.resolve, job.reject)
        .finally(() => {
          this.running--;
          this.jobs.delete(job.key);
          this.pump();
        });
    }
  }

  private async render(key: string, seg: Recording, offsetS: number): Promise<Buffer> {
    const input = path.join(this.d.recordingsDir, seg.path);
    // Keyframes only, from the segment's start up to the end of the asked second; the last one
    // is the picture. (An input -ss on MPEG-TS seeks by bytes to a packet, not to a keyframe:
    // it gave the keyframe *after* t, or nothing in a segment's last GOP.)
    const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-skip_frame', 'nokey', '-t', String(offsetS + 1), '-i', input];
    const out = ['-map', '0:v:0', '-vf', `scale=${THUMB_WIDTH}:-2`, ...passthrough(this.d.ffmpeg.info.version), '-q:v', '6', '-f', 'mjpeg', 'pipe:1'];
    const r = await this.d.ffmpeg.exec([...args, ...out], { timeoutMs: this.d.timeoutMs ?? 15_000, maxStdout: 4 << 20 });
    const last = r.stdout.lastIndexOf(JPEG_START);
    if (r.code !== 0 || last < 0) {
      const why = r.timedOut ? 'timed out' : r.code !== 0 ? String(r.signal ?? r.code) : 'no keyframe';
      throw new AppError('thumbnail_failed', `ffmpeg could not read a picture at ${offsetS} s of ${seg.path} (${why}): ${r.stderr.trim().slice(-300)}`, 500);
    }
    const jpeg = r.stdout.subarray(last);
    await this.store(key, jpeg);
    return jpeg;
  }

  private async store(key: string, jpeg: Buffer): Promise<void> {
    // Thumbnails of an earlier run are derived data: removed on first use.
    await (this.wiped ??= rm(this.d.files.abs(DIR), { recursive: true, force: true }));
    const rel = `${DIR}/${key}.jpg`;
    await this.d.files.writeAtomic(rel, jpeg);
    this.cached.set(key, rel);
    while (this.cached.size > (this.d.maxFiles ?? 2_000)) {
      const [old, oldRel] = this.cached.entries().next().value!;
      this.cached.delete(old);
      await this.d.files.remove(oldRel);
    }
  }
}
