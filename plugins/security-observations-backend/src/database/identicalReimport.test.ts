import { Entity } from '@backstage/catalog-model';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { ImportService } from '../ingest/ImportService';
import { MemoryReportBytes } from '../ingest/json/ReportBytes';
import { reportParsers, xmlReportParsers } from '../ingest/parsers';
import { fingerprintReport } from '../ingest/reportFingerprint';
import { lockScope } from './applyImport';
import {
  migrateUp,
  SecurityObservationsStore,
} from './SecurityObservationsStore';

jest.setTimeout(60_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/team-payments' },
};
const entityRef = 'component:default/payments-api';

const REPORT = Buffer.from(
  JSON.stringify({
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'CodeQL' } },
        results: [1, 2, 3].map(i => ({
          ruleId: `js/rule-${i}`,
          message: { text: `Finding ${i}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: `src/file${i}.js` },
                region: { startLine: i },
              },
            },
          ],
        })),
      },
    ],
  }),
);

describe('recognizing a scope’s latest report under concurrent imports', () => {
  const databases = createTestDatabases();
  // SQLite runs one transaction at a time: there is no race to lose.
  const postgresId = databases
    .eachSupportedId()
    .map(([id]) => id)
    .find(id => id.startsWith('POSTGRES'));
  const describeOnPostgres = postgresId ? describe : describe.skip;

  describeOnPostgres('on Postgres', () => {
    it('asks again once it holds the scope: an import that committed meanwhile wins', async () => {
      const knex = await databases.init(postgresId!);
      await migrateUp(knex);
      const store = await SecurityObservationsStore.create({
        database: { getClient: async () => knex, migrations: { skip: true } },
      });
      const imports = new ImportService({
        store,
        findEntity: async () => entity,
        parsers: reportParsers,
        xmlParsers: xmlReportParsers,
      });
      const first = await imports.importReport({
        entityRef,
        report: new MemoryReportBytes(REPORT),
        actor: 'ci-scanner',
      });
      const scope = {
        entityRef,
        branch: first.branch,
        scanner: first.scanner,
        source: first.source,
      };
      const upload = () =>
        store.applyIdenticalReimport({
          entityRef,
          branch: scope.branch,
          source: scope.source,
          ...fingerprintReport(new MemoryReportBytes(REPORT), {}),
          actor: 'ci-scanner',
          reportBytes: REPORT.length,
          now: new Date(),
        });

      // Another import of the scope holds it, and reads another report.
      const other = await knex.transaction();
      await lockScope(other, scope);
      const waiting = upload();
      // It found the report remembered, and waits for the scope.
      for (;;) {
        const { rows } = await knex.raw(
          `SELECT count(*)::int AS waiting FROM pg_locks
           WHERE locktype = 'advisory' AND NOT granted`,
        );
        if (rows[0].waiting > 0) break;
        await new Promise(resolve => setTimeout(resolve, 10));
      }
      await other('observation_scopes')
        .where({ entity_ref: entityRef })
        .update({ report_sha256: 'f'.repeat(64) });
      await other.commit();
      expect(await waiting).toBeUndefined();
      expect(await knex('imports').count({ count: '*' })).toEqual([
        { count: '1' },
      ]);

      // Without that import in between it is recognized.
      await knex('observation_scopes')
        .where({ entity_ref: entityRef })
        .update({
          report_sha256: fingerprintReport(new MemoryReportBytes(REPORT), {})
            .sha256,
        });
      expect((await upload())?.counts).toEqual({
        new: 0,
        updated: 0,
        unchanged: 3,
        resolved: 0,
        reopened: 0,
      });
      await knex.destroy();
    });
  });
});
