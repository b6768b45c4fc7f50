import { Link } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import ErrorOutlineIcon from '@material-ui/icons/ErrorOutline';
import { Observation } from 'backstage-plugin-security-observations-common';
import { MouseEvent } from 'react';
import { safeHttpUrl } from '../../links/safeHttpUrl';
import { humanize } from './statuses';

const stopPropagation = (event: MouseEvent) => event.stopPropagation();

/**
 * The tracker issue of an observation: its key linked to the issue, the
 * issue's live state and the sync state. A sync error is one hover (or
 * focus) away, and read out by screen readers.
 */
export const TrackerIssue = ({
  tracker,
}: {
  tracker: Observation['tracker'];
}) => {
  if (!tracker || (!tracker.issueKey && !tracker.syncState)) {
    return <>—</>;
  }
  const url = safeHttpUrl(tracker.issueUrl);
  const key = tracker.issueKey ?? 'No issue yet';
  const states = [
    tracker.issueState && humanize(tracker.issueState),
    tracker.syncState && `sync ${tracker.syncState}`,
  ].filter(Boolean);
  const errorText = tracker.lastError
    ? `Sync error: ${tracker.lastError}${
        tracker.nextAttemptAt
          ? ` (next attempt ${new Date(
              tracker.nextAttemptAt,
            ).toLocaleString()})`
          : ''
      }`
    : undefined;

  return (
    <Box display="flex" alignItems="flex-start">
      <Box>
        {url ? (
          <Link to={url} onClick={stopPropagation}>
            {key}
          </Link>
        ) : (
          <Typography variant="body2">{key}</Typography>
        )}
        {states.length > 0 && (
          <Typography variant="caption" color="textSecondary" display="block">
            {states.join(' · ')}
          </Typography>
        )}
      </Box>
      {errorText && (
        <Tooltip title={errorText}>
          <Box
            component="span"
            ml={0.5}
            tabIndex={0}
            role="img"
            aria-label={errorText}
            color="error.main"
            display="inline-flex"
          >
            <ErrorOutlineIcon fontSize="small" />
          </Box>
        </Tooltip>
      )}
    </Box>
  );
};
