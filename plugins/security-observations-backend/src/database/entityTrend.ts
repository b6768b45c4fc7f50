import { Knex } from 'knex';
import {
  EntityTrend,
  SEVERITIES,
  Severity,
  Status,
} from 'backstage-plugin-security-observations-common';
import { isPostgres } from './jsonRows';

const DAY_MS = 86_400_000;
/** The open end of an interval that has not ended. */
const NEVER = '9999-12-31T23:59:59.999Z';

function perSeverity<T>(value: T): Record<Severity, T> {
  return Object.fromEntries(SEVERITIES.map(s => [s, value])) as Record<
    Severity,
    T
  >;
}

/** The UTC days of the window, oldest first, today last (`YYYY-MM-DD`). */
function windowDays(days: number, now: Date): string[] {
  const todayStart = Date.UTC(
    now.getUTCFullYear(),
    now.getUTCMonth(),
    now.getUTCDate(),
  );
  return Array.from({ length: days }, (_, index) =>
    new Date(todayStart - (days - 1 - index) * DAY_MS)
      .toISOString()
      .slice(0, 10),
  );
}

/**
 * Active observations per severity at the end of each of the last `days`
 * days, and the mean time to resolve, computed in SQL from the
 * observations and their audit log.
 *
 * An observation's history is a chain of intervals: from first seen to its
 * first status change with the status that change left, then from each
 * change to the next with the status it set. SQL counts, per severity and
 * UTC day, the active intervals that start and those that end; the count at
 * the end of a day is the running sum of both up to that day (today: up to
 * now). Severity is the current effective severity.
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
  const dayList = windowDays(days, now);
  const pg = isPostgres(db);
  const inActive = activeStatuses.map(() => '?').join(', ');
  // The UTC day of a timestamp: SQLite holds ISO-8601 UTC strings.
  const utcDay = (column: string) =>
    pg
      ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
      : `substr(${column}, 1, 10)`;
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
     SELECT i.severity, ${utcDay('i.starts_at')} AS day, COUNT(*) AS n,
       'start' AS edge
     FROM intervals i
     WHERE i.status IN (${inActive})
     GROUP BY i.severity, ${utcDay('i.starts_at')}
     UNION ALL
     SELECT i.severity, ${utcDay('i.ends_at')} AS day, COUNT(*) AS n,
       'end' AS edge
     FROM intervals i
     WHERE i.status IN (${inActive}) AND i.ends_at < ?
     GROUP BY i.severity, ${utcDay('i.ends_at')}`,
    [
      entityRef,
      NEVER,
      entityRef,
      NEVER,
      ...activeStatuses,
      ...activeStatuses,
      NEVER,
    ],
  );
  // Postgres answers raw queries with { rows }, SQLite with the rows.
  const edges: Array<{
    severity: Severity;
    day: string;
    n: unknown;
    edge: 'start' | 'end';
  }> = pg ? result.rows : result;

  // Active at the end of day D: intervals started on or before D minus
  // those ended on or before D (a running sum over the days).
  const points = dayList.map(day => {
    const activeBySeverity = perSeverity(0);
    for (const edge of edges) {
      if (edge.day <= day) {
        activeBySeverity[edge.severity] +=
          edge.edge === 'start' ? Number(edge.n) : -Number(edge.n);
      }
    }
    return { date: day, activeBySeverity };
  });

  const windowStart = `${dayList[0]}T00:00:00.000Z`;
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
