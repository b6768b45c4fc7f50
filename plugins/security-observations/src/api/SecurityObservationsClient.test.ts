import { MockFetchApi, registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  minimistComments,
  minimistEvents,
  minimistObservation,
  notPlannedComments,
  notPlannedEvents,
  notPlannedObservation,
  observations,
  paymentsTrend,
} from '../__testUtils__/observations';
import { scannedSummary } from '../__testUtils__/summaries';
import { SecurityObservationsClient } from './SecurityObservationsClient';

const baseUrl = 'http://backstage.test/api/security-observations';
const entityRef = 'component:default/payments-api';

const backstageError = (status: number, name: string, message: string) =>
  HttpResponse.json(
    {
      error: { name, message },
      request: { method: 'POST', url: '/v1/assessments' },
      response: { statusCode: status },
    },
    { status },
  );

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

    await expect(client.getSummary(entityRef)).resolves.toEqual(scannedSummary);
    expect(requestedPath).toBe(
      '/api/security-observations/v1/entities/component%3Adefault%2Fpayments-api/summary',
    );
  });

  it('turns an error answer into a ResponseError with the backend message', async () => {
    server.use(
      http.get(`${baseUrl}/v1/entities/:entityRef/summary`, () =>
        backstageError(400, 'InputError', 'entityRef: bad ref'),
      ),
    );

    await expect(client.getSummary('x')).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 400,
      body: { error: { message: 'entityRef: bad ref' } },
    });
  });

  it('lists observations with comma-separated filters, sort, limit and cursor', async () => {
    let searchParams = new URLSearchParams();
    server.use(
      http.get(`${baseUrl}/v1/observations`, ({ request }) => {
        searchParams = new URL(request.url).searchParams;
        return HttpResponse.json({
          items: observations,
          totalCount: 57,
          nextCursor: 'eyJ2IjoxLCJpZCI6ImIifQ',
        });
      }),
    );

    const page = await client.listObservations({
      entityRef,
      status: ['open', 'in_review'],
      severity: ['critical', 'high'],
      scanner: ['trivy'],
      branch: ['feature/refund-webhooks'],
      q: ' CVE-2021-44906 & more ',
      sort: '-firstSeenAt',
      limit: 25,
      cursor: 'eyJ2IjowLCJpZCI6ImEifQ',
    });

    expect(page.totalCount).toBe(57);
    expect(page.nextCursor).toBe('eyJ2IjoxLCJpZCI6ImIifQ');
    expect(page.items.map(item => item.id)).toEqual(
      observations.map(item => item.id),
    );
    expect(Object.fromEntries(searchParams)).toEqual({
      entityRef,
      status: 'open,in_review',
      severity: 'critical,high',
      scanner: 'trivy',
      branch: 'feature/refund-webhooks',
      q: 'CVE-2021-44906 & more',
      sort: '-firstSeenAt',
      limit: '25',
      cursor: 'eyJ2IjowLCJpZCI6ImEifQ',
    });
  });

  it('leaves out empty filters', async () => {
    let search = '';
    server.use(
      http.get(`${baseUrl}/v1/observations`, ({ request }) => {
        search = new URL(request.url).search;
        return HttpResponse.json({ items: [], totalCount: 0 });
      }),
    );

    await client.listObservations({ entityRef, status: [], q: '  ' });

    expect(search).toBe('?entityRef=component%3Adefault%2Fpayments-api');
  });

  it('rejects an answer that does not match the shared schema', async () => {
    server.use(
      http.get(`${baseUrl}/v1/observations`, () =>
        HttpResponse.json({ items: [{ id: 'x' }], totalCount: 1 }),
      ),
    );

    await expect(client.listObservations({ entityRef })).rejects.toThrow();
  });

  it('reads one observation, its events and its comments', async () => {
    const paths: string[] = [];
    const record = (request: Request) =>
      paths.push(new URL(request.url).pathname);
    server.use(
      http.get(`${baseUrl}/v1/observations/:id`, ({ request }) => {
        record(request);
        return HttpResponse.json(minimistObservation);
      }),
      http.get(`${baseUrl}/v1/observations/:id/events`, ({ request }) => {
        record(request);
        return HttpResponse.json({ items: minimistEvents });
      }),
      http.get(`${baseUrl}/v1/observations/:id/comments`, ({ request }) => {
        record(request);
        return HttpResponse.json({ items: minimistComments });
      }),
    );

    const id = minimistObservation.id;
    await expect(client.getObservation(id)).resolves.toEqual(
      minimistObservation,
    );
    await expect(client.getObservationEvents(id)).resolves.toEqual(
      minimistEvents,
    );
    await expect(client.getObservationComments(id)).resolves.toEqual(
      minimistComments,
    );
    expect(paths).toEqual([
      `/api/security-observations/v1/observations/${id}`,
      `/api/security-observations/v1/observations/${id}/events`,
      `/api/security-observations/v1/observations/${id}/comments`,
    ]);
  });

  it("keeps what two-way sync brings back: the issue's live status, tracker comments and their push state, tracker actors", async () => {
    server.use(
      http.get(`${baseUrl}/v1/observations/:id`, () =>
        HttpResponse.json(notPlannedObservation),
      ),
      http.get(`${baseUrl}/v1/observations/:id/events`, () =>
        HttpResponse.json({ items: notPlannedEvents }),
      ),
      http.get(`${baseUrl}/v1/observations/:id/comments`, () =>
        HttpResponse.json({ items: notPlannedComments }),
      ),
    );

    const id = notPlannedObservation.id;
    const observation = await client.getObservation(id);
    expect(observation.tracker?.live).toEqual({
      state: 'closed',
      status: 'Closed as not planned',
      changedBy: 'octocat',
      changedAt: '2026-11-20T09:55:00.000Z',
      seenAt: '2026-11-20T09:59:00.000Z',
    });
    const comments = await client.getObservationComments(id);
    expect(comments).toEqual(notPlannedComments);
    expect(comments.map(comment => comment.push?.state ?? null)).toEqual([
      null,
      'pushed',
      'pending',
      'failed',
    ]);
    const events = await client.getObservationEvents(id);
    expect(events[2]).toMatchObject({
      actor: 'github:octocat',
      actorKind: 'tracker',
    });
  });

  it('reads answers of a backend without two-way sync', async () => {
    // The shapes before two-way sync: no live status, bare comments.
    const { live: _live, ...trackerBefore } = notPlannedObservation.tracker!;
    const commentsBefore = notPlannedComments.map(
      ({ url: _url, updatedAt: _updatedAt, push: _push, ...comment }) =>
        comment,
    );
    server.use(
      http.get(`${baseUrl}/v1/observations`, () =>
        HttpResponse.json({
          items: [{ ...notPlannedObservation, tracker: trackerBefore }],
          totalCount: 1,
        }),
      ),
      http.get(`${baseUrl}/v1/observations/:id/comments`, () =>
        HttpResponse.json({ items: commentsBefore }),
      ),
    );

    const page = await client.listObservations({ entityRef });
    expect(page.items[0].tracker).toEqual(trackerBefore);
    expect(page.items[0].tracker?.live).toBeUndefined();
    await expect(
      client.getObservationComments(notPlannedObservation.id),
    ).resolves.toEqual(commentsBefore);
  });

  it('rejects a live status the backend contract does not know', async () => {
    server.use(
      http.get(`${baseUrl}/v1/observations/:id`, () =>
        HttpResponse.json({
          ...notPlannedObservation,
          tracker: {
            ...notPlannedObservation.tracker,
            live: { ...notPlannedObservation.tracker!.live, state: 'archived' },
          },
        }),
      ),
    );

    await expect(
      client.getObservation(notPlannedObservation.id),
    ).rejects.toThrow();
  });

  it('maps a missing observation to a 404 ResponseError', async () => {
    server.use(
      http.get(`${baseUrl}/v1/observations/:id`, () =>
        backstageError(404, 'NotFoundError', 'No observation nope'),
      ),
    );

    await expect(client.getObservation('nope')).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 404,
      body: { error: { name: 'NotFoundError' } },
    });
  });

  it('posts an assessment as JSON and returns what changed', async () => {
    let body: unknown;
    let contentType: string | null = null;
    server.use(
      http.post(
        `${baseUrl}/v1/observations/:id/assessments`,
        async ({ request, params }) => {
          body = await request.json();
          contentType = request.headers.get('content-type');
          return HttpResponse.json({
            items: [
              {
                observationId: params.id,
                changes: { status: { from: 'open', to: 'false_positive' } },
              },
            ],
          });
        },
      ),
    );

    const outcome = await client.assess(minimistObservation.id, {
      status: 'false_positive',
      comment: 'minimist is a devDependency of the build image only',
    });

    expect(contentType).toBe('application/json');
    expect(body).toEqual({
      status: 'false_positive',
      comment: 'minimist is a devDependency of the build image only',
    });
    expect(outcome).toEqual({
      state: 'applied',
      items: [
        {
          observationId: minimistObservation.id,
          changes: { status: { from: 'open', to: 'false_positive' } },
        },
      ],
    });
  });

  it('says when an assessment waits for four-eyes review (202)', async () => {
    server.use(
      http.post(`${baseUrl}/v1/assessments`, () =>
        HttpResponse.json(
          {
            id: '6c1f9a2e-3b4d-4e5f-8a6b-7c8d9e0f1a2b',
            entityRef,
            observationIds: ['a', 'b'],
            state: 'pending',
          },
          { status: 202 },
        ),
      ),
    );

    await expect(
      client.assessMany({
        entityRef,
        observationIds: ['a', 'b'],
        status: 'risk_accepted',
        comment: 'Mitigated by the WAF until the Q1 upgrade',
        expiresAt: '2027-03-31T00:00:00.000Z',
      }),
    ).resolves.toEqual({
      state: 'pending',
      pendingAssessmentId: '6c1f9a2e-3b4d-4e5f-8a6b-7c8d9e0f1a2b',
    });
  });

  it('keeps the backend message of a rejected assessment', async () => {
    server.use(
      http.post(`${baseUrl}/v1/assessments`, () =>
        backstageError(
          400,
          'InputError',
          'Validation error: the expiry must be in the future at "expiresAt"',
        ),
      ),
    );

    await expect(
      client.assessMany({
        entityRef,
        observationIds: ['a'],
        status: 'risk_accepted',
        comment: 'ok',
        expiresAt: '2020-01-01T00:00:00.000Z',
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      body: {
        error: {
          message:
            'Validation error: the expiry must be in the future at "expiresAt"',
        },
      },
    });
  });

  it('deletes an observation with DELETE, reading the empty 204 answer', async () => {
    let request: { method: string; path: string } | undefined;
    server.use(
      http.delete(`${baseUrl}/v1/observations/:id`, ({ request: r }) => {
        request = { method: r.method, path: new URL(r.url).pathname };
        return new HttpResponse(null, { status: 204 });
      }),
    );

    await expect(
      client.deleteObservation(minimistObservation.id),
    ).resolves.toBeUndefined();
    expect(request).toEqual({
      method: 'DELETE',
      path: `/api/security-observations/v1/observations/${minimistObservation.id}`,
    });
  });

  it('maps a denied deletion to a 403 ResponseError with the backend message', async () => {
    server.use(
      http.delete(`${baseUrl}/v1/observations/:id`, () =>
        backstageError(403, 'NotAllowedError', 'Unauthorized'),
      ),
    );

    await expect(
      client.deleteObservation(minimistObservation.id),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 403,
      body: { error: { name: 'NotAllowedError', message: 'Unauthorized' } },
    });
  });

  it('deletes many observations of an entity with one request, and returns how many', async () => {
    let body: unknown;
    let contentType: string | null = null;
    server.use(
      http.post(`${baseUrl}/v1/observation-deletions`, async ({ request }) => {
        body = await request.json();
        contentType = request.headers.get('content-type');
        return HttpResponse.json({ deleted: 2, issuesToClose: 1 });
      }),
    );

    await expect(
      client.deleteObservations({ entityRef, observationIds: ['a', 'b'] }),
    ).resolves.toEqual({ deleted: 2, issuesToClose: 1 });
    expect(contentType).toBe('application/json');
    expect(body).toEqual({ entityRef, observationIds: ['a', 'b'] });
  });

  it('keeps the backend message when a bulk deletion names an unknown observation', async () => {
    server.use(
      http.post(`${baseUrl}/v1/observation-deletions`, () =>
        backstageError(404, 'NotFoundError', 'No observation b'),
      ),
    );

    await expect(
      client.deleteObservations({ entityRef, observationIds: ['a', 'b'] }),
    ).rejects.toMatchObject({
      statusCode: 404,
      body: { error: { message: 'No observation b' } },
    });
  });

  it('rejects a bulk deletion answer that does not say how many were deleted', async () => {
    server.use(
      http.post(`${baseUrl}/v1/observation-deletions`, () =>
        HttpResponse.json({}),
      ),
    );

    await expect(
      client.deleteObservations({ entityRef, observationIds: ['a'] }),
    ).rejects.toThrow();
  });

  it('adds a comment and returns it', async () => {
    let body: unknown;
    server.use(
      http.post(
        `${baseUrl}/v1/observations/:id/comments`,
        async ({ request, params }) => {
          body = await request.json();
          return HttpResponse.json(
            {
              id: 'c-1',
              observationId: params.id,
              author: 'user:default/jane.doe',
              origin: 'backstage',
              body: 'Fixed by bumping minimist',
              createdAt: '2026-11-20T10:00:00.000Z',
            },
            { status: 201 },
          );
        },
      ),
    );

    const comment = await client.addComment(
      minimistObservation.id,
      'Fixed by bumping minimist',
    );

    expect(body).toEqual({ comment: 'Fixed by bumping minimist' });
    expect(comment).toMatchObject({ origin: 'backstage', id: 'c-1' });
  });

  it('reads the trend of the given number of days', async () => {
    let url = new URL('http://x');
    server.use(
      http.get(`${baseUrl}/v1/entities/:entityRef/trend`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json(paymentsTrend);
      }),
    );

    await expect(client.getTrend(entityRef, 30)).resolves.toEqual(
      paymentsTrend,
    );
    expect(url.pathname).toBe(
      '/api/security-observations/v1/entities/component%3Adefault%2Fpayments-api/trend',
    );
    expect(url.searchParams.get('days')).toBe('30');
  });

  it('queues a sync of the entity', async () => {
    let method = '';
    server.use(
      http.post(`${baseUrl}/v1/entities/:entityRef/sync`, ({ request }) => {
        method = request.method;
        return HttpResponse.json({ queued: 12 }, { status: 202 });
      }),
    );

    await expect(client.syncEntity(entityRef)).resolves.toEqual({
      queued: 12,
    });
    expect(method).toBe('POST');
  });

  it('maps a denied sync to a 403 ResponseError', async () => {
    server.use(
      http.post(`${baseUrl}/v1/entities/:entityRef/sync`, () =>
        backstageError(403, 'NotAllowedError', 'Unauthorized'),
      ),
    );

    await expect(client.syncEntity(entityRef)).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 403,
    });
  });
});
