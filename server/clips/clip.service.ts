import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { ClipRecord } from '../store/clip.repository.js';
import type { EventRecord } from '../store/event.repository.js';
import type { Repositories } from '../store/store.js';
import type { Clock, Timer } from '../shared/clock.js';
import type { MediaFiles } from '../shared/media.files.js';
import type { ClipProducer } from './clip.producer.js';
import { chainRanges, gapsIn, headContinues, type Range } from './clip.ranges.js';
import type { RecordingHead } from './clip.types.js';
import { isServerStopping, PRIORITY, type ClipWorkQueue } from './clip.work.queue.js';
import { isTransientDbError, type WriteRetry } from '../store/write.retry.js';

export interface ClipServiceDeps {
  repos: Pick<Repositories, 'clips' | 'recordings'>;
  producer: Pick<ClipProducer, 'produce' | 'fail'>;
  files: Pick<MediaFiles, 'removePartials'>;
  queue: ClipWorkQueue;
  /** Clip rows are retried on a locked database, never marked failed for it. */
  writes: Pick<WriteRetry, 'run'>;
  clock: Clock;
  log: Logger;
  preRollMs: number;
  postRollMs: number;
  /** Longest clip: longer events get chained clips (config record.maxClipSeconds). */
  maxClipMs: number;
  /** First readiness check this long after the clip's end (the segment holding the end closes then). */
  settleMs: number;
  /** Give up waiting for the recording to cover the whole range after this long past its end, and serve what is there. */
  maxWaitMs: number;
  /** Between checks for the recording to catch up. */
  retryMs?: number;
  /** The segment each camera is recording now: a clip ending in it is ready before it closes. */
  head?: RecordingHead;
}

export interface ClipCounters {
  /** Clips past their end, waiting for the recording to be indexed. */
  pending: number;
  pendingMax: number;
  /** Clips whose range has not ended yet (post-roll running). */
  scheduled: number;
  /** ffmpeg work (cuts for viewing, pinned clips, exports) waiting. */
  queued: number;
  queuedMax: number;
}

/**
 * Event clips as ranges of the continuous recording (issue 19 item 3, issue 11 §3): a row is
 * written pending as soon as a clip's range is final, and marked ready — no cutting — as soon
 * as the indexed segments reach its end (post-roll end + at most one segment). The video is
 * cut on demand (ClipCache); a file of its own is made only when the clip is pinned.
 */
export class ClipService {
  private readonly timers = new Map<number, { timer: Timer; clip: ClipRecord }>();
  private readonly chained = new Map<number, number>();
  private checks: Promise<void> = Promise.resolve();
  private stopped = false;
  private pendingMax = 0;

  constructor(private readonly d: ClipServiceDeps) {}

  /**
   * Called by the event lifecycle as an event goes on and when it ends; never throws (errors
   * are logged). Creates the clips whose range is final and not yet known.
   */
  scheduleForEvent(ev: EventRecord): void {
    const ranges = chainRanges(ev, this.d.preRollMs, this.d.postRollMs, this.d.maxClipMs);
    const known = this.chained.get(ev.id) ?? 0;
    if (ev.endAt === null && ranges.length <= known) return; // nothing new while it runs: no query
    if (ev.endAt === null) this.chained.set(ev.id, ranges.length);
    else this.chained.delete(ev.id);
    this.checks = this.checks
      .then(async () => {
        const existing = await this.d.repos.clips.listByEvent(ev.id);
        for (const r of ranges) {
          const now = this.d.clock.now();
          const clip =
            existing.find((c) => c.startAt === r.startAt) ??
            (await this.d.writes.run('clip', () =>
              this.d.repos.clips.create({ cameraId: ev.cameraId, eventId: ev.id, kind: 'event', ...r, pinned: ev.pinned, reason: null, createdBy: null }, now),
            ));
          if (clip.state === 'pending' && !this.timers.has(clip.id)) this.schedule(clip);
        }
      })
      .catch((err: unknown) => this.d.log.error('clip scheduling failed', { eventId: ev.id, err }));
  }

  /** An event was pinned: its ready clips get files of their own (evidence outlives the recording). */
  eventPinned(eventId: number): void {
    this.d.repos.clips
      .listByEvent(eventId)
      .then((clips) => clips.filter((c) => c.state === 'ready' && c.pinned && c.path === null).forEach((c) => this.materialise(c)))
      .catch((err: unknown) => this.d.log.error('pinned clip lookup failed', { eventId, err }));
  }

  /**
   * Makes a pinned clip's own file (queued behind viewers); errors are logged, the clip stays
   * served from the recording. A server stop cuts it short: it is made again at the next start.
   */
  materialise(clip: ClipRecord): void {
    this.d.queue
      .run(PRIORITY.pin, async (signal) => {
        const done = await this.d.producer.produce(clip, this.d.preRollMs / 1000 + 0.5, signal);
        this.d.log.info('pinned clip saved', { clipId: done.id, bytes: done.bytes });
      })
      .catch((err: unknown) =>
        isServerStopping(err)
          ? this.d.log.info('pinned clip left for the next start: the server is stopping', { clipId: clip.id })
          : this.d.log.error('pinned clip could not be saved', { clipId: clip.id, err }),
      );
  }

