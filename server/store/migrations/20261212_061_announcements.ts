import type { Knex } from 'knex';

/** Area announcements (issue 13 item 5): police post to an area; residents of it and below read them, with unread counts. */
export const name = '20261212_061_announcements';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('announcements', (t) => {
    t.increments('id').primary();
    t.integer('area_id').notNullable().references('id').inTable('areas').onDelete('RESTRICT');
    t.integer('author_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('title', 200).notNullable();
    t.text('body').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['area_id', 'created_at']);
  });
  await knex.schema.createTable('announcement_reads', (t) => {
    t.integer('announcement_id').notNullable().references('id').inTable('announcements').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.bigInteger('read_at').notNullable();
    t.primary(['announcement_id', 'user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('announcement_reads');
  await knex.schema.dropTableIfExists('announcements');
}
