import type { Knex } from 'knex';

/** Issue 15: each user's own choices (the wall's layout), kept on the server so they follow the user to any screen. */
export const name = '20261214_130_user_preferences';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('user_preferences', (t) => {
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('key', 64).notNullable();
    t.text('value').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['user_id', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('user_preferences');
}
