import type { Knex } from 'knex';

/**
 * Issue 14: the durable outbox. notify_outbox is written in the same transaction as the change
 * that caused it (key unique: a replayed producer adds nothing); notify_deliveries holds one row
 * per notification × channel × target, which the workers send in id order per order_key
 * (channel, target, camera); notify_attempts is the delivery log. Webhook endpoints and the
 * per-user rules live here too.
 */
export const name = '20261213_070_notify_outbox';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notify_outbox', (t) => {
    t.increments('id').primary();
    t.string('key', 200).notNullable().unique();
    t.string('kind', 40).notNullable();
    t.integer('camera_id').nullable();
    t.integer('area_id').nullable();
    t.string('severity', 20).nullable();
    t.string('label', 60).nullable();
    t.string('visibility', 20).notNullable().defaultTo('internal');
    t.text('payload').notNullable();
    t.bigInteger('at').notNullable();
    t.bigInteger('fanned_at').nullable().index();
  });
  await knex.schema.createTable('notify_deliveries', (t) => {
    t.increments('id').primary();
    t.integer('outbox_id').notNullable().references('id').inTable('notify_outbox').onDelete('CASCADE');
    t.string('channel', 20).notNullable();
    t.string('target', 100).notNullable();
    t.string('order_key', 200).notNullable();
    t.string('state', 20).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_at').notNullable();
    t.text('last_error').nullable();
    t.integer('grouped_into').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('done_at').nullable();
    t.unique(['outbox_id', 'channel', 'target']);
    t.index(['state', 'order_key', 'id']);
  });
  await knex.schema.createTable('notify_attempts', (t) => {
    t.increments('id').primary();
    t.integer('delivery_id').notNullable().references('id').inTable('notify_deliveries').onDelete('CASCADE');
    t.bigInteger('at').notNullable();
    t.boolean('ok').notNullable();
    t.integer('status').nullable();
    t.text('error').nullable();
    t.integer('duration_ms').notNullable();
    t.index(['delivery_id']);
  });
  await knex.schema.createTable('notify_endpoints', (t) => {
    t.increments('id').primary();
    t.string('name', 100).notNullable();
    t.string('url', 2000).notNullable();
    t.string('secret', 200).notNullable();
    t.text('kinds').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.integer('created_by').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('deleted_at').nullable();
  });
  await knex.schema.createTable('notify_rules', (t) => {
    t.integer('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
    t.text('rules').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['notify_rules', 'notify_endpoints', 'notify_attempts', 'notify_deliveries', 'notify_outbox']) await knex.schema.dropTableIfExists(table);
}
