import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExitInfo } from '../../../server/ingest/ffmpeg.adapter.js';
import type { Failure } from '../../../server/ingest/ffmpeg.stderr.js';
import { SessionSupervisor, type Attempt, type SupervisorOptions } from '../../../server/ingest/session.supervisor.js';

/** A stand-in for one ffmpeg run: the test decides when it "exits" and what its stderr says. */
class FakeAttempt implements Attempt {
  pid = Math.floor(Math.random() * 1e6);
  terminated = 0;
  private resolveExit!: (e: ExitInfo) => void;
  readonly exited = new Promise<ExitInfo>((r) => (this.resolveExit = r));
  constructor(private readonly failure: Failure = { code: 'refused', fatal: false, message: 'connection refused' }) {}
  exit(code = 1): void {
    this.resolveExit({ code, signal: null });
  }
  terminate(): Promise<ExitInfo> {
    this.terminated++;
    this.resolveExit({ code: null, signal: 'SIGTERM' });
    return this.exited;
  }
  explain(): Failure {
    return this.failure;
  }
}

const OPTS: SupervisorOptions = {
  stallTimeoutMs: 1000,
  startTimeoutMs: 2000,
  backoffInitialMs: 100,
  backoffMaxMs: 800,
  healthyResetMs: 5000,
  offlineAfterFailures: 3,
  killGraceMs: 100,
  jitter: 0,
};

function setup(opts: Partial<SupervisorOptions> = {}, failure?: Failure) {
  const attempts: FakeAttempt[] = [];
  const states: string[] = [];
  const launchedAt: number[] = [];
  const sup = new SessionSupervisor(
    () => {
      const a = new FakeAttempt(failure);
      attempts.push(a);
      launchedAt.push(Date.now());
      return a;
    },
    { ...OPTS, ...opts },
    { where: 'rtsp://cam:554', onState: (s, reason) => states.push(reason ? `${s}: ${reason}` : s) },
  );
  return { sup, attempts, states, launchedAt, last: () => attempts.at(-1)! };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('SessionSupervisor', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('goes starting → online on the first frame', async () => {
    const { sup, states } = setup();
    sup.start();
    sup.activity();
    expect(states).toEqual(['starting', 'online']);
    await sup.stop();
    expect(states.at(-1)).toBe('stopped');
  });

  it('detects a stall, kills ffmpeg, restarts after the backoff and comes back online', async () => {
    const { sup, states, attempts } = setup();
    sup.start();
    sup.activity();
    await vi.advanceTimersByTimeAsync(1300);
    expect(attempts[0]!.terminated).toBe(1);
    expect(states.at(-1)).toMatch(/^stalled: no video for 1 s from rtsp:\/\/cam:554/);
    await vi.advanceTimersByTimeAsync(100);
    expect(attempts.length).toBe(2);
    expect(states.at(-1)).toMatch(/^restarting/);
    sup.activity(); // the new attempt delivers
    expect(states.at(-1)).toBe('online');
    expect(sup.restarts).toBe(1);
    await sup.stop();
  });

  it('backs off exponentially with a cap, goes offline after N failures, and resets after a healthy period', async () => {
    const { sup, states, attempts, launchedAt, last } = setup();
    sup.start();
    const gaps: number[] = [];
    for (let i = 0; i < 6; i++) {
      const n = attempts.length;
      const exitAt = Date.now();
      last().exit(1);
      await flush();
      while (attempts.length === n) await vi.advanceTimersByTimeAsync(10);
      gaps.push(launchedAt.at(-1)! - exitAt);
    }
    expect(gaps).toEqual([100, 200, 400, 800, 800, 800]); // doubles up to the cap
    expect(states.filter((s) => s.startsWith('offline')).length).toBe(1); // offline once, not on every retry
    expect(sup.state).toBe('offline');
    sup.activity();
    expect(sup.state).toBe('online');
    expect(sup.failures).toBe(6);
    for (let t = 0; t < 5000; t += 500) {
      await vi.advanceTimersByTimeAsync(500);
      sup.activity();
    }
    expect(sup.failures).toBe(0);
    const before = attempts.length;
    last().exit(1);
    await flush();
    await vi.advanceTimersByTimeAsync(100);
    expect(attempts.length).toBe(before + 1); // back to the initial delay
    await sup.stop();
  });

  it('goes offline at once on a wrong password and retries only at the longest delay', async () => {
    const { sup, states, attempts, last } = setup({}, { code: 'auth_failed', fatal: true, message: 'the camera rejected the user name or password (401)' });
    sup.start();
    last().exit(1);
    await flush();
    expect(states).toEqual(['starting', 'offline: the camera rejected the user name or password (401)']);
    await vi.advanceTimersByTimeAsync(799);
    expect(attempts.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts.length).toBe(2);
    await sup.stop();
  });

  it('fails an attempt that never delivers within the start timeout', async () => {
    const { sup, states, attempts } = setup();
    sup.start();
    await vi.advanceTimersByTimeAsync(2300);
    expect(attempts[0]!.terminated).toBe(1);
    expect(states.at(-1)).toMatch(/^restarting: no video within 2 s of connecting/);
    await sup.stop();
  });

  it('ends in stopped when a file played once ends cleanly', async () => {
    const { sup, states, last, attempts } = setup({ endIsFinal: true });
    sup.start();
    sup.activity();
    last().exit(0);
    await flush();
    expect(states.at(-1)).toBe('stopped: end of file');
    await vi.advanceTimersByTimeAsync(5000);
    expect(attempts.length).toBe(1);
  });

  it('stop() cancels a pending restart and terminates the running ffmpeg', async () => {
    const { sup, attempts, last } = setup();
    sup.start();
    last().exit(1);
    await flush();
    await sup.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(attempts.length).toBe(1);
    sup.start();
    await sup.stop();
    expect(attempts[1]!.terminated).toBe(1);
    expect(sup.state).toBe('stopped');
  });

  it('does not count a deliberate pause (back-pressure) as a stall', async () => {
    let paused = true;
    const attempts: FakeAttempt[] = [];
    const sup = new SessionSupervisor(
      () => {
        attempts.push(new FakeAttempt());
        return attempts.at(-1)!;
      },
      OPTS,
      { where: 'file', onState: () => undefined, isPaused: () => paused },
    );
    sup.start();
    sup.activity();
    await vi.advanceTimersByTimeAsync(5000);
    expect(attempts[0]!.terminated).toBe(0);
    paused = false;
    await vi.advanceTimersByTimeAsync(1300);
    expect(attempts[0]!.terminated).toBe(1);
    await sup.stop();
  });
});

