import { createAccountServices } from '../auth/auth.module.js';
import type { Role } from '../auth/authorize.js';
import type { UserService } from '../auth/user.service.js';
import { loadConfig } from '../config/config.load.js';
import { AppError } from '../shared/errors.js';
import { createLogger } from '../shared/log.js';
import { migrateLatest, openDb } from '../store/db.js';
import { createStore, type Store } from '../store/store.js';
import type { UserRecord } from '../store/user.repository.js';
import type { Command } from './cli.commands.js';

/**
 * `binhyen user …`: how deployments (and tests) seed and manage accounts. Passwords never go on
 * the command line (the process list shows arguments): they come from stdin or a hidden prompt.
 * Changes end the user's sessions in the database; a running server cuts their sockets on its
 * next check (auth.socketRecheckSeconds) or at their next packet.
 */
const USAGE = [
  'binhyen user add <username> --role <role> [--role <role>] [--area <id|name>]… [--name <display name>] [--password-stdin]',
  '       binhyen user passwd <username> [--password-stdin]',
  '       binhyen user disable <username> | enable <username>',
  '       binhyen user set <username> [--role <role>]… [--area <id|name>]… [--name <display name>]',
  '       binhyen user list [--json]',
  '  roles: admin, police, technician, resident (residents need --area)',
].join('\n');

interface Args {
  values: { role?: string[]; area?: string[]; name?: string; 'password-stdin'?: boolean; json?: boolean };
  positionals: string[];
}

export const userCommand: Command = {
  summary: 'Manage accounts: add, passwd, disable, enable, set, list',
  usage: USAGE,
  options: {
    role: { type: 'string', multiple: true },
    area: { type: 'string', multiple: true },
    name: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  allowPositionals: true,
  writesData: true,
  async run(args) {
    const { values, positionals } = args as unknown as Args;
    const [sub, username, ...extra] = positionals;
    if (!sub || extra.length > 0 || (sub !== 'list' && !username)) return usage();
    const config = loadConfig();
    const db = openDb({ url: config.databaseUrl });
    try {
      await migrateLatest(db);
      const store = createStore(db);
      const { users } = createAccountServices({ store, config, log: createLogger(config.logLevel) });
      return await dispatch(sub, username ?? '', values, users, store);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      process.stderr.write(`${err.message}${err.details.field ? ` (${err.details.field})` : ''}\n`);
      return 1;
    } finally {
      await db.destroy();
    }
  },
};

const CLI_ACTOR = { name: 'cli' } as const;

async function dispatch(sub: string, username: string, v: Args['values'], users: UserService, store: Store): Promise<number> {
  switch (sub) {
    case 'add': {
      const user = await users.add(
        { username, displayName: v.name, password: await readPassword(v), roles: (v.role ?? []) as Role[], areaIds: await areaIds(store, v.area) },
        CLI_ACTOR,
      );
      return done(v.json, user, `Created ${user.username} (${user.roles.join(', ')}).`);
    }
    case 'passwd': {
      const user = await mustFind(users, username);
      await users.setPassword(user.id, await readPassword(v), CLI_ACTOR);
      return done(v.json, user, `Password of ${user.username} changed; their sessions are ended.`);
    }
    case 'disable':
    case 'enable': {
      const user = await users.update((await mustFind(users, username)).id, { disabled: sub === 'disable' }, CLI_ACTOR);
      return done(v.json, user, `${user.username} ${sub}d.`);
    }
    case 'set': {
      const before = await mustFind(users, username);
      const user = await users.update(
        before.id,
        {
          displayName: v.name,
          roles: v.role as Role[] | undefined,
          areaIds: v.area ? await areaIds(store, v.area) : undefined,
        },
        CLI_ACTOR,
      );
      return done(v.json, user, `${user.username}: roles ${user.roles.join(', ')}; areas ${user.areaIds.join(', ') || '-'}.`);
    }
    case 'list':
      return done(v.json, await users.list(), table(await users.list()));
    default:
      return usage();
  }
}

function usage(): number {
  process.stderr.write(`Usage: ${USAGE}\n`);
  return 2;
}

function done(json: boolean | undefined, data: UserRecord | UserRecord[], text: string): number {
  const view = (u: UserRecord) => ({
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    roles: u.roles,
    areaIds: u.areaIds,
    disabled: u.disabled,
    createdAt: u.createdAt,
  });
  process.stdout.write((json ? JSON.stringify(Array.isArray(data) ? data.map(view) : view(data)) : text) + '\n');
  return 0;
}

function table(list: UserRecord[]): string {
  if (list.length === 0) return 'No accounts yet.';
  const rows = list.map((u) => [String(u.id), u.username, u.displayName, u.roles.join(','), u.areaIds.join(',') || '-', u.disabled ? 'disabled' : 'enabled']);
  const head = ['ID', 'USERNAME', 'NAME', 'ROLES', 'AREAS', 'STATE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function mustFind(users: UserService, username: string): Promise<UserRecord> {
  const user = await users.getByUsername(username);
  if (!user) throw new AppError('not_found', `no user named ${username}`, 404);
  return user;
}

/** --area takes an id or an exact area name. */
async function areaIds(store: Store, given: string[] | undefined): Promise<number[]> {
  if (!given?.length) return [];
  const all = await store.areas.list();
  return given.map((g) => {
    const found = /^\d+$/.test(g) ? all.find((a) => a.id === Number(g)) : all.filter((a) => a.name === g).at(0);
    if (!found) throw new AppError('unknown_area', `no area "${g}" (give its id or exact name)`, 400, { field: 'area' });
    return found.id;
  });
}

async function readPassword(v: Args['values']): Promise<string> {
  if (v['password-stdin']) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  if (!process.stdin.isTTY)
    throw new AppError('password_required', 'give the password on stdin with --password-stdin (never as an argument)', 400, { field: 'password' });
  const first = await promptHidden('Password: ');
  if ((await promptHidden('Again: ')) !== first) throw new AppError('password_mismatch', 'the two passwords differ', 400, { field: 'password' });
  return first;
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let text = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(text));
        if (ch === '\u0003') return finish(() => reject(new AppError('cancelled', 'cancelled', 130)));
        text = ch === '\u007f' || ch === '\b' ? [...text].slice(0, -1).join('') : text + ch;
      }
    };
    const finish = (then: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      then();
    };
    stdin.on('data', onData);
  });
}
