import type { Knex } from 'knex';
import { withForeignKeysOff } from './migration.util.js';

/**
 * Community groups and the anonymous report link (issue 13 items 1–4): a member's role in each
 * area or group (member, landlord, group leader), a per-area target time for feedback, the
 * revocable public report links police switch on per area, and on reports who they were filed
 * for, through which link, the hash of the secret an anonymous reporter follows them with, and
 * the client's key that makes a retried upload file the report once; and an announcement's
 * optional photo. New columns only: no
 * table is rebuilt (foreign keys are off around them all the same).
 */
export const name = '20261214_120_groups_links';

export async function up(knex: Knex): Promise<void> {
  await withForeignKeysOff(knex, async () => {
    await knex.schema.alterTable('user_areas', (t) => {
      t.string('member_role', 16).notNullable().defaultTo('member');
    });
    await knex.schema.alterTable('areas', (t) => {
      t.integer('feedback_target_minutes').nullable();
    });
    await knex.schema.createTable('report_links', (t) => {
      t.increments('id').primary();
      t.integer('area_id').notNullable().references('id').inTable('areas').onDelete('CASCADE');
      // sha256 of the token in the URL; the token itself is shown once, never stored
      t.string('token_hash', 64).notNullable().unique();
      t.integer('created_by').nullable().references('id').inTable('users').onDelete('SET NULL');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('revoked_at').nullable();
      t.index(['area_id']);
    });
    await knex.schema.alterTable('reports', (t) => {
      t.string('on_behalf_of', 200).nullable();
      t.integer('link_id').nullable();
      t.string('secret_hash', 64).nullable();
      t.string('client_key', 64).nullable();
      t.index(['link_id', 'created_at']);
      t.unique(['reporter_id', 'client_key']);
    });
    await knex.schema.alterTable('announcements', (t) => {
      t.string('photo_path', 500).nullable();
      t.string('photo_mime', 32).nullable();
    });
  });
}

export async function down(knex: Knex): Promise<void> {
  await withForeignKeysOff(knex, async () => {
    await knex.schema.alterTable('announcements', (t) => {
      t.dropColumn('photo_mime');
      t.dropColumn('photo_path');
    });
    await knex.schema.alterTable('reports', (t) => {
      t.dropUnique(['reporter_id', 'client_key']);
      t.dropIndex(['link_id', 'created_at']);
      t.dropColumn('client_key');
      t.dropColumn('secret_hash');
      t.dropColumn('link_id');
      t.dropColumn('on_behalf_of');
    });
    await knex.schema.dropTableIfExists('report_links');
    await knex.schema.alterTable('areas', (t) => {
      t.dropColumn('feedback_target_minutes');
    });
    await knex.schema.alterTable('user_areas', (t) => {
      t.dropColumn('member_role');
    });
  });
}
