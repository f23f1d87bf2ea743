import type { Knex } from 'knex';
import { withForeignKeysOff } from './migration.util.js';

/**
 * Events, alerts and clips (issue 6). Only ADD COLUMN and CREATE INDEX: SQLite does that in
 * place, so no table is rebuilt (see withForeignKeysOff for why rebuilds are dangerous).
 * area_id/visibility on alerts are copies of the event's, kept so the realtime catch-up and
 * the scoped lists are one indexed query without joins.
 */
export const name = '20261130_010_events';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.string('track_id', 64).nullable();
    t.integer('area_id').nullable(); // the camera's area when the event happened
    t.string('first_snapshot_path', 500).nullable();
    t.bigInteger('snapshot_bytes').notNullable().defaultTo(0);
    t.bigInteger('last_seen_at').nullable();
    t.bigInteger('best_at').nullable();
    t.bigInteger('media_deleted_at').nullable(); // retention removed the snapshots; the row stays
    t.index(['area_id', 'start_at']);
    t.index(['end_at']);
  });
  await knex.schema.alterTable('alerts', (t) => {
    t.integer('area_id').nullable();
    t.string('visibility', 16).notNullable().defaultTo('internal');
    t.index(['visibility', 'area_id']);
  });
  await knex.schema.alterTable('clips', (t) => {
    t.bigInteger('duration_ms').nullable();
    t.text('error').nullable();
    t.string('manifest_path', 500).nullable();
    t.bigInteger('finalised_at').nullable();
    t.bigInteger('deleted_at').nullable(); // retention removed the file; the row stays
    t.index(['state']);
  });
}

// Dropping columns rebuilds SQLite tables: foreign keys off so the rebuild cannot cascade.
export async function down(knex: Knex): Promise<void> {
  await withForeignKeysOff(knex, () => dropAdded(knex));
}

async function dropAdded(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clips', (t) => {
    t.dropIndex(['state']);
    t.dropColumns('duration_ms', 'error', 'manifest_path', 'finalised_at', 'deleted_at');
  });
  await knex.schema.alterTable('alerts', (t) => {
    t.dropIndex(['visibility', 'area_id']);
    t.dropColumns('area_id', 'visibility');
  });
  await knex.schema.alterTable('events', (t) => {
    t.dropIndex(['area_id', 'start_at']);
    t.dropIndex(['end_at']);
    t.dropColumns('track_id', 'area_id', 'first_snapshot_path', 'snapshot_bytes', 'last_seen_at', 'best_at', 'media_deleted_at');
  });
}
