import { EntitySummary } from 'backstage-plugin-security-observations-common';
import { AssessPermission } from '../permissions/useAssessPermission';

/** Why "Sync now" cannot run for this entity, or undefined when it can. */
export function syncDisabledReason(
  tracker: EntitySummary['tracker'],
  permission: AssessPermission,
): string | undefined {
  if (!tracker) {
    return 'This Backstage does not sync observations to a tracker.';
  }
  if (tracker.problem) {
    return `Tracker sync is off for this entity: ${tracker.problem}`;
  }
  if (!tracker.trackerId) {
    return 'No tracker is configured for this entity.';
  }
  return permission.disabledReason;
}
