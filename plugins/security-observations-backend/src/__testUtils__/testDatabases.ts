import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';

const POSTGRES_IDS: TestDatabaseId[] = [
  'POSTGRES_18',
  'POSTGRES_17',
  'POSTGRES_16',
  'POSTGRES_15',
  'POSTGRES_14',
  'POSTGRES_13',
];

/**
 * The databases every backend test runs on: SQLite always, and each Postgres
 * whose `BACKSTAGE_TEST_DATABASE_POSTGRES<major>_CONNECTION_STRING` is set
 * (`scripts/test` sets it when a local Postgres answers). Docker is never
 * used, so a machine without it still tests what it can reach.
 */
export function createTestDatabases(): TestDatabases {
  return TestDatabases.create({
    ids: ['SQLITE_3', ...POSTGRES_IDS],
    disableDocker: true,
  });
}
