import { Status } from 'backstage-plugin-security-observations-common';

export const STATUS_LABELS: Record<Status, string> = {
  open: 'Open',
  in_review: 'In review',
  resolved: 'Resolved',
  duplicate: 'Duplicate',
  false_positive: 'False positive',
  not_affected: 'Not affected',
  not_security: 'Not security',
  risk_accepted: 'Risk accepted',
};

/**
 * Each status in one line, as the assessment dialog explains it. `resolved`
 * is the scanners' word; people set the others.
 */
export const STATUS_DESCRIPTIONS: Record<Status, string> = {
  open: 'Found and not yet decided on: it needs a fix or an assessment.',
  in_review:
    'Someone is checking whether it applies; the tab still lists it by default.',
  resolved: 'The latest scan no longer finds it.',
  duplicate:
    'The same problem as another observation, which is followed up instead.',
  false_positive: 'The scanner is wrong: the problem is not there.',
  not_affected:
    'The vulnerability cannot be exploited in this component; a VEX justification says why.',
  not_security:
    'A real finding, but not a security problem (code quality, style).',
  risk_accepted:
    'A real risk that the team accepts, until an expiry date if one is set; then it reopens.',
};

/**
 * What the tab shows by default. The backend counts "in review" as active
 * only when configured; listing it too means nothing under review is hidden.
 */
export const ACTIVE_STATUSES: Status[] = ['open', 'in_review'];

/** Readable words for a wire name like `vulnerable_code_not_in_execute_path`. */
export function humanize(value: string): string {
  const words = value.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toLocaleUpperCase('en-US') + words.slice(1);
}
