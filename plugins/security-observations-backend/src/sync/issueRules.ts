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
  if (observation.status === 'resolved') {
    return {
      state: 'closed',
      closeReason: 'fixed',
      because: 'not found in the latest scan',
    };
  }
  if (!activeStatuses.includes(observation.status)) {
    return {
      state: 'closed',
      closeReason: 'not_planned',
      because: `assessed as ${observation.status.replace(/_/g, ' ')}`,
    };
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
