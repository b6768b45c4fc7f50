import {
  Observation,
  SEVERITIES,
} from 'backstage-plugin-security-observations-common';
import { SecurityObservationsApi } from '../../api';
import { ACTIVE_STATUSES } from '../observationFields/statuses';

/** Critical first, then high; within a severity the newest first. */
export function bySeverityThenNewest(a: Observation, b: Observation): number {
  const rank = SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity);
  if (rank !== 0) return rank;
  return Date.parse(b.firstSeenAt) - Date.parse(a.firstSeenAt);
}

/**
 * The entity's `limit` most pressing active observations: critical before
 * high, the newest of each first. The API sorts by one field only, so one
 * request sorted by first seen would let five new highs hide an older
 * critical; each severity's newest come in their own request instead.
 */
export async function newestCriticalAndHigh(
  api: Pick<SecurityObservationsApi, 'listObservations'>,
  entityRef: string,
  limit: number,
): Promise<Observation[]> {
  const pages = await Promise.all(
    (['critical', 'high'] as const).map(severity =>
      api.listObservations({
        entityRef,
        status: ACTIVE_STATUSES,
        severity: [severity],
        sort: '-firstSeenAt',
        limit,
      }),
    ),
  );
  // An observation reassessed between the two requests can be in both.
  const byId = new Map(
    pages.flatMap(page => page.items).map(item => [item.id, item]),
  );
  return [...byId.values()].sort(bySeverityThenNewest).slice(0, limit);
}
