import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../shared/log.js';
import type { Recording, RecordingRepository } from '../store/recording.repository.js';
import type { FfmpegAdapter } from './ffmpeg.adapter.js';
import { writtenSpanMs } from './mpegts.span.js';
import { reconcileCamera, withCameraTree } from './recording.reconcile.js';
import type { SegmentEntry } from './session.attempt.js';
import type { SegmentSink } from './stream.session.js';
import type { LiveSegment } from './stream.session.types.js';

/**
 * Continuous recording of one camera. ffmpeg writes MPEG-TS segments into
 * `<recordings>/<cameraId>/live/`; a segment is indexed only once ffmpeg reports it complete,
 * then moved to `<recordings>/<cameraId>/<UTC day>/<startMs>.ts`. Whatever stays in `live/`
 * after a run (a segment cut short by SIGKILL or a crash) is indexed from its probed duration
 * when it holds video, or deleted: the index never names a file that is still being written.
 * At start the rest of the tree is reconciled against the index (recording.reconcile.ts).
 * Paths in the index are relative to the recordings directory.
 */

export interface RecorderDeps {
  recordings: RecordingRepository;
  ffmpeg: Pick<FfmpegAdapter, 'probe'>;
  log: Logger;
  recordingsDir: string;
  onIndexed?(r: Recording): void;
}

