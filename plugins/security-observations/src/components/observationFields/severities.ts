import { Severity } from 'backstage-plugin-security-observations-common';

export { SEVERITY_LABELS } from 'backstage-plugin-security-observations-common';

/**
 * One colour per severity for chips, table and chart, with a text colour of
 * at least 4.5:1 contrast. Fixed rather than from the theme: people learn
 * "dark red is critical" across screens. Never the only signal: every use
 * shows the label too.
 */
export const SEVERITY_COLORS: Record<
  Severity,
  { background: string; text: string }
> = {
  critical: { background: '#7f0000', text: '#ffffff' },
  high: { background: '#bf360c', text: '#ffffff' },
  medium: { background: '#ffb300', text: '#000000' },
  low: { background: '#546e7a', text: '#ffffff' },
  none: { background: '#bdbdbd', text: '#000000' },
  unknown: { background: '#757575', text: '#ffffff' },
};
