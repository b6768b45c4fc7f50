import { Link } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import ErrorOutlineIcon from '@material-ui/icons/ErrorOutline';
import InfoOutlinedIcon from '@material-ui/icons/InfoOutlined';
import { Observation } from 'backstage-plugin-security-observations-common';
import { MouseEvent, ReactElement } from 'react';
import { safeHttpUrl } from '../../links/safeHttpUrl';
import { visuallyHidden } from '../visuallyHidden';
import { LiveStatusChip } from './LiveStatusChip';
import { shortIssueKey } from './shortIssueKey';
import { humanize } from './statuses';

const stopPropagation = (event: MouseEvent) => event.stopPropagation();

/**
 * The sync state in words. `off` and `not_pushed` are no failures: the
 * entity's tracker cannot sync by configuration, or the rules want no
 * issue; the reason is one hover away.
 */
function syncStateText(tracker: NonNullable<Observation['tracker']>) {
  switch (tracker.syncState) {
    case null:
      return undefined;
    case 'off':
      return 'sync off';
    case 'not_pushed':
      return 'not pushed';
    default:
      return `sync ${tracker.syncState.replace(/_/g, ' ')}`;
  }
}

/** Why the observation is not pushed, as its tooltip says it. */
function notPushedText(tracker: NonNullable<Observation['tracker']>) {
  if (!tracker.notPushedReason) return undefined;
  if (tracker.syncState === 'off') {
    return `Tracker sync is off: ${tracker.notPushedReason}`;
  }
  if (tracker.syncState === 'not_pushed') {
    return `Not pushed to the tracker: ${tracker.notPushedReason}`;
  }
  return undefined;
}

/**
 * A key breaks at its slashes, so it stays on one line; one still too long
 * for the table column ends in an ellipsis, the whole key in its tooltip.
 */
const oneLine = {
  display: 'inline-block',
  maxWidth: '100%',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  whiteSpace: 'nowrap',
  verticalAlign: 'top',
} as const;

/**
 * The tracker issue of an observation: its key linked to the issue, the
 * issue's live status on the tracker and the sync state. The key shows
 * without its owner or group, which stay in the tooltip and the link's
 * accessible name. A sync error, or why the observation is not pushed, is
 * one hover (or focus) away, and read out by screen readers.
 */
export const TrackerIssue = ({
  tracker,
  showLiveStatus = true,
}: {
  tracker: Observation['tracker'];
  /** Off where the live status is shown in full (the drawer). */
  showLiveStatus?: boolean;
}) => {
  if (!tracker || (!tracker.issueKey && !tracker.syncState)) {
    return <>—</>;
  }
  const url = safeHttpUrl(tracker.issueUrl);
  const notPushed = notPushedText(tracker);
  // "Yet" only where an issue is coming.
  const noIssue =
    tracker.syncState === 'off' || tracker.syncState === 'not_pushed'
      ? 'No issue'
      : 'No issue yet';
  const key = tracker.issueKey ? shortIssueKey(tracker.issueKey) : noIssue;
  // A shortened key keeps the whole one in a tooltip and for screen readers.
  const wholeKey =
    tracker.issueKey && tracker.issueKey !== key ? tracker.issueKey : undefined;
  const live = tracker.live;
  // The live status, when read, says better than the state Backstage set.
  const states = [
    !live && tracker.issueState && humanize(tracker.issueState),
    syncStateText(tracker),
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
      <Box minWidth={0}>
        <Box
          display="flex"
          flexWrap="wrap"
          alignItems="center"
          style={{ gap: 4 }}
        >
          {url ? (
            <Link
              to={url}
              onClick={stopPropagation}
              style={oneLine}
              title={tracker.issueKey ?? undefined}
              aria-label={wholeKey}
            >
              {key}
            </Link>
          ) : (
            <Typography
              variant="body2"
              component="span"
              style={oneLine}
              title={tracker.issueKey ?? undefined}
            >
              {wholeKey ? (
                <>
                  <span aria-hidden="true">{key}</span>
                  <span style={visuallyHidden}>{wholeKey}</span>
                </>
              ) : (
                key
              )}
            </Typography>
          )}
          {showLiveStatus && live && <LiveStatusChip live={live} />}
        </Box>
        {states.length > 0 && (
          <Typography variant="caption" color="textSecondary" display="block">
            {states.join(' · ')}
          </Typography>
        )}
      </Box>
      {errorText && (
        <ReasonIcon reason={errorText} color="error.main">
          <ErrorOutlineIcon fontSize="small" />
        </ReasonIcon>
      )}
      {!errorText && notPushed && (
        <ReasonIcon reason={notPushed} color="text.secondary">
          <InfoOutlinedIcon fontSize="small" />
        </ReasonIcon>
      )}
    </Box>
  );
};

/** An icon that says its reason on hover and to screen readers. */
function ReasonIcon(props: {
  reason: string;
  color: string;
  children: ReactElement;
}) {
  return (
    <Tooltip title={props.reason}>
      <Box
        component="span"
        ml={0.5}
        tabIndex={0}
        role="img"
        aria-label={props.reason}
        color={props.color}
        display="inline-flex"
      >
        {props.children}
      </Box>
    </Tooltip>
  );
}