  /**
   * Removes half-written files, re-schedules event clips a stop or crash left pending, saves
   * pinned clips left without a file. Pending exports are the exporter's (ClipExporter.recover).
   */
  async recover(): Promise<number> {
    const removed = [...(await this.d.files.removePartials('clips')), ...(await this.d.files.removePartials('exports'))];
    if (removed.length) this.d.log.info('removed unfinished clip files', { count: removed.length });
    const pending = (await this.d.repos.clips.listPending()).filter((c) => c.kind === 'event');
    for (const clip of pending) this.schedule(clip);
    for (const clip of await this.d.repos.clips.listPinnedWithoutFile()) this.materialise(clip);
    return pending.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.forEach((t) => t.timer.cancel());
    this.timers.clear();
    await this.checks;
    await this.d.queue.idle();
  }

  /** Resolves when the checks already due and the queued ffmpeg work are done (timers not yet fired are not waited for). */
  async idle(): Promise<void> {
    for (let q = this.checks; ; q = this.checks) {
      await q;
      await this.d.queue.idle();
      if (q === this.checks) return;
    }
  }

  /** Clips waiting for their time or for the recording (for health and tests). */
  get scheduled(): number {
    return this.timers.size;
  }

  counters(): ClipCounters {
    const now = this.d.clock.now();
    let pending = 0;
    for (const { clip } of this.timers.values()) if (clip.endAt <= now) pending++;
    this.pendingMax = Math.max(this.pendingMax, pending);
    return { pending, pendingMax: this.pendingMax, scheduled: this.timers.size - pending, queued: this.d.queue.queued, queuedMax: this.d.queue.maxWaiting };
  }

  private schedule(clip: ClipRecord, delayMs = clip.endAt + this.d.settleMs - this.d.clock.now()): void {
    if (this.stopped) return;
    this.timers.get(clip.id)?.timer.cancel();
    const timer = this.d.clock.setTimeout(
      () => {
        this.timers.delete(clip.id);
        this.checks = this.checks.then(() => this.attempt(clip));
      },
      Math.max(0, delayMs),
    );
    this.timers.set(clip.id, { timer, clip });
    this.counters();
  }

  /** Indexed segments of the clip's range, then the segment being written when it continues them. */
  private async coverage(clip: ClipRecord): Promise<Range[]> {
    const segs: Range[] = await this.d.repos.recordings.overlapping(clip.cameraId, clip.startAt, clip.endAt);
    const head = segs.some((s) => s.endAt >= clip.endAt) ? undefined : await this.d.head?.(clip.cameraId, clip.endAt);
    return headContinues(segs, head, clip.startAt, clip.endAt) ? [...segs, { startAt: head.startAt, endAt: head.writtenUntil }] : segs;
  }

  /**
   * Whether the segment being written is known to stop short of `endAt`: then nothing indexed
   * reaches it either (indexed segments end where that segment starts), and the check needs no
   * query. Pending clips are re-checked every `retryMs`; when each check queried the database,
   * a backlog of them filled SQLite's one connection and held up new alerts behind it
   * (measured on a loaded machine: 51 pending clips, alerts 15 s late). Until the file was
   * written past `endAt` a check is one stat.
   */
  private async headShortOf(cameraId: number, endAt: number): Promise<boolean> {
    const head = await (this.d.head?.(cameraId, endAt) ?? Promise.resolve(undefined)).catch(() => undefined);
    return head !== undefined && head.writtenUntil < endAt;
  }

  /** Ready when the recording on disk reaches the clip's end; overdue: ready with what is there, gaps listed. */
  private async attempt(clip: ClipRecord): Promise<void> {
    if (this.stopped) return;
    try {
      const overdue = this.d.clock.now() >= clip.endAt + this.d.maxWaitMs;
      if (!overdue && (await this.headShortOf(clip.cameraId, clip.endAt))) return this.schedule(clip, this.d.retryMs ?? 250);
      const segs = await this.coverage(clip);
      const covered = segs.some((s) => s.endAt >= clip.endAt);
      if (!covered && !overdue) return this.schedule(clip, this.d.retryMs ?? 250);
      if (!segs.length) throw new AppError('range_not_kept', `no recording of camera ${clip.cameraId} covers the clip`, 404);
      if (!covered) this.d.log.warn('recording does not cover the whole clip, serving what is there', { clipId: clip.id });
      const gaps = gapsIn(segs, clip.startAt, clip.endAt);
      const from = segs[0]!.startAt; // playback starts at the first segment's keyframe
      const to = Math.min(clip.endAt, segs.at(-1)!.endAt);
      const durationMs = to - from - gaps.reduce((n, [a, b]) => n + Math.max(0, Math.min(b, to) - Math.max(a, from)), 0);
      const patch = { state: 'ready' as const, durationMs, gaps, error: null, finalisedAt: this.d.clock.now() };
      await this.d.writes.run('clip ready', () => this.d.repos.clips.update(clip.id, patch));
      this.d.log.info('clip ready', { clipId: clip.id, eventId: clip.eventId, durationMs, gaps: gaps.length });
      if (clip.pinned) this.materialise({ ...clip, ...patch });
    } catch (err) {
      // A database that stayed locked past the write retries is no reason to call the clip failed: check again later.
      if (isTransientDbError(err)) return this.schedule(clip, 5000);
      const failed = await this.d.producer.fail(clip, err).catch((e: unknown) => {
        this.d.log.error('could not record clip failure', { clipId: clip.id, err: e });
        return clip;
      });
      const level = err instanceof AppError && err.status < 500 ? 'warn' : 'error';
      this.d.log[level]('clip failed', { clipId: clip.id, eventId: clip.eventId, error: failed.error, err });
    }
  }
}
