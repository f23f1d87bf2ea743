import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt password hashes with a per-user random salt, stored as
 * `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>` so the cost can be raised later and old
 * hashes still verify. scrypt runs on libuv's thread pool, off the event loop.
 */
const KEY_LEN = 32;
const SALT_LEN = 16;

function scryptAsync(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const paramsOf = (log2N: number, r: number, p: number): ScryptOptions => ({
  N: 2 ** log2N, r, p,
  // Node refuses more than 32 MiB by default; scrypt needs 128·N·r bytes.
  maxmem: 256 * 2 ** log2N * r + 1024 * 1024,
});

/** Vietnamese passwords typed on different keyboards differ in Unicode normal form. */
const normalize = (password: string) => password.normalize('NFC');

export class PasswordHasher {
  constructor(private readonly log2N = 15, private readonly r = 8, private readonly p = 1) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LEN);
    const key = await scryptAsync(normalize(password), salt, paramsOf(this.log2N, this.r, this.p));
    return ['scrypt', this.log2N, this.r, this.p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
    if (![log2N, r, p].every(Number.isInteger) || log2N < 1 || log2N > 22 || r < 1 || r > 32 || p < 1 || p > 16) return false;
    const salt = Buffer.from(parts[4]!, 'base64');
    const expected = Buffer.from(parts[5]!, 'base64');
    if (expected.length !== KEY_LEN) return false;
    const key = await scryptAsync(normalize(password), salt, paramsOf(log2N, r, p));
    return timingSafeEqual(key, expected);
  }

  /** A hash made with other parameters, re-hashed after the next successful login. */
  needsRehash(stored: string): boolean {
    return !stored.startsWith(`scrypt$${this.log2N}$${this.r}$${this.p}$`);
  }

  /** A valid hash of a random password: compared against when the username is unknown, so timing does not tell. */
  async dummyHash(): Promise<string> {
    return this.hash(randomBytes(18).toString('base64'));
  }
}
