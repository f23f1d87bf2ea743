import { describe, expect, it } from 'vitest';
import { passwordWeakness } from '../../../server/auth/password.policy.js';

describe('passwordWeakness', () => {
  it('refuses the passwords guessing lists start with, repeated characters and keyboard runs', () => {
    for (const p of ['password123', 'Password123!', 'matkhau123', 'mật khẩu', 'qwertyuiop', 'administrator', 'binhyen2026'])
      expect(passwordWeakness(p), p).toBe('common');
    for (const p of ['aaaaaaaaaaaa', 'abababababab', '111111111111', 'aabbaabbaabb']) expect(passwordWeakness(p), p).toBe('repetitive');
    for (const p of ['1234567890', '0987654321', 'abcdefghijkl', 'sdfghjkl', 'zyxwvutsrq']) expect(passwordWeakness(p), p).toBe('sequence');
  });

  it('accepts passphrases and ordinary long passwords', () => {
    for (const p of ['một mật khẩu đủ dài 2026', 'bootstrap password 1', 'correct horse battery', 'replaced password 22', 'Bình Yên 2026 sáng'])
      expect(passwordWeakness(p), p).toBeUndefined();
  });
});
