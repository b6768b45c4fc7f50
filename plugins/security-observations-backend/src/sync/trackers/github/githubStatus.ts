import { LiveStatus } from '../../../twoWay/TrackerActivity';

/**
 * What GitHub says of an issue's status, in its REST answers and in its
 * webhook payloads alike (webhook payloads of older deliveries may lack
 * `state_reason` and `labels`).
 */
export interface GitHubStatusFields {
  state?: string;
  state_reason?: string | null;
  labels?: Array<string | { name?: string }>;
}

/** The names the product shows for GitHub's closing reasons. */
const CLOSED_AS: Record<string, string> = {
  completed: 'Closed as completed',
  not_planned: 'Closed as not planned',
  duplicate: 'Closed as duplicate',
};

/**
 * The issue's status in the product's words: `Open`, or `Closed as …` by
 * GitHub's `state_reason` (a closed issue without one was closed before
 * GitHub had reasons, or by the API without one: completed).
 */
export function liveStatusOf(issue: GitHubStatusFields): LiveStatus {
  const labels = (issue.labels ?? [])
    .map(label => (typeof label === 'string' ? label : label.name ?? ''))
    .filter(name => name !== '');
  const reason = issue.state_reason ?? undefined;
  const withReason = reason ? { reason } : {};
  if (issue.state !== 'closed') {
    return { state: 'open', name: 'Open', ...withReason, labels };
  }
  const name = reason
    ? CLOSED_AS[reason] ?? `Closed as ${reason.replace(/_/g, ' ')}`
    : CLOSED_AS.completed;
  return { state: 'closed', name, ...withReason, labels };
}

/** The key the clients store for an issue: `owner/repo#number`. */
export function githubIssueKey(fullName: string, number: number): string {
  return `${fullName}#${number}`;
}
