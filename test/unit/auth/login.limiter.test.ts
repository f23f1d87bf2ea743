import { describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../../server/auth/login.limiter.js';

function setup(o: Partial<{ maxPerUser: number; maxPerIp: number; windowMs: number }> = {}) {
  const clock = {
    t: 1_000_000,
    now() {
      return this.t;
    },
  };
  const limiter = new LoginLimiter({ maxPerUser: 3, maxPerIp: 10, windowMs: 60_000, clock, ...o });
  return { clock, limiter };
}

describe('LoginLimiter', () => {
  it('refuses the N+1st attempt for a username and says how long to wait', () => {
    const { clock, limiter } = setup();
    for (let i = 0; i < 3; i++) {
      expect(limiter.check('10.0.0.1', 'an')).toEqual({ ok: true });
      limiter.fail('10.0.0.1', 'an');
      clock.t += 1000;
    }
    expect(limiter.check('10.0.0.1', 'an')).toEqual({ ok: false, scope: 'user', retryAfterSeconds: 57 });
    // from another address too: the username is what is being guessed
    expect(limiter.check('10.0.0.2', 'an')).toMatchObject({ ok: false, scope: 'user' });
    expect(limiter.check('10.0.0.1', 'binh')).toEqual({ ok: true });
  });

  it('lets the username try again once the oldest failure leaves the window', () => {
    const { clock, limiter } = setup();
    for (let i = 0; i < 3; i++) limiter.fail('10.0.0.1', 'an');
    clock.t += 59_999;
    expect(limiter.check('10.0.0.1', 'an')).toEqual({ ok: false, scope: 'user', retryAfterSeconds: 1 });
    clock.t += 1;
    expect(limiter.check('10.0.0.1', 'an')).toEqual({ ok: true });
  });

  it('limits one address guessing many usernames', () => {
    const { limiter } = setup({ maxPerIp: 5, maxPerUser: 100 });
    for (let i = 0; i < 5; i++) limiter.fail('10.0.0.7', `user${i}`);
    expect(limiter.check('10.0.0.7', 'fresh')).toMatchObject({ ok: false, scope: 'ip' });
    expect(limiter.check('10.0.0.8', 'fresh')).toEqual({ ok: true });
  });

  it('a correct password clears the username count but not the address count', () => {
    const { limiter } = setup({ maxPerIp: 4, maxPerUser: 3 });
    for (let i = 0; i < 2; i++) limiter.fail('10.0.0.1', 'an');
    limiter.succeed('an');
    limiter.fail('10.0.0.1', 'an');
    expect(limiter.check('10.0.0.1', 'an')).toEqual({ ok: true });
    limiter.fail('10.0.0.1', 'an');
    expect(limiter.check('10.0.0.1', 'an')).toMatchObject({ ok: false, scope: 'ip' });
  });

  it('keeps memory bounded under a flood of random usernames', () => {
    const clock = { now: () => 5 };
    const limiter = new LoginLimiter({ maxPerUser: 3, maxPerIp: 1e9, windowMs: 60_000, clock, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) limiter.fail('10.0.0.1', `random${i}`);
    expect(limiter.check('10.0.0.1', 'random999')).toEqual({ ok: true });
    expect((limiter as unknown as { failures: Map<string, unknown> }).failures.size).toBeLessThanOrEqual(100);
  });
});

describe('LoginLimiter reservations (issue 12: a parallel burst must not outrun the count)', () => {
  it('counts attempts still being checked, so a burst gets no more checks than the limit', () => {
    const { limiter } = setup({ maxPerUser: 3, maxPerIp: 100 });
    const results = Array.from({ length: 10 }, () => limiter.reserve('10.0.0.1', 'an'));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results[3]).toEqual({ ok: false, scope: 'user', retryAfterSeconds: 1 });
  });

  it('turns a reservation into a failure, a success (clears the user) or nothing, once', () => {
    const { limiter } = setup({ maxPerUser: 2, maxPerIp: 100 });
    const a = limiter.reserve('10.0.0.1', 'an');
    const b = limiter.reserve('10.0.0.1', 'an');
    if (!a.ok || !b.ok) throw new Error('reserve refused');
    a.attempt.release();
    a.attempt.fail(); // already settled: ignored
    expect(limiter.reserve('10.0.0.1', 'an').ok).toBe(true); // a's place is free again (leaves one in flight)
    b.attempt.fail();
    expect(limiter.check('10.0.0.1', 'an')).toMatchObject({ ok: false, scope: 'user' });
  });

  it('counts in-flight attempts per address across usernames', () => {
    const { limiter } = setup({ maxPerUser: 100, maxPerIp: 2 });
    expect(limiter.reserve('10.0.0.9', 'a').ok).toBe(true);
    expect(limiter.reserve('10.0.0.9', 'b').ok).toBe(true);
    expect(limiter.reserve('10.0.0.9', 'c')).toMatchObject({ ok: false, scope: 'ip' });
  });
});
