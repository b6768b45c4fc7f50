// @ts-check
/**
 * Admin deletes of observations. A deleted observation's row goes at once,
 * so no read, import or sync path can see it again; what its tracker issue
 * still needs (closing as not planned) waits here for the tracker sync:
 *
 * - the issue's link, or a create in doubt (where it went, and when), so an
 *   issue that an interrupted create made is found by its marker and
 *   closed too;
 * - the observation as it was, to render the closing update;
 * - who deleted it and when, for the closing text and the audit log;
 * - attempts, backoff and a lease, like the observations' sync queue.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deleted_observation_issues', table => {
    table.comment(
      'Tracker issues of deleted observations, waiting to be closed',
    );
    table.string('observation_id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('tracker_id', 64).notNullable();
    table.string('issue_key', 255).nullable();
    table.text('issue_url').nullable();
    table.timestamp('create_intent_at', { useTz: true }).nullable();
    table
      .text('create_intent_target')
      .nullable()
      .comment('JSON {project, options} of a create in doubt');
    table
      .text('observation')
      .notNullable()
      .comment('JSON: the observation as it was deleted');
    table.string('deleted_by', 255).notNullable();
    table.timestamp('deleted_at', { useTz: true }).notNullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.timestamp('next_attempt_at', { useTz: true }).notNullable();
    table.text('last_error').nullable();
    table.string('lease_owner', 36).nullable();
    table.timestamp('lease_expires_at', { useTz: true }).nullable();
    table.index(['next_attempt_at'], 'deleted_observation_issues_due_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('deleted_observation_issues');
};
