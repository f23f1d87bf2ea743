import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.load.js';
import { dataPermissions } from '../shared/data.permissions.js';
import { createLogger } from '../shared/log.js';
import { migrateDown, migrateLatest, openDb } from '../store/db.js';
import { VERSION } from '../version.js';
import { userCommand } from './user.command.js';
import { discoverCommand } from './discover.command.js';
import { probeCommand } from './probe.command.js';
import { eventsCommand } from './events.command.js';
import { ptzCommand } from './ptz.command.js';
import { detectCommand } from './detect.command.js';
import { benchCommand } from './bench.command.js';
import { auditCommand } from './audit.command.js';

/**
 * The `binhyen` command line. Each command declares its options and help; commands that
 * print data accept --json.
 */
export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  /** Creates files in the data folder (the database, keys): they get the server's permissions (storage.group). */
  writesData?: boolean;
  run(args: { values: Record<string, unknown>; positionals: string[] }): Promise<number>;
}

const commands: Record<string, Command> = {
  serve: {
    summary: 'Run the server (what npm start runs)',
    usage: 'binhyen serve',
    options: {},
    async run() {
      const { serve } = await import('./serve.command.js');
      return serve();
    },
  },
  migrate: {
    summary: 'Apply database migrations (or roll them all back with --down)',
    usage: 'binhyen migrate [--down] [--json]',
    options: { down: { type: 'boolean' }, json: { type: 'boolean' } },
    writesData: true,
    async run({ values }) {
      const config = loadConfig();
      const db = openDb({ url: config.databaseUrl });
      try {
        if (values.down) {
          await migrateDown(db);
          print(values.json, { rolledBack: true }, 'All migrations rolled back.');
        } else {
          const applied = await migrateLatest(db);
          print(values.json, { applied }, applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
        }
      } finally {
        await db.destroy();
      }
      return 0;
    },
  },
  config: {
    summary: 'Print the effective configuration (secrets are never part of it)',
    usage: 'binhyen config [--json]',
    options: { json: { type: 'boolean' } },
    async run({ values }) {
      const config = loadConfig();
      print(values.json, config, JSON.stringify(config, null, 2));
      return 0;
    },
  },
  user: userCommand,
  audit: auditCommand,
  discover: discoverCommand,
  probe: probeCommand,
  events: eventsCommand,
  ptz: ptzCommand,
  detect: detectCommand,
  bench: benchCommand,
};

export function print(json: unknown, data: unknown, text: string): void {
  process.stdout.write((json ? JSON.stringify(data) : text) + '\n');
}

function help(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    `binhyen ${VERSION} — camera-network incident monitor`,
    '',
    'Usage: binhyen <command> [options]   (binhyen <command> --help for details)',
    '',
    ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return name ? 0 : 1;
  }
  if (name === '--version') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${help()}\n`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nUsage: ${command.usage}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  try {
    if (command.writesData) process.umask(dataPermissions(loadConfig().storage.group).umask);
    return await command.run(parsed as { values: Record<string, unknown>; positionals: string[] });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      return 78; // EX_CONFIG
    }
    createLogger('error').error(`${name} failed: ${(err as Error).message}`);
    return 1;
  }
}
