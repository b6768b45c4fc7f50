import knexFactory, { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { dependencyFinding } from '../__testUtils__/findings';
import { normalizeFindings } from '../ingest/NormalizedFinding';
import {
  migrateUp,
  SecurityObservationsStore,
} from './SecurityObservationsStore';
import { claimDueObservations } from './syncQueue';

jest.setTimeout(60_000);

describe('the sync queue', () => {
  const databases = createTestDatabases();

  async function queueObservations(knex: Knex, count: number) {
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
      actor: 'external:ci-scanner',
      reportBytes: 1,
      findings: normalizeFindings(
        Array.from({ length: count }, (_, i) =>
          dependencyFinding(`CVE-2024-${1000 + i}`, `lib${i}`),
        ),
      ),
      now: new Date(Date.now() - 60_000),
      enqueueForSync: true,
    });
  }

  const claim = (db: Knex, owner: string) =>
    claimDueObservations(db, {
      owner,
      now: new Date(),
      leaseUntil: new Date(Date.now() + 60_000),
      limit: 5,
    });

  // On Postgres, a replica's claim that is still in flight (here: not yet
  // committed) holds row locks: the other replica must take other due rows
  // at once, not wait for those locks and then come back empty-handed.
  // SQLite has one writer at a time, so there the claims come one by one.
  it.each(databases.eachSupportedId())(
    'gives two replicas claiming at once different due rows on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const postgres = databaseId.startsWith('POSTGRES');
      // The other replica's pool gives up on a row lock after 5 s instead
      // of waiting for a commit that this test holds back.
      const other = postgres
        ? knexFactory({
            ...knex.client.config,
            pool: {
              min: 0,
              max: 1,
              afterCreate: (
                connection: {
                  query(sql: string, done: (e?: Error) => void): void;
                },
                done: (error?: Error) => void,
              ) => connection.query("SET lock_timeout = '5s'", done),
            },
          })
        : knex;
      try {
        await queueObservations(knex, 10);
        const first = postgres ? await knex.transaction() : knex;
        const mine = await claim(first, 'replica-a');
        let theirs;
        try {
          theirs = await claim(other, 'replica-b');
        } finally {
          if (first.isTransaction) await (first as Knex.Transaction).commit();
        }
        expect(mine).toHaveLength(5);
        expect(theirs).toHaveLength(5);
        const ids = [...mine, ...theirs].map(row => row.id);
        expect(new Set(ids).size).toBe(10);
        expect(await claim(knex, 'replica-c')).toEqual([]);
      } finally {
        if (postgres) await other.destroy();
      }
    },
  );
});
