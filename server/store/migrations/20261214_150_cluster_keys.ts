import type { Knex } from 'knex';

/**
 * Issue 16: each node publishes a fingerprint of its keys (an HMAC of a constant under the
 * camera-credentials key and under the audit key, never the keys), so a node started with other
 * key files than the running nodes is refused before it decrypts credentials it cannot read or
 * seals audit rows the others cannot verify.
 */
export const name = '20261214_150_cluster_keys';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cluster_nodes', (t) => {
    t.string('keys_fingerprint', 200).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cluster_nodes', (t) => {
    t.dropColumn('keys_fingerprint');
  });
}
