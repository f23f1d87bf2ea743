import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrateLatest, openDb } from '../../server/store/db.js';

/**
 * Database targets for store tests: SQLite always, PostgreSQL when TEST_DATABASE_URL is set
 * (CI sets it). Each PostgreSQL test database is a fresh schema, dropped afterwards.
 */
export interface DbTarget {
  name: 'sqlite' | 'postgres';
  open(): Promise<{ db: Knex; url: string; cleanup(): Promise<void> }>;
}

export const dbTargets: DbTarget[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'binhyen-db-'));
      const url = `sqlite:${path.join(dir, 'test.sqlite')}`;
      const db = openDb({ url });
      return {
        db,
        url,
        cleanup: async () => {
          await db.destroy();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  ...(process.env.TEST_DATABASE_URL ? [postgresTarget(process.env.TEST_DATABASE_URL)] : []),
];

function postgresTarget(baseUrl: string): DbTarget {
  return {
    name: 'postgres',
    async open() {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const admin = knexFactory({ client: 'pg', connection: baseUrl });
      await admin.raw(`create schema ${schema}`);
      await admin.destroy();
      const sep = baseUrl.includes('?') ? '&' : '?';
      const url = `${baseUrl}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const db = openDb({ url });
      return {
        db,
        url,
        cleanup: async () => {
          await db.destroy();
          const a = knexFactory({ client: 'pg', connection: baseUrl });
          await a.raw(`drop schema ${schema} cascade`);
          await a.destroy();
        },
      };
    },
  };
}

/** A migrated database for repository tests. */
export async function openMigrated(target: DbTarget) {
  const h = await target.open();
  await migrateLatest(h.db);
  return h;
}
