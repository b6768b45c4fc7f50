// @ts-check
/**
 * Two-way sync: what trackers say back.
 *
 * - Per observation, the linked issue as the tracker last showed it (its
 *   status in the tracker's words, who changed it and when, when it was
 *   seen), apart from `tracker_issue_state`, which stays what the sync
 *   pushed: the echo rule compares the two. GitHub's ETag makes the
 *   reconciliation's unchanged reads free.
 * - Per comment: the tracker's link, edits, and for Security-tab comments
 *   the push to the issue, as a small queue of its own. A tracker comment
 *   is unique per observation by its external id, so a webhook and a
 *   reconciliation that both bring it store it once.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('observations', table => {
    table
      .text('tracker_live_status')
      .nullable()
      .comment('JSON {state, name, reason, labels} as the tracker shows it');
    table.string('tracker_live_changed_by', 255).nullable();
    table.timestamp('tracker_live_changed_at', { useTz: true }).nullable();
    table
      .timestamp('tracker_live_seen_at', { useTz: true })
      .nullable()
      .comment('when a webhook or a read last showed the issue');
    table
      .timestamp('tracker_live_checked_at', { useTz: true })
      .nullable()
      .comment('when the reconciliation last read the issue');
    table.string('tracker_live_etag', 255).nullable();
  });
  await knex.schema.alterTable('observations', table => {
    table.index(
      ['tracker_id', 'tracker_issue_key'],
      'observations_tracker_issue_idx',
      { predicate: knex.whereNotNull('tracker_issue_key') },
    );
  });
  await knex.schema.alterTable('observation_comments', table => {
    table.text('external_url').nullable();
    table.timestamp('updated_at', { useTz: true }).nullable();
    table
      .string('push_state', 16)
      .nullable()
      .comment(
        'pending, pushed, failed: Security-tab comments sent to the issue',
      );
    table.integer('push_attempts').notNullable().defaultTo(0);
    table.timestamp('push_next_attempt_at', { useTz: true }).nullable();
    table.text('push_error').nullable();
    table.unique(['observation_id', 'external_id'], {
      indexName: 'observation_comments_external_uq',
    });
    table.index(
      ['push_state', 'push_next_attempt_at'],
      'observation_comments_push_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('observation_comments', table => {
    table.dropIndex([], 'observation_comments_push_idx');
    table.dropUnique([], 'observation_comments_external_uq');
  });
  await knex.schema.alterTable('observation_comments', table => {
    table.dropColumn('external_url');
    table.dropColumn('updated_at');
    table.dropColumn('push_state');
    table.dropColumn('push_attempts');
    table.dropColumn('push_next_attempt_at');
    table.dropColumn('push_error');
  });
  await knex.schema.alterTable('observations', table => {
    table.dropIndex([], 'observations_tracker_issue_idx');
  });
  await knex.schema.alterTable('observations', table => {
    table.dropColumn('tracker_live_status');
    table.dropColumn('tracker_live_changed_by');
    table.dropColumn('tracker_live_changed_at');
    table.dropColumn('tracker_live_seen_at');
    table.dropColumn('tracker_live_checked_at');
    table.dropColumn('tracker_live_etag');
  });
};
