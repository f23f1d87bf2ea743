import type { Knex } from 'knex';

/** Issue 14 item 3: the Web Push subscriptions of each user's browsers and phones. */
export const name = '20261213_071_push_subscriptions';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notify_push_subscriptions', (t) => {
    t.increments('id').primary();
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('endpoint', 2000).notNullable().unique();
    t.string('p256dh', 200).notNullable();
    t.string('auth', 100).notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('notify_push_subscriptions');
}
