import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  EntitySummary,
  entitySummarySchema,
} from 'backstage-plugin-security-observations-common';
import { SecurityObservationsApi } from './SecurityObservationsApi';

/**
 * Talks to the backend plugin over HTTP. `fetchApi` adds the user's Backstage
 * token; `discoveryApi` finds the backend, wherever it is deployed.
 * @public
 */
export class SecurityObservationsClient implements SecurityObservationsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getSummary(entityRef: string): Promise<EntitySummary> {
    return entitySummarySchema.parse(
      await this.get(`/v1/entities/${encodeURIComponent(entityRef)}/summary`),
    );
  }

  private async get(path: string): Promise<unknown> {
    const baseUrl = await this.discoveryApi.getBaseUrl('security-observations');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }
}
