/**
 * The benchmark's backend, in its own process so that its peak RSS is the
 * import path's alone: the real plugin, Backstage's real auth with a static
 * token, a mocked catalog, and a fresh database: Postgres, or SQLite in a
 * temporary file with `BENCH_DATABASE=sqlite`.
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
import {
  createBenchDatabase,
  createBenchSqliteDatabase,
} from './benchDatabase';
import { peakRssBytes } from './forkedServer';

export const BENCH_TOKEN = 'bench-scanner-token-0123456789';
export const BENCH_ENTITY = 'component:default/bench-service';

type Message =
  | { type: 'truncate' }
  | { type: 'resetPeak' }
  | { type: 'peak' }
  | { type: 'cpu' }
  | { type: 'settle' }
  | { type: 'bound'; report: string; format: string }
  | { type: 'stop' };

/** Clock ticks per second of /proc/<pid>/stat on Linux. */
const CLOCK_TICKS = 100;

/**
 * CPU milliseconds (user and system) the Postgres backends serving this
 * database have used, by pid, read from /proc: only for a server on this
 * machine (else empty).
 */
async function databaseCpu(knex: Knex): Promise<Map<number, number>> {
  const { rows } = await knex.raw(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows as Array<{ pid: number }>) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): utime is the
      // 14th field of the line, stime the 15th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(
        pid,
        ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS,
      );
    } catch {
      // Not on this machine, or gone.
    }
  }
  return cpu;
}

const TABLES = [
  'observations',
  'observation_scopes',
  'imports',
  'observation_events',
];

async function main() {
  const sqlite = process.env.BENCH_DATABASE === 'sqlite';
  const { knex, drop } = sqlite
    ? createBenchSqliteDatabase('so-bench')
    : await createBenchDatabase('so_bench', { min: 1, max: 5 });

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
  if (!sqlite) {
    await knex.raw(
      'CREATE TABLE observations_bound (LIKE observations INCLUDING ALL)',
    );
  }
  const address = backend.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  process.on('message', async (message: Message) => {
    const reply = (value: unknown) =>
      process.send!({ type: message.type, value });
    switch (message.type) {
      case 'truncate':
        if (sqlite) {
          for (const table of TABLES) await knex(table).delete();
          await knex.raw('VACUUM');
        } else {
          await knex.raw(
            `TRUNCATE ${[...TABLES, 'observations_bound'].join(', ')}`,
          );
          await knex.raw('VACUUM ANALYZE');
        }
        reply(true);
        break;
      case 'settle':
        // Collects the garbage of what ran before (the server runs with
        // --expose-gc), so that each timed import starts from the same heap
        // and does not pay for its predecessor's.
        (global as { gc?: () => void }).gc?.();
        reply(true);
        break;
      case 'resetPeak':
        // Linux: writing 5 resets the peak resident set size (VmHWM).
        fs.writeFileSync('/proc/self/clear_refs', '5');
        reply(true);
        break;
      case 'peak':
        reply(peakRssBytes());
        break;
      case 'cpu': {
        // This process's CPU time, and that of the database's backends
        // (SQLite works inside this process).
        const usage = process.cpuUsage();
        reply({
          server: (usage.user + usage.system) / 1000,
          database: sqlite ? {} : Object.fromEntries(await databaseCpu(knex)),
        });
        break;
      }
      case 'bound':
        // The unnest bound is Postgres's; SQLite has none.
        reply(
          sqlite
            ? null
            : await insertBound(knex, message.report, message.format),
        );
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
