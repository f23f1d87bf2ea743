import type { CameraState } from '../store/camera.repository.js';
import type { ExitInfo } from './ffmpeg.adapter.js';
import type { ProbeAnswer } from './camera.probe.js';
import type { Failure } from './ffmpeg.stderr.js';

/**
 * The state machine of one camera-stream session:
 *
 *   starting ──frame──▶ online ──no frame / exit──▶ stalled ──backoff──▶ restarting ──frame──▶ online
 *       │                                                                    │
 *       └──── failures ≥ offlineAfterFailures, or a fatal failure ───────▶ offline (keeps retrying slowly)
 *   any ──stop()──▶ stopped            (a file played once ends in stopped as well)
 *
 * RTSP can only recover by restarting the process, so every failure ends the attempt; the
 * next one waits initial × 2^(failures−1), capped, and the count resets after a healthy period.
 * A fatal failure (wrong password, wrong path) waits the cap at once: a camera that locks
 * accounts after a few bad logins must not be hammered, and an idle retry costs no CPU.
 */

/** One running ffmpeg, as the supervisor sees it. */
export interface Attempt {
  readonly pid: number | undefined;
  /** Resolves when the process has exited and its outputs are drained. */
  readonly exited: Promise<ExitInfo>;
  terminate(graceMs: number): Promise<ExitInfo>;
  /** Why it ended, from its masked stderr. */
  explain(exit: ExitInfo): Failure;
}

export interface SupervisorOptions {
  stallTimeoutMs: number;
  /** Longer than the stall timeout: probing and the first keyframe can take several seconds. */
  startTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  healthyResetMs: number;
  offlineAfterFailures: number;
  killGraceMs: number;
  /** A clean exit means the source ended (a file played once): stop instead of restarting. */
  endIsFinal?: boolean;
  /** Fraction of random spread on each delay so many cameras do not reconnect in lockstep. */
  jitter?: number;
  /** While waiting out a backoff, probe the camera this often (0: never); see `probe`. */
  probeIntervalMs?: number;
}

export interface SupervisorHooks {
  onState(state: CameraState, reason: string | null, failure?: Failure): void;
  /** Reason shown while online (e.g. an H.265 note); null when nothing to say. */
  onlineReason?(): string | null;
  /** Describes the source for stall messages (no credentials). */
  where: string;
  /** True while the consumer holds ffmpeg back on purpose (back-pressure): not a stall. */
  isPaused?(): boolean;
  now?: () => number;
  random?: () => number;
  /** Cheap check of the camera (camera.probe.ts); without it backoffs are waited out in full. */
  probe?(): Promise<ProbeAnswer>;
  /** The probe found the camera back: the backoff is cut short (for the log). */
  onProbeAnswered?(): void;
}

/** Failures that mean the camera was not there: once it answers again, waiting longer helps no one. */
const DOWN_CODES = new Set<Failure['code']>(['refused', 'timeout', 'unreachable', 'dns']);

export class SessionSupervisor {
  private current: Attempt | undefined;
  private stateValue: CameraState = 'stopped';
  private reasonValue: string | null = null;
  private failing: Failure | undefined;
  private sawActivity = false;
  private attemptStartedAt = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private healthyTimer: NodeJS.Timeout | undefined;
  private relaunchTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Set while the current attempt is being ended on purpose, to be relaunched at once. */
  private relaunching = false;
  private readonly now: () => number;
  failures = 0;
  restarts = 0;
  lastActivityAt: number | undefined;
  lastFailure: Failure | undefined;

  constructor(
    private readonly launch: () => Attempt,
    private readonly opts: SupervisorOptions,
    private readonly hooks: SupervisorHooks,
  ) {
    this.now = hooks.now ?? Date.now;
  }

  get state(): CameraState {
    return this.stateValue;
  }
  get reason(): string | null {
    return this.reasonValue;
  }
  get pid(): number | undefined {
    return this.current?.pid;
  }

  start(): void {
    if (this.current || this.relaunchTimer) return;
    this.stopping = false;
    this.failures = 0;
    this.setState('starting', null);
    this.spawn();
  }

  /** A frame (or progress) arrived from the current attempt. */
  activity(): void {
    if (!this.current || this.stopping || this.failing || this.relaunching) return;
    this.lastActivityAt = this.now();
    if (this.sawActivity) return;
    this.sawActivity = true;
    this.setState('online', this.hooks.onlineReason?.() ?? null);
    this.healthyTimer = setTimeout(() => (this.failures = 0), this.opts.healthyResetMs);
  }

  /** Re-announces the online reason (e.g. once the codec is known). */
  refreshOnlineReason(): void {
    if (this.stateValue === 'online') this.setState('online', this.hooks.onlineReason?.() ?? null);
  }

  /** Ends the current attempt as failed (used when its output is unusable). */
  fail(failure: Failure): void {
    if (!this.current || this.stopping || this.failing || this.relaunching) return;
    this.failing = failure;
    if (this.sawActivity && !failure.fatal) this.setState('stalled', failure.message, failure);
    void this.current.terminate(this.opts.killGraceMs);
  }

