import { createApiRef } from '@backstage/core-plugin-api';
import {
  AssessmentRequest,
  AssessmentResponse,
  BulkAssessmentRequest,
  BulkDeletionRequest,
  BulkDeletionResponse,
  EntitySummary,
  EntityTrend,
  ListObservationsQuery,
  ListObservationsResponse,
  Observation,
  ObservationEvent,
} from 'backstage-plugin-security-observations-common';
import { ObservationComment } from 'backstage-plugin-security-observations-common';

export type { ObservationComment } from 'backstage-plugin-security-observations-common';

/**
 * What an assessment did: applied at once, or stored for a second person's
 * approval when the backend runs four-eyes review.
 * @public
 */
export type AssessmentOutcome =
  | { state: 'applied'; items: AssessmentResponse['items'] }
  | { state: 'pending'; pendingAssessmentId: string };

/**
 * Client of the Security Observations backend, as the frontend sees it.
 * @public
 */
export interface SecurityObservationsApi {
  /** Counts per severity and status of one entity's observations. */
  getSummary(entityRef: string): Promise<EntitySummary>;

  /** One page of an entity's observations, with the total of the filter. */
  listObservations(
    query: ListObservationsQuery,
  ): Promise<ListObservationsResponse>;

  /** One observation, by its id. */
  getObservation(id: string): Promise<Observation>;

  /** The observation's audit log, oldest first. */
  getObservationEvents(id: string): Promise<ObservationEvent[]>;

  /** Comments from the Security tab and from the tracker, oldest first. */
  getObservationComments(id: string): Promise<ObservationComment[]>;

  /** Assesses one observation: status, optional severity, a comment. */
  assess(id: string, request: AssessmentRequest): Promise<AssessmentOutcome>;

  /** One assessment for many observations of one entity, all or nothing. */
  assessMany(request: BulkAssessmentRequest): Promise<AssessmentOutcome>;

  /**
   * Deletes an observation (an admin's clean-up, with a permission of its
   * own). Its tracker issue is closed as not planned and the audit log
   * keeps what happened; a later scan that still reports the finding
   * brings it back as a new observation.
   */
  deleteObservation(id: string): Promise<void>;

  /**
   * Deletes many observations of one entity, all or nothing, as
   * {@link SecurityObservationsApi.deleteObservation} does one.
   */
  deleteObservations(
    request: BulkDeletionRequest,
  ): Promise<BulkDeletionResponse>;

  /** Adds a comment to an observation, from the Security tab. */
  addComment(id: string, body: string): Promise<ObservationComment>;

  /** Active observations per severity per day, and mean time to resolve. */
  getTrend(entityRef: string, days?: number): Promise<EntityTrend>;

  /** Queues the entity's observations for a tracker sync now. */
  syncEntity(entityRef: string): Promise<{ queued: number }>;
}

/**
 * Reference to the {@link SecurityObservationsApi}, for `useApi`.
 * @public
 */
export const securityObservationsApiRef = createApiRef<SecurityObservationsApi>(
  { id: 'plugin.security-observations.service' },
);
