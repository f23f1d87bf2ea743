import { randomInt, timingSafeEqual, createHash } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { UserRecord } from '../store/user.repository.js';
import type { NewUserInput, UserService } from './user.service.js';

/**
 * First run: no default password and no "first visitor becomes admin". While no account
 * exists the server makes a one-time setup code, prints it to its log and writes it (mode
 * 0600) to <dataDir>/setup-code.txt; whoever creates the first admin must present it. A new
 * code is made at every start until setup is done; the file is removed after.
 */
export interface SetupFiles {
  write(file: string, text: string): Promise<void>;
  remove(file: string): Promise<void>;
}

export const diskSetupFiles: SetupFiles = {
  async write(file, text) {
    await mkdir(path.dirname(file), { recursive: true });
    await rm(file, { force: true }); // a pre-existing file could have looser permissions
    await writeFile(file, text, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600); // the umask cannot widen it, but be explicit
  },
  async remove(file) {
    await rm(file, { force: true });
  },
};

// Crockford base32 without I, L, O, U: 16 characters ≈ 80 bits, read aloud without confusion.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const normalizeCode = (code: string) => code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
const digest = (s: string) => createHash('sha256').update(s).digest();

export class SetupService {
  private code: string | undefined;

  constructor(
    private readonly users: Pick<UserService, 'count' | 'add'>,
    private readonly file: string,
    private readonly log: Logger,
    private readonly files: SetupFiles = diskSetupFiles,
  ) {}

  /** At start: make and publish a code if there is no account yet, else remove any stale file. */
  async init(): Promise<void> {
    if ((await this.users.count()) > 0) {
      this.code = undefined;
      await this.files.remove(this.file);
      return;
    }
    const raw = Array.from({ length: 16 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    const shown = raw.match(/.{4}/g)!.join('-');
    await this.files.write(this.file, shown + '\n');
    this.code = raw;
    this.log.warn(
      `No account exists yet. Open the control panel and enter the one-time setup code ${shown} to create the first admin (also in ${this.file}, readable only by this user).`,
    );
  }

  get pending(): boolean {
    return this.code !== undefined;
  }

  /** Creates the first admin when `code` matches; the code is used up before any await, so it works once. */
  async complete(code: string, admin: Omit<NewUserInput, 'roles' | 'areaIds'>, ip: string): Promise<UserRecord> {
    const expected = this.code;
    if (expected === undefined) throw new AppError('setup_done', 'setup is already done; sign in instead', 409);
    if (!timingSafeEqual(digest(normalizeCode(code)), digest(expected))) {
      throw new AppError('invalid_setup_code', 'the setup code is not right (see the server log or setup-code.txt in the data directory)', 400, {
        field: 'code',
      });
    }
    this.code = undefined;
    try {
      if ((await this.users.count()) > 0) throw new AppError('setup_done', 'setup is already done; sign in instead', 409);
      const user = await this.users.add({ ...admin, roles: ['admin'], areaIds: [] }, { name: 'setup', ip });
      await this.files.remove(this.file);
      this.log.info('first admin created; setup code used up', { username: user.username });
      return user;
    } catch (err) {
      // A rejected password or username must not burn the code: the operator fixes it and retries.
      if (!(err instanceof AppError && err.code === 'setup_done')) this.code = expected;
      throw err;
    }
  }
}
