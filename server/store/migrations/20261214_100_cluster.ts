import type { Knex } from 'knex';
import { withForeignKeysOff } from './migration.util.js';

/**
 * Issue 16: several nodes on one PostgreSQL. `cluster_nodes` is each node's heartbeat and load;
 * `cluster_leases` holds one row per leased thing (`camera:<id>`, `job:<name>`) with its owner,
 * epoch (bumped on every change of owner, for fencing) and expiry (database clock, ms). The
 * media a node writes (recordings, clips, snapshots of its events) stay on its disk, so those
 * rows name the node. The tables exist on SQLite too (the schema is one), unused there.
 */
export const name = '20261214_100_cluster';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cluster_nodes', (t) => {
    t.string('id', 100).primary();
    t.string('url', 500).notNullable();
    t.string('version', 50).notNullable();
    t.bigInteger('started_at').notNullable();
    t.bigInteger('heartbeat_at').notNullable();
    t.integer('cameras').notNullable().defaultTo(0);
    t.float('cpu').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('cluster_leases', (t) => {
    t.string('name', 100).primary();
    t.integer('camera_id').nullable();
    t.string('owner', 100).nullable();
    t.integer('epoch').notNullable().defaultTo(0);
    t.bigInteger('expires_at').notNullable().defaultTo(0);
    t.string('pinned_node', 100).nullable();
    t.index(['owner']);
  });
  await withForeignKeysOff(knex, async () => {
    for (const table of ['recordings', 'events', 'clips']) {
      await knex.schema.alterTable(table, (t) => {
        t.string('node_id', 100).nullable();
      });
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await withForeignKeysOff(knex, async () => {
    for (const table of ['recordings', 'events', 'clips']) {
      await knex.schema.alterTable(table, (t) => {
        t.dropColumn('node_id');
      });
    }
  });
  await knex.schema.dropTableIfExists('cluster_leases');
  await knex.schema.dropTableIfExists('cluster_nodes');
}
