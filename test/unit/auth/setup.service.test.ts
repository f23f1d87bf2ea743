import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SetupService } from '../../../server/auth/setup.service.js';
import { AppError } from '../../../server/shared/errors.js';
import { createLogger } from '../../../server/shared/log.js';
import type { UserRecord } from '../../../server/store/user.repository.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function make(existing = 0, failAdd?: AppError) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'binhyen-setup-'));
  dirs.push(dir);
  const logs: string[] = [];
  const added: unknown[] = [];
  let count = existing;
  const users = {
    count: async () => count,
    add: async (u: { username: string }) => {
      if (failAdd) throw failAdd;
      added.push(u);
      count += 1;
      return { id: 1, username: u.username } as UserRecord;
    },
  };
  const file = path.join(dir, 'data', 'setup-code.txt');
  return {
    setup: new SetupService(
      users,
      file,
      createLogger('info', (l) => logs.push(l)),
    ),
    file,
    logs,
    added,
  };
}

const codeIn = (logs: string[]) => /setup code ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(logs.join('\n'))?.[1];

describe('SetupService (first run)', () => {
  it('prints a one-time code to the log and writes it to a file only the owner can read', async () => {
    const { setup, file, logs } = make();
    await setup.init();
    const code = codeIn(logs);
    expect(code).toBeDefined();
    expect(readFileSync(file, 'utf8').trim()).toBe(code);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(setup.pending).toBe(true);
  });

  it('refuses a wrong code, accepts the right one once (ignoring case and dashes), then removes the file', async () => {
    const { setup, file, logs, added } = make();
    await setup.init();
    const code = codeIn(logs)!;
    await expect(setup.complete('AAAA-BBBB-CCCC-DDDD', { username: 'admin', password: 'x' }, '10.0.0.1')).rejects.toMatchObject({ code: 'invalid_setup_code' });
    const user = await setup.complete(code.toLowerCase().replace(/-/g, ' '), { username: 'chief', password: 'long password' }, '10.0.0.1');
    expect(user.username).toBe('chief');
    expect(added).toEqual([expect.objectContaining({ username: 'chief', roles: ['admin'], areaIds: [] })]);
    expect(existsSync(file)).toBe(false);
    await expect(setup.complete(code, { username: 'second', password: 'long password' }, '10.0.0.1')).rejects.toMatchObject({
      code: 'setup_done',
      status: 409,
    });
  });

  it('does not burn the code when the chosen password is refused', async () => {
    const { setup, logs } = make(0, new AppError('password_too_short', 'short', 400));
    await setup.init();
    const code = codeIn(logs)!;
    await expect(setup.complete(code, { username: 'chief', password: 'x' }, '10.0.0.1')).rejects.toMatchObject({ code: 'password_too_short' });
    expect(setup.pending).toBe(true);
  });

  it('makes no code once an account exists, and removes a stale file', async () => {
    const first = make();
    await first.setup.init();
    const again = new SetupService(
      { count: async () => 1, add: async () => ({}) as UserRecord },
      first.file,
      createLogger('error', () => {}),
    );
    await again.init();
    expect(again.pending).toBe(false);
    expect(existsSync(first.file)).toBe(false);
    await expect(again.complete('anything', { username: 'x', password: 'y' }, '1.1.1.1')).rejects.toMatchObject({ code: 'setup_done' });
  });
});
