import { InputError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  ListObservationsQuery,
  ListObservationsResponse,
  ObservationSortField,
} from 'backstage-plugin-security-observations-common';
import {
  observationFromRow,
  ObservationRow,
  observationsWithLastSeen,
} from './observationRows';
import { toIsoString } from './dates';

const SORT_COLUMNS: Record<ObservationSortField, string> = {
  severity: 'severity_rank',
  title: 'title',
  status: 'status',
  scanner: 'scanner',
  branch: 'branch',
  firstSeenAt: 'first_seen_at',
  lastSeenAt: 'seen_at',
};

const TIMESTAMP_COLUMNS = new Set(['first_seen_at', 'seen_at']);

const DEFAULT_LIMIT = 50;

interface Cursor {
  /** The sort column's value of the last row of the previous page. */
  v: string | number;
  /** Its id: the tie-breaker, always ascending. */
  id: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/**
 * Whether a cursor's value can be compared with `column`: a forged one
 * (a word where the rank is a number, a date that is none) would fail in
 * Postgres as a 500 instead of a 400.
 */
function fitsColumn(value: unknown, column: string): boolean {
  if (column === 'severity_rank') {
    return typeof value === 'number' && Number.isSafeInteger(value);
  }
  if (typeof value !== 'string') return false;
  if (TIMESTAMP_COLUMNS.has(column)) {
    return (
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) &&
      !Number.isNaN(Date.parse(value))
    );
  }
  return !value.includes('\u0000');
}

function decodeCursor(cursor: string, column: string, sort: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    // not JSON: refused below
  }
  const { v, id } = (parsed ?? {}) as Partial<Cursor>;
  if (
    typeof id === 'string' &&
    id.length <= 64 &&
    !id.includes('\u0000') &&
    fitsColumn(v, column)
  ) {
    return { v: v!, id };
  }
  throw new InputError(
    `cursor: not a cursor this API returned for sort=${sort}; pass the nextCursor of the previous page, with the same sort`,
  );
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, match => `\\${match}`);
}

/**
 * One page of an entity's observations with filters, a sort and keyset
 * paging (stable while rows are added), plus the total count of the filter.
 */
export async function listObservations(
  db: Knex,
  query: ListObservationsQuery,
): Promise<ListObservationsResponse> {
  const sort = query.sort ?? 'severity';
  const descending = sort.startsWith('-');
  const column = SORT_COLUMNS[sort.replace(/^-/, '') as ObservationSortField];
  const limit = query.limit ?? DEFAULT_LIMIT;

  const filtered = () => {
    const builder = db<ObservationRow>(observationsWithLastSeen(db)).where(
      'entity_ref',
      query.entityRef,
    );
    if (query.status?.length) builder.whereIn('status', query.status);
    if (query.severity?.length) builder.whereIn('severity', query.severity);
    if (query.scanner?.length) builder.whereIn('scanner', query.scanner);
    if (query.branch?.length) builder.whereIn('branch', query.branch);
    if (query.q?.trim()) {
      const pattern = `%${escapeLike(query.q.trim().toLowerCase())}%`;
      builder.where(inner => {
        for (const searched of [
          'title',
          'rule_id',
          'vulnerability_ids',
          'package_name',
          'location_file',
        ]) {
          inner.orWhereRaw(`lower(coalesce(??, '')) LIKE ? ESCAPE '\\'`, [
            searched,
            pattern,
          ]);
        }
      });
    }
    return builder;
  };

  const page = filtered();
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor, column, sort);
    const op = descending ? '<' : '>';
    page.where(inner =>
      inner
        .where(column, op, cursor.v)
        .orWhere(same =>
          same.where(column, cursor.v).where('id', '>', cursor.id),
        ),
    );
  }
  const rows: ObservationRow[] = await page
    .orderBy([
      { column, order: descending ? 'desc' : 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(limit + 1)
    .select('*');

  const [{ count }] = await filtered().count({ count: '*' });

  const items = rows.slice(0, limit).map(observationFromRow);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  let nextCursor: string | undefined;
  if (last) {
    const value = (last as unknown as Record<string, unknown>)[column];
    nextCursor = encodeCursor({
      v: TIMESTAMP_COLUMNS.has(column)
        ? toIsoString(value)
        : (value as string | number),
      id: last.id,
    });
  }
  return { items, totalCount: Number(count), nextCursor };
}
