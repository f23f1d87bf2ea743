import type { Knex } from 'knex';
import { withForeignKeysOff } from './migration.util.js';

/**
 * Clips as ranges of the continuous recording (issue 19 items 3 and 8): an event clip is
 * served from the recording on demand and has a file only when pinned or exported; `gaps`
 * lists the outages inside its range (JSON [[from, to], …]) so the evidence shows them.
 * ADD COLUMN only: SQLite does it in place, no table rebuild.
 */
export const name = '20261206_020_clip_ranges';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clips', (t) => {
    t.text('gaps').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await withForeignKeysOff(knex, () =>
    knex.schema.alterTable('clips', (t) => {
      t.dropColumn('gaps');
    }),
  );
}
