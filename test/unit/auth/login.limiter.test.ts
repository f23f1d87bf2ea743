import { describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../../server/auth/login.limiter.js';

function setup(o: Partial<{ maxPerUser: number; maxPerIp: number; windowMs: number }> = {}) {
  const clock = { t: 1_000_000, now() { return this.t; } };
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
