// @ts-check
/**
 * Observations the tracker sync will not push say why: `sync_state` is
 * `off` (the entity's tracker cannot sync: no credentials, a tracker this
 * backend does not support) or `not_pushed` (the rules want no issue: a
 * false positive, below the minimum severity, ...), and this column holds
 * the reason in words for the Security tab. Not an error: nobody is
 * notified about it, and it is not retried.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('observations', table => {
    table
      .text('sync_not_pushed_reason')
      .nullable()
      .comment('why the sync does not push the observation (off, not_pushed)');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  // Back to what the sync wrote before: a failure saying why, or nothing.
  await knex('observations')
    .where({ sync_state: 'off' })
    .update({
      sync_state: 'failed',
      sync_last_error: knex.ref('sync_not_pushed_reason'),
    });
  await knex('observations')
    .where({ sync_state: 'not_pushed' })
    .update({ sync_state: null });
  await knex.schema.alterTable('observations', table => {
    table.dropColumn('sync_not_pushed_reason');
  });
};
