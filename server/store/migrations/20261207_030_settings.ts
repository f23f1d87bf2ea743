import type { Knex } from 'knex';

/**
 * Server settings an admin changes in the UI (issue 12 finding 6: the address ranges cameras
 * may be at). One row per setting, its value JSON; a missing row means "the config default".
 */
export const name = '20261207_030_settings';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('settings', (t) => {
    t.string('key', 64).primary();
    t.text('value').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.integer('updated_by').nullable().references('id').inTable('users').onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('settings');
}
