// @ts-check
/**
 * The Security Observations events module's own table, in the events
 * plugin's database: the ids of the webhook deliveries it accepted, so
 * that a replayed delivery is refused (on any replica). Ids older than a
 * week are pruned; no tracker retries a delivery that long.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable(
    'security_observations_webhook_deliveries',
    table => {
      table.comment('Webhook deliveries accepted, for replay de-duplication');
      table.string('topic', 64).notNullable();
      table.string('delivery_id', 255).notNullable();
      table.timestamp('received_at', { useTz: true }).notNullable();
      table.primary(['topic', 'delivery_id']);
      table.index(
        ['received_at'],
        'security_observations_webhook_deliveries_received_idx',
      );
    },
  );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('security_observations_webhook_deliveries');
};
