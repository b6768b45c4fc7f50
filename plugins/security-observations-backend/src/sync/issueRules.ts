import {
  Observation,
  SEVERITIES,
  Status,
} from 'backstage-plugin-security-observations-common';
import { TrackerRoute } from './routing/resolveTrackerRoute';
import { CloseReason } from './trackers/TrackerClient';

/** Whether an observation should have an open issue, and if not, why not. */
export interface IssueDecision {
  state: 'open' | 'closed';
  closeReason: CloseReason;
  /** Why it is closed, for the issue body. */
  because?: string;
}

/**
 * The statuses that can count as active, whatever the configuration says
 * of in review (`inReviewIsActive`): every other one never has an open
 * issue.
 */
const ACTIVE_WHEN_CONFIGURED: readonly Status[] = ['open', 'in_review'];

/**
 * The closed decision that an observation's status alone makes, or
 * undefined when its issue depends on more (the branch, the severity).
 * Without `activeStatuses`, in review counts as possibly active: what an
 * enqueue can tell without the configuration.
 */
export function decideByStatus(
  status: Status,
  activeStatuses: readonly Status[] = ACTIVE_WHEN_CONFIGURED,
): IssueDecision | undefined {
  if (status === 'resolved') {
    return {
      state: 'closed',
      closeReason: 'fixed',
      because: 'not found in the latest scan',
    };
  }
  if (!activeStatuses.includes(status)) {
    return {
      state: 'closed',
      closeReason: 'not_planned',
      because: `assessed as ${status.replace(/_/g, ' ')}`,
    };
  }
  return undefined;
}

/**
 * Why an observation that has no issue gets none, for the Security tab:
 * e.g. "assessed as false positive, so no issue is opened".
 */
export function notPushedReason(decision: IssueDecision): string {
  return `${
    decision.because ?? 'the rules want no issue'
  }, so no issue is opened`;
}

/**
 * The outbound rules: an open issue for an active observation on the
 * entity's synced branch at or above the minimum severity; otherwise a
 * closed one: fixed when a scan no longer finds it, not planned when it
 * was assessed away, fell below the minimum severity or left the branch.
 */
export function decideIssue(
  observation: Pick<Observation, 'branch' | 'status' | 'severity'>,
  route: Pick<TrackerRoute, 'defaultBranch' | 'minimumSeverity'>,
  activeStatuses: Status[],
): IssueDecision {
  const byStatus = decideByStatus(observation.status, activeStatuses);
  if (byStatus) {
    return byStatus;
  }
  if (observation.branch !== route.defaultBranch) {
    return {
      state: 'closed',
      closeReason: 'not_planned',
      because: `not on the synced branch ${route.defaultBranch}`,
    };
  }
  if (
    SEVERITIES.indexOf(observation.severity) >
    SEVERITIES.indexOf(route.minimumSeverity)
  ) {
    return {
      state: 'closed',
      closeReason: 'not_planned',
      because: `below the minimum severity ${route.minimumSeverity}`,
    };
  }
  return { state: 'open', closeReason: 'fixed' };
}
