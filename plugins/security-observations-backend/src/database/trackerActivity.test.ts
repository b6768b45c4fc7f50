import { createTestDatabases } from '../__testUtils__/testDatabases';
import { dependencyFinding } from '../__testUtils__/findings';
import { normalizeFindings } from '../ingest/NormalizedFinding';
import {
  migrateUp,
  SecurityObservationsStore,
} from './SecurityObservationsStore';

jest.setTimeout(60_000);

/*
 * A tracker's word that arrives while a sync attempt holds the
 * observation: the attempt's own result must not erase it.
 */
describe('tracker activity during a sync attempt', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'keeps a deleted or moved issue for the next attempt to act on, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateUp(knex);
      const store = await SecurityObservationsStore.create({
        database: { getClient: async () => knex, migrations: { skip: true } },
      });
      await store.applyImport({
        scope: {
          entityRef: 'component:default/payments-api',
          branch: 'main',
          scanner: 'trivy',
          source: '',
        },
        format: 'trivy',
        actor: 'ci-scanner',
        reportBytes: 1,
        findings: normalizeFindings([
          dependencyFinding('CVE-2024-1000', 'lib0'),
          dependencyFinding('CVE-2024-1001', 'lib1'),
        ]),
        now: new Date(Date.now() - 60_000),
        enqueueForSync: true,
      });
      const link = (key: string) => ({
        trackerId: 'github',
        key,
        url: `https://github.com/${key.replace('#', '/issues/')}`,
        state: 'open' as const,
      });
      const settle = async (owner: string) => {
        const rows = await store.claimDueObservations({
          owner,
          now: new Date(),
          leaseUntil: new Date(Date.now() + 60_000),
          limit: 10,
        });
        return rows;
      };
      // Both linked and synced.
      const first = await settle('sync-1');
      for (const [i, row] of first.entries()) {
        await store.recordSynced(row, {
          link: link(`acme-corp/payments-api#${i + 1}`),
          pushedHash: 'hash-of-what-was-pushed',
          pushedLabels: [],
          events: [],
          keepCreateIntent: false,
          requeue: false,
          now: new Date(),
        });
      }

      // An attempt claims both again (an import changed them)...
      await knex('observations').update({
        sync_state: 'pending',
        sync_next_attempt_at: new Date(Date.now() - 1000).toISOString(),
      });
      const [gone, moved] = await settle('sync-2');
      // ...while the tracker says one issue is gone and the other moved...
      const rowOf = async (id: string) =>
        knex('observations').where({ id }).first();
      await store.recordIssueGone(await rowOf(gone.id), {
        status: { state: 'gone', name: 'Deleted on GitHub', labels: [] },
        by: 'octocat',
        now: new Date(),
      });
      await store.recordIssueMoved(await rowOf(moved.id), {
        key: 'acme-corp/backlog#7',
        url: 'https://github.com/acme-corp/backlog/issues/7',
        comment: 'moved',
        now: new Date(),
      });
      // ...and the attempt ends, having pushed to the links it had.
      for (const [row, key] of [
        [gone, 'acme-corp/payments-api#1'],
        [moved, 'acme-corp/payments-api#2'],
      ] as const) {
        await store.recordSynced(row, {
          link: link(key),
          pushedHash: 'hash-of-what-was-pushed',
          pushedLabels: [],
          events: [],
          keepCreateIntent: false,
          requeue: false,
          now: new Date(),
        });
      }

      // Both stay due, with what was pushed unknown: the next attempt
      // writes the issue, hears it is gone (and recreates it) or follows
      // the move.
      for (const id of [gone.id, moved.id]) {
        expect(await rowOf(id)).toMatchObject({
          sync_state: 'pending',
          tracker_synced_hash: null,
        });
      }
    },
  );
});
