import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  EntitySummary,
  SEVERITIES,
  STATUSES,
} from 'backstage-plugin-security-observations-common';
import useAsync from 'react-use/esm/useAsync';
import { securityObservationsApiRef } from '../../api';

const SEVERITY_LABELS: Record<string, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  none: 'None',
  unknown: 'Unknown',
};

const STATUS_LABELS: Record<string, string> = {
  open: 'Open',
  in_review: 'In review',
  resolved: 'Resolved',
  duplicate: 'Duplicate',
  false_positive: 'False positive',
  not_affected: 'Not affected',
  not_security: 'Not security',
  risk_accepted: 'Risk accepted',
};

const Summary = ({ summary }: { summary: EntitySummary }) => (
  <>
    <Typography variant="h6" component="h3" gutterBottom>
      {summary.totalActive} active observations
    </Typography>
    <Box display="flex" flexWrap="wrap" mb={2} aria-label="Active by severity">
      {SEVERITIES.map(severity => (
        <Box key={severity} mr={1} mb={1}>
          <Chip
            label={`${SEVERITY_LABELS[severity]}: ${summary.activeBySeverity[severity]}`}
          />
        </Box>
      ))}
    </Box>
    <Typography variant="body2" color="textSecondary">
      {STATUSES.filter(status => summary.byStatus[status] > 0)
        .map(status => `${STATUS_LABELS[status]}: ${summary.byStatus[status]}`)
        .join(' · ')}
    </Typography>
    {summary.lastImportAt && (
      <Typography variant="body2" color="textSecondary">
        Last report imported {new Date(summary.lastImportAt).toLocaleString()}
      </Typography>
    )}
  </>
);

/**
 * The Security tab of an entity page.
 * @public
 */
export const EntitySecurityContent = () => {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(securityObservationsApiRef);
  const { value, loading, error } = useAsync(
    () => api.getSummary(entityRef),
    [api, entityRef],
  );

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} title="Security observations" />;
  }
  if (!value) {
    return null;
  }

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard title="Security observations">
          {value.total === 0 ? (
            <Typography variant="body1">
              No scanner report has been imported for{' '}
              <strong>{entityRef}</strong> yet.
            </Typography>
          ) : (
            <Summary summary={value} />
          )}
        </InfoCard>
      </Grid>
    </Grid>
  );
};
