import { MockFetchApi, registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { scannedSummary } from '../__testUtils__/summaries';
import { SecurityObservationsClient } from './SecurityObservationsClient';

const baseUrl = 'http://backstage.test/api/security-observations';

describe('SecurityObservationsClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  const client = new SecurityObservationsClient({
    discoveryApi: { getBaseUrl: async () => baseUrl },
    fetchApi: new MockFetchApi(),
  });

  it('reads an entity summary from the backend plugin it discovers, with the ref encoded', async () => {
    let requestedPath = '';
    server.use(
      http.get(`${baseUrl}/v1/entities/:entityRef/summary`, ({ request }) => {
        requestedPath = new URL(request.url).pathname;
        return HttpResponse.json(scannedSummary);
      }),
    );

    await expect(
      client.getSummary('component:default/payments-api'),
    ).resolves.toEqual(scannedSummary);
    expect(requestedPath).toBe(
      '/api/security-observations/v1/entities/component%3Adefault%2Fpayments-api/summary',
    );
  });

  it('turns an error answer into a ResponseError with the backend message', async () => {
    server.use(
      http.get(`${baseUrl}/v1/entities/:entityRef/summary`, () =>
        HttpResponse.json(
          {
            error: { name: 'InputError', message: 'entityRef: bad ref' },
            request: { method: 'GET', url: '/v1/entities/x/summary' },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
    );

    await expect(client.getSummary('x')).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 400,
      body: { error: { message: 'entityRef: bad ref' } },
    });
  });
});
