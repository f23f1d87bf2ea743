import type { Clock, Timer } from '../shared/clock.js';

/** Pipeline counters health shows (events, clips, queued writes): read from memory, never from the database. */
export interface PipelineCounters {
  snapshotFailures: number;
  snapshotRetries: number;
  clipsPending: number;
  clipsPendingMax: number;
  clipWorkQueued: number;
  writesQueued: number;
  writesRetried: number;
}

export interface DbProbe {
  ok: boolean;
  /** When the last probe finished (ms since epoch), null before the first. */
  checkedAt: number | null;
  latencyMs: number | null;
  error: string | null;
}

export interface HealthMonitorDeps {
  /** One cheap database round trip (select 1): resolves true, or false/throws when the database cannot answer. */
  ping: () => Promise<boolean>;
  /** Cameras by session state, refreshed with the probe. */
  cameraStates: () => Promise<Record<string, number>>;
  counters: () => PipelineCounters;
  clock: Clock;
  intervalMs?: number;
  /** A probe slower than this counts as failed (the database is locked or the pool starved). */
  timeoutMs?: number;
  /** More queued writes than this means the database is falling behind: degraded. */
  maxQueuedWrites?: number;
}

/**
 * Health from memory (issue 19 item 7): /api/health read the database on every request and
 * hung for as long as the database was locked, so a compose healthcheck killed a working
 * server. Here a background probe, time-boxed, refreshes a cached answer every few seconds;
 * the route only reads it. A probe still running when the next is due counts as failed.
 */
export class HealthMonitor {
  private db: DbProbe = { ok: false, checkedAt: null, latencyMs: null, error: 'not probed yet' };
  private cameras: Record<string, number> = {};
  private timer: Timer | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly d: HealthMonitorDeps) {}

  /** First probe awaited, so the first answer is real; then every intervalMs. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.probe();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** What /api/health answers: no I/O. */
  read() {
    const counters = this.d.counters();
    const backlog = counters.writesQueued > (this.d.maxQueuedWrites ?? 100);
    return { db: { ...this.db }, cameras: { ...this.cameras }, counters, writesBackingUp: backlog, degraded: !this.db.ok || backlog };
  }

  /** One time-boxed probe; concurrent callers share it. */
  probe(): Promise<void> {
    this.inFlight ??= this.probeOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.d.clock.setTimeout(() => {
      if (this.inFlight) this.fail('the previous database probe has not finished');
      void this.probe();
      this.schedule();
    }, this.d.intervalMs ?? 5000);
  }

  private async probeOnce(): Promise<void> {
    const started = this.d.clock.now();
    const timeoutMs = this.d.timeoutMs ?? 2000;
    let timer: Timer | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.d.clock.setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const ok = await Promise.race([this.d.ping(), timeout]);
      if (!ok) throw new Error('the database refused the probe');
      const cameras = await Promise.race([this.d.cameraStates(), timeout]);
      this.db = { ok: true, checkedAt: this.d.clock.now(), latencyMs: this.d.clock.now() - started, error: null };
      this.cameras = cameras;
    } catch (err) {
      this.fail((err as Error).message);
    } finally {
      timer?.cancel();
    }
  }

  private fail(error: string): void {
    this.db = { ok: false, checkedAt: this.d.clock.now(), latencyMs: null, error };
  }
}
