import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { ScryptBackend, ScryptRunner } from './password.pool.js';

/**
 * scrypt password hashes with a per-user random salt, stored as
 * `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>` so the cost can be raised later and old
 * hashes still verify. The server runs scrypt on its own bounded thread pool (password.pool.ts);
 * the default here (libuv's pool) is for the CLI and unit tests, where nothing else competes.
 */
const KEY_LEN = 32;
const SALT_LEN = 16;

const libuvScrypt: ScryptRunner = (password, salt, keyLen, opts) =>
  new Promise((resolve, reject) => {
    scrypt(password, salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
/** Unbounded, on libuv's pool: for the CLI and unit tests. */
export const libuvScryptBackend: ScryptBackend = { admit: () => ({ run: libuvScrypt, cancel: () => undefined }) };

/** A password check with its place in the hashing queue already held. */
export interface PasswordCheck {
  verify(password: string, stored: string): Promise<boolean>;
  cancel(): void;
}

const paramsOf = (log2N: number, r: number, p: number): ScryptOptions => ({
  N: 2 ** log2N,
  r,
  p,
  // Node refuses more than 32 MiB by default; scrypt needs 128·N·r bytes.
  maxmem: 256 * 2 ** log2N * r + 1024 * 1024,
});

/** Vietnamese passwords typed on different keyboards differ in Unicode normal form. */
const normalize = (password: string) => password.normalize('NFC');

export class PasswordHasher {
  constructor(
    private readonly log2N = 15,
    private readonly r = 8,
    private readonly p = 1,
    private readonly kdf: ScryptBackend = libuvScryptBackend,
  ) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LEN);
    const key = await this.kdf.admit().run(normalize(password), salt, KEY_LEN, paramsOf(this.log2N, this.r, this.p));
    return ['scrypt', this.log2N, this.r, this.p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  verify(password: string, stored: string): Promise<boolean> {
    return this.admitCheck().verify(password, stored);
  }

  /** Holds a place for one verify now (refused at once when busy); the caller does its lookups, then verifies. */
  admitCheck(): PasswordCheck {
    const place = this.kdf.admit();
    return {
      verify: async (password, stored) => {
        try {
          return await this.verifyWith(place.run, password, stored);
        } finally {
          place.cancel();
        }
      },
      cancel: () => place.cancel(),
    };
  }

  private async verifyWith(run: ScryptRunner, password: string, stored: string): Promise<boolean> {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
    if (![log2N, r, p].every(Number.isInteger) || log2N < 1 || log2N > 22 || r < 1 || r > 32 || p < 1 || p > 16) return false;
    const salt = Buffer.from(parts[4]!, 'base64');
    const expected = Buffer.from(parts[5]!, 'base64');
    if (expected.length !== KEY_LEN) return false;
    const key = await run(normalize(password), salt, KEY_LEN, paramsOf(log2N, r, p));
    return timingSafeEqual(key, expected);
  }

  /** A hash made with other parameters, re-hashed after the next successful login. */
  needsRehash(stored: string): boolean {
    return !stored.startsWith(`scrypt$${this.log2N}$${this.r}$${this.p}$`);
  }

  /**
   * A hash in the current format with a random key: verifying against it costs one full scrypt
   * and never matches, so an unknown username takes as long as a known one. Random bytes, not
   * a real hash, so making it takes no place in the hashing queue.
   */
  dummyHash(): string {
    return ['scrypt', this.log2N, this.r, this.p, randomBytes(SALT_LEN).toString('base64'), randomBytes(KEY_LEN).toString('base64')].join('$');
  }
}
