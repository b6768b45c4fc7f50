/**
 * The backend's severities, most severe first (as the import answer counts
 * them; the wire names are lower case).
 */
export const SEVERITIES = [
  'critical',
  'high',
  'medium',
  'low',
  'none',
  'unknown',
] as const;

export type Severity = (typeof SEVERITIES)[number];

/** Observations per severity, as the import answer's `unassessed` holds them. */
export type SeverityCounts = Record<Severity, number>;

/** What `--fail-on` accepts: a severity and every more severe one, or all. */
export const FAIL_ON_LEVELS = [
  'critical',
  'high',
  'medium',
  'low',
  'any',
] as const;

export type FailOn = (typeof FAIL_ON_LEVELS)[number];

/** The severities that `--fail-on <level>` counts, most severe first. */
export function severitiesAtOrAbove(level: FailOn): Severity[] {
  if (level === 'any') return [...SEVERITIES];
  return SEVERITIES.slice(0, SEVERITIES.indexOf(level) + 1);
}

/** "1 critical, 2 high": the non-zero counts, most severe first. */
export function describeCounts(
  counts: SeverityCounts,
  severities: readonly Severity[] = SEVERITIES,
): string {
  return severities
    .filter(severity => counts[severity] > 0)
    .map(severity => `${counts[severity]} ${severity}`)
    .join(', ');
}
