import { describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../../server/auth/password.hasher.js';

// Cost 2^10 keeps the unit tier fast; the format and checks are the same at 2^15.
const hasher = new PasswordHasher(10);

describe('PasswordHasher (scrypt)', () => {
  it('stores scrypt parameters, a per-user salt and the key; the same password hashes differently each time', async () => {
    const a = await hasher.hash('correct horse battery');
    const b = await hasher.hash('correct horse battery');
    expect(a).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const h = await hasher.hash('mật khẩu rất dài');
    expect(await hasher.verify('mật khẩu rất dài', h)).toBe(true);
    expect(await hasher.verify('mat khau rat dai', h)).toBe(false);
    expect(await hasher.verify('', h)).toBe(false);
  });

  it('accepts a Vietnamese password typed in another Unicode normal form (NFD vs NFC)', async () => {
    const h = await hasher.hash('Bình Yên 2026'.normalize('NFC'));
    expect(await hasher.verify('Bình Yên 2026'.normalize('NFD'), h)).toBe(true);
  });

  it('verifies hashes made with other costs and says they need a rehash', async () => {
    const old = await new PasswordHasher(11).hash('long enough password');
    expect(await hasher.verify('long enough password', old)).toBe(true);
    expect(hasher.needsRehash(old)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash('x'))).toBe(false);
  });

  it('refuses malformed or absurd stored hashes without throwing', async () => {
    for (const bad of ['', 'plain', 'scrypt$10$8$1$salt', 'scrypt$40$8$1$AAAA$AAAA', 'bcrypt$10$8$1$AAAA$AAAA', 'scrypt$10$8$1$AAAA$AAAA']) {
      expect(await hasher.verify('x', bad), bad).toBe(false);
    }
  });
});

describe('PasswordHasher dummy hash (unknown usernames)', () => {
  it('is in the current format, costs a full verify, and never matches', async () => {
    const dummy = hasher.dummyHash();
    expect(dummy).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(hasher.needsRehash(dummy)).toBe(false);
    expect(await hasher.verify('', dummy)).toBe(false);
  });
});
