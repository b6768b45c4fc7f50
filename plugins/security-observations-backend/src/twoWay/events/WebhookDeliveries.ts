import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  'backstage-plugin-security-observations-backend',
  'events-migrations',
);

/** Its own migrations table: the events plugin's `knex_migrations` is not ours. */
const MIGRATIONS_TABLE = 'security_observations_webhook_knex_migrations';
const TABLE = 'security_observations_webhook_deliveries';
/** Longer than any tracker retries a delivery (Jira: about 30 minutes). */
const KEEP_MS = 7 * 24 * 3_600_000;

/**
 * The delivery ids the webhook validators accepted, in the events
 * plugin's database (the module's database), so that every replica
 * refuses a replay.
 */
export class WebhookDeliveries {
  private recorded = 0;

  static async create(database: DatabaseService): Promise<WebhookDeliveries> {
    const db = await database.getClient();
    if (!database.migrations?.skip) {
      await db.migrate.latest({
        directory: migrationsDir,
        tableName: MIGRATIONS_TABLE,
      });
    }
    return new WebhookDeliveries(db);
  }

  private constructor(private readonly db: Knex) {}

  /**
   * Records what identifies a delivery (its id, the hash of its body);
   * false when any of it was recorded before (a replay). One insert, so
   * two replicas that get the same delivery at once cannot both accept it.
   */
  async firstTime(topic: string, keys: string[], now: Date): Promise<boolean> {
    const inserted = await this.db(TABLE)
      .insert(
        keys.map(key => ({
          topic,
          delivery_id: key,
          received_at: now.toISOString(),
        })),
      )
      .onConflict(['topic', 'delivery_id'])
      .ignore()
      .returning('delivery_id');
    this.recorded += 1;
    if (this.recorded % 500 === 1) await this.prune(now);
    // A key that conflicted was turned into nothing: it returns no row.
    return inserted.length === keys.length;
  }

  private async prune(now: Date) {
    await this.db(TABLE)
      .where(
        'received_at',
        '<',
        new Date(now.getTime() - KEEP_MS).toISOString(),
      )
      .delete();
  }
}
