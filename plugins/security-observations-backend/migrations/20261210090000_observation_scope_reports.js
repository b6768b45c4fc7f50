// @ts-check
/**
 * An identical re-import is not parsed: each scope remembers the report its
 * latest import read, so that the same bytes posted again to the same scope
 * are recognized by their hash alone (`src/database/identicalReimport.ts`).
 *
 * - `report_sha256`: the SHA-256 of the latest report's bytes (after gzip).
 * - `report_reader`: what read it: the plugin's reader version and the
 *   request's options that change the outcome (format=, scanner=). A new
 *   version of the parsers reads the same bytes again.
 * - `report_warnings`: what the import answered besides counts (JSON
 *   `{warnings, warningsOmitted}`), answered again as it was.
 *
 * All three are null when unknown: scopes from before this migration, and
 * scopes whose observations changed outside an import (an admin delete),
 * whose next report is then parsed in full.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('observation_scopes', table => {
    table
      .string('report_sha256', 64)
      .nullable()
      .comment("SHA-256 of the bytes of the scope's latest report");
    table
      .string('report_reader', 64)
      .nullable()
      .comment('hash of the reader version and the options that read it');
    table
      .text('report_warnings')
      .nullable()
      .comment('JSON: the warnings its import answered');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('observation_scopes', table => {
    table.dropColumn('report_sha256');
    table.dropColumn('report_reader');
    table.dropColumn('report_warnings');
  });
};
