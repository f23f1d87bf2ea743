import { scryptSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { HashPoolBusyError, ScryptPool } from '../../server/auth/password.pool.js';

/** The password hashing threads (compiled worker from dist/: build first). */
const opts = { N: 2 ** 10, r: 8, p: 1 };
const pool = new ScryptPool({ workers: 1, maxQueue: 1 });
afterAll(async () => {
  await pool.close();
});

describe('ScryptPool', () => {
  it('computes the same key as scrypt, refuses at once past its queue, and takes work again after', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const a = pool.admit();
    const b = pool.admit();
    expect(() => pool.admit()).toThrow(HashPoolBusyError);
    try {
      pool.admit();
    } catch (err) {
      expect(err).toMatchObject({ status: 429, code: 'busy' });
      expect((err as HashPoolBusyError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    const [ka, kb] = await Promise.all([a.run('mật khẩu', salt, 32, opts), b.run('other', salt, 32, opts)]);
    expect(ka.equals(scryptSync('mật khẩu', salt, 32, opts))).toBe(true);
    expect(kb.equals(scryptSync('other', salt, 32, opts))).toBe(true);
    const c = pool.admit();
    c.cancel();
    const d = pool.admit();
    expect((await d.run('x', salt, 32, opts)).length).toBe(32);
    expect(pool.refused).toBe(2);
  });

  it('reports a scrypt error without losing the thread', async () => {
    const bad = pool.admit();
    await expect(bad.run('x', Buffer.from('s'), 32, { N: 3, r: 8, p: 1 })).rejects.toThrow(/scrypt failed/);
    expect((await pool.admit().run('y', Buffer.from('s'), 32, opts)).length).toBe(32);
  });
});
