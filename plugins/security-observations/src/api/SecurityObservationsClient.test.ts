import { MockFetchApi, registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { SecurityObservationsClient } from './SecurityObservationsClient';

const baseUrl = 'http://backstage.test/api/security-observations';

describe('SecurityObservationsClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const client = new SecurityObservationsClient({
    discoveryApi: { getBaseUrl: async () => baseUrl },
    fetchApi: new MockFetchApi(),
  });

  it('reads the health of the backend plugin it discovers', async () => {
    server.use(
      http.get(`${baseUrl}/health`, () =>
        HttpResponse.json({
          status: 'ok',
          database: { client: 'better-sqlite3', ok: true },
        }),
      ),
    );

    await expect(client.getHealth()).resolves.toEqual({
      status: 'ok',
      database: { client: 'better-sqlite3', ok: true },
    });
  });

  it('turns an error answer into a ResponseError with the backend message', async () => {
    server.use(
      http.get(`${baseUrl}/health`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotAllowedError', message: 'nope' },
            request: { method: 'GET', url: '/health' },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );

    await expect(client.getHealth()).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 403,
      body: { error: { message: 'nope' } },
    });
  });
});
