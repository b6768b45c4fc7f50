import {
  ListObservationsQuery,
  ListObservationsResponse,
  Observation,
  ObservationSortField,
  SEVERITIES,
} from 'backstage-plugin-security-observations-common';

const sortValue = (observation: Observation, field: ObservationSortField) =>
  field === 'severity'
    ? SEVERITIES.indexOf(observation.severity)
    : observation[field];

/**
 * `GET /v1/observations` over a fixed set of observations, as the backend
 * answers it: filtered by entity, status and severity, sorted by one field
 * (severity by rank, most severe first; ties by id), at most `limit`.
 * Cursors are not supported: the tests that use this read one page.
 */
export function listObservationsLikeTheBackend(all: Observation[]) {
  return async (
    query: ListObservationsQuery,
  ): Promise<ListObservationsResponse> => {
    const sort = query.sort ?? 'severity';
    const field = sort.replace(/^-/, '') as ObservationSortField;
    const direction = sort.startsWith('-') ? -1 : 1;
    const matching = all
      .filter(observation => observation.entityRef === query.entityRef)
      .filter(o => !query.status?.length || query.status.includes(o.status))
      .filter(
        o => !query.severity?.length || query.severity.includes(o.severity),
      )
      .sort((a, b) => {
        const [x, y] = [sortValue(a, field), sortValue(b, field)];
        if (x !== y) return (x < y ? -1 : 1) * direction;
        return a.id < b.id ? -1 : 1;
      });
    return {
      items: matching.slice(0, query.limit ?? 50),
      totalCount: matching.length,
    };
  };
}
