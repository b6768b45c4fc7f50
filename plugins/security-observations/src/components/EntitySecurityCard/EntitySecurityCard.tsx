import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { SEVERITIES } from 'backstage-plugin-security-observations-common';
import useAsync from 'react-use/esm/useAsync';
import { securityObservationsApiRef } from '../../api';
import { RelativeTime } from '../observationFields/RelativeTime';
import { SeverityChip } from '../observationFields/SeverityChip';
import { SEVERITY_LABELS } from '../observationFields/severities';
import { newestCriticalAndHigh } from './newestCriticalAndHigh';
import { useSecurityTabPath } from './useSecurityTabPath';

/** How many of the newest critical and high observations the card lists. */
export const NEWEST_LIMIT = 5;

const NEWEST_HEADING_ID = 'security-observations-card-newest';

/**
 * The overview-page card: active observations per severity and the newest
 * critical and high ones (critical first), each linking into the Security
 * tab.
 * @public
 */
export const EntitySecurityCard = () => {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(securityObservationsApiRef);
  const tabPath = useSecurityTabPath(entity);

  const { value, loading, error } = useAsync(async () => {
    const [summary, newest] = await Promise.all([
      api.getSummary(entityRef),
      newestCriticalAndHigh(api, entityRef, NEWEST_LIMIT),
    ]);
    return { summary, newest };
  }, [api, entityRef]);

  const deepLink = { title: 'View all observations', link: tabPath };

  if (error) {
    return (
      <InfoCard title="Security">
        <ResponseErrorPanel error={error} title="Security observations" />
      </InfoCard>
    );
  }
  if (loading || !value) {
    return (
      <InfoCard title="Security">
        <Progress />
      </InfoCard>
    );
  }

  const { summary, newest } = value;
  if (summary.total === 0 && summary.lastImportAt === null) {
    return (
      <InfoCard title="Security" deepLink={deepLink}>
        <Typography variant="body2">
          No scanner report has been imported yet. The Security tab shows how to
          post one from CI.
        </Typography>
      </InfoCard>
    );
  }

  return (
    <InfoCard
      title="Security"
      subheader={`${summary.totalActive} active observations`}
      deepLink={deepLink}
    >
      <Box
        display="flex"
        flexWrap="wrap"
        role="group"
        aria-label="Active observations by severity"
      >
        {SEVERITIES.map(severity => (
          <Box key={severity} mr={1} mb={1}>
            <SeverityChip
              severity={severity}
              label={`${SEVERITY_LABELS[severity]}: ${
                summary.activeBySeverity[severity] ?? 0
              }`}
            />
          </Box>
        ))}
      </Box>
      <Typography variant="subtitle2" component="h3" id={NEWEST_HEADING_ID}>
        Newest critical and high
      </Typography>
      {newest.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No active critical or high observations.
        </Typography>
      ) : (
        <List dense disablePadding aria-labelledby={NEWEST_HEADING_ID}>
          {newest.map(observation => (
            <ListItem key={observation.id} disableGutters>
              <Box mr={1}>
                <SeverityChip severity={observation.severity} />
              </Box>
              <ListItemText
                primary={
                  <Link
                    to={`${tabPath}?observation=${encodeURIComponent(
                      observation.id,
                    )}`}
                  >
                    {observation.title}
                  </Link>
                }
                secondary={
                  <>
                    first seen <RelativeTime value={observation.firstSeenAt} />
                  </>
                }
              />
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
};
