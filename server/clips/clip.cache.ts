import { rm } from 'node:fs/promises';
import type { Logger } from '../shared/log.js';
import type { MediaFiles } from '../shared/media.files.js';
import type { ClipRecord } from '../store/clip.repository.js';
import type { Mp4Tools } from './clip.ffmpeg.js';
import type { CutClip, RangeHolds } from './clip.types.js';
import { PRIORITY, throwIfStopping, type ClipWorkQueue } from './clip.work.queue.js';

const DIR = 'cache/clips';

interface Entry {
  bytes: number;
}

/**
 * Event clips are ranges of the continuous recording (issue 19 item 3): nothing is cut when
 * an event ends. The first request for a clip's video or poster cuts it — stream copy of the
 * covering segments into a faststart MP4, tens of milliseconds of I/O, no decoding — and the
 * result is kept in an LRU bounded by bytes. A faststart MP4 rather than a live fragmented
 * stream because the player seeks with Range requests, which need a file of known length;
 * the cache makes those repeated requests free. The cache is derived data: wiped at start.
 */
export class ClipCache {
  private readonly entries = new Map<number, Entry>();
  private readonly inFlight = new Map<number, Promise<void>>();
  private total = 0;

  constructor(
    private readonly d: {
      files: MediaFiles;
      cutClip: CutClip;
      mp4: Mp4Tools;
      queue: ClipWorkQueue;
      holds?: RangeHolds;
      maxBytes: number;
      log: Logger;
    },
  ) {}

  async start(): Promise<void> {
    await rm(this.d.files.abs(DIR), { recursive: true, force: true });
  }

  get bytes(): number {
    return this.total;
  }

  static paths(id: number) {
    const base = `${DIR}/clip-${id}`;
    return { video: `${base}.mp4`, poster: `${base}.jpg`, cut: `${base}.cut.part.mp4`, fast: `${base}.fast.part.mp4`, posterTmp: `${base}.part.jpg` };
  }

  /** The relative path of the clip's cached video or poster, cut now if it is not cached. */
  async get(clip: ClipRecord, which: 'video' | 'poster', posterAtS: number): Promise<string> {
    const p = ClipCache.paths(clip.id);
    const hit = this.entries.get(clip.id);
    if (hit && (await this.d.files.size(p.video)) !== undefined) {
      this.entries.delete(clip.id); // re-insert: most recently used last
      this.entries.set(clip.id, hit);
    } else {
      let job = this.inFlight.get(clip.id);
      if (!job) {
        job = this.d.queue.run(PRIORITY.viewer, (signal) => this.cut(clip, posterAtS, signal)).finally(() => this.inFlight.delete(clip.id));
        this.inFlight.set(clip.id, job);
      }
      await job;
    }
    return which === 'video' ? p.video : p.poster;
  }

  private async cut(clip: ClipRecord, posterAtS: number, signal: AbortSignal): Promise<void> {
    const p = ClipCache.paths(clip.id);
    const release = this.d.holds?.hold(clip.cameraId, clip.startAt, clip.endAt);
    try {
      await this.d.files.ensureDir(DIR);
      const cut = await this.d.cutClip({ cameraId: clip.cameraId, from: clip.startAt, to: clip.endAt, outPath: this.d.files.abs(p.cut), signal });
      let video = p.cut;
      if (!(await this.d.mp4.isFastStart(this.d.files.abs(p.cut)))) {
        await this.d.mp4.faststart(this.d.files.abs(p.cut), this.d.files.abs(p.fast), signal);
        video = p.fast;
      }
      await this.d.mp4.poster(this.d.files.abs(video), this.d.files.abs(p.posterTmp), Math.min(posterAtS, Math.max(0, cut.durationS - 0.2)), signal);
      throwIfStopping(signal);
      await this.d.files.rename(p.posterTmp, p.poster);
      await this.d.files.rename(video, p.video);
      const bytes = ((await this.d.files.size(p.video)) ?? 0) + ((await this.d.files.size(p.poster)) ?? 0);
      this.forget(clip.id);
      this.entries.set(clip.id, { bytes });
      this.total += bytes;
      await this.evict(clip.id);
    } finally {
      release?.();
      for (const tmp of [p.cut, p.fast, p.posterTmp]) await this.d.files.remove(tmp);
    }
  }

  /** Least recently used first, never the one just made (a request is about to read it). */
  private async evict(keep: number): Promise<void> {
    for (const [id] of this.entries) {
      if (this.total <= this.d.maxBytes) return;
      if (id === keep || this.inFlight.has(id)) continue;
      const p = ClipCache.paths(id);
      // A response still streaming the file keeps reading it: unlinking does not cut it short.
      await this.d.files.remove(p.video);
      await this.d.files.remove(p.poster);
      this.forget(id);
    }
  }

  private forget(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.total -= e.bytes;
    this.entries.delete(id);
  }
}
