import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../shared/errors.js';

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

// The key file itself is shared with the audit chain's key (server/shared/key.file.ts).
export { loadOrCreateKey, parseKey } from '../shared/key.file.js';
