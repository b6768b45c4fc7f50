/**
 * The benchmark's backend, in its own process so that its peak RSS is the
 * import path's alone: the real plugin, Backstage's real auth with a static
 * token, a mocked catalog, and a fresh Postgres database.
 */
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import { Knex } from 'knex';
import { securityObservationsPlugin } from '../src/plugin';
import { contentRow } from '../src/database/applyImport';
import { normalizeFindings } from '../src/ingest/NormalizedFinding';
import { reportParsers } from '../src/ingest/parsers';
import { createBenchDatabase } from './benchDatabase';

export const BENCH_TOKEN = 'bench-scanner-token-0123456789';
export const BENCH_ENTITY = 'component:default/bench-service';

type Message =
  | { type: 'truncate' }
  | { type: 'resetPeak' }
  | { type: 'peak' }
  | { type: 'bound'; report: string; format: string }
  | { type: 'stop' };

async function main() {
  const { knex, drop } = await createBenchDatabase('so_bench', {
    min: 1,
    max: 5,
  });

  const backend = await startTestBackend({
    features: [
      securityObservationsPlugin,
      authServiceFactory,
      httpAuthServiceFactory,
      mockServices.database.factory({ knex }),
      catalogServiceMock.factory({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'bench-service', namespace: 'default' },
            spec: { type: 'service', owner: 'group:default/bench' },
          },
        ],
      }),
      mockServices.rootConfig.factory({
        data: {
          backend: {
            auth: {
              externalAccess: [
                {
                  type: 'static',
                  options: { token: BENCH_TOKEN, subject: 'bench' },
                },
              ],
            },
          },
          securityObservations: {
            imports: { maxReportSizeMb: 1000, maxDecompressedSizeMb: 2000 },
          },
        },
      }),
    ],
  });
  await knex.raw(
    'CREATE TABLE observations_bound (LIKE observations INCLUDING ALL)',
  );
  const address = backend.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  process.on('message', async (message: Message) => {
    const reply = (value: unknown) =>
      process.send!({ type: message.type, value });
    switch (message.type) {
      case 'truncate':
        await knex.raw(
          'TRUNCATE observations, imports, observation_events, observations_bound',
        );
        await knex.raw('VACUUM ANALYZE');
        reply(true);
        break;
      case 'resetPeak':
        // Linux: writing 5 resets the peak resident set size (VmHWM).
        fs.writeFileSync('/proc/self/clear_refs', '5');
        reply(true);
        break;
      case 'peak': {
        const status = fs.readFileSync('/proc/self/status', 'utf8');
        reply(Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024);
        break;
      }
      case 'bound':
        reply(await insertBound(knex, message.report, message.format));
        break;
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

/**
 * This machine's bulk-insert bound: the same rows as the import writes, in
 * one INSERT ... SELECT FROM unnest(array, ...) statement, timed alone.
 */
async function insertBound(knex: Knex, report: string, format: string) {
  const parser = reportParsers.find(candidate => candidate.format === format)!;
  const findings = Array.from(
    normalizeFindings(parser.parse(JSON.parse(report)).findings),
  );
  const now = new Date().toISOString();
  const rows = findings.map((finding, index) => ({
    ...contentRow(`bound-${index}`, finding, { status: null, severity: null }),
    identity_hash: finding.identityHash,
  }));
  const columns = Object.keys(rows[0]) as Array<keyof (typeof rows)[0]>;
  const integerColumns = new Set([
    'location_start_line',
    'location_end_line',
    'severity_rank',
  ]);
  const arrays = columns.map(column => rows.map(row => row[column]));
  const unnest = columns
    .map(
      (column, i) =>
        `$${i + 1}::${integerColumns.has(column) ? 'int' : 'text'}[]`,
    )
    .join(', ');
  const connection = await knex.client.acquireConnection();
  try {
    const started = process.hrtime.bigint();
    await connection.query('BEGIN');
    await connection.query(
      `INSERT INTO observations_bound (${columns.join(', ')},
         entity_ref, branch, scanner, source, first_seen_at, last_seen_at,
         first_import_id, last_import_id, updated_at)
       SELECT *, '${BENCH_ENTITY}', 'main', '${format}', '', '${now}', '${now}',
         'bound', 'bound', '${now}'
       FROM unnest(${unnest})`,
      arrays,
    );
    await connection.query('COMMIT');
    return Number(process.hrtime.bigint() - started) / 1e6;
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

main().catch(error => {
  // eslint-disable-next-line no-console
  console.error(error);
  process.exit(1);
});
