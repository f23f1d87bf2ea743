import type { Knex } from 'knex';
import { withForeignKeysOff } from './migration.util.js';

/**
 * The audit chain becomes keyed (issue 12, finding 4): each entry says how its hash was made,
 * 1 = plain SHA-256 (every entry written before this migration, which keep verifying as they
 * are) or 2 = HMAC-SHA256 with the audit key kept outside the database. The server seals the
 * plain entries with a keyed marker entry at its next start (server/auth/audit.log.ts).
 * ADD COLUMN with a default: SQLite does it in place, no table rebuild.
 */
export const name = '20261210_040_audit_keyed';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    t.integer('hash_version').notNullable().defaultTo(1);
  });
}

export async function down(knex: Knex): Promise<void> {
  await withForeignKeysOff(knex, () =>
    knex.schema.alterTable('audit_log', (t) => {
      t.dropColumn('hash_version');
    }),
  );
}
