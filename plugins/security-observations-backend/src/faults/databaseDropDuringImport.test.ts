import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { generateTrivy } from '../../bench/generateReports';
import {
  SCANNER_TOKEN,
  startPluginBackend,
} from '../__testUtils__/startPluginBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

/** Large enough that its transaction runs for a good second. */
const FINDINGS = 20_000;

/** Every table an import writes to. */
async function importRows(knex: Knex) {
  const counts: Record<string, number> = {};
  for (const table of [
    'observations',
    'observation_events',
    'imports',
    'observation_scopes',
  ]) {
    const [{ rows }] = await knex(table).count({ rows: '*' });
    counts[table] = Number(rows);
  }
  return counts;
}

/**
 * Terminates the backend connection that runs an INSERT into
 * observations, as a failover or an operator's pg_terminate_backend does.
 * Resolves with the statement it cut off, or undefined if `done` settled
 * first (the import finished before it could be caught).
 */
async function terminateWhileInserting(admin: Knex, done: Promise<unknown>) {
  let finished = false;
  done.finally(() => {
    finished = true;
  });
  while (!finished) {
    const { rows } = await admin.raw(
      `SELECT pid, query FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND state <> 'idle' AND query LIKE 'INSERT INTO observations %'`,
    );
    if (rows.length > 0) {
      await admin.raw('SELECT pg_terminate_backend(?)', [rows[0].pid]);
      return rows[0].query as string;
    }
    await new Promise(resolve => setTimeout(resolve, 2));
  }
  return undefined;
}

/*
 * The import's database connection is terminated while its transaction
 * writes the observations of a large report, through the real route on
 * Postgres. SQLite has no connection to lose.
 */
describe('the database connection drops in the middle of an import', () => {
  const databases = createTestDatabases();
  const postgresId = databases
    .eachSupportedId()
    .map(([id]) => id)
    .find(id => id.startsWith('POSTGRES'));
  const describeOnPostgres = postgresId ? describe : describe.skip;

  describeOnPostgres('on Postgres', () => {
    let knex: Knex;
    let cutOff: string | undefined;
    let answer: request.Response;
    let rowsAfterCut: Record<string, number>;
    let retry: request.Response;

    beforeAll(async () => {
      knex = await databases.init(postgresId!);
      // Its own connection: the one that terminates is not the backend's.
      const admin = knexFactory({
        ...knex.client.config,
        pool: { min: 1, max: 1 },
      });
      try {
        const { server } = await startPluginBackend({ knex });
        const report = generateTrivy(FINDINGS);
        const upload = () =>
          request(server)
            .post('/api/security-observations/v1/imports')
            .query({ entityRef: 'component:default/payments-api' })
            .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
            .set('Content-Type', 'application/json')
            .send(report);

        const uploaded = upload().then(response => response);
        cutOff = await terminateWhileInserting(admin, uploaded);
        answer = await uploaded;
        rowsAfterCut = await importRows(knex);
        retry = await upload();
      } finally {
        await admin.destroy();
      }
    });

    it('cuts the connection while the import inserts observations', () => {
      expect(cutOff).toMatch(/^INSERT INTO observations /);
    });

    it('rolls the whole import back: nothing of it is stored', () => {
      expect(answer.status).toBeGreaterThanOrEqual(500);
      expect(rowsAfterCut).toEqual({
        observations: 0,
        observation_events: 0,
        imports: 0,
        observation_scopes: 0,
      });
    });

    it('answers 503 with a message that tells the scanner to send the report again', () => {
      expect(answer.status).toBe(503);
      expect(answer.body.error.message).toMatch(/database/i);
      expect(answer.body.error.message).toMatch(/send it again/i);
    });

    it('stores the same upload sent again, all of it new', async () => {
      expect(retry.status).toBe(201);
      expect(retry.body.counts).toEqual({
        new: FINDINGS,
        updated: 0,
        unchanged: 0,
        resolved: 0,
        reopened: 0,
      });
      expect(await importRows(knex)).toEqual({
        observations: FINDINGS,
        observation_events: 0,
        imports: 1,
        observation_scopes: 1,
      });
    });
  });
});
