import { createApiRef } from '@backstage/core-plugin-api';
import { HealthResponse } from 'backstage-plugin-security-observations-common';

/**
 * Client of the Security Observations backend, as the frontend sees it.
 * @public
 */
export interface SecurityObservationsApi {
  /** Whether the backend and its database answer. */
  getHealth(): Promise<HealthResponse>;
}

/** @public */
export const securityObservationsApiRef = createApiRef<SecurityObservationsApi>(
  { id: 'plugin.security-observations.service' },
);
