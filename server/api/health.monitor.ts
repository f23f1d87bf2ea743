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
  /** False once `failuresBeforeDown` probes in a row failed: /api/health answers 503. */
  ok: boolean;
  /** Probes failed in a row (0 when the last one answered): one is already "degraded". */
  failures: number;
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
  /**
   * Failed probes in a row before the database counts as down (503). One slow probe on a
   * saturated machine (a login flood beside busy cameras) is "degraded", not a reason for a
   * compose healthcheck to restart a server that still works; a held or broken database
   * fails every probe and is down within two intervals.
   */
  failuresBeforeDown?: number;
}

/**
 * Health from memory (issue 19 item 7): /api/health read the database on every request and
 * hung for as long as the database was locked, so a compose healthcheck killed a working
 * server. Here a background probe, time-boxed, refreshes a cached answer every few seconds;
 * the route only reads it. A probe still running when the next is due counts as failed.
 */
export class HealthMonitor {
  private db: DbProbe = { ok: false, failures: 0, checkedAt: null, latencyMs: null, error: 'not probed yet' };
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
    return { db: { ...this.db }, cameras: { ...this.cameras }, counters, writesBackingUp: backlog, degraded: this.db.failures > 0 || backlog };
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
      this.db = { ok: true, failures: 0, checkedAt: this.d.clock.now(), latencyMs: this.d.clock.now() - started, error: null };
      this.cameras = cameras;
    } catch (err) {
      this.fail((err as Error).message);
    } finally {
      timer?.cancel();
    }
  }

  /** The first probe has nothing to fall back on: it fails at once. */
  private fail(error: string): void {
    const failures = this.db.failures + 1;
    const ok = this.db.checkedAt !== null && this.db.ok && failures < (this.d.failuresBeforeDown ?? 2);
    this.db = { ok, failures, checkedAt: this.d.clock.now(), latencyMs: null, error };
  }
}
