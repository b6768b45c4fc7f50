import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { LiveStatus, liveStatusLabel } from '../observationFields/liveStatus';
import { RelativeTime } from '../observationFields/RelativeTime';

/**
 * The issue as the tracker last showed it: its status in the tracker's
 * words, who changed it and when, and when the tracker was last read (a
 * webhook or the reconciliation). Times are relative, exact on hover.
 */
export const TrackerLiveStatus = ({
  live,
  trackerName,
}: {
  live: LiveStatus;
  trackerName: string;
}) => (
  <Box mt={1}>
    <Typography variant="body2">
      Live status on {trackerName}: <strong>{liveStatusLabel(live)}</strong>
    </Typography>
    {live.state === 'gone' && (
      <Typography variant="body2" color="textSecondary">
        The issue was deleted on {trackerName}, or Backstage can no longer read
        it.
      </Typography>
    )}
    {(live.changedBy || live.changedAt) && (
      <Typography variant="body2" color="textSecondary">
        Changed{live.changedBy && ` by ${live.changedBy}`}
        {live.changedAt && (
          <>
            {' '}
            <RelativeTime value={live.changedAt} />
          </>
        )}
      </Typography>
    )}
    <Typography variant="body2" color="textSecondary">
      {/* "on <tracker>": the details' "Last seen" is the scanner's. */}
      Last seen on {trackerName} <RelativeTime value={live.seenAt} />
    </Typography>
  </Box>
);
