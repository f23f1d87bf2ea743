import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { ClipRecord } from '../store/clip.repository.js';
import type { EventRecord } from '../store/event.repository.js';
import type { Repositories } from '../store/store.js';
import type { Clock, Timer } from '../shared/clock.js';
import type { MediaFiles } from '../shared/media.files.js';
import type { ClipProducer } from './clip.producer.js';

export interface ClipServiceDeps {
  repos: Pick<Repositories, 'clips' | 'recordings'>;
  producer: Pick<ClipProducer, 'produce' | 'fail'>;
  files: Pick<MediaFiles, 'removePartials'>;
  clock: Clock;
  log: Logger;
  preRollMs: number;
  postRollMs: number;
  /** How long after the clip's end the recording's last segment is closed and indexed (≈ one segment + margin). */
  settleMs: number;
  /** Give up waiting for the recording to cover the whole range after this long past its end, and cut what is there. */
  maxWaitMs: number;
  /** Between checks for the recording to catch up. */
  retryMs?: number;
}

/**
 * Event clips: a pending row as soon as the event ends, the cut once the continuous
 * recording covers [start − pre-roll, end + post-roll]. Cuts run one at a time (stream copy
 * is cheap, but a burst of events must not start a burst of ffmpegs). Pending clips of a
 * previous run are cut again at start.
 */
export class ClipService {
  private readonly timers = new Map<number, Timer>();
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly d: ClipServiceDeps) {}

  /** Called by the event lifecycle when an event ends; never throws (errors are logged). */
  scheduleForEvent(ev: EventRecord): void {
    if (ev.endAt === null) return;
    const range = { startAt: ev.startAt - this.d.preRollMs, endAt: Math.max(ev.endAt, ev.startAt) + this.d.postRollMs };
    this.d.repos.clips.byEvent(ev.id)
      .then((existing) => existing ?? this.d.repos.clips.create({ cameraId: ev.cameraId, eventId: ev.id, kind: 'event', ...range, pinned: ev.pinned, reason: null, createdBy: null }, this.d.clock.now()))
      .then((clip) => { if (clip.state === 'pending') this.schedule(clip); })
      .catch((err: unknown) => this.d.log.error('clip scheduling failed', { eventId: ev.id, err }));
  }

  /** Removes half-written files and re-schedules clips a stop or crash left pending. */
  async recover(): Promise<number> {
    const removed = [...(await this.d.files.removePartials('clips')), ...(await this.d.files.removePartials('exports'))];
    if (removed.length) this.d.log.info('removed unfinished clip files', { count: removed.length });
    const pending = await this.d.repos.clips.listPending();
    for (const clip of pending) {
      if (clip.kind === 'event') this.schedule(clip);
      else await this.d.producer.fail(clip, new Error('export interrupted by a server stop'));
    }
    return pending.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.forEach((t) => t.cancel());
    this.timers.clear();
    await this.queue;
  }

  /** Resolves when the cuts already due are done (timers not yet fired are not waited for). */
  async idle(): Promise<void> {
    for (let q = this.queue; ; q = this.queue) {
      await q;
      if (q === this.queue) return;
    }
  }

  /** Clips waiting for their time or for the recording (for health and tests). */
  get scheduled(): number {
    return this.timers.size;
  }

  private schedule(clip: ClipRecord, delayMs = clip.endAt + this.d.settleMs - this.d.clock.now()): void {
    if (this.stopped) return;
    this.timers.get(clip.id)?.cancel();
    this.timers.set(clip.id, this.d.clock.setTimeout(() => {
      this.timers.delete(clip.id);
      this.queue = this.queue.then(() => this.attempt(clip));
    }, Math.max(0, delayMs)));
  }

  private async attempt(clip: ClipRecord): Promise<void> {
    if (this.stopped) return;
    try {
      const covered = await this.covered(clip);
      const overdue = this.d.clock.now() >= clip.endAt + this.d.maxWaitMs;
      if (!covered && !overdue) return this.schedule(clip, this.d.retryMs ?? 1000);
      if (!covered) this.d.log.warn('recording does not cover the whole clip, cutting what is there', { clipId: clip.id });
      // The poster shows the moment the event began, half a second in.
      const done = await this.d.producer.produce(clip, this.d.preRollMs / 1000 + 0.5);
      this.d.log.info('clip ready', { clipId: done.id, eventId: done.eventId, bytes: done.bytes, durationMs: done.durationMs });
    } catch (err) {
      const failed = await this.d.producer.fail(clip, err).catch((e: unknown) => {
        this.d.log.error('could not record clip failure', { clipId: clip.id, err: e });
        return clip;
      });
      const level = err instanceof AppError && err.status < 500 ? 'warn' : 'error';
      this.d.log[level]('clip failed', { clipId: clip.id, eventId: clip.eventId, error: failed.error, err });
    }
  }

  /** Whether the indexed segments reach the clip's end (the last one is indexed when it closes). */
  private async covered(clip: ClipRecord): Promise<boolean> {
    const segs = await this.d.repos.recordings.overlapping(clip.cameraId, clip.startAt, clip.endAt);
    return segs.some((s) => s.endAt >= clip.endAt);
  }
}
