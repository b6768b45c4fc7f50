/**
 * The load benchmark's backend, in its own process so that its peak RSS is
 * the backend's alone: the real plugin, Backstage's real auth with a static
 * token, a mocked catalog of the benchmark's entities, and a fresh database,
 * Postgres or an SQLite file (`LOAD_DATABASE=postgres|sqlite`).
 */
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { securityObservationsPlugin } from '../../src/plugin';
import {
  createBenchDatabase,
  createBenchSqliteDatabase,
} from '../benchDatabase';
import { peakRssBytes } from '../forkedServer';
import { LOAD_TOKEN, loadEntityNames } from './loadScenario';

type Message = { type: 'peak' } | { type: 'verify' } | { type: 'stop' };

/** Per scope: rows, distinct identities, and rows that are not resolved. */
export interface StoredCounts {
  entityRef: string;
  rows: number;
  identities: number;
  active: number;
}

function openDatabase() {
  return process.env.LOAD_DATABASE === 'sqlite'
    ? createBenchSqliteDatabase('so-load')
    : // A pool as Backstage configures one by default.
      createBenchDatabase('so_load', { min: 0, max: 10 });
}

async function main() {
  const { knex, drop } = await openDatabase();
  const backend = await startTestBackend({
    features: [
      securityObservationsPlugin,
      authServiceFactory,
      httpAuthServiceFactory,
      mockServices.database.factory({ knex }),
      catalogServiceMock.factory({
        entities: loadEntityNames().map(name => ({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name, namespace: 'default' },
          spec: { type: 'service', owner: 'group:default/load' },
        })),
      }),
      mockServices.rootConfig.factory({
        data: {
          backend: {
            auth: {
              externalAccess: [
                {
                  type: 'static',
                  options: { token: LOAD_TOKEN, subject: 'load-ci' },
                },
              ],
            },
          },
          securityObservations: {
            // Twenty scanners of one CI system: no per-subject limit in the way.
            rateLimits: { imports: { requestsPerMinute: 100_000 } },
          },
        },
      }),
    ],
  });
  const address = backend.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  process.on('message', async (message: Message) => {
    const reply = (value: unknown) =>
      process.send!({ type: message.type, value });
    switch (message.type) {
      case 'peak':
        reply(peakRssBytes());
        break;
      case 'verify': {
        const rows = await knex('observations')
          .select('entity_ref as entityRef')
          .count({ rows: '*' })
          .countDistinct({
            identities: knex.raw(
              "branch || '|' || scanner || '|' || source || '|' || identity_hash",
            ),
          })
          .sum({
            active: knex.raw("CASE WHEN status = 'resolved' THEN 0 ELSE 1 END"),
          })
          .groupBy('entity_ref');
        reply(
          rows.map(row => ({
            entityRef: row.entityRef,
            rows: Number(row.rows),
            identities: Number(row.identities),
            active: Number(row.active),
          })),
        );
        break;
      }
      case 'stop':
        await backend.stop();
        await drop();
        process.exit(0);
        break;
      default:
        break;
    }
  });
  process.send!({ type: 'ready', value: port });
}

main().catch(error => {
  // eslint-disable-next-line no-console
  console.error(error);
  process.exit(1);
});
