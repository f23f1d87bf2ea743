import { describe, expect, it } from 'vitest';
import { HealthMonitor } from '../../../server/api/health.monitor.js';
import { FakeClock } from '../events/fake.clock.js';

const counters = () => ({ snapshotFailures: 0, snapshotRetries: 0, clipsPending: 0, clipsPendingMax: 0, clipWorkQueued: 0, writesQueued: 0, writesRetried: 0 });
const flush = () => new Promise((r) => setImmediate(r));

/** A database that answers, never answers (held or starved) or refuses, as the test says. */
function world() {
  const clock = new FakeClock(1_000_000);
  let mode: 'answer' | 'hang' | 'refuse' = 'answer';
  const monitor = new HealthMonitor({
    ping: () => (mode === 'answer' ? Promise.resolve(true) : mode === 'refuse' ? Promise.resolve(false) : new Promise<boolean>(() => {})),
    cameraStates: async () => ({ running: 1 }),
    counters,
    clock,
    intervalMs: 5000,
    timeoutMs: 2000,
  });
  /** One interval on: the due probe runs and its time box passes. */
  const tick = async () => {
    clock.advance(5000);
    await flush();
    clock.advance(2000);
    await flush();
  };
  return { monitor, tick, set: (m: typeof mode) => (mode = m) };
}

describe('HealthMonitor', () => {
  it('one unanswered probe is degraded but up; two in a row are down; an answer brings it back', async () => {
    const w = world();
    await w.monitor.start();
    expect(w.monitor.read()).toMatchObject({ db: { ok: true, failures: 0 }, degraded: false, cameras: { running: 1 } });
    w.set('hang');
    await w.tick();
    expect(w.monitor.read()).toMatchObject({ db: { ok: true, failures: 1, error: expect.stringMatching(/no answer within 2000 ms/) }, degraded: true });
    await w.tick();
    expect(w.monitor.read().db).toMatchObject({ ok: false, failures: 2 });
    w.set('answer');
    await w.tick();
    expect(w.monitor.read()).toMatchObject({ db: { ok: true, failures: 0, error: null }, degraded: false });
    w.monitor.stop();
  });

  it('a database that fails the very first probe is down at once', async () => {
    const w = world();
    w.set('refuse');
    await w.monitor.start();
    expect(w.monitor.read().db).toMatchObject({ ok: false, failures: 1, error: 'the database refused the probe' });
    w.monitor.stop();
  });
});
