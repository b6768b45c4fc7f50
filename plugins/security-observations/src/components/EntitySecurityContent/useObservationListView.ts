import {
  OBSERVATION_SORT_FIELDS,
  SEVERITIES,
  Severity,
  Status,
  STATUSES,
} from 'backstage-plugin-security-observations-common';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ACTIVE_STATUSES } from '../observationFields/statuses';

/**
 * What the tab shows: filters, sort and the observation open in the drawer.
 * It lives in the URL's query string so a filtered view can be shared and
 * survives a reload.
 */
export interface ObservationListView {
  /** Empty means every status. */
  statuses: Status[];
  /** Empty means every severity. */
  severities: Severity[];
  scanner: string;
  branch: string;
  q: string;
  /** The API's sort: a field, `-` prefixed for descending. */
  sort: string;
  /** The observation whose details drawer is open. */
  observationId?: string;
}

export type ObservationFilters = Omit<ObservationListView, 'observationId'>;

/** The backend's default: most severe first. */
export const DEFAULT_SORT = 'severity';

export const DEFAULT_FILTERS: ObservationFilters = {
  statuses: ACTIVE_STATUSES,
  severities: [],
  scanner: '',
  branch: '',
  q: '',
  sort: DEFAULT_SORT,
};

/** Query-string names; `status=all` lifts the default (active) filter. */
const PARAM = {
  status: 'status',
  severity: 'severity',
  scanner: 'scanner',
  branch: 'branch',
  q: 'q',
  sort: 'sort',
  observation: 'observation',
} as const;
const ALL_STATUSES = 'all';

const SORT_PATTERN = new RegExp(`^-?(${OBSERVATION_SORT_FIELDS.join('|')})$`);

function csvOf<T extends string>(value: string | null, allowed: readonly T[]) {
  return (value ?? '')
    .split(',')
    .map(part => part.trim())
    .filter((part): part is T => (allowed as readonly string[]).includes(part));
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every(item => b.includes(item));

function readStatuses(status: string | null): Status[] {
  if (status === null) return DEFAULT_FILTERS.statuses;
  if (status === ALL_STATUSES) return [];
  return csvOf(status, STATUSES);
}

export function readListView(params: URLSearchParams): ObservationListView {
  const sort = params.get(PARAM.sort) ?? '';
  return {
    statuses: readStatuses(params.get(PARAM.status)),
    severities: csvOf(params.get(PARAM.severity), SEVERITIES),
    scanner: params.get(PARAM.scanner) ?? '',
    branch: params.get(PARAM.branch) ?? '',
    q: params.get(PARAM.q) ?? '',
    sort: SORT_PATTERN.test(sort) ? sort : DEFAULT_SORT,
    observationId: params.get(PARAM.observation) || undefined,
  };
}

/** Writes filters into the query string, leaving other parameters alone. */
function writeFilters(params: URLSearchParams, filters: ObservationFilters) {
  const set = (name: string, value: string | undefined) => {
    if (value) params.set(name, value);
    else params.delete(name);
  };
  set(
    PARAM.status,
    sameList(filters.statuses, DEFAULT_FILTERS.statuses)
      ? undefined
      : filters.statuses.join(',') || ALL_STATUSES,
  );
  set(PARAM.severity, filters.severities.join(','));
  set(PARAM.scanner, filters.scanner.trim());
  set(PARAM.branch, filters.branch.trim());
  set(PARAM.q, filters.q.trim());
  set(PARAM.sort, filters.sort === DEFAULT_SORT ? undefined : filters.sort);
}

/** The tab's view from the URL, and the ways to change it. */
export function useObservationListView() {
  const [searchParams, setSearchParams] = useSearchParams();
  const view = useMemo(() => readListView(searchParams), [searchParams]);

  const setFilters = useCallback(
    (change: Partial<ObservationFilters>) => {
      setSearchParams(
        previous => {
          const next = new URLSearchParams(previous);
          writeFilters(next, { ...readListView(previous), ...change });
          return next;
        },
        // Typing in a filter is not worth a history entry per keystroke.
        { replace: true },
      );
    },
    [setSearchParams],
  );

  const openObservation = useCallback(
    (id: string | undefined) => {
      setSearchParams(previous => {
        const next = new URLSearchParams(previous);
        if (id) next.set(PARAM.observation, id);
        else next.delete(PARAM.observation);
        return next;
      });
    },
    [setSearchParams],
  );

  return { view, setFilters, openObservation };
}
