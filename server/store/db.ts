import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrations } from './migrations/index.js';

/** The knex instance or an open transaction: every repository takes one of these. */
export type Executor = Knex | Knex.Transaction;

// Times are stored as UTC epoch milliseconds in BIGINT columns; pg returns int8 as a
// string by default, which would leak strings into every time comparison.
pg.types.setTypeParser(20, (v: string) => Number.parseInt(v, 10));

export interface DbOptions {
  /** sqlite:<file> or postgres://… */
  url: string;
  busyTimeoutMs?: number;
  /** PostgreSQL connections at most (default 10). */
  poolMax?: number;
}

export function isSqlite(db: Executor): boolean {
  return db.client.config.client === 'sqlite3';
}

/** Opens the database behind knex: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL. */
export function openDb({ url, busyTimeoutMs = 5000, poolMax = 10 }: DbOptions): Knex {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return knexFactory({
      client: 'sqlite3',
      connection: { filename: file },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: { run(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
          const pragmas = ['PRAGMA journal_mode = WAL', 'PRAGMA foreign_keys = ON', `PRAGMA busy_timeout = ${busyTimeoutMs}`, 'PRAGMA synchronous = NORMAL'];
          const next = (i: number): void => {
            if (i === pragmas.length) return done(null, conn);
            conn.run(pragmas[i]!, (err) => (err ? done(err, conn) : next(i + 1)));
          };
          next(0);
        },
      },
    });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    return knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: poolMax } });
  }
  throw new Error(`database URL must start with sqlite: or postgres://, got "${url.split(':')[0]}:…"`);
}

/** Migrations are compiled with the server and listed in code, so tests (TS) and dist (JS) run the same set. */
const migrationSource: Knex.MigrationSource<(typeof migrations)[number]> = {
  getMigrations: async () => migrations,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, names] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return names;
}

export async function migrateDown(db: Knex, all = true): Promise<void> {
  await db.migrate.rollback({ migrationSource }, all);
}

export async function pingDb(db: Knex): Promise<boolean> {
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  }
}
