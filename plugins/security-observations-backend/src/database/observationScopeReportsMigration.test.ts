import path from 'node:path';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { toIsoString } from './dates';

jest.setTimeout(60_000);

const directory = path.resolve(__dirname, '../../migrations');
const MIGRATION = '20261210090000_observation_scope_reports.js';

const scope = {
  entity_ref: 'component:default/payments-api',
  branch: 'main',
  scanner: 'trivy',
  source: 'image',
};
const SEEN = '2026-11-02T10:00:00.000Z';

describe('the migration that lets scopes remember their latest report', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'adds the report columns, unknown for existing scopes, and removes them again, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // Every migration before this one.
      const pending = (await knex.migrate.list({ directory }))[1] as Array<{
        file: string;
      }>;
      const index = pending.findIndex(entry => entry.file === MIGRATION);
      for (let i = 0; i < index; i++) await knex.migrate.up({ directory });
      await knex('observation_scopes').insert({
        ...scope,
        last_import_id: 'import-1',
        last_seen_at: SEEN,
      });

      await knex.migrate.up({ directory, name: MIGRATION });
      // A scope from before is not known: its next report is read.
      expect(
        await knex('observation_scopes')
          .where(scope)
          .first('report_sha256', 'report_reader', 'report_warnings'),
      ).toEqual({
        report_sha256: null,
        report_reader: null,
        report_warnings: null,
      });
      await knex('observation_scopes')
        .where(scope)
        .update({
          report_sha256: 'a'.repeat(64),
          report_reader: 'b'.repeat(64),
          report_warnings: JSON.stringify({ warnings: [] }),
        });

      await knex.migrate.down({ directory, name: MIGRATION });
      const columns = Object.keys(
        await knex('observation_scopes').columnInfo(),
      );
      expect(columns.filter(name => name.startsWith('report_'))).toEqual([]);
      // The scope's latest import is kept.
      const row = await knex('observation_scopes').where(scope).first();
      expect([row.last_import_id, toIsoString(row.last_seen_at)]).toEqual([
        'import-1',
        SEEN,
      ]);
      await knex.destroy();
    },
  );
});