/** Shorter leftovers are noise (a segment opened just before the kill). */
const MIN_ORPHAN_S = 0.2;
const SEGMENT_RE = /\.ts$/;

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class SegmentRecorder implements SegmentSink {
  readonly liveDir: string;
  private chain: Promise<void> = Promise.resolve();
  /** End of the last finished segment of each running ffmpeg (by file prefix). */
  private readonly lastEnd = new Map<string, number>();
  /** Runs that reported a segment, the latest anchor of each, and a first segment waiting for a second sample. */
  private readonly runs = new Set<string>();
  private readonly lastAnchor = new Map<string, number>();
  private readonly firstOfRun = new Map<string, SegmentEntry>();
  /** The last finished segment file reported by each running ffmpeg (by file prefix). */
  private readonly lastFile = new Map<string, string>();
  /** End of the latest segment in the index for this camera (read at start, then kept). */
  private indexedUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: RecorderDeps,
    private readonly cameraId: number,
  ) {
    this.liveDir = path.join(deps.recordingsDir, String(cameraId), 'live');
  }

  /**
   * Salvages what a previous run left in `live/`, then reconciles the whole tree against the
   * index; after the start-up pass over idle folders if that holds this camera's tree (which
   * may remove an empty `live/`, so it is made here, under the same lock).
   */
  async prepare(): Promise<void> {
    await withCameraTree(this.deps.recordingsDir, this.cameraId, async () => {
      await mkdir(this.liveDir, { recursive: true });
      await this.enqueue(async () => {
        await this.recover();
        await reconcileCamera(this.deps, this.cameraId);
        this.indexedUntil = (await this.deps.recordings.latestEnd(this.cameraId)) ?? Number.NEGATIVE_INFINITY;
      });
    });
  }

  /**
   * The anchor of a run is only as good as its least-delayed sample, and the first segment's
   * list line carries the start-up lag (ffmpeg catching up after probing, slower on a loaded
   * machine). So a run's first segment waits for the second one's sample (or the run's end).
   */
  segmentDone(e: SegmentEntry, attemptPrefix: string, anchorMs: number): void {
    this.lastAnchor.set(attemptPrefix, anchorMs);
    this.lastFile.set(attemptPrefix, path.basename(e.file));
    if (!this.runs.has(attemptPrefix)) {
      this.runs.add(attemptPrefix);
      this.firstOfRun.set(attemptPrefix, e);
      return;
    }
    this.flushFirst(attemptPrefix);
    this.indexEntry(e, attemptPrefix, anchorMs);
  }

  private flushFirst(attemptPrefix: string): void {
    const first = this.firstOfRun.get(attemptPrefix);
    if (!first) return;
    this.firstOfRun.delete(attemptPrefix);
    this.indexEntry(first, attemptPrefix, this.lastAnchor.get(attemptPrefix)!);
  }

  private indexEntry(e: SegmentEntry, attemptPrefix: string, anchorMs: number): void {
    const file = path.join(this.liveDir, path.basename(e.file));
    const startAt = this.contiguous(attemptPrefix, Math.round(anchorMs + e.startS * 1000));
    const endAt = Math.round(anchorMs + e.endS * 1000);
    this.lastEnd.set(attemptPrefix, endAt);
    void this.enqueue(() => this.index(file, startAt, endAt));
  }

  attemptEnded(attemptPrefix: string): Promise<void> {
    this.lastFile.delete(attemptPrefix);
    this.flushFirst(attemptPrefix);
    this.runs.delete(attemptPrefix);
    this.lastAnchor.delete(attemptPrefix);
    return this.enqueue(async () => {
      await this.recover(attemptPrefix);
      this.lastEnd.delete(attemptPrefix);
    });
  }

  /**
   * Segments of one ffmpeg run follow each other without a gap; the wall-clock anchor of a run
   * is refined as it goes, so a start within half a second of the previous end is that end.
   */
  private contiguous(attemptPrefix: string, startAt: number): number {
    const prev = this.lastEnd.get(attemptPrefix);
    return prev !== undefined && Math.abs(startAt - prev) < 500 ? prev : startAt;
  }

  /**
   * The segment ffmpeg is writing now, after its run's last finished one: it starts where that
   * one ended and is readable up to the picture last written (packets are flushed one by one),
   * measured by the file's own timestamps and never past its last write (mtime): an ffmpeg
   * that fell behind writes old pictures now. A clip may end in it: then it is ready without
   * waiting for the segment to close. Unknown until the run has indexed a segment.
   */
  async head(until?: number): Promise<LiveSegment | undefined> {
    const prefix = [...this.lastFile.keys()].at(-1);
    const last = prefix && this.lastFile.get(prefix);
    const startAt = prefix && this.lastEnd.get(prefix);
    const m = last ? /^(.*-)(\d+)(\.ts)$/.exec(last) : null;
    if (!m || typeof startAt !== 'number') return undefined;
    const file = path.join(this.liveDir, `${m[1]}${String(Number(m[2]) + 1).padStart(m[2]!.length, '0')}${m[3]}`);
    const st = await stat(file).catch(() => undefined);
    if (!st || st.size === 0) return undefined;
    const written = Math.floor(st.mtimeMs);
    // Last written before the moment asked for: short of it whatever the picture, no need to read it.
    if (until !== undefined && written < until) return { file, startAt, writtenUntil: written };
    const span = (await writtenSpanMs(file)) ?? 0;
    return { file, startAt, writtenUntil: Math.min(written, startAt + Math.floor(span)) };
  }

  /** Resolves once every segment reported so far is indexed. */
  flush(): Promise<void> {
    return this.enqueue(async () => {});
  }

  /** Operations run one at a time, in order: a recovery never races the indexing of the same file. */
  private enqueue(fn: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(fn).catch((err: unknown) => {
      this.deps.log.error('recording index update failed', { cameraId: this.cameraId, err });
    });
    return this.chain;
  }

  private async index(file: string, startAt: number, endAt: number): Promise<void> {
    if (startAt < this.indexedUntil) {
      // Evidence never overlaps: a run starts after the previous one ended, so a start before
      // the last indexed end is an estimate a few ms early, never footage of the same time.
      if (this.indexedUntil - startAt > 500)
        this.deps.log.warn('recording segment started before the last indexed one ended', {
          cameraId: this.cameraId,
          startAt,
          indexedUntil: this.indexedUntil,
        });
      startAt = this.indexedUntil;
    }
    if (!existsSync(file) || endAt <= startAt) return;
    const day = utcDay(startAt);
    const dir = path.join(this.deps.recordingsDir, String(this.cameraId), day);
    await mkdir(dir, { recursive: true });
    let name = `${startAt}.ts`;
    for (let i = 1; existsSync(path.join(dir, name)); i++) name = `${startAt}-${i}.ts`;
    const target = path.join(dir, name);
    await rename(file, target);
    const { size } = await stat(target);
    const rel = [String(this.cameraId), day, name].join('/');
    try {
      const rec = await this.deps.recordings.add({ cameraId: this.cameraId, path: rel, startAt, endAt, bytes: size });
      this.indexedUntil = Math.max(this.indexedUntil, endAt);
      this.deps.onIndexed?.(rec);
    } catch (err) {
      // Put it back: the next start-up recovery indexes it instead of leaking an unindexed file.
      await rename(target, file);
      throw err;
    }
  }

  /** Indexes (from probed duration, ending at its last write) or deletes leftover segment files. */
  private async recover(prefix?: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.liveDir);
      this.deps.log.debug('recovering unfinished recording segments', { cameraId: this.cameraId, prefix, names });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const name of names.sort()) {
      if (!SEGMENT_RE.test(name) || (prefix && !name.startsWith(`${prefix}-`))) continue;
      const file = path.join(this.liveDir, name);
      const { mtimeMs, size } = await stat(file);
      const { durationS } = size > 0 ? await this.deps.ffmpeg.probe(file) : { durationS: 0 };
      if (durationS >= MIN_ORPHAN_S) {
        // It continues its run's last finished segment; without one, it ended at its last write.
        const prev = this.lastEnd.get(name.slice(0, name.lastIndexOf('-')));
        const startAt = prev ?? Math.round(mtimeMs - durationS * 1000);
        await this.index(file, startAt, startAt + Math.round(durationS * 1000));
        this.deps.log.info('recovered an unfinished recording segment', { cameraId: this.cameraId, durationS });
      } else {
        await unlink(file);
        this.deps.log.debug('deleted an empty unfinished recording segment', { cameraId: this.cameraId, name, size });
      }
    }
  }
}
