import { Link, WarningPanel } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { EntitySummary } from 'backstage-plugin-security-observations-common';
import { safeHttpUrl } from '../../links/safeHttpUrl';
import { trackerName } from '../observationFields/trackerNames';

/**
 * Where this entity's observations become issues. A routing problem (an
 * annotation naming an unknown tracker, a missing project, ...) is quoted
 * as the backend words it: it says which annotation to fix.
 */
export const TrackerRouting = ({
  tracker,
}: {
  tracker: EntitySummary['tracker'];
}) => {
  // No tracker field: this backend has no tracker sync.
  if (!tracker) return null;
  if (tracker.problem) {
    return (
      <WarningPanel
        severity="warning"
        title="Observations of this entity are not synced to a tracker"
        message={tracker.problem}
        defaultExpanded
      />
    );
  }
  if (!tracker.kind || !tracker.target) {
    return (
      <Typography variant="body2" color="textSecondary">
        This entity is not routed to a tracker.
      </Typography>
    );
  }
  const url = safeHttpUrl(tracker.url);
  const target = <code>{tracker.target}</code>;
  const name = trackerName(tracker.kind);
  return (
    <>
      <Typography variant="body2">
        Tracker issues go to {name}{' '}
        {url ? <Link to={url}>{target}</Link> : target}
      </Typography>
      {tracker.targetProblem && (
        // Found when the sync checked the target before creating: the fix
        // is on the tracker (or in an annotation), and "Sync now" retries.
        <WarningPanel
          severity="warning"
          title={`${name} refuses new issues for this entity`}
          message={tracker.targetProblem}
          defaultExpanded
        />
      )}
    </>
  );
};
