/**
 * Severities, most severe first. The wire names are the lower-case values.
 * @public
 */
export const SEVERITIES = [
  'critical',
  'high',
  'medium',
  'low',
  'none',
  'unknown',
] as const;

/**
 * How severe an observation is: one of `SEVERITIES`.
 * @public
 */
export type Severity = (typeof SEVERITIES)[number];

/**
 * Severity names as people read them: on the Security tab and in tracker
 * issue titles.
 * @public
 */
export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  none: 'None',
  unknown: 'Unknown',
};

/**
 * Observation statuses. Only `open` (and `in_review`, when configured) counts
 * as active.
 * @public
 */
export const STATUSES = [
  'open',
  'in_review',
  'resolved',
  'duplicate',
  'false_positive',
  'not_affected',
  'not_security',
  'risk_accepted',
] as const;

/**
 * Where an observation stands: one of `STATUSES`.
 * @public
 */
export type Status = (typeof STATUSES)[number];
