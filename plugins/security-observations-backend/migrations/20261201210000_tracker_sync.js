// @ts-check
/**
 * The tracker sync: what the sync engine needs beyond the tracker-link and
 * queue columns of the first schema.
 *
 * - A lease, so that two backend replicas (or a scheduled run and a
 *   "Sync now") never work on the same observation at once.
 * - A generation that every enqueue bumps, so a change that arrives while
 *   an observation is being synced is not lost when the engine marks it
 *   synced.
 * - A create intent, written and committed before an issue is created: if
 *   the process dies before the link is stored, the next attempt looks for
 *   the issue by its marker instead of creating a second one.
 * - The labels last pushed (labels are added, never removed) and when the
 *   issue was created (the pacer of issue creation survives restarts).
 * - Per entity, the hash of its last tracker route, so that a change of
 *   annotations or configuration re-queues its observations; and the
 *   failure notifications sent, so owners are told once, not every run.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('observations', table => {
    table.integer('sync_generation').notNullable().defaultTo(0);
    table.string('sync_lease_owner', 36).nullable();
    table.timestamp('sync_lease_expires_at', { useTz: true }).nullable();
    table
      .timestamp('tracker_create_intent_at', { useTz: true })
      .nullable()
      .comment('set before an issue is created, cleared once it is linked');
    table
      .text('tracker_synced_labels')
      .nullable()
      .comment('JSON array of the labels pushed');
    table.timestamp('tracker_issue_created_at', { useTz: true }).nullable();
    table.timestamp('tracker_synced_at', { useTz: true }).nullable();
  });
  await knex.schema.alterTable('observations', table => {
    table.index(
      ['tracker_id', 'tracker_issue_created_at'],
      'observations_tracker_created_idx',
      { predicate: knex.whereNotNull('tracker_issue_created_at') },
    );
  });
  await knex.schema.createTable('sync_entity_routes', table => {
    table.comment('The tracker route of each entity at the last sync run');
    table.string('entity_ref', 255).primary();
    table.string('route_hash', 64).notNullable();
    table.timestamp('checked_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('sync_notifications', table => {
    table.comment('Sync failures the entity owners were notified about');
    table.string('entity_ref', 255).notNullable();
    table.string('problem', 64).notNullable();
    table.text('message').notNullable();
    table.timestamp('sent_at', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'problem']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('sync_notifications');
  await knex.schema.dropTable('sync_entity_routes');
  await knex.schema.alterTable('observations', table => {
    table.dropIndex([], 'observations_tracker_created_idx');
  });
  await knex.schema.alterTable('observations', table => {
    table.dropColumn('sync_generation');
    table.dropColumn('sync_lease_owner');
    table.dropColumn('sync_lease_expires_at');
    table.dropColumn('tracker_create_intent_at');
    table.dropColumn('tracker_synced_labels');
    table.dropColumn('tracker_issue_created_at');
    table.dropColumn('tracker_synced_at');
  });
};
