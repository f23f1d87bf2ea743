import { existsSync } from 'node:fs';
import { readdir, stat, statfs, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { RetentionConfig } from '../config/config.schema.js';
import type { Logger } from '../shared/log.js';
import type { CameraRepository } from '../store/camera.repository.js';
import type { Recording, RecordingRepository } from '../store/recording.repository.js';
import { RecordingLeases } from './recording.leases.js';
import { quarantineDirOf, removeEmptyDirs, withCameraTree } from './recording.reconcile.js';

/**
 * Retention of continuous recordings, oldest first: segments older than the camera's days
 * (or the global days), then the oldest of all cameras while the disk quota is exceeded or
 * free space is below the floor. The floor never deletes the most recent window
 * (`keepRecentMinutes`): when that is all that is left, the disk state turns "low" (for the
 * health route and an alert) instead of the index emptying as fast as segments arrive.
 * Nothing deletes a segment a clip cut or export holds (`hold`). A file is deleted before its index row, so an interrupted
 * sweep leaves at worst a row whose file is gone (clip cutting skips it, the next sweep
 * removes it), never an unindexed file that nothing would ever delete.
 *
 * A removed or disabled camera's recordings are no exception: they stay indexed (playable,
 * exportable) until their window passes — the camera's own days, read from the database for
 * every camera ever registered, else the global days — and go like anyone's. The periodic
 * `tidy` deletes quarantined files once older than that window and removes the empty day
 * folders retention leaves (older than yesterday) and empty folders of cameras.
 */

export interface RetentionDeps {
  recordings: RecordingRepository;
  recordingsDir: string;
  config: () => RetentionConfig;
  /** Cameras whose own setting overrides the global days (removed ones too: see recordingDaysByCamera). */
  cameraDays?: () => Map<number, number> | Promise<Map<number, number>>;
  /** Free bytes on the file system holding `dir`. */
  freeBytes?: (dir: string) => Promise<number>;
  log: Logger;
  now?: () => number;
  /** Shared with whatever cuts clips or exports (default: a set of its own). */
  leases?: RecordingLeases;
  /** Called with the first sweep's disk state and whenever it changes (the low-disk alert). */
  onDiskState?(state: DiskState): void;
}

/** What the health route shows about the recordings disk. */
export interface DiskState {
  state: 'ok' | 'low';
  freeBytes: number | null;
  minFreeBytes: number;
  /** Why it is low, readable; null when ok. */
  message: string | null;
  since: number;
}

export interface SweepResult {
  deleted: number;
  bytes: number;
  byAge: number;
  byQuota: number;
  byFreeSpace: number;
}

const BATCH = 200;
const DAY_MS = 86_400_000;
const GB = 1e9;

/** Deletes the files of `dir` last written before `cutoff`, then `dir` if that left it empty. */
async function deleteOlderFiles(dir: string, cutoff: number): Promise<number> {
  let deleted = 0;
  for (const name of existsSync(dir) ? await readdir(dir) : []) {
    const st = await stat(path.join(dir, name));
    if (!st.isFile() || st.mtimeMs >= cutoff) continue;
    await unlink(path.join(dir, name));
    deleted++;
  }
  await removeEmptyDirs(dir);
  return deleted;
}

/** The cameras whose `settings.recording.days` overrides the global days, removed ones included. */
export async function recordingDaysByCamera(cameras: Pick<CameraRepository, 'listIncludingRemoved'>): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const c of await cameras.listIncludingRemoved()) {
    const days = c.settings.recording.days;
    if (days !== undefined) out.set(c.id, days);
  }
  return out;
}

/** Free bytes on the disk holding `dir`; before the first camera records, the folder's nearest existing parent. */
async function statfsFree(dir: string): Promise<number> {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      const s = await statfs(d);
      return Number(s.bavail) * Number(s.bsize);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(d) === d) throw err;
    }
  }
}

export class RecordingRetention {
  private running: Promise<SweepResult> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private quotaCheck: NodeJS.Timeout | undefined;
  private diskState: DiskState;
  private diskReported = false;
  private days: { at: number; days: Map<number, number> } | undefined;
  readonly leases: RecordingLeases;

  constructor(private readonly deps: RetentionDeps) {
    this.leases = deps.leases ?? new RecordingLeases();
    this.diskState = { state: 'ok', freeBytes: null, minFreeBytes: deps.config().minFreeGb * GB, message: null, since: this.now() };
  }

  /** The recordings disk as of the last sweep (read from memory: the health route must not wait). */
  disk(): DiskState {
    return { ...this.diskState };
  }

