import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

/**
 * Credential encryption for the whole product: AES-256-GCM with a 32-byte key that lives in a
 * file (config.secretKeyFile, default <dataDir>/secret.key), never in the database. Stored
 * form: "v1:" + base64(iv ‖ tag ‖ ciphertext). The associated data binds a ciphertext to its
 * purpose, so a camera credential cannot be replayed as some other secret.
 */
export interface CameraCredentials {
  username: string;
  password: string;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class CredentialCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error(`the credential key must be 32 bytes, got ${key.length}`);
    this.key = Buffer.from(key);
  }

  encrypt(plain: string, purpose = 'camera-credentials'): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')}`;
  }

  decrypt(stored: string, purpose = 'camera-credentials'): string {
    const [version, b64] = stored.split(':');
    if (version !== VERSION || !b64) throw new AppError('credentials_unreadable', 'stored credentials have an unknown format', 500);
    const raw = Buffer.from(b64, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new AppError('credentials_unreadable', 'stored credentials are truncated', 500);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      // Wrong key (e.g. secret.key replaced) or tampering: say which, never echo the data.
      throw new AppError(
        'credentials_unreadable',
        'stored credentials cannot be decrypted with the current secret key (was the key file replaced?); enter the camera password again',
        500,
      );
    }
  }

  encryptCredentials(c: CameraCredentials): string {
    return this.encrypt(JSON.stringify({ u: c.username, p: c.password }));
  }

  decryptCredentials(stored: string): CameraCredentials {
    const parsed = JSON.parse(this.decrypt(stored)) as { u?: unknown; p?: unknown };
    if (typeof parsed.u !== 'string' || typeof parsed.p !== 'string') throw new AppError('credentials_unreadable', 'stored credentials are incomplete', 500);
    return { username: parsed.u, password: parsed.p };
  }
}

/** Accepts 32 raw bytes, 64 hex characters or base64 of 32 bytes (what we write). */
export function parseKey(content: Buffer): Buffer | undefined {
  if (content.length === 32) return content;
  const text = content.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) {
    const key = Buffer.from(text, 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}

/**
 * Reads the key file, creating it (mode 0600, exclusive create so two starting processes
 * cannot both write one) on first start. A key readable by others is tightened and reported.
 */
export function loadOrCreateKey(file: string, log: Logger): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new AppError('secret_key_unreadable', `cannot read the secret key file ${file}: ${(err as Error).message}`, 500);
    return createKeyFile(file, log);
  }
  const key = parseKey(content);
  if (!key)
    throw new AppError('secret_key_invalid', `the secret key file ${file} does not hold a 32-byte key (base64, 64 hex characters or 32 raw bytes)`, 500);
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    chmodSync(file, 0o600);
    log.warn('secret key file was readable by other users; its mode is now 0600', { file, mode: mode.toString(8) });
  }
  return key;
}

function createKeyFile(file: string, log: Logger): Buffer {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    // Another process created it between our read and our create: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKey(file, log);
    throw err;
  }
  try {
    writeSync(fd, key.toString('base64') + '\n');
  } finally {
    closeSync(fd);
  }
  log.info('created the secret key for camera credentials; back it up with the database', { file });
  return key;
}
