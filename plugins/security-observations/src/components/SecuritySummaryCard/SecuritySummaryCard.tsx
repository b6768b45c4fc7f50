import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import {
  EntitySummary,
  Severity,
  Status,
} from 'backstage-plugin-security-observations-common';
import { AssessPermission } from '../permissions/useAssessPermission';
import { RelativeTime } from '../observationFields/RelativeTime';
import { SyncNowButton } from '../TrackerSync/SyncNowButton';
import { SeverityCountChips } from './SeverityCountChips';
import { StatusCounts } from './StatusCounts';
import { TrackerRouting } from './TrackerRouting';

/**
 * The head of the tab: how many observations are active and how bad, their
 * statuses, the last import and where issues go.
 */
export const SecuritySummaryCard = ({
  summary,
  selectedSeverities,
  onSeveritySelect,
  onStatusSelect,
  permission,
  onSynced,
}: {
  summary: EntitySummary;
  selectedSeverities: Severity[];
  onSeveritySelect: (severity: Severity) => void;
  onStatusSelect: (status: Status) => void;
  permission: AssessPermission;
  onSynced: () => void;
}) => (
  <InfoCard title="Security observations">
    <Typography variant="h6" component="h3" gutterBottom>
      {summary.totalActive} active observations
    </Typography>
    <SeverityCountChips
      activeBySeverity={summary.activeBySeverity}
      selected={selectedSeverities}
      onSelect={onSeveritySelect}
    />
    <StatusCounts byStatus={summary.byStatus} onSelect={onStatusSelect} />
    {summary.lastImportAt && (
      <Typography variant="body2" color="textSecondary">
        Last report imported <RelativeTime value={summary.lastImportAt} />
      </Typography>
    )}
    {summary.tracker && (
      <Box mt={2}>
        <TrackerRouting tracker={summary.tracker} />
        <Box mt={1}>
          <SyncNowButton
            entityRef={summary.entityRef}
            tracker={summary.tracker}
            permission={permission}
            onSynced={onSynced}
          />
        </Box>
      </Box>
    )}
  </InfoCard>
);
