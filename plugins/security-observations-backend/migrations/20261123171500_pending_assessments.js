// @ts-check

/**
 * Four-eyes review: with securityObservations.assessment.requireApproval,
 * an assessment waits here until a different user approves or rejects it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('pending_assessments', table => {
    table.comment('Assessments waiting for a second person');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.text('observation_ids').notNullable().comment('JSON array');
    table
      .text('assessment')
      .notNullable()
      .comment('JSON: status, severity, comment, justification, expiresAt');
    table.string('requested_by', 255).notNullable();
    table.timestamp('requested_at', { useTz: true }).notNullable();
    table
      .string('state', 16)
      .notNullable()
      .comment('pending, approved, rejected');
    table.string('decided_by', 255).nullable();
    table.timestamp('decided_at', { useTz: true }).nullable();
    table.text('decision_comment').nullable();
    table.index(
      ['entity_ref', 'state'],
      'pending_assessments_entity_state_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('pending_assessments');
};
