// @ts-check
/**
 * Tracker sync for GitHub, GitLab and Jira on one engine:
 *
 * - A create intent records where the create went (the tracker and the
 *   target: project plus the annotations' choices such as Jira's issue
 *   type), not only when. Recovery after a crash looks for the issue's
 *   marker there, even when the entity routes elsewhere by then.
 * - Per entity, what the tracker said of the entity's target when the sync
 *   checked it before creating (an unknown Jira project, issue type or
 *   component), so that the Security tab can show it from any replica.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('observations', table => {
    table
      .string('tracker_create_intent_tracker_id', 255)
      .nullable()
      .comment('the tracker an unresolved create was sent to');
    table
      .text('tracker_create_intent_target')
      .nullable()
      .comment('JSON {project, options} of that create');
  });
  await knex.schema.alterTable('sync_entity_routes', table => {
    table
      .text('target_problem')
      .nullable()
      .comment(
        'why the tracker refuses new issues for the entity, as last checked',
      );
    table.timestamp('target_checked_at', { useTz: true }).nullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('sync_entity_routes', table => {
    table.dropColumn('target_problem');
    table.dropColumn('target_checked_at');
  });
  await knex.schema.alterTable('observations', table => {
    table.dropColumn('tracker_create_intent_tracker_id');
    table.dropColumn('tracker_create_intent_target');
  });
};
