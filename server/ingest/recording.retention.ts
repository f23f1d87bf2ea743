import { statfs, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { RetentionConfig } from '../config/config.schema.js';
import type { Logger } from '../shared/log.js';
import type { Recording, RecordingRepository } from '../store/recording.repository.js';

/**
 * Retention of continuous recordings, oldest first: segments older than the camera's days
 * (or the global days), then the oldest of all cameras while the disk quota is exceeded or
 * free space is below the floor. A file is deleted before its index row, so an interrupted
 * sweep leaves at worst a row whose file is gone (clip cutting skips it, the next sweep
 * removes it), never an unindexed file that nothing would ever delete.
 */

/**
 * Leases on ranges of the recording (issue 19 item 2): a clip being materialised or an export
 * in progress holds its range, and retention skips held segments until released. In memory:
 * a lease only needs to outlive the cut that took it, never a restart.
 */
export class RecordingHolds {
  private readonly leases = new Set<{ cameraId: number; from: number; to: number }>();

  /** Holds [from, to) of a camera's recording; call the returned function to release (idempotent). */
  hold(cameraId: number, from: number, to: number): () => void {
    const lease = { cameraId, from, to };
    this.leases.add(lease);
    return () => void this.leases.delete(lease);
  }

  isHeld(r: Pick<Recording, 'cameraId' | 'startAt' | 'endAt'>): boolean {
    for (const l of this.leases) if (l.cameraId === r.cameraId && r.endAt > l.from && r.startAt < l.to) return true;
    return false;
  }
}

export interface RetentionDeps {
  recordings: RecordingRepository;
  recordingsDir: string;
  config: () => RetentionConfig;
  /** Cameras whose own setting overrides the global days. */
  cameraDays?: () => Map<number, number>;
  /** Free bytes on the file system holding `dir`. */
  freeBytes?: (dir: string) => Promise<number>;
  log: Logger;
  now?: () => number;
  /** Ranges clips and exports are cutting right now: never deleted under them. */
  holds?: Pick<RecordingHolds, 'isHeld'>;
}

export interface SweepResult { deleted: number; bytes: number; byAge: number; byQuota: number; byFreeSpace: number }

const BATCH = 200;
const DAY_MS = 86_400_000;
const GB = 1e9;

async function statfsFree(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

export class RecordingRetention {
  private running: Promise<SweepResult> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private quotaCheck: NodeJS.Timeout | undefined;
  private warnedFloor = false;

  constructor(private readonly deps: RetentionDeps) {}

  /** One sweep at a time; a call during a sweep shares its result. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Periodic sweeps (age rules need no more than this). */
  start(intervalMs = 60_000): void {
    this.stop();
    this.timer = setInterval(() => void this.sweepLogged(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.quotaCheck);
    this.timer = undefined;
    this.quotaCheck = undefined;
  }

  /** After a new segment: sweep soon (debounced), so the quota holds between periodic sweeps. */
  segmentAdded(): void {
    if (this.quotaCheck) return;
    this.quotaCheck = setTimeout(() => {
      this.quotaCheck = undefined;
      void this.sweepLogged();
    }, 500);
  }

  private async sweepLogged(): Promise<void> {
    try {
      const r = await this.sweep();
      if (r.deleted) this.deps.log.info('recordings deleted by retention', { ...r });
    } catch (err) {
      this.deps.log.error('recording retention sweep failed', { err });
    }
  }

  private async sweepOnce(): Promise<SweepResult> {
    const byAge = await this.deleteByAge();
    const byQuota = await this.deleteForQuota();
    const byFreeSpace = await this.deleteForFreeSpace();
    return {
      deleted: byAge.count + byQuota.count + byFreeSpace.count,
      bytes: byAge.bytes + byQuota.bytes + byFreeSpace.bytes,
      byAge: byAge.count, byQuota: byQuota.count, byFreeSpace: byFreeSpace.count,
    };
  }

  private async deleteByAge(): Promise<{ count: number; bytes: number }> {
    const now = (this.deps.now ?? Date.now)();
    const overrides = this.deps.cameraDays?.() ?? new Map<number, number>();
    const total = { count: 0, bytes: 0 };
    const add = (r: { count: number; bytes: number }) => ((total.count += r.count), (total.bytes += r.bytes));
    for (const [cameraId, days] of overrides) {
      add(await this.drain(() => this.deps.recordings.olderThan(now - days * DAY_MS, BATCH, cameraId), Infinity));
    }
    const globalCutoff = now - this.deps.config().recordingDays * DAY_MS;
    add(await this.drain(() => this.deps.recordings.olderThanExcept(globalCutoff, BATCH, [...overrides.keys()]), Infinity));
    return total;
  }

  private async deleteForQuota(): Promise<{ count: number; bytes: number }> {
    const quota = this.deps.config().maxDiskGb * GB;
    if (quota <= 0) return { count: 0, bytes: 0 };
    const excess = (await this.deps.recordings.totalBytes()) - quota;
    return excess > 0 ? this.drain(() => this.deps.recordings.oldest(BATCH), excess) : { count: 0, bytes: 0 };
  }

  private async deleteForFreeSpace(): Promise<{ count: number; bytes: number }> {
    const floor = this.deps.config().minFreeGb * GB;
    if (floor <= 0) return { count: 0, bytes: 0 };
    const free = await (this.deps.freeBytes ?? statfsFree)(this.deps.recordingsDir);
    if (free >= floor) {
      this.warnedFloor = false;
      return { count: 0, bytes: 0 };
    }
    const r = await this.drain(() => this.deps.recordings.oldest(BATCH), floor - free);
    if (r.bytes < floor - free && !this.warnedFloor) {
      this.warnedFloor = true;
      this.deps.log.warn('free disk space is below the floor and no recordings are left to delete', { minFreeGb: this.deps.config().minFreeGb });
    }
    return r;
  }

  /** Deletes batches from `next` (oldest first) until `bytesWanted` are freed or nothing is left. */
  private async drain(next: () => Promise<Recording[]>, bytesWanted: number): Promise<{ count: number; bytes: number }> {
    let count = 0;
    let bytes = 0;
    while (bytes < bytesWanted) {
      const batch = await next();
      if (batch.length === 0) break;
      const chosen: Recording[] = [];
      for (const r of batch) {
        if (bytes >= bytesWanted) break;
        if (this.deps.holds?.isHeld(r)) continue;
        chosen.push(r);
        bytes += r.bytes;
      }
      if (chosen.length === 0) break; // the oldest are all held: wait for their release
      await this.remove(chosen);
      count += chosen.length;
    }
    return { count, bytes };
  }

  private async remove(recs: Recording[]): Promise<void> {
    for (const r of recs) {
      try {
        await unlink(path.join(this.deps.recordingsDir, r.path));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // already gone: only the row remains
      }
    }
    await this.deps.recordings.delete(recs.map((r) => r.id));
  }
}
