import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/server.js';
import { addUser, call, PASSWORD, startAuthServer } from './auth.world.js';

/**
 * Issue 12, finding 2: the limiter counted a failure only after scrypt finished, so 60 parallel
 * guesses all passed its check and the right one (#45) signed in. Attempts in flight now count:
 * at most `loginMaxFailuresPerUser` of a burst are checked at all, from one address or many.
 */
const LIMIT = 5;
let srv: TestServer;

beforeAll(async () => {
  // The production scrypt cost, so each check takes long enough for a burst to overlap it.
  srv = await startAuthServer({ scryptLog2N: 15, loginMaxFailuresPerUser: LIMIT, loginMaxFailuresPerIp: 20, trustProxy: 'loopback', hashQueueMax: 100 });
  await addUser(srv, 'officer', ['police']);
  await addUser(srv, 'officer2', ['police']);
}, 30_000);
afterAll(async () => {
  await srv?.stop();
});

/** 60 guesses started together; the right password is #45. */
function burst(username: string, headers: (i: number) => Record<string, string>) {
  return Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      call(srv, 'POST', '/api/auth/login', { body: { username, password: i === 44 ? PASSWORD : `guess ${i}` }, headers: headers(i) }).then((r) => r.status),
    ),
  );
}

describe('a parallel burst of guesses for one user', () => {
  it('from one address: only the first few are checked, and the right password at #45 is refused', async () => {
    const statuses = await burst('officer', () => ({}));
    expect(statuses[44]).toBe(429);
    expect(statuses.filter((s) => s === 200)).toEqual([]);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(LIMIT);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(60 - LIMIT);
    // and the account stays locked for the window, right password or not
    expect((await call(srv, 'POST', '/api/auth/login', { body: { username: 'officer', password: PASSWORD } })).status).toBe(429);
  });

  it('from 60 addresses: the per-user count holds across them', async () => {
    const statuses = await burst('officer2', (i) => ({ 'x-forwarded-for': `198.51.100.${i + 1}` }));
    expect(statuses[44]).toBe(429);
    expect(statuses.filter((s) => s === 200)).toEqual([]);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(LIMIT);
    await srv.auth.refusals.flush();
    const refused = (await srv.store.db('audit_log').where({ action: 'auth.login.refused', username: 'officer2' }).select('detail')) as { detail: string }[];
    const counted = refused.reduce((n, r) => n + ((JSON.parse(r.detail) as { count?: number }).count ?? 1), 0);
    expect(counted).toBe(statuses.filter((s) => s === 429).length);
  });
});
