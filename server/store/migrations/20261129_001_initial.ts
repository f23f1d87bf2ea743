import type { Knex } from 'knex';

/**
 * The base schema. Times are UTC epoch milliseconds (BIGINT), JSON is stored as text so the
 * same migration runs on SQLite and PostgreSQL.
 */
export const name = '20261129_001_initial';

const now = (t: Knex.CreateTableBuilder, ...cols: string[]) => cols.forEach((c) => t.bigInteger(c).notNullable());

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('areas', (t) => {
    t.increments('id').primary();
    t.integer('parent_id').nullable().references('id').inTable('areas').onDelete('RESTRICT');
    // commune → ward/hamlet/quarter → group (residents' group, boarding house, parish, border club)
    t.string('kind', 32).notNullable();
    t.string('name', 200).notNullable();
    now(t, 'created_at');
    t.index(['parent_id']);
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('username', 64).notNullable().unique();
    t.string('display_name', 200).notNullable();
    t.text('password_hash').notNullable();
    t.boolean('disabled').notNullable().defaultTo(false);
    now(t, 'created_at', 'updated_at');
  });
  await knex.schema.createTable('user_roles', (t) => {
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('role', 32).notNullable();
    t.primary(['user_id', 'role']);
  });
  await knex.schema.createTable('user_areas', (t) => {
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('area_id').notNullable().references('id').inTable('areas').onDelete('CASCADE');
    t.primary(['user_id', 'area_id']);
  });
  await knex.schema.createTable('sessions', (t) => {
    t.string('id_hash', 64).primary();
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('ip', 64).nullable();
    now(t, 'created_at', 'last_seen_at', 'expires_at');
    t.bigInteger('revoked_at').nullable();
    t.index(['user_id']);
  });

  await knex.schema.createTable('cameras', (t) => {
    t.increments('id').primary();
    t.string('name', 200).notNullable();
    t.integer('area_id').nullable().references('id').inTable('areas').onDelete('SET NULL');
    t.string('owner_name', 200).nullable();
    t.string('owner_kind', 32).nullable();
    t.string('address', 500).nullable();
    t.double('latitude').nullable();
    t.double('longitude').nullable();
    t.string('onvif_url', 500).nullable();
    t.text('credentials_enc').nullable(); // AES-256-GCM; the key never lives in the database
    t.text('streams').notNullable(); // JSON: { detect: {url,...}, record?: {url,...} }
    t.text('settings').notNullable(); // JSON, validated by the camera settings schema
    t.string('default_visibility', 16).notNullable().defaultTo('internal');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.string('state', 16).notNullable().defaultTo('stopped');
    t.text('state_reason').nullable();
    t.bigInteger('clock_offset_ms').nullable();
    t.boolean('demo').notNullable().defaultTo(false);
    now(t, 'created_at', 'updated_at');
    t.bigInteger('removed_at').nullable(); // removed cameras keep their past events
    t.index(['area_id']);
  });

  await knex.schema.createTable('recordings', (t) => {
    t.increments('id').primary();
    t.integer('camera_id').notNullable().references('id').inTable('cameras').onDelete('CASCADE');
    t.string('path', 500).notNullable().unique();
    now(t, 'start_at', 'end_at');
    t.bigInteger('bytes').notNullable().defaultTo(0);
    t.index(['camera_id', 'start_at']);
    t.index(['start_at']);
  });

  await knex.schema.createTable('events', (t) => {
    t.increments('id').primary();
    t.integer('camera_id').notNullable().references('id').inTable('cameras').onDelete('RESTRICT');
    t.string('label', 64).notNullable();
    t.double('score').notNullable();
    t.text('box').nullable(); // JSON [x1,y1,x2,y2] in frame pixels
    t.text('zones').notNullable().defaultTo('[]');
    now(t, 'start_at');
    t.bigInteger('end_at').nullable();
    t.string('end_reason', 64).nullable();
    t.string('snapshot_path', 500).nullable();
    t.string('visibility', 16).notNullable().defaultTo('internal');
    t.boolean('pinned').notNullable().defaultTo(false);
    now(t, 'created_at', 'updated_at');
    t.index(['camera_id', 'start_at']);
    t.index(['start_at']);
  });

  await knex.schema.createTable('alerts', (t) => {
    t.increments('id').primary();
    t.string('kind', 32).notNullable(); // object, camera_offline, …
    t.string('severity', 16).notNullable().defaultTo('normal');
    t.integer('event_id').nullable().references('id').inTable('events').onDelete('SET NULL');
    t.integer('camera_id').notNullable().references('id').inTable('cameras').onDelete('RESTRICT');
    t.string('state', 16).notNullable().defaultTo('new');
    t.integer('assignee_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    now(t, 'created_at', 'updated_at');
    t.bigInteger('closed_at').nullable();
    t.index(['camera_id', 'created_at']);
    t.index(['state']);
  });
  await knex.schema.createTable('alert_history', (t) => {
    t.increments('id').primary();
    t.integer('alert_id').notNullable().references('id').inTable('alerts').onDelete('CASCADE');
    t.string('from_state', 16).nullable();
    t.string('to_state', 16).notNullable();
    t.integer('user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.text('note').nullable();
    now(t, 'at');
    t.index(['alert_id']);
  });
  await knex.schema.createTable('notes', (t) => {
    t.increments('id').primary();
    t.integer('alert_id').nullable().references('id').inTable('alerts').onDelete('CASCADE');
    t.integer('event_id').nullable().references('id').inTable('events').onDelete('CASCADE');
    t.integer('user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.string('visibility', 16).notNullable(); // internal (police only) or public (residents see it)
    t.text('body').notNullable();
    now(t, 'created_at');
    t.index(['event_id']);
    t.index(['alert_id']);
  });
  await knex.schema.createTable('event_comments', (t) => {
    t.increments('id').primary();
    t.integer('event_id').notNullable().references('id').inTable('events').onDelete('CASCADE');
    t.integer('user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.text('body').notNullable();
    t.boolean('flag').notNullable().defaultTo(false);
    now(t, 'created_at');
    t.index(['event_id']);
  });

  await knex.schema.createTable('clips', (t) => {
    t.increments('id').primary();
    t.integer('camera_id').notNullable().references('id').inTable('cameras').onDelete('RESTRICT');
    t.integer('event_id').nullable().references('id').inTable('events').onDelete('SET NULL');
    now(t, 'start_at', 'end_at');
    t.string('state', 16).notNullable().defaultTo('pending'); // pending → ready | failed
    t.string('path', 500).nullable();
    t.string('poster_path', 500).nullable();
    t.string('sha256', 64).nullable();
    t.bigInteger('bytes').nullable();
    t.boolean('pinned').notNullable().defaultTo(false);
    t.string('kind', 16).notNullable().defaultTo('event'); // event | export
    t.text('reason').nullable();
    t.integer('created_by').nullable().references('id').inTable('users').onDelete('SET NULL');
    now(t, 'created_at');
    t.index(['event_id']);
    t.index(['camera_id', 'start_at']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.increments('id').primary();
    now(t, 'at');
    t.integer('user_id').nullable();
    t.string('username', 64).nullable();
    t.string('ip', 64).nullable();
    t.string('action', 64).notNullable();
    t.string('resource_type', 32).nullable();
    t.string('resource_id', 64).nullable();
    t.text('detail').nullable();
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'audit_log',
    'clips',
    'event_comments',
    'notes',
    'alert_history',
    'alerts',
    'events',
    'recordings',
    'cameras',
    'sessions',
    'user_areas',
    'user_roles',
    'users',
    'areas',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
