import type { Knex } from 'knex';

/**
 * Residents' reports (tin báo, issue 13): the report, its photos, police and public notes, the
 * state history (how long each step took) and the clips attached as evidence.
 */
export const name = '20261212_060_reports';

const ms = (t: Knex.CreateTableBuilder, ...cols: string[]) => cols.forEach((c) => t.bigInteger(c).notNullable());

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reports', (t) => {
    t.increments('id').primary();
    // TB-yyyymmdd-id: what the reporter quotes on the phone; unique, set in the creating transaction
    t.string('ref', 32).nullable().unique();
    t.integer('area_id').notNullable().references('id').inTable('areas').onDelete('RESTRICT');
    t.integer('reporter_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('category', 32).notNullable();
    t.text('body').notNullable();
    t.string('place', 500).notNullable().defaultTo('');
    t.double('latitude').nullable();
    t.double('longitude').nullable();
    ms(t, 'occurred_at');
    t.string('state', 16).notNullable().defaultTo('new');
    t.integer('assignee_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.integer('event_id').nullable().references('id').inTable('events').onDelete('SET NULL');
    ms(t, 'created_at', 'updated_at');
    t.bigInteger('closed_at').nullable();
    t.index(['area_id', 'created_at']);
    t.index(['reporter_id']);
    t.index(['state']);
  });
  await knex.schema.createTable('report_photos', (t) => {
    t.increments('id').primary();
    t.integer('report_id').notNullable().references('id').inTable('reports').onDelete('CASCADE');
    t.string('path', 500).notNullable();
    t.string('mime', 32).notNullable();
    t.bigInteger('bytes').notNullable();
    t.string('sha256', 64).notNullable();
    ms(t, 'created_at');
    t.index(['report_id']);
  });
  await knex.schema.createTable('report_notes', (t) => {
    t.increments('id').primary();
    t.integer('report_id').notNullable().references('id').inTable('reports').onDelete('CASCADE');
    t.integer('user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('visibility', 16).notNullable(); // internal (police only) or public (the reporter sees it)
    t.text('body').notNullable();
    ms(t, 'created_at');
    t.index(['report_id']);
  });
  await knex.schema.createTable('report_history', (t) => {
    t.increments('id').primary();
    t.integer('report_id').notNullable().references('id').inTable('reports').onDelete('CASCADE');
    t.string('from_state', 16).nullable();
    t.string('to_state', 16).notNullable();
    t.integer('user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    ms(t, 'at');
    t.index(['report_id']);
  });
  await knex.schema.createTable('report_evidence', (t) => {
    t.increments('id').primary();
    t.integer('report_id').notNullable().references('id').inTable('reports').onDelete('CASCADE');
    t.integer('clip_id').notNullable().references('id').inTable('clips').onDelete('RESTRICT');
    t.integer('user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    ms(t, 'created_at');
    t.unique(['report_id', 'clip_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['report_evidence', 'report_history', 'report_notes', 'report_photos', 'reports']) await knex.schema.dropTableIfExists(table);
}