describe('SessionSupervisor: restart on a camera change, probing during backoff', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('restart() ends the run and starts the next at once, without counting a failure', async () => {
    const { sup, states, attempts } = setup({ backoffInitialMs: 10_000 });
    sup.start();
    sup.activity();
    sup.restart('the camera changed its picture from 640×360 to 480×360');
    await flush();
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.terminated).toBe(1);
    expect(sup.failures).toBe(0);
    sup.activity();
    expect(states).toEqual(['starting', 'online', 'restarting: the camera changed its picture from 640×360 to 480×360', 'online']);
    expect(sup.restarts).toBe(1);
    await sup.stop();
  });

  function probed(answers: ('answers' | 'silent' | 'down')[], failure: Failure) {
    const attempts: FakeAttempt[] = [];
    const asked: number[] = [];
    const sup = new SessionSupervisor(
      () => {
        const a = new FakeAttempt(failure);
        attempts.push(a);
        return a;
      },
      { ...OPTS, backoffInitialMs: 30_000, backoffMaxMs: 30_000, probeIntervalMs: 500 },
      {
        where: 'rtsp://cam:554',
        onState: () => undefined,
        probe: async () => {
          asked.push(Date.now());
          return answers.shift() ?? 'answers';
        },
      },
    );
    return { sup, attempts, asked };
  }

  it('restarts as soon as a camera that was down answers again', async () => {
    const { sup, attempts, asked } = probed(['down', 'down', 'answers'], { code: 'exited', fatal: false, message: 'ended' });
    sup.start();
    attempts[0]!.exit();
    await vi.advanceTimersByTimeAsync(1600);
    expect(asked).toHaveLength(3);
    expect(attempts).toHaveLength(2);
    await sup.stop();
  });

  it('keeps the backoff for a camera that answers all along (nothing to wait for), and never probes after a fatal failure', async () => {
    const stalled = probed(['answers', 'answers', 'answers'], { code: 'stalled', fatal: false, message: 'no video' });
    stalled.sup.start();
    stalled.attempts[0]!.exit();
    await vi.advanceTimersByTimeAsync(5000);
    expect(stalled.asked.length).toBeGreaterThanOrEqual(5);
    expect(stalled.attempts).toHaveLength(1);
    await stalled.sup.stop();
    const fatal = probed([], { code: 'auth_failed', fatal: true, message: '401' });
    fatal.sup.start();
    fatal.attempts[0]!.exit();
    await vi.advanceTimersByTimeAsync(5000);
    expect(fatal.asked).toEqual([]);
    await fatal.sup.stop();
  });
});
