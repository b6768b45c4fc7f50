import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { securityObservationsPlugin } from './plugin';

jest.setTimeout(60_000);

describe('securityObservationsPlugin', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'starts and serves an unauthenticated health check on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startTestBackend({
        features: [
          securityObservationsPlugin,
          mockServices.database.factory({ knex }),
        ],
      });

      // No credentials at all: load balancers call this.
      const res = await request(server).get(
        '/api/security-observations/health',
      );

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        status: 'ok',
        database: {
          client: databaseId.startsWith('POSTGRES') ? 'pg' : 'better-sqlite3',
          ok: true,
        },
      });
    },
  );

  it('answers 503 when the database does not, on SQLITE_3', async () => {
    const knex = await databases.init('SQLITE_3');
    const { server } = await startTestBackend({
      features: [
        securityObservationsPlugin,
        mockServices.database.factory({ knex }),
      ],
    });
    await knex.destroy();

    const res = await request(server).get('/api/security-observations/health');

    expect(res.status).toBe(503);
    expect(res.body.database.ok).toBe(false);
  });
});
