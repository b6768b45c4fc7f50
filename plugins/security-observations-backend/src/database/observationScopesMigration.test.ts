import path from 'node:path';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { toIsoString } from './dates';
import { observationsWithLastSeen } from './observationRows';

jest.setTimeout(60_000);

const directory = path.resolve(__dirname, '../../migrations');
const MIGRATION = '20261208090000_observation_scopes.js';

const scope = {
  entity_ref: 'component:default/payments-api',
  branch: 'main',
  scanner: 'trivy',
  source: 'image',
};
const FIRST = '2026-11-01T10:00:00.000Z';
const SECOND = '2026-11-02T10:00:00.000Z';

/** A row as the imports before this migration wrote it. */
function observation(id: string, lastImport: string, lastSeenAt: string) {
  return {
    ...scope,
    id,
    identity_hash: id.padEnd(64, '0'),
    content_hash: 'c'.repeat(64),
    title: `CVE-2024-${id} in zlib`,
    description: '',
    vulnerability_ids: '[]',
    cwes: '[]',
    parser_severity: 'high',
    severity: 'high',
    severity_rank: 1,
    parser_status: 'open',
    status: 'open',
    first_seen_at: FIRST,
    last_seen_at: lastSeenAt,
    resolved_at: null,
    first_import_id: 'import-1',
    last_import_id: lastImport,
    updated_at: lastSeenAt,
  };
}

function importRow(id: string, createdAt: string) {
  return {
    ...scope,
    id,
    format: 'trivy',
    actor: 'external:ci-scanner',
    created_at: createdAt,
    report_bytes: 100,
    finding_count: 2,
    count_new: 0,
    count_updated: 0,
    count_unchanged: 0,
    count_resolved: 0,
    count_reopened: 0,
  };
}

async function lastSeen(knex: Knex) {
  const rows = await knex(observationsWithLastSeen(knex))
    .orderBy('id')
    .select('id', 'seen_at');
  return Object.fromEntries(
    rows.map(row => [row.id, toIsoString(row.seen_at)]),
  );
}

describe('the migration to per-scope last sightings', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'keeps when each observation was last seen, up and down, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // Every migration before this one.
      const before = (await knex.migrate.list({ directory }))[1] as Array<{
        file: string;
      }>;
      const index = before.findIndex(entry => entry.file === MIGRATION);
      for (let i = 0; i < index; i++) await knex.migrate.up({ directory });

      // Two imports: the second still had "seen", no longer "gone" (which
      // it resolved); "vex" was stated resolved by both.
      await knex('imports').insert([
        importRow('import-1', FIRST),
        importRow('import-2', SECOND),
      ]);
      await knex('observations').insert([
        observation('seen', 'import-2', SECOND),
        {
          ...observation('gone', 'import-1', FIRST),
          parser_status: 'resolved',
          status: 'resolved',
          resolved_at: SECOND,
        },
        {
          ...observation('vex', 'import-2', SECOND),
          parser_status: 'resolved',
          status: 'resolved',
        },
      ]);

      await knex.migrate.up({ directory, name: MIGRATION });
      expect(await lastSeen(knex)).toEqual({
        gone: FIRST,
        seen: SECOND,
        vex: SECOND,
      });
      const missing = await knex('observations')
        .orderBy('id')
        .select('id', 'missing');
      expect(missing.map(row => [row.id, Boolean(row.missing)])).toEqual([
        ['gone', true],
        ['seen', false],
        ['vex', false],
      ]);

      // A third import that wrote no row (all unchanged), then down: each
      // row says again when it was last seen.
      const THIRD = '2026-11-03T10:00:00.000Z';
      await knex('imports').insert(importRow('import-3', THIRD));
      await knex('observation_scopes')
        .where(scope)
        .update({ last_import_id: 'import-3', last_seen_at: THIRD });
      await knex.migrate.down({ directory, name: MIGRATION });
      const rows = await knex('observations')
        .orderBy('id')
        .select('id', 'last_seen_at', 'last_import_id');
      expect(
        rows.map(row => [
          row.id,
          toIsoString(row.last_seen_at),
          row.last_import_id,
        ]),
      ).toEqual([
        ['gone', FIRST, 'import-1'],
        ['seen', THIRD, 'import-3'],
        ['vex', THIRD, 'import-3'],
      ]);
      expect(await knex.schema.hasTable('observation_scopes')).toBe(false);
      await knex.destroy();
    },
  );
});
