import type { Knex } from 'knex';

/**
 * The ONVIF device's endpoint reference (WS-Discovery `urn:uuid:…`), so discovery marks a
 * device registered by identity and channel rather than by IP (an NVR serves several channels
 * on one IP; a camera may change IP by DHCP). Adding a nullable column needs no table rebuild.
 */
export const name = '20261212_090_camera_endpoint';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cameras', (t) => {
    t.string('onvif_endpoint', 300).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cameras', (t) => {
    t.dropColumn('onvif_endpoint');
  });
}
