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
 * What the tab shows by default. The backend counts "in review" as active
 * only when configured; listing it too means nothing under review is hidden.
 */
export const ACTIVE_STATUSES: Status[] = ['open', 'in_review'];

/** Readable words for a wire name like `vulnerable_code_not_in_execute_path`. */
export function humanize(value: string): string {
  const words = value.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toLocaleUpperCase('en-US') + words.slice(1);
}
