import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AssessmentRequest,
  assessmentResponseSchema,
  BulkAssessmentRequest,
  BulkDeletionRequest,
  BulkDeletionResponse,
  EntitySummary,
  entitySummarySchema,
  EntityTrend,
  entityTrendSchema,
  ListObservationsQuery,
  ListObservationsResponse,
  listObservationsResponseSchema,
  Observation,
  ObservationComment,
  observationCommentSchema,
  observationCommentsResponseSchema,
  ObservationEvent,
  observationEventsResponseSchema,
  observationSchema,
} from 'backstage-plugin-security-observations-common';
import {
  AssessmentOutcome,
  SecurityObservationsApi,
} from './SecurityObservationsApi';
import {
  deletionResponseSchema,
  pendingAssessmentResponseSchema,
  syncResponseSchema,
} from './responseSchemas';

const entityPath = (entityRef: string) =>
  `/v1/entities/${encodeURIComponent(entityRef)}`;
const observationPath = (id: string) =>
  `/v1/observations/${encodeURIComponent(id)}`;

/** Query parameters of `GET /v1/observations`; list filters comma-separated. */
function listQueryParams(query: ListObservationsQuery): URLSearchParams {
  const params = new URLSearchParams({ entityRef: query.entityRef });
  const lists = {
    status: query.status,
    severity: query.severity,
    scanner: query.scanner,
    branch: query.branch,
  };
  for (const [name, values] of Object.entries(lists)) {
    if (values?.length) {
      params.set(name, values.join(','));
    }
  }
  if (query.q?.trim()) params.set('q', query.q.trim());
  if (query.sort) params.set('sort', query.sort);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.cursor) params.set('cursor', query.cursor);
  return params;
}

/**
 * Talks to the backend plugin over HTTP. `fetchApi` adds the user's Backstage
 * token; `discoveryApi` finds the backend, wherever it is deployed. Every
 * answer is parsed with the shared schemas, so a backend of another version
 * fails loudly here rather than as a blank cell somewhere in the tab.
 * @public
 */
export class SecurityObservationsClient implements SecurityObservationsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  /** {@inheritDoc SecurityObservationsApi.getSummary} */
  async getSummary(entityRef: string): Promise<EntitySummary> {
    const { body } = await this.request(
      'GET',
      `${entityPath(entityRef)}/summary`,
    );
    return entitySummarySchema.parse(body);
  }

  /** {@inheritDoc SecurityObservationsApi.listObservations} */
  async listObservations(
    query: ListObservationsQuery,
  ): Promise<ListObservationsResponse> {
    const { body } = await this.request(
      'GET',
      `/v1/observations?${listQueryParams(query)}`,
    );
    return listObservationsResponseSchema.parse(body);
  }

  /** {@inheritDoc SecurityObservationsApi.getObservation} */
  async getObservation(id: string): Promise<Observation> {
    const { body } = await this.request('GET', observationPath(id));
    return observationSchema.parse(body);
  }

  /** {@inheritDoc SecurityObservationsApi.getObservationEvents} */
  async getObservationEvents(id: string): Promise<ObservationEvent[]> {
    const { body } = await this.request('GET', `${observationPath(id)}/events`);
    return observationEventsResponseSchema.parse(body).items;
  }

  /** {@inheritDoc SecurityObservationsApi.getObservationComments} */
  async getObservationComments(id: string): Promise<ObservationComment[]> {
    const { body } = await this.request(
      'GET',
      `${observationPath(id)}/comments`,
    );
    return observationCommentsResponseSchema.parse(body).items;
  }

  /** {@inheritDoc SecurityObservationsApi.assess} */
  async assess(
    id: string,
    request: AssessmentRequest,
  ): Promise<AssessmentOutcome> {
    return this.assessment(`${observationPath(id)}/assessments`, request);
  }

  /** {@inheritDoc SecurityObservationsApi.assessMany} */
  async assessMany(request: BulkAssessmentRequest): Promise<AssessmentOutcome> {
    return this.assessment('/v1/assessments', request);
  }

  /** {@inheritDoc SecurityObservationsApi.deleteObservation} */
  async deleteObservation(id: string): Promise<void> {
    await this.request('DELETE', observationPath(id));
  }

  /** {@inheritDoc SecurityObservationsApi.deleteObservations} */
  async deleteObservations(
    request: BulkDeletionRequest,
  ): Promise<BulkDeletionResponse> {
    const { body } = await this.request(
      'POST',
      '/v1/observation-deletions',
      request,
    );
    return deletionResponseSchema.parse(body);
  }

  /** {@inheritDoc SecurityObservationsApi.addComment} */
  async addComment(id: string, body: string): Promise<ObservationComment> {
    const response = await this.request(
      'POST',
      `${observationPath(id)}/comments`,
      { comment: body },
    );
    return observationCommentSchema.parse(response.body);
  }

  /** {@inheritDoc SecurityObservationsApi.getTrend} */
  async getTrend(entityRef: string, days = 90): Promise<EntityTrend> {
    const { body } = await this.request(
      'GET',
      `${entityPath(entityRef)}/trend?${new URLSearchParams({
        days: String(days),
      })}`,
    );
    return entityTrendSchema.parse(body);
  }

  /** {@inheritDoc SecurityObservationsApi.syncEntity} */
  async syncEntity(entityRef: string): Promise<{ queued: number }> {
    const { body } = await this.request(
      'POST',
      `${entityPath(entityRef)}/sync`,
    );
    return syncResponseSchema.parse(body);
  }

  /** 200 applies the assessment; 202 means it waits for four-eyes review. */
  private async assessment(
    path: string,
    request: AssessmentRequest | BulkAssessmentRequest,
  ): Promise<AssessmentOutcome> {
    const { status, body } = await this.request('POST', path, request);
    if (status === 202) {
      return {
        state: 'pending',
        pendingAssessmentId: pendingAssessmentResponseSchema.parse(body).id,
      };
    }
    return {
      state: 'applied',
      items: assessmentResponseSchema.parse(body).items,
    };
  }

  private async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    jsonBody?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const baseUrl = await this.discoveryApi.getBaseUrl('security-observations');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      ...(jsonBody === undefined
        ? {}
        : {
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(jsonBody),
          }),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    // 204 (a deletion) has no body to parse.
    if (response.status === 204) {
      return { status: response.status, body: undefined };
    }
    return { status: response.status, body: await response.json() };
  }
}
