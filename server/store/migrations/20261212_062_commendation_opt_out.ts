import type { Knex } from 'knex';

/** Residents may opt out of being named on the commendation list (issue 13 item 7). A new column: no table rebuild. */
export const name = '20261212_062_commendation_opt_out';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.boolean('commend_opt_out').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('commend_opt_out');
  });
}
