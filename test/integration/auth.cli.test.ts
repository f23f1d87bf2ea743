import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFrom } from '../../server/config/config.load.js';
import { startServer, type RunningServer } from '../../server/main.js';
import { createLogger } from '../../server/shared/log.js';
import { tempDir } from '../support/tmp.js';
import { call, login, openSocket, waitForDisconnect } from './auth.world.js';

/** `binhyen user …` as deployments use it (the compiled CLI; npm test builds first), against a running server. */
const CLI = path.join(__dirname, '../../dist/server/cli.js');
const tmp = tempDir('binhyen-user-cli-');
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BINHYEN_DATA_DIR: tmp.dir, BINHYEN_AUTH__SCRYPT_LOG2_N: '10' };

function cli(args: string[], stdin?: string) {
  const r = spawnSync(process.execPath, [CLI, 'user', ...args], { encoding: 'utf8', env: ENV, input: stdin ?? '', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let srv: RunningServer & { logs: string[] };
beforeAll(() => {
  expect(existsSync(CLI), 'run `npx tsc -p tsconfig.build.json` (npm test builds) before this test').toBe(true);
});
afterAll(async () => {
  await srv?.close();
  tmp.remove();
});

describe('binhyen user', () => {
  it('adds users with roles and areas, reading the password from stdin only', () => {
    expect(cli(['add', 'chief', '--role', 'admin', '--name', 'Trưởng công an', '--password-stdin'], 'first admin password\n')).toMatchObject({
      code: 0,
      out: 'Created chief (admin).\n',
    });
    expect(cli(['add', 'deputy', '--role', 'admin', '--password-stdin'], 'second admin password\n').code).toBe(0);
    const noStdin = cli(['add', 'x', '--role', 'police']);
    expect(noStdin.code).toBe(1);
    expect(noStdin.err).toMatch(/--password-stdin \(never as an argument\)/);
    expect(cli(['add', 'hoa', '--role', 'resident', '--password-stdin'], 'resident password 1\n').err).toMatch(/at least one area/);
    expect(cli(['add', 'hoa', '--role', 'resident', '--area', 'Ấp không có', '--password-stdin'], 'resident password 1\n').err).toMatch(
      /no area "Ấp không có"/,
    );
    expect(cli(['add', 'weak', '--role', 'police', '--password-stdin'], 'short\n').err).toMatch(/at least 10 characters/);
    expect(cli(['add', 'bad', '--role', 'mayor', '--password-stdin'], 'a good long password\n').err).toMatch(
      /roles: at least one of admin, police, technician, resident/,
    );
    expect(cli(['frobnicate', 'x']).code).toBe(2);
  });

  it('lists users as a table and as JSON, without password hashes', () => {
    const table = cli(['list']);
    expect(table.out).toMatch(/^ID\s+USERNAME\s+NAME\s+ROLES\s+AREAS\s+STATE\n1\s+chief\s+Trưởng công an\s+admin\s+-\s+enabled\n/);
    const list = JSON.parse(cli(['list', '--json']).out) as { username: string; roles: string[] }[];
    expect(list.map((u) => [u.username, u.roles])).toEqual([
      ['chief', ['admin']],
      ['deputy', ['admin']],
    ]);
    expect(cli(['list', '--json']).out).not.toMatch(/scrypt|hash/);
  });

  it('seeded users sign in to the server, which made no setup code since accounts exist', async () => {
    const logs: string[] = [];
    const config = configFrom({ port: 0, host: '127.0.0.1', dataDir: tmp.dir, demoCamera: false, auth: { scryptLog2N: 10, socketRecheckSeconds: 1 } });
    srv = {
      ...(await startServer(
        config,
        createLogger('info', (l) => logs.push(l)),
      )),
      logs,
    };
    expect(logs.join('\n')).not.toMatch(/setup code/);
    expect(existsSync(path.join(tmp.dir, 'setup-code.txt'))).toBe(false);
    expect((await call(srv, 'GET', '/api/auth/session', { cookie: await login(srv, 'chief', 'first admin password') })).body).toMatchObject({
      user: { username: 'chief', displayName: 'Trưởng công an' },
    });
  });

  it('passwd and disable from the CLI end sessions; open sockets are cut by the periodic check', async () => {
    const cookie = await login(srv, 'deputy', 'second admin password');
    const socket = await openSocket(srv, { cookie });
    const gone = waitForDisconnect(socket, 5000);
    expect(cli(['passwd', 'deputy', '--password-stdin'], 'replaced password 22\n').code).toBe(0);
    expect((await call(srv, 'GET', '/api/users', { cookie })).status).toBe(401);
    expect(await gone).toBe('io server disconnect');
    await login(srv, 'deputy', 'replaced password 22');
    expect(cli(['disable', 'deputy']).code).toBe(0);
    expect((await call(srv, 'POST', '/api/auth/login', { body: { username: 'deputy', password: 'replaced password 22' } })).status).toBe(401);
    expect(cli(['disable', 'chief']).err).toMatch(/last enabled admin/);
    expect(cli(['enable', 'deputy']).code).toBe(0);
    await login(srv, 'deputy', 'replaced password 22');
  });

  it('writes every CLI change to the audit chain as "cli"', async () => {
    const entries = await srv.auth.audit.list({ limit: 100, action: 'user.create' });
    expect(entries.map((e) => e.username)).toEqual(['cli', 'cli']);
    expect((await srv.auth.audit.list({ limit: 100 })).map((e) => e.action)).toEqual(expect.arrayContaining(['user.password', 'user.disable', 'user.update']));
    expect((await srv.auth.audit.verify()).ok).toBe(true);
  });
});
