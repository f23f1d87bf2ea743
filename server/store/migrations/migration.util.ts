import type { Knex } from 'knex';

/** Runs a table-rebuilding change on SQLite with foreign keys off, so the rebuild cannot cascade deletes. */
export async function withForeignKeysOff(knex: Knex, fn: () => Promise<void>): Promise<void> {
  const sqlite = knex.client.config.client === 'sqlite3';
  if (sqlite) await knex.raw('PRAGMA foreign_keys = OFF');
  try {
    await fn();
  } finally {
    if (sqlite) await knex.raw('PRAGMA foreign_keys = ON');
  }
}
