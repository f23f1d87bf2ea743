/**
 * Minimum strength for new passwords, beyond the length the config asks for: not one of the
 * passwords every guessing list starts with, not one character (or two) repeated, not a run
 * along the keyboard or the alphabet. Deliberately small and offline: no dictionary download.
 */
const COMMON = new Set([
  'password',
  'passw0rd',
  'password1',
  'password12',
  'password123',
  'p@ssw0rd',
  'p@ssword',
  'changeme',
  'letmein',
  'welcome',
  'welcome1',
  'admin',
  'admin123',
  'admin1234',
  'administrator',
  'root',
  'toor',
  'guest',
  'default',
  'secret',
  'master',
  'iloveyou',
  'trustno1',
  'qwerty',
  'qwertyuiop',
  'qwerty123',
  'qwertyui',
  'asdfghjkl',
  'zxcvbnm',
  '1q2w3e4r',
  '1q2w3e4r5t',
  'zaq12wsx',
  'qazwsxedc',
  'abc123',
  'abcd1234',
  'abc12345',
  'abcdef123',
  'football',
  'baseball',
  'sunshine',
  'princess',
  'dragon',
  'monkey',
  'superman',
  'matkhau',
  'matkhau123',
  'matkhau1234',
  'mật khẩu',
  'anhyeuem',
  'anhyeuem123',
  'emyeuanh',
  'iloveyou123',
  'vietnam',
  'vietnam123',
  'binhyen',
  'binhyen123',
  'binhyen2026',
  'camera',
  'camera123',
  'hikvision',
  'dahua',
  '123456a@',
  'a123456789',
]);
const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'abcdefghijklmnopqrstuvwxyz'];

export type PasswordWeakness = 'common' | 'repetitive' | 'sequence';

export function passwordWeakness(password: string): PasswordWeakness | undefined {
  const p = password.normalize('NFC').toLowerCase().replace(/\s+/g, '');
  if (COMMON.has(p) || COMMON.has(p.replace(/[\d!@#$.]+$/, '')) || COMMON.has(password.normalize('NFC').toLowerCase())) return 'common';
  if (new Set(p).size <= 3) return 'repetitive';
  if (isRun(p)) return 'sequence';
  return undefined;
}

/** The whole password is one stretch of a keyboard row or the alphabet, forwards or backwards. */
function isRun(p: string): boolean {
  return KEYBOARD_ROWS.some((row) => {
    const back = [...row].reverse().join('');
    return row.includes(p) || back.includes(p) || [...p].every((ch, i) => i === 0 || Math.abs(ch.charCodeAt(0) - p.charCodeAt(i - 1)) === 1);
  });
}
