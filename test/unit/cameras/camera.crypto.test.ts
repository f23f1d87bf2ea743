import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialCipher, loadOrCreateKey, parseKey } from '../../../server/cameras/camera.crypto.js';
import { createLogger } from '../../../server/shared/log.js';
import { tempDir } from '../../support/tmp.js';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
const logs: string[] = [];
const log = createLogger('debug', (l) => logs.push(l));

describe('credential encryption (AES-256-GCM)', () => {
  const cipher = new CredentialCipher(Buffer.alloc(32, 7));

  it('round-trips, with a fresh IV each time and no plaintext in the stored form', () => {
    const a = cipher.encryptCredentials({ username: 'admin', password: 'mật khẩu 123' });
    const b = cipher.encryptCredentials({ username: 'admin', password: 'mật khẩu 123' });
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:/);
    expect(a).not.toContain('admin');
    expect(cipher.decryptCredentials(a)).toEqual({ username: 'admin', password: 'mật khẩu 123' });
  });

  it('detects tampering, a wrong key and a ciphertext made for another purpose', () => {
    const stored = cipher.encryptCredentials({ username: 'u', password: 'p' });
    const raw = Buffer.from(stored.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => cipher.decrypt(`v1:${raw.toString('base64')}`)).toThrow(/cannot be decrypted/);
    expect(() => new CredentialCipher(Buffer.alloc(32, 8)).decrypt(stored)).toThrow(/cannot be decrypted/);
    expect(() => cipher.decrypt(cipher.encrypt('x', 'other'))).toThrow(/cannot be decrypted/);
    expect(() => cipher.decrypt('v9:abc')).toThrow(/unknown format/);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new CredentialCipher(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});

describe('key file', () => {
  it('is created on first start with mode 0600 and read back on the next', () => {
    const t = tempDir();
    dirs.push(t);
    const file = path.join(t.dir, 'sub', 'secret.key');
    const key = loadOrCreateKey(file, log);
    expect(key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKey(file, log).equals(key)).toBe(true);
    expect(parseKey(readFileSync(file))!.equals(key)).toBe(true);
    expect(logs.join('\n')).not.toContain(key.toString('base64'));
  });

  it('accepts hex and raw keys, tightens a readable key file, rejects garbage', () => {
    const t = tempDir();
    dirs.push(t);
    const hex = path.join(t.dir, 'hex.key');
    writeFileSync(hex, 'ab'.repeat(32) + '\n');
    chmodSync(hex, 0o644);
    expect(loadOrCreateKey(hex, log).equals(Buffer.alloc(32, 0xab))).toBe(true);
    expect(statSync(hex).mode & 0o777).toBe(0o600);
    const raw = path.join(t.dir, 'raw.key');
    writeFileSync(raw, Buffer.alloc(32, 1), { mode: 0o600 });
    expect(loadOrCreateKey(raw, log).equals(Buffer.alloc(32, 1))).toBe(true);
    const bad = path.join(t.dir, 'bad.key');
    writeFileSync(bad, 'short', { mode: 0o600 });
    expect(() => loadOrCreateKey(bad, log)).toThrow(/does not hold a 32-byte key/);
  });
});