  /**
   * Ends the current attempt cleanly (SIGTERM: ffmpeg closes its open segment) and starts a
   * new one as soon as it has exited: not a failure, so no backoff. Used when the camera
   * changed its stream under a running ffmpeg, whose outputs were set up for the old one.
   */
  restart(reason: string): void {
    if (!this.current || this.stopping || this.failing || this.relaunching) return;
    this.relaunching = true;
    this.setState('restarting', reason);
    void this.current.terminate(this.opts.killGraceMs);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.clearTimers();
    clearTimeout(this.relaunchTimer);
    clearTimeout(this.probeTimer);
    this.relaunchTimer = undefined;
    const attempt = this.current;
    if (attempt) await attempt.terminate(this.opts.killGraceMs);
    this.current = undefined;
    this.setState('stopped', null);
  }

  private spawn(): void {
    let attempt: Attempt;
    try {
      attempt = this.launch();
    } catch (err) {
      this.afterFailure({ code: 'exited', fatal: false, message: `could not start ffmpeg: ${(err as Error).message}` }, false);
      return;
    }
    this.current = attempt;
    this.sawActivity = false;
    this.failing = undefined;
    this.relaunching = false;
    this.attemptStartedAt = this.now();
    const period = Math.max(50, Math.min(1000, this.opts.stallTimeoutMs / 4));
    this.watchdog = setInterval(() => this.checkStall(), period);
    void attempt.exited.then((exit) => this.onExit(attempt, exit));
  }

  private checkStall(): void {
    if (!this.current || this.failing || this.relaunching) return;
    if (this.hooks.isPaused?.()) {
      this.lastActivityAt = this.now();
      return;
    }
    const since = this.sawActivity ? (this.lastActivityAt ?? this.attemptStartedAt) : this.attemptStartedAt;
    const limit = this.sawActivity ? this.opts.stallTimeoutMs : this.opts.startTimeoutMs;
    if (this.now() - since <= limit) return;
    const seconds = Math.round(limit / 100) / 10;
    this.fail({
      code: 'stalled',
      fatal: false,
      message: this.sawActivity ? `no video for ${seconds} s from ${this.hooks.where}` : `no video within ${seconds} s of connecting to ${this.hooks.where}`,
    });
  }

  private onExit(attempt: Attempt, exit: ExitInfo): void {
    if (attempt !== this.current) return;
    this.clearTimers();
    this.current = undefined;
    if (this.stopping) return;
    if (this.relaunching) {
      this.relaunching = false;
      this.failing = undefined;
      this.restarts++;
      this.spawn();
      return;
    }
    if (!this.failing && this.opts.endIsFinal && exit.code === 0) {
      this.setState('stopped', 'end of file');
      return;
    }
    const failure = this.failing ?? attempt.explain(exit);
    this.failing = undefined;
    this.afterFailure(failure, this.sawActivity);
  }

  private afterFailure(failure: Failure, wasOnline: boolean): void {
    this.failures++;
    this.lastFailure = failure;
    if (failure.fatal || this.failures >= this.opts.offlineAfterFailures) this.setState('offline', failure.message, failure);
    else if (wasOnline) this.setState('stalled', failure.message, failure);
    else if (this.stateValue !== 'offline') this.setState('restarting', failure.message, failure);
    const base = failure.fatal ? this.opts.backoffMaxMs : this.opts.backoffInitialMs * 2 ** (this.failures - 1);
    const spread = 1 + (this.opts.jitter ?? 0.1) * ((this.hooks.random ?? Math.random)() * 2 - 1);
    const delay = Math.round(Math.min(base, this.opts.backoffMaxMs) * spread);
    this.relaunchTimer = setTimeout(() => this.relaunch(), delay);
    const every = this.opts.probeIntervalMs ?? 0;
    if (this.hooks.probe && !failure.fatal && every > 0 && delay > every) this.probeDuringBackoff(DOWN_CODES.has(failure.code), every);
  }

  private relaunch(): void {
    clearTimeout(this.relaunchTimer);
    clearTimeout(this.probeTimer);
    this.relaunchTimer = undefined;
    if (this.stopping) return;
    this.restarts++;
    // An offline camera stays offline until video flows: no alert churn on every retry.
    if (this.stateValue !== 'offline') this.setState('restarting', this.reasonValue);
    this.spawn();
  }

  /**
   * A long backoff would keep video away for up to a minute after the camera is back. So the
   * camera is probed meanwhile, and once one that was down (refused, unreachable, no answer)
   * answers, the session restarts at once. A camera that answers all along but sends no
   * video (a stalled encoder, a silent camera) keeps its backoff: restarting sooner cannot help.
   */
  private probeDuringBackoff(wasDown: boolean, every: number): void {
    const waiting = this.relaunchTimer;
    let sawDown = wasDown;
    const tick = async () => {
      if (this.relaunchTimer !== waiting || this.stopping) return;
      const answer = await this.hooks.probe!().catch(() => 'down' as const);
      if (this.relaunchTimer !== waiting || this.stopping) return;
      if (answer === 'down') sawDown = true;
      if (answer === 'answers' && sawDown) {
        this.hooks.onProbeAnswered?.();
        this.relaunch();
        return;
      }
      this.probeTimer = setTimeout(() => void tick(), every);
    };
    this.probeTimer = setTimeout(() => void tick(), every);
  }

  private clearTimers(): void {
    clearInterval(this.watchdog);
    clearTimeout(this.healthyTimer);
    this.watchdog = undefined;
    this.healthyTimer = undefined;
  }

  private setState(state: CameraState, reason: string | null, failure?: Failure): void {
    if (state === this.stateValue && reason === this.reasonValue) return;
    this.stateValue = state;
    this.reasonValue = reason;
    this.hooks.onState(state, reason, failure);
  }
}
