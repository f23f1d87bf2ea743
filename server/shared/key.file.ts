import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { AppError } from './errors.js';
import type { Logger } from './log.js';

/**
 * 32-byte keys kept in files beside (never inside) the database: the camera-credentials key
 * and the audit-chain key. Mode 0600 whatever storage.group says: a backup user who can read
 * the database must not also hold the keys.
 */

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

/** Reads a key file; undefined when it does not exist. A key readable by others is tightened and reported. */
export function readKeyFile(file: string, log: Logger): Buffer | undefined {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError('secret_key_unreadable', `cannot read the key file ${file}: ${(err as Error).message}`, 500);
  }
  const key = parseKey(content);
  if (!key) throw new AppError('secret_key_invalid', `the key file ${file} does not hold a 32-byte key (base64, 64 hex characters or 32 raw bytes)`, 500);
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    chmodSync(file, 0o600);
    log.warn('key file was readable by other users; its mode is now 0600', { file, mode: mode.toString(8) });
  }
  return key;
}

/**
 * Reads the key file, creating it (mode 0600, exclusive create so two starting processes
 * cannot both write one) on first start. `purpose` names it in the log.
 */
export function loadOrCreateKey(file: string, log: Logger, purpose = 'camera credentials'): Buffer {
  return readKeyFile(file, log) ?? createKeyFile(file, log, purpose);
}

function createKeyFile(file: string, log: Logger, purpose: string): Buffer {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    // Another process created it between our read and our create: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKey(file, log, purpose);
    throw err;
  }
  try {
    writeSync(fd, key.toString('base64') + '\n');
  } finally {
    closeSync(fd);
  }
  log.info(`created the key for ${purpose}; back it up with the database`, { file });
  return key;
}
