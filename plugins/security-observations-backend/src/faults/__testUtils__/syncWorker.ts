/**
 * A backend's tracker sync in a process of its own, for the tests that kill
 * it in the middle of a run: forked by SyncWorkerProcess with the database
 * and the settings in SYNC_WORKER_OPTIONS, it syncs each time it is told
 * to over IPC and answers with the run's report.
 *
 * Wired as plugin.ts wires the sync, with the catalog replaced by a fixed
 * list of entities and without notifications. It does not load
 * @backstage/backend-test-utils (the sync harness does), which would
 * double the time it takes to start.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import knexFactory from 'knex';
import { SecurityObservationsStore } from '../../database/SecurityObservationsStore';
import { EntityRoutes } from '../../sync/routing/EntityRoutes';
import { readTrackersConfig } from '../../sync/routing/TrackerConfig';
import { SyncEngine } from '../../sync/SyncEngine';
import { SyncFailureNotifier } from '../../sync/SyncFailureNotifier';
import { TrackerClients } from '../../sync/TrackerClients';

/** What the worker is started with: JSON, as it crosses the process boundary. */
export interface SyncWorkerOptions {
  /** The test's `knex.client.config`: the same database. */
  knexConfig: Record<string, unknown>;
  /** The backend's configuration (integrations, securityObservations). */
  config: JsonObject;
  /** The catalog. */
  entities: Entity[];
  /** How long a claim holds (the engine's `leaseMs`). */
  leaseMs: number;
}

export type SyncWorkerMessage = { type: 'sync' } | { type: 'stop' };

/** Warnings and errors to stderr, which the test shows. */
const logger: LoggerService = {
  error: message => process.stderr.write(`sync worker: ${message}\n`),
  warn: message => process.stderr.write(`sync worker: ${message}\n`),
  info: () => {},
  debug: () => {},
  child: () => logger,
};

async function main() {
  const options: SyncWorkerOptions = JSON.parse(
    process.env.SYNC_WORKER_OPTIONS!,
  );
  const knex = knexFactory(options.knexConfig);
  // The test migrated the database and imported the findings.
  const store = await SecurityObservationsStore.create({
    database: { getClient: async () => knex, migrations: { skip: true } },
  });
  const config = new ConfigReader(options.config);
  const trackers = readTrackersConfig(config);
  const clients = new TrackerClients({
    config,
    trackers,
    logger,
    creationTimes: (trackerId, since) =>
      store.issueCreationTimes(trackerId, since),
  });
  const catalog = new Map(
    options.entities.map(entity => [stringifyEntityRef(entity), entity]),
  );
  const routes = new EntityRoutes({
    trackers,
    unavailableReason: trackerId => clients.unavailableReason(trackerId),
    entitiesByRefs: async refs => refs.map(ref => catalog.get(ref)),
  });
  const engine = new SyncEngine({
    store,
    routesOf: refs => routes.routesOf(refs),
    clients,
    notifier: new SyncFailureNotifier({ store, logger }),
    activeStatuses: ['open'],
    appBaseUrl: config.getString('app.baseUrl'),
    logger,
    leaseMs: options.leaseMs,
  });

  process.on('message', async (message: SyncWorkerMessage) => {
    if (message.type === 'sync') {
      try {
        process.send!({ type: 'synced', value: await engine.run() });
      } catch (error) {
        process.send!({ type: 'synced', error: String(error) });
      }
    } else if (message.type === 'stop') {
      await knex.destroy();
      process.exit(0);
    }
  });
  process.send!({ type: 'ready' });
}

main().catch(error => {
  process.stderr.write(`sync worker: ${error?.stack ?? error}\n`);
  process.exit(1);
});
