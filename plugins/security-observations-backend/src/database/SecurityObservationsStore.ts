import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  'backstage-plugin-security-observations-backend',
  'migrations',
);

/**
 * The plugin's store over the Backstage database. Every SQL statement of the
 * plugin lives in this folder.
 */
export class SecurityObservationsStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<SecurityObservationsStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await migrateUp(client);
    }
    return new SecurityObservationsStore(client);
  }

  private constructor(private readonly db: Knex) {}

  /** Name of the Knex client in use, e.g. `pg` or `better-sqlite3`. */
  get clientName(): string {
    return String(this.db.client.config.client);
  }

  /** True when the database answers a trivial query. */
  async ping(): Promise<boolean> {
    try {
      await this.db.raw('select 1');
      return true;
    } catch {
      return false;
    }
  }
}

/** Applies every pending migration shipped in `migrations/`. */
export async function migrateUp(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: migrationsDir });
}

/** Rolls back every applied migration; for tests of the down path. */
export async function migrateDownAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback({ directory: migrationsDir }, true);
}