  /** Keeps retention off [from, to) of a camera's recordings until the returned release() is called. */
  hold(cameraId: number, from: number, to: number): () => void {
    return this.leases.hold(cameraId, from, to);
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** One sweep at a time; a call during a sweep shares its result. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  /** A sweep now (the disk state is known from the start), then periodic ones (age rules need no more), each with a tidy. */
  start(intervalMs = 60_000): void {
    this.stop();
    const periodic = async () => {
      await this.sweepLogged();
      await this.tidy().catch((err: unknown) => this.deps.log.error('recordings tidy failed', { err }));
    };
    void periodic();
    this.timer = setInterval(() => void periodic(), intervalMs);
  }

  /**
   * Quarantined files older than their camera's window are deleted (they would have been, had
   * they been valid evidence); empty day folders older than yesterday and empty camera folders
   * go. Today's and yesterday's folders and `live/` stay: a recorder may be about to use them;
   * each camera's folders are tidied under its tree lock (a reconciliation may be moving files).
   */
  async tidy(): Promise<{ quarantineDeleted: number }> {
    const now = this.now();
    const days = await this.cameraDaysNow();
    const globalDays = this.deps.config().recordingDays;
    const recent = new Set([now, now - DAY_MS].map((t) => new Date(t).toISOString().slice(0, 10)));
    const dir = this.deps.recordingsDir;
    const ids = async (parent: string) => (existsSync(parent) ? (await readdir(parent)).filter((n) => /^\d+$/.test(n)).map(Number) : []);
    let quarantineDeleted = 0;
    for (const id of await ids(path.join(dir, 'quarantine'))) {
      const cutoff = now - (days.get(id) ?? globalDays) * DAY_MS;
      quarantineDeleted += await withCameraTree(dir, id, () => deleteOlderFiles(quarantineDirOf(dir, id), cutoff));
    }
    for (const id of await ids(dir)) {
      await withCameraTree(dir, id, () => removeEmptyDirs(path.join(dir, String(id)), (name) => name === 'live' || recent.has(name)));
    }
    if (quarantineDeleted) this.deps.log.info('quarantined recording files deleted by retention', { count: quarantineDeleted });
    return { quarantineDeleted };
  }

  /** Read at most once a minute: sweeps follow every indexed segment, camera settings rarely change. */
  private async cameraDaysNow(): Promise<Map<number, number>> {
    const now = this.now();
    if (!this.days || now - this.days.at > 60_000) this.days = { at: now, days: (await this.deps.cameraDays?.()) ?? new Map<number, number>() };
    return this.days.days;
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
      byAge: byAge.count,
      byQuota: byQuota.count,
      byFreeSpace: byFreeSpace.count,
    };
  }

  private async deleteByAge(): Promise<{ count: number; bytes: number }> {
    const now = this.now();
    const overrides = await this.cameraDaysNow();
    const total = { count: 0, bytes: 0 };
    const add = (r: { count: number; bytes: number }) => ((total.count += r.count), (total.bytes += r.bytes));
    for (const [cameraId, days] of overrides) {
      add(await this.drain((skip) => this.deps.recordings.olderThan(now - days * DAY_MS, BATCH, cameraId, skip), Infinity));
    }
    const globalCutoff = now - this.deps.config().recordingDays * DAY_MS;
    add(await this.drain((skip) => this.deps.recordings.olderThanExcept(globalCutoff, BATCH, [...overrides.keys()], skip), Infinity));
    return total;
  }

  private async deleteForQuota(): Promise<{ count: number; bytes: number }> {
    const quota = this.deps.config().maxDiskGb * GB;
    if (quota <= 0) return { count: 0, bytes: 0 };
    const excess = (await this.deps.recordings.totalBytes()) - quota;
    return excess > 0 ? this.drain((skip) => this.deps.recordings.oldest(BATCH, undefined, skip), excess) : { count: 0, bytes: 0 };
  }

  private async deleteForFreeSpace(): Promise<{ count: number; bytes: number }> {
    const cfg = this.deps.config();
    const floor = cfg.minFreeGb * GB;
    if (floor <= 0) {
      this.setDisk({ state: 'ok', freeBytes: null, minFreeBytes: 0, message: null });
      return { count: 0, bytes: 0 };
    }
    const free = await (this.deps.freeBytes ?? statfsFree)(this.deps.recordingsDir);
    if (free >= floor) {
      this.setDisk({ state: 'ok', freeBytes: free, minFreeBytes: floor, message: null });
      return { count: 0, bytes: 0 };
    }
    const keepFrom = this.now() - cfg.keepRecentMinutes * 60_000;
    const r = await this.drain((skip) => this.deps.recordings.olderThan(keepFrom, BATCH, undefined, skip), floor - free);
    if (r.bytes >= floor - free) {
      this.setDisk({ state: 'ok', freeBytes: free + r.bytes, minFreeBytes: floor, message: null });
    } else {
      const gb = (b: number) => (b / GB).toFixed(2);
      this.setDisk({
        state: 'low',
        freeBytes: free + r.bytes,
        minFreeBytes: floor,
        message: `free disk space ${gb(free + r.bytes)} GB is below the ${gb(floor)} GB floor; only the last ${cfg.keepRecentMinutes} minutes of recordings and segments held by clips are left, and they are kept`,
      });
    }
    return r;
  }

  /** The first state is reported whatever it is: an alert a previous run left open may have to be resolved. */
  private setDisk(next: Omit<DiskState, 'since'>): void {
    const changed = next.state !== this.diskState.state;
    this.diskState = { ...next, since: changed ? this.now() : this.diskState.since };
    if (changed && next.state === 'low') this.deps.log.warn('recordings disk is low', { message: next.message, freeBytes: next.freeBytes });
    else if (changed) this.deps.log.info('recordings disk is back above its free-space floor', { freeBytes: next.freeBytes });
    if (!changed && this.diskReported) return;
    this.diskReported = true;
    this.deps.onDiskState?.(this.disk());
  }

  /**
   * Deletes batches from `next` (oldest first) until `bytesWanted` are freed or nothing is left.
   * Held segments are skipped, and `next` is told how many it has to page past.
   */
  private async drain(next: (skip: number) => Promise<Recording[]>, bytesWanted: number): Promise<{ count: number; bytes: number }> {
    let count = 0;
    let bytes = 0;
    let skipped = 0;
    while (bytes < bytesWanted) {
      const batch = await next(skipped);
      if (batch.length === 0) break;
      const chosen: Recording[] = [];
      for (const r of batch) {
        if (bytes >= bytesWanted) break;
        if (this.leases.isHeld(r)) {
          skipped++;
          continue;
        }
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
