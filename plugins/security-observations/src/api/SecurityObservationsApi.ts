import { createApiRef } from '@backstage/core-plugin-api';
import { EntitySummary } from 'backstage-plugin-security-observations-common';

/**
 * Client of the Security Observations backend, as the frontend sees it.
 * @public
 */
export interface SecurityObservationsApi {
  /** Counts per severity and status of one entity's observations. */
  getSummary(entityRef: string): Promise<EntitySummary>;
}

/** @public */
export const securityObservationsApiRef = createApiRef<SecurityObservationsApi>(
  { id: 'plugin.security-observations.service' },
);
