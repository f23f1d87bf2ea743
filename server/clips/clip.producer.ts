import { AppError } from '../shared/errors.js';
import type { ClipRecord } from '../store/clip.repository.js';
import type { Repositories } from '../store/store.js';
import { dayFolder, type MediaFiles } from '../shared/media.files.js';
import type { Clock } from '../shared/clock.js';
import type { CutClip, RangeHolds } from './clip.types.js';
import type { WriteRetry } from '../store/write.retry.js';
import type { Mp4Tools } from './clip.ffmpeg.js';
import { throwIfStopping } from './clip.work.queue.js';

export interface ClipProducerDeps {
  repos: Pick<Repositories, 'clips'>;
  files: MediaFiles;
  cutClip: CutClip;
  mp4: Mp4Tools;
  clock: Clock;
  /** Recording retention keeps the range while it is cut. */
  holds?: RangeHolds;
  /** The row change after the files are in place is retried on a locked database (file and row change together). */
  writes?: Pick<WriteRetry, 'run'>;
}

/** Where a clip's files live (relative to the data dir); `.part` names are interrupted work. */
export function clipPaths(c: Pick<ClipRecord, 'id' | 'cameraId' | 'startAt' | 'kind'>) {
  const dir = `${c.kind === 'export' ? 'exports' : 'clips'}/${c.cameraId}/${dayFolder(c.startAt)}`;
  const base = `${dir}/${c.kind}-${c.id}`;
  return {
    dir,
    video: `${base}.mp4`,
    poster: `${base}.jpg`,
    manifest: `${base}.json`,
    cut: `${base}.cut.part.mp4`,
    fast: `${base}.fast.part.mp4`,
    posterTmp: `${base}.part.jpg`,
  };
}

/**
 * Makes a clip's own files (exports, pinned clips; other clips are served from the recording): cut from the recording (stream copy), faststart remux when the cut
 * is not already, poster frame, SHA-256 of the finished file, then rename to the final name
 * and mark the row ready. Until that last step nothing is marked ready, and the temporary
 * `.part` files are removed on failure (and at the next start, after a crash).
 */
export class ClipProducer {
  constructor(private readonly d: ClipProducerDeps) {}

  /**
   * `signal` (the work queue's): a server stop kills the running ffmpeg, the temporary files
   * are removed and nothing is renamed to its final name; the row is left as it was.
   */
  async produce(clip: ClipRecord, posterAtS: number, signal?: AbortSignal): Promise<ClipRecord> {
    const p = clipPaths(clip);
    const release = this.d.holds?.hold(clip.cameraId, clip.startAt, clip.endAt);
    try {
      await this.d.files.ensureDir(p.dir);
      const cut = await this.d.cutClip({ cameraId: clip.cameraId, from: clip.startAt, to: clip.endAt, outPath: this.d.files.abs(p.cut), signal });
      if ((await this.d.files.size(p.cut)) === undefined) throw new Error(`clip cutter reported ${cut.path} but wrote no file at ${p.cut}`);
      let video = p.cut;
      if (!(await this.d.mp4.isFastStart(this.d.files.abs(p.cut)))) {
        await this.d.mp4.faststart(this.d.files.abs(p.cut), this.d.files.abs(p.fast), signal);
        video = p.fast;
      }
      await this.d.mp4.poster(this.d.files.abs(video), this.d.files.abs(p.posterTmp), Math.min(posterAtS, Math.max(0, cut.durationS - 0.2)), signal);
      const sha256 = await this.d.files.sha256(video);
      const bytes = (await this.d.files.size(video)) ?? cut.bytes;
      throwIfStopping(signal);
      await this.d.files.rename(p.posterTmp, p.poster);
      await this.d.files.rename(video, p.video);
      const patch = {
        state: 'ready' as const,
        path: p.video,
        posterPath: p.poster,
        sha256,
        bytes,
        durationMs: Math.round(cut.durationS * 1000),
        error: null,
        finalisedAt: this.d.clock.now(),
      };
      const write = () => this.d.repos.clips.update(clip.id, patch);
      await (this.d.writes ? this.d.writes.run('clip file', write) : write());
      return { ...clip, ...patch };
    } finally {
      release?.();
      for (const tmp of [p.cut, p.fast, p.posterTmp]) await this.d.files.remove(tmp);
    }
  }

  /** Records why a clip could not be made; the reason is shown to users (e.g. range_not_kept). */
  async fail(clip: ClipRecord, err: unknown): Promise<ClipRecord> {
    const error = err instanceof AppError ? err.code : (err as Error).message.slice(0, 500);
    await this.d.repos.clips.update(clip.id, { state: 'failed', error });
    return { ...clip, state: 'failed', error };
  }
}
