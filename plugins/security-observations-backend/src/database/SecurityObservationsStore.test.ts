import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import {
  migrateDownAll,
  SecurityObservationsStore,
} from './SecurityObservationsStore';

jest.setTimeout(60_000);

describe('SecurityObservationsStore', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'migrates up, answers and migrates down on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const database = mockServices.database({
        knex,
        migrations: { skip: false },
      });

      const store = await SecurityObservationsStore.create({ database });
      expect(await store.ping()).toBe(true);
      expect(await knex.schema.hasTable('knex_migrations')).toBe(true);

      await migrateDownAll(knex);
      const [{ count }] = await knex('knex_migrations').count({ count: '*' });
      expect(Number(count)).toBe(0);

      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'leaves the schema alone when migrations are skipped on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const database = mockServices.database({
        knex,
        migrations: { skip: true },
      });

      await SecurityObservationsStore.create({ database });
      expect(await knex.schema.hasTable('knex_migrations')).toBe(false);

      await knex.destroy();
    },
  );
});
