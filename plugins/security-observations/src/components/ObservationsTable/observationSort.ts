import {
  OBSERVATION_SORT_FIELDS,
  ObservationSortField,
} from 'backstage-plugin-security-observations-common';

export type SortDirection = 'asc' | 'desc';

export const isSortField = (field: unknown): field is ObservationSortField =>
  (OBSERVATION_SORT_FIELDS as readonly unknown[]).includes(field);

// The API sorts severity by rank, so its ascending order is "most severe
// first". People call that descending ("highest first"); the table arrow
// says so, and flips the wire direction for this one field.
const invertedFields = new Set<ObservationSortField>(['severity']);

/** The API's sort parameter for a column sorted in a direction. */
export function apiSort(
  field: ObservationSortField,
  direction: SortDirection,
): string {
  const ascendingOnWire = (direction === 'asc') !== invertedFields.has(field);
  return ascendingOnWire ? field : `-${field}`;
}

/** The column and arrow direction the table shows for an API sort. */
export function tableSort(sort: string): {
  field: ObservationSortField;
  direction: SortDirection;
} {
  const descendingOnWire = sort.startsWith('-');
  const field = sort.replace(/^-/, '') as ObservationSortField;
  const ascending = !descendingOnWire !== invertedFields.has(field);
  return { field, direction: ascending ? 'asc' : 'desc' };
}
