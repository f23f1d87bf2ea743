import type { CameraIngestStats } from './camera.stats.js';

/** One sample of a camera's figures, for the health tab's last-hour charts. */
export interface StatsSample {
  at: number;
  frameFps: number | null;
  framesDropped: number | null;
  cpuPercent: number | null;
}

/**
 * The last hour of each camera's figures, kept in memory on the server (issue 15: the health
 * charts started empty on every page load, filling only while the page stayed open). Bounded:
 * one sample per `everyMs` per camera, none older than `windowMs`; a camera that stops
 * reporting keeps its samples until they age out, so its chart shows when it went quiet.
 */
export class StatsHistory {
  private readonly byCamera = new Map<number, StatsSample[]>();
  /** The newest moment recorded: what "the last hour" counts back from. */
  private latest = 0;

  constructor(private readonly o: { everyMs: number; windowMs?: number }) {}

  private get windowMs(): number {
    return this.o.windowMs ?? 3_600_000;
  }

  /** Takes the figures of this moment; cameras sampled less than `everyMs` ago are skipped. */
  record(rows: readonly Pick<CameraIngestStats, 'cameraId' | 'frameFps' | 'framesDropped' | 'cpuPercent'>[], at: number): void {
    for (const r of rows) {
      const list = this.byCamera.get(r.cameraId) ?? [];
      const last = list.at(-1);
      if (last && at - last.at < this.o.everyMs) continue;
      list.push({ at, frameFps: r.frameFps, framesDropped: r.framesDropped, cpuPercent: r.cpuPercent });
      this.byCamera.set(r.cameraId, list);
    }
    this.latest = Math.max(this.latest, at);
    this.prune(this.latest);
  }

  /** Oldest first. */
  of(cameraId: number): StatsSample[] {
    return [...(this.byCamera.get(cameraId) ?? [])];
  }

  private prune(now: number): void {
    for (const [id, list] of this.byCamera) {
      const keep = list.findIndex((s) => s.at > now - this.windowMs);
      if (keep < 0) this.byCamera.delete(id);
      else if (keep > 0) list.splice(0, keep);
    }
  }
}
