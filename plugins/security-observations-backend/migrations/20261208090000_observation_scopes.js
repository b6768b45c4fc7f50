// @ts-check
/**
 * An identical re-import writes no observation row: when a scope's rows
 * were last seen is kept once per scope instead of once per row.
 *
 * - `observation_scopes`: per (entity, branch, scanner, source), its latest
 *   import and when it ran. Every observation of the scope that this import
 *   had was seen then.
 * - `observations.missing`: the row was not in its scope's latest report
 *   (so the scope's time is not its last sighting). Only for these rows are
 *   `last_seen_at` and `last_import_id` their own: the import that finds a
 *   row missing sets them to the scope's previous import. For the others
 *   they say when the row was last written by an import, and readers take
 *   the scope's (`observationsWithLastSeen`).
 *
 * Existing rows: before this migration every import wrote `last_import_id`
 * on each row it saw, so a row is missing exactly when its
 * `last_import_id` is not the scope's latest import.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('observation_scopes', table => {
    table.comment('The latest import of each scope of observations');
    table.string('entity_ref', 255).notNullable();
    table.string('branch', 255).notNullable();
    table.string('scanner', 128).notNullable();
    table.string('source', 255).notNullable();
    table.string('last_import_id', 36).notNullable();
    table
      .timestamp('last_seen_at', { useTz: true })
      .notNullable()
      .comment("when the scope's latest import ran");
    table.primary(['entity_ref', 'branch', 'scanner', 'source']);
  });
  await knex.schema.alterTable('observations', table => {
    table
      .boolean('missing')
      .notNullable()
      .defaultTo(false)
      .comment("not in the scope's latest report: last_seen_at is its own");
  });

  // The latest import of each scope (the greater id breaks a tie in time).
  await knex.raw(
    `INSERT INTO observation_scopes
       (entity_ref, branch, scanner, source, last_import_id, last_seen_at)
     SELECT i.entity_ref, i.branch, i.scanner, i.source, i.id, i.created_at
     FROM imports i
     WHERE NOT EXISTS (
       SELECT 1 FROM imports later
       WHERE later.entity_ref = i.entity_ref AND later.branch = i.branch
         AND later.scanner = i.scanner AND later.source = i.source
         AND (later.created_at > i.created_at
           OR (later.created_at = i.created_at AND later.id > i.id)))`,
  );
  await knex('observations')
    .update({ missing: true })
    .whereExists(
      knex('observation_scopes as s')
        .select(knex.raw('1'))
        .whereRaw(
          `s.entity_ref = observations.entity_ref
           AND s.branch = observations.branch
           AND s.scanner = observations.scanner
           AND s.source = observations.source
           AND s.last_import_id <> observations.last_import_id`,
        ),
    );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  // Back to one sighting per row: the rows the latest report had were seen
  // by the latest import.
  const scopeOf = (/** @type {string} */ column) =>
    knex('observation_scopes as s')
      .select(`s.${column}`)
      .whereRaw(
        `s.entity_ref = observations.entity_ref
         AND s.branch = observations.branch
         AND s.scanner = observations.scanner
         AND s.source = observations.source`,
      );
  await knex('observations')
    .where({ missing: false })
    .whereExists(scopeOf('last_import_id'))
    .update({
      last_seen_at: scopeOf('last_seen_at'),
      last_import_id: scopeOf('last_import_id'),
    });
  await knex.schema.alterTable('observations', table => {
    table.dropColumn('missing');
  });
  await knex.schema.dropTable('observation_scopes');
};
