import { Observation } from 'backstage-plugin-security-observations-common';
import { formatRelativeTime } from './RelativeTime';

/** The issue as the tracker last showed it. */
export type LiveStatus = NonNullable<
  NonNullable<Observation['tracker']>['live']
>;

/** The status in the tracker's words; a deleted issue has none left. */
export function liveStatusLabel(live: LiveStatus): string {
  if (live.state === 'gone') return 'Deleted on tracker';
  return live.status || (live.state === 'open' ? 'Open' : 'Closed');
}

/**
 * Who changed the status and when, and when the tracker was last read:
 * "Changed by Jane Doe 5 minutes ago · seen 1 minute ago".
 */
export function liveStatusDetails(live: LiveStatus, now = Date.now()): string {
  const changed = [
    live.changedBy && `by ${live.changedBy}`,
    live.changedAt && formatRelativeTime(live.changedAt, now),
  ].filter(Boolean);
  const seen = formatRelativeTime(live.seenAt, now);
  return changed.length > 0
    ? `Changed ${changed.join(' ')} · seen ${seen}`
    : `Seen ${seen}`;
}
