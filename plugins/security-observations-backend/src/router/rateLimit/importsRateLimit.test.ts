import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  READER_TOKEN,
  SCANNER_TOKEN,
  startPluginBackend,
} from '../../__testUtils__/startPluginBackend';
import { createTestDatabases } from '../../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const trivyReport = fs.readFileSync(
  path.resolve(
    __dirname,
    '../../ingest/parsers/__fixtures__/trivy/image-debian-v1.json',
  ),
  'utf8',
);

describe('the rate limit of POST /v1/imports', () => {
  const databases = createTestDatabases();
  afterEach(() => jest.restoreAllMocks());

  it('refuses a principal’s uploads over the limit with 429 and Retry-After, lets other principals upload, and lets it again in the next minute', async () => {
    const knex = await databases.init('SQLITE_3');
    const { server } = await startPluginBackend({
      knex,
      config: {
        securityObservations: {
          rateLimits: { imports: { requestsPerMinute: 2 } },
        },
      },
    });
    const upload = (token: string) =>
      request(server)
        .post('/api/security-observations/v1/imports')
        .query({ entityRef: 'component:default/payments-api' })
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send(trivyReport);
    const importCount = async () =>
      Number((await knex('imports').count({ n: '*' }))[0].n);

    const start = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(start);
    expect((await upload(SCANNER_TOKEN)).status).toBe(201);
    expect((await upload(SCANNER_TOKEN)).status).toBe(201);

    const refused = await upload(SCANNER_TOKEN);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.body).toEqual({
      error: {
        name: 'TooManyRequestsError',
        message:
          'Too many uploads: the service ci-scanner may make 2 a minute; try again in 60 s',
      },
      request: {
        method: 'POST',
        url: '/api/security-observations/v1/imports?entityRef=component%3Adefault%2Fpayments-api',
      },
      response: { statusCode: 429 },
    });
    expect(await importCount()).toBe(2);

    // Another principal has its own window.
    expect((await upload(READER_TOKEN)).status).toBe(201);

    jest.spyOn(Date, 'now').mockReturnValue(start + 45_000);
    expect((await upload(SCANNER_TOKEN)).headers['retry-after']).toBe('15');
    jest.spyOn(Date, 'now').mockReturnValue(start + 60_000);
    expect((await upload(SCANNER_TOKEN)).status).toBe(201);
    expect(await importCount()).toBe(4);
    await knex.destroy();
  });

  it('rejects a limit that is not a whole number above 0 at start-up', async () => {
    const knex = await databases.init('SQLITE_3');
    await expect(
      startPluginBackend({
        knex,
        config: {
          securityObservations: {
            rateLimits: { imports: { requestsPerMinute: 0 } },
          },
        },
      }),
    ).rejects.toThrow(
      'securityObservations.rateLimits.imports.requestsPerMinute must be a whole number above 0, got 0',
    );
    await knex.destroy();
  });
});
