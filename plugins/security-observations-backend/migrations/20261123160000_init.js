// @ts-check

/**
 * The first schema: observations, imports, the append-only audit log and
 * comments. Tracker-link and sync-queue columns are here from the start so
 * that later features only add behaviour.
 *
 * Timestamps are ISO-8601 UTC strings written by the plugin; on Postgres the
 * columns are `timestamptz`, on SQLite text, and both sort correctly.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('observations', table => {
    table.comment('One finding of one scanner for one catalog entity');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('branch', 255).notNullable();
    table.string('scanner', 128).notNullable();
    table.string('source', 255).notNullable().defaultTo('');
    table
      .string('identity_hash', 64)
      .notNullable()
      .comment('sha256 of the per-format identity key');
    table
      .string('content_hash', 64)
      .notNullable()
      .comment(
        'sha256 of what the scanner said, to tell updated from unchanged',
      );

    table.text('title').notNullable();
    table.text('description').notNullable();
    table.string('rule_id', 512).nullable();
    table.text('vulnerability_ids').notNullable().comment('JSON array');
    table.text('cwes').notNullable().comment('JSON array');
    table.text('package_purl').nullable();
    table.string('package_name', 512).nullable();
    table.string('package_version', 255).nullable();
    table.string('package_fixed_version', 255).nullable();
    table.text('location_file').nullable();
    table.integer('location_start_line').nullable();
    table.integer('location_end_line').nullable();
    table.text('location_uri').nullable();
    table.text('location_image').nullable();
    table.text('location_endpoint').nullable();

    table.string('parser_severity', 16).notNullable();
    table.string('assessed_severity', 16).nullable();
    table.string('severity', 16).notNullable().comment('assessed ?? parser');
    table
      .smallint('severity_rank')
      .notNullable()
      .comment('0 critical ... 5 unknown, for sorting');
    table.string('parser_status', 20).notNullable();
    table.string('assessed_status', 20).nullable();
    table
      .string('status', 20)
      .notNullable()
      .comment('resolved when gone, else assessed ?? parser');
    table
      .string('justification', 64)
      .nullable()
      .comment('VEX justification the scanner gave');
    table
      .string('assessed_justification', 64)
      .nullable()
      .comment('justification of a not_affected assessment');
    table.timestamp('risk_acceptance_expires_at', { useTz: true }).nullable();

    table.timestamp('first_seen_at', { useTz: true }).notNullable();
    table.timestamp('last_seen_at', { useTz: true }).notNullable();
    table.timestamp('resolved_at', { useTz: true }).nullable();
    table.string('first_import_id', 36).notNullable();
    table.string('last_import_id', 36).notNullable();

    table.string('tracker_id', 64).nullable();
    table.string('tracker_issue_key', 255).nullable();
    table.text('tracker_issue_url').nullable();
    table.string('tracker_issue_state', 64).nullable();
    table.string('tracker_synced_hash', 64).nullable();
    table
      .string('sync_state', 16)
      .nullable()
      .comment('pending, synced, failed');
    table.integer('sync_attempts').notNullable().defaultTo(0);
    table.timestamp('sync_next_attempt_at', { useTz: true }).nullable();
    table.text('sync_last_error').nullable();

    table.timestamp('updated_at', { useTz: true }).notNullable();

    table.unique(
      ['entity_ref', 'branch', 'scanner', 'source', 'identity_hash'],
      { indexName: 'observations_scope_identity_uq' },
    );
    table.index(
      ['entity_ref', 'status', 'severity_rank'],
      'observations_entity_status_severity_idx',
    );
    // Only rows waiting for the tracker sync are in the queue index, so
    // imports of new findings do not pay for it.
    table.index(
      ['sync_state', 'sync_next_attempt_at'],
      'observations_sync_queue_idx',
      { predicate: knex.whereNotNull('sync_state') },
    );
  });
  if (knex.client.config.client === 'pg') {
    // Room on each page lets Postgres update last_seen_at (not indexed) in
    // place, without new index entries: a re-import touches every row.
    await knex.raw('ALTER TABLE observations SET (fillfactor = 70)');
  }

  await knex.schema.createTable('imports', table => {
    table.comment('One scanner report posted to POST /v1/imports');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('branch', 255).notNullable();
    table.string('scanner', 128).notNullable();
    table.string('source', 255).notNullable().defaultTo('');
    table.string('format', 32).notNullable();
    table
      .string('actor', 255)
      .notNullable()
      .comment('token subject of the scanner');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.integer('report_bytes').notNullable();
    table.integer('finding_count').notNullable();
    table.integer('count_new').notNullable();
    table.integer('count_updated').notNullable();
    table.integer('count_unchanged').notNullable();
    table.integer('count_resolved').notNullable();
    table.integer('count_reopened').notNullable();
    table.index(['entity_ref', 'created_at'], 'imports_entity_created_idx');
  });

  await knex.schema.createTable('observation_events', table => {
    table.comment('Append-only audit log: never updated, never deleted');
    table.bigIncrements('id').primary();
    table.string('observation_id', 36).notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('type', 32).notNullable();
    table.string('actor', 255).notNullable();
    table
      .string('actor_kind', 16)
      .notNullable()
      .comment('user, scanner, tracker or system');
    table.string('import_id', 36).nullable();
    table.text('changes').notNullable().comment('JSON: field -> { from, to }');
    table.text('comment').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['observation_id', 'id'], 'observation_events_observation_idx');
    table.index(['entity_ref', 'created_at'], 'observation_events_entity_idx');
  });

  await knex.schema.createTable('observation_comments', table => {
    table.comment('Comments from the Security tab and from trackers');
    table.string('id', 36).primary();
    table.string('observation_id', 36).notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('author', 255).notNullable();
    table
      .string('origin', 16)
      .notNullable()
      .comment('backstage, github, gitlab, jira');
    table.string('external_id', 255).nullable();
    table.text('body').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(
      ['observation_id', 'created_at'],
      'observation_comments_observation_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('observation_comments');
  await knex.schema.dropTable('observation_events');
  await knex.schema.dropTable('imports');
  await knex.schema.dropTable('observations');
};
