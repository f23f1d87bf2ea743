import type { Knex } from 'knex';
import { withForeignKeysOff } from './migration.util.js';

/**
 * System alerts (issue 19 item 2: the recordings disk below its free-space floor): an alert
 * about the server, not one camera, so alerts.camera_id may be null. SQLite rebuilds the table
 * for this, hence foreign keys off (alert_history and notes cascade from alerts).
 */
export const name = '20261211_050_system_alerts';

export async function up(knex: Knex): Promise<void> {
  await withForeignKeysOff(knex, () =>
    knex.schema.alterTable('alerts', (t) => {
      t.integer('camera_id').nullable().alter();
    }),
  );
}

/** System alerts have no camera to keep: they go (with their history and notes) before the column is required again. */
export async function down(knex: Knex): Promise<void> {
  await knex('alerts').whereNull('camera_id').delete();
  await withForeignKeysOff(knex, () =>
    knex.schema.alterTable('alerts', (t) => {
      t.integer('camera_id').notNullable().alter();
    }),
  );
}
