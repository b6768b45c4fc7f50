import { Knex } from 'knex';
import {
  EntityTrend,
  SEVERITIES,
  Severity,
  Status,
} from 'backstage-plugin-security-observations-common';
import { isPostgres, jsonRowsTable } from './jsonRows';

const DAY_MS = 86_400_000;
/** The open end of an interval that has not ended. */
const NEVER = '9999-12-31T23:59:59.999Z';

function perSeverity<T>(value: T): Record<Severity, T> {
  return Object.fromEntries(SEVERITIES.map(s => [s, value])) as Record<
    Severity,
    T
  >;
}

/**
 * The day cut-offs of the window, oldest first: the end of each UTC day,
 * and `now` for today.
 */
function dayCutoffs(days: number, now: Date) {
  const todayStart = Date.UTC(
    now.getUTCFullYear(),
    now.getUTCMonth(),
    now.getUTCDate(),
  );
  return Array.from({ length: days }, (_, index) => {
    const start = todayStart - (days - 1 - index) * DAY_MS;
    const cutoff = Math.min(start + DAY_MS - 1, now.getTime());
    return {
      day: new Date(start).toISOString().slice(0, 10),
      cutoff: new Date(cutoff).toISOString(),
    };
  });
}

/**
 * Active observations per severity at the end of each of the last `days`
 * days, and the mean time to resolve, computed in SQL from the
 * observations and their audit log.
 *
 * An observation's history is a chain of intervals: from first seen to its
 * first status change with the status that change left, then from each
 * change to the next with the status it set. A day counts the intervals
 * with an active status that span its cut-off. Severity is the current
 * effective severity.
 */
export async function entityTrend(
  db: Knex,
  options: {
    entityRef: string;
    days: number;
    activeStatuses: Status[];
    now: Date;
  },
): Promise<EntityTrend> {
  const { entityRef, days, activeStatuses, now } = options;
  const cutoffs = dayCutoffs(days, now);
  const pg = isPostgres(db);
  const statusField = (field: 'from' | 'to') =>
    pg
      ? `(e.changes::json -> 'status' ->> '${field}')`
      : `json_extract(e.changes, '$.status.${field}')`;

  const result = await db.raw(
    `WITH changes AS (
       SELECT e.id, e.observation_id, e.created_at,
         ${statusField('from')} AS from_status,
         ${statusField('to')} AS to_status
       FROM observation_events e
       WHERE e.entity_ref = ? AND ${statusField('to')} IS NOT NULL
     ),
     ordered AS (
       SELECT c.*,
         LEAD(c.created_at) OVER (
           PARTITION BY c.observation_id ORDER BY c.created_at, c.id
         ) AS next_at,
         ROW_NUMBER() OVER (
           PARTITION BY c.observation_id ORDER BY c.created_at, c.id
         ) AS n
       FROM changes c
     ),
     intervals AS (
       SELECT o.severity, o.first_seen_at AS starts_at,
         COALESCE(f.created_at, ?) AS ends_at,
         COALESCE(f.from_status, o.status) AS status
       FROM observations o
       LEFT JOIN ordered f ON f.observation_id = o.id AND f.n = 1
       WHERE o.entity_ref = ?
       UNION ALL
       SELECT o.severity, c.created_at, COALESCE(c.next_at, ?), c.to_status
       FROM ordered c
       JOIN observations o ON o.id = c.observation_id
     )
     SELECT u.day, i.severity, COUNT(*) AS count
     FROM ? JOIN intervals i
       ON i.starts_at <= u.cutoff AND i.ends_at > u.cutoff
     WHERE i.status IN (${activeStatuses.map(() => '?').join(', ')})
     GROUP BY u.day, i.severity`,
    [
      entityRef,
      NEVER,
      entityRef,
      NEVER,
      jsonRowsTable(
        db,
        [
          ['day', 'text'],
          ['cutoff', 'timestamp'],
        ],
        cutoffs,
      ),
      ...activeStatuses,
    ],
  );
  // Postgres answers raw queries with { rows }, SQLite with the rows.
  const rows: Array<{ day: string; severity: Severity; count: unknown }> = pg
    ? result.rows
    : result;

  const points = cutoffs.map(({ day }) => ({
    date: day,
    activeBySeverity: perSeverity(0),
  }));
  const byDay = new Map(points.map(point => [point.date, point]));
  for (const row of rows) {
    byDay.get(row.day)!.activeBySeverity[row.severity] += Number(row.count);
  }

  const windowStart = `${cutoffs[0].day}T00:00:00.000Z`;
  const meanDays = pg
    ? `AVG(EXTRACT(EPOCH FROM (resolved_at - first_seen_at))) / 86400`
    : `AVG(julianday(resolved_at) - julianday(first_seen_at))`;
  const resolved: Array<{ severity: Severity; n: unknown; mean: unknown }> =
    await db('observations')
      .where({ entity_ref: entityRef })
      .whereNotNull('resolved_at')
      .where('resolved_at', '>=', windowStart)
      .groupBy('severity')
      .select(
        'severity',
        db.raw('COUNT(*) AS n'),
        db.raw(`${meanDays} AS mean`),
      );

  const meanDaysToResolve = perSeverity<number | null>(null);
  const resolvedBySeverity = perSeverity(0);
  for (const row of resolved) {
    resolvedBySeverity[row.severity] = Number(row.n);
    meanDaysToResolve[row.severity] = Math.round(Number(row.mean) * 10) / 10;
  }

  return {
    entityRef,
    days,
    points,
    meanDaysToResolve,
    resolvedBySeverity,
  };
}
