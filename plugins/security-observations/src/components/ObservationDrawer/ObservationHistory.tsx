import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import useAsync from 'react-use/esm/useAsync';
import { securityObservationsApiRef } from '../../api';
import { RelativeTime } from '../observationFields/RelativeTime';
import {
  actorDescription,
  changeDescriptions,
  eventLabel,
} from './eventDescriptions';

const useStyles = makeStyles(theme => ({
  timeline: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    borderLeft: `2px solid ${theme.palette.divider}`,
  },
  entry: {
    position: 'relative',
    padding: theme.spacing(0, 0, 2, 2),
    '&::before': {
      content: '""',
      position: 'absolute',
      left: -6,
      top: 6,
      width: 10,
      height: 10,
      borderRadius: '50%',
      background: theme.palette.primary.main,
    },
  },
  comment: {
    margin: theme.spacing(0.5, 0, 0),
    paddingLeft: theme.spacing(1),
    borderLeft: `3px solid ${theme.palette.divider}`,
    whiteSpace: 'pre-wrap',
  },
}));

/** The observation's audit log, oldest first: who changed what, when, why. */
export const ObservationHistory = ({
  observationId,
  refreshKey,
}: {
  observationId: string;
  /** Reloads whenever it changes. */
  refreshKey: string;
}) => {
  const classes = useStyles();
  const api = useApi(securityObservationsApiRef);
  const { value, loading, error } = useAsync(
    () => api.getObservationEvents(observationId),
    [api, observationId, refreshKey],
  );
  if (error) return <ResponseErrorPanel error={error} title="History" />;
  if (loading && !value) return <Progress />;
  if (!value?.length) {
    return <Typography variant="body2">No history recorded.</Typography>;
  }
  return (
    <ol className={classes.timeline} aria-label="History">
      {value.map(event => (
        <li key={event.id} className={classes.entry}>
          <Typography variant="body2">
            <strong>{eventLabel(event.type)}</strong> by{' '}
            {actorDescription(event)}
          </Typography>
          <Typography variant="caption" color="textSecondary">
            <RelativeTime value={event.createdAt} />
          </Typography>
          {changeDescriptions(event.changes).map(change => (
            <Box key={change}>
              <Typography variant="body2">{change}</Typography>
            </Box>
          ))}
          {event.comment && (
            <Typography
              variant="body2"
              component="blockquote"
              className={classes.comment}
            >
              {event.comment}
            </Typography>
          )}
        </li>
      ))}
    </ol>
  );
};
