import type { Logger } from '../shared/log.js';
import type { ClipRecord } from '../store/clip.repository.js';
import type { CameraSelector, EventRecord } from '../store/event.repository.js';
import type { Repositories } from '../store/store.js';
import type { Clock, Timer } from '../shared/clock.js';
import { maskedClipDir, type MediaFiles } from '../shared/media.files.js';

export interface EventRetentionDeps {
  repos: Pick<Repositories, 'events' | 'clips'>;
  files: Pick<MediaFiles, 'remove' | 'removeDir'>;
  clock: Clock;
  log: Logger;
  /** Global days (config.retention.eventDays). */
  eventDays: number;
  /** Per-camera days (camera rules' retentionDays), where set. */
  cameraDays: () => Promise<Map<number, number>>;
  /** Disk quota for event clips and snapshots together, bytes; 0 = none. */
  maxBytes: number;
  intervalMs?: number;
}

export interface RetentionReport {
  clipsDeleted: number;
  snapshotsDeleted: number;
  bytesFreed: number;
}

const BATCH = 200;
const DAY = 86_400_000;

/**
 * Deletes event clips and snapshots older than their camera's days, then the oldest ones
 * while over the quota. Rows stay (the event, its alert and the clip's SHA-256 are history);
 * pinned evidence and exports are never touched.
 */
export class EventRetention {
  private timer: Timer | undefined;
  private running: Promise<RetentionReport> | undefined;

  constructor(private readonly d: EventRetentionDeps) {}

  start(): void {
    this.timer = this.d.clock.setTimeout(
      () => {
        this.run()
          .catch((err: unknown) => this.d.log.error('event retention failed', { err }))
          .finally(() => this.start());
      },
      this.d.intervalMs ?? 10 * 60_000,
    );
  }

  stop(): Promise<unknown> {
    this.timer?.cancel();
    return this.running ?? Promise.resolve();
  }

  run(): Promise<RetentionReport> {
    this.running ??= this.runOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runOnce(): Promise<RetentionReport> {
    const report: RetentionReport = { clipsDeleted: 0, snapshotsDeleted: 0, bytesFreed: 0 };
    const now = this.d.clock.now();
    const perCamera = await this.d.cameraDays();
    for (const [cameraId, days] of perCamera) await this.byAge(now - days * DAY, { only: cameraId }, report);
    await this.byAge(now - this.d.eventDays * DAY, { except: [...perCamera.keys()] }, report);
    if (this.d.maxBytes > 0) await this.byQuota(report);
    if (report.clipsDeleted || report.snapshotsDeleted) this.d.log.info('event retention', { ...report });
    return report;
  }

  private async byAge(cutoff: number, cameras: CameraSelector, r: RetentionReport): Promise<void> {
    for (let clips; (clips = await this.d.repos.clips.deletableEndedBefore(cutoff, BATCH, cameras)).length;) {
      for (const c of clips) await this.deleteClip(c, r);
    }
    for (let events; (events = await this.d.repos.events.withMediaEndedBefore(cutoff, BATCH, cameras)).length;) {
      for (const e of events) await this.deleteSnapshots(e, r);
    }
  }

  /** Oldest first across clips and snapshots until the total fits. */
  private async byQuota(r: RetentionReport): Promise<void> {
    let total = (await this.d.repos.clips.totalBytes()) + (await this.d.repos.events.snapshotBytesTotal());
    while (total > this.d.maxBytes) {
      const [clip] = await this.d.repos.clips.oldestDeletable(1);
      const [ev] = await this.d.repos.events.oldestWithMedia(1);
      if (!clip && !ev) {
        this.d.log.warn('event media over quota but everything left is pinned or in progress', { total, maxBytes: this.d.maxBytes });
        return;
      }
      const before = r.bytesFreed;
      if (clip && (!ev || clip.startAt <= ev.startAt)) await this.deleteClip(clip, r);
      else await this.deleteSnapshots(ev!, r);
      total -= r.bytesFreed - before;
    }
  }

  private async deleteClip(c: ClipRecord, r: RetentionReport): Promise<void> {
    for (const p of [c.path, c.posterPath]) if (p) await this.d.files.remove(p);
    // Residents' masked renditions go with the clip they were made from.
    await this.d.files.removeDir(maskedClipDir(c.id));
    await this.d.repos.clips.update(c.id, { deletedAt: this.d.clock.now() });
    r.clipsDeleted++;
    r.bytesFreed += c.bytes ?? 0;
  }

  private async deleteSnapshots(e: EventRecord, r: RetentionReport): Promise<void> {
    for (const p of [e.firstSnapshotPath, e.snapshotPath]) if (p) await this.d.files.remove(p);
    await this.d.repos.events.update(e.id, { mediaDeletedAt: this.d.clock.now(), snapshotBytes: 0 });
    r.snapshotsDeleted++;
    r.bytesFreed += e.snapshotBytes;
  }
}
