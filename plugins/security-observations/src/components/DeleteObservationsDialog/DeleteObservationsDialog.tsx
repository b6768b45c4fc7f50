import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import {
  EntitySummary,
  Observation,
} from 'backstage-plugin-security-observations-common';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { securityObservationsApiRef } from '../../api';
import { errorMessage } from '../errorMessage';
import { STATUS_LABELS } from '../observationFields/statuses';
import { trackerNameOfIssue } from '../observationFields/trackerNames';
import { useDangerButtonStyles } from './dangerButtonStyles';

const TITLE_ID = 'security-observations-deletion-title';
const CONSEQUENCES_ID = 'security-observations-deletion-consequences';
const ALTERNATIVE_ID = 'security-observations-deletion-alternative';

/** The statuses that silence a finding, as the assessment dialog names them. */
const SILENCING_STATUSES = `“${STATUS_LABELS.false_positive}” or “${STATUS_LABELS.risk_accepted}”`;

const DELETE_ONLY =
  'Delete only findings that should never have been imported, such as a report posted for the wrong entity.';

/** Issue keys named in the bulk confirmation; more are counted. */
const NAMED_ISSUES = 3;

const plural = (count: number, word: string) =>
  `${count} ${word}${count === 1 ? '' : 's'}`;

/** The tracker issues deleting closes, in one sentence; none, no sentence. */
function closedIssuesSentence(
  observations: Observation[],
  routing: EntitySummary['tracker'],
): string | undefined {
  const withIssue = observations.filter(o => o.tracker?.issueKey);
  if (withIssue.length === 0) return undefined;
  if (observations.length === 1) {
    const tracker = observations[0].tracker!;
    const name = trackerNameOfIssue(tracker.trackerId, routing);
    // "the tracker" when the tracker is unknown: "Its issue on the tracker".
    const issue =
      name === 'the tracker' ? 'Its tracker issue' : `Its ${name} issue`;
    return `${issue} ${tracker.issueKey} is closed as not planned.`;
  }
  const keys = withIssue.map(o => o.tracker!.issueKey!);
  const named = keys.slice(0, NAMED_ISSUES).join(', ');
  const more =
    keys.length > NAMED_ISSUES ? ` and ${keys.length - NAMED_ISSUES} more` : '';
  return keys.length === 1
    ? `The tracker issue of one of them, ${named}, is closed as not planned.`
    : `Their tracker issues (${named}${more}) are closed as not planned.`;
}

/** The confirmation, mounted per opening so every opening starts clean. */
const DeletionConfirmation = ({
  entityRef,
  observations,
  trackerRouting,
  onClose,
  onDeleted,
}: {
  entityRef: string;
  observations: Observation[];
  trackerRouting: EntitySummary['tracker'];
  onClose: () => void;
  onDeleted: (observations: Observation[]) => void;
}) => {
  const api = useApi(securityObservationsApiRef);
  const alertApi = useApi(alertApiRef);
  const classes = useDangerButtonStyles();
  const single = observations.length === 1 ? observations[0] : undefined;

  const [deletion, confirm] = useAsyncFn(async () => {
    let message: string;
    if (single) {
      await api.deleteObservation(single.id);
      message = `Deleted “${single.title}”.`;
    } else {
      const { deleted } = await api.deleteObservations({
        entityRef,
        observationIds: observations.map(observation => observation.id),
      });
      message = `Deleted ${plural(deleted, 'observation')}.`;
    }
    alertApi.post({ message, severity: 'success', display: 'transient' });
    onDeleted(observations);
  }, [api, alertApi, entityRef, observations, single, onDeleted]);

  const count = plural(observations.length, 'observation');
  const closedIssues = closedIssuesSentence(observations, trackerRouting);
  const consequences = [
    single
      ? 'The observation is removed from the Security tab.'
      : `The ${count} are removed from the Security tab.`,
    closedIssues,
    `The audit log keeps ${single ? 'its' : 'their'} history.`,
  ]
    .filter(Boolean)
    .join(' ');
  const alternative = single
    ? `If a later scan still reports this finding, it comes back as a new observation. To silence a finding, assess it as ${SILENCING_STATUSES} instead. ${DELETE_ONLY}`
    : `If a later scan still reports one of these findings, it comes back as a new observation. To silence findings, assess them as ${SILENCING_STATUSES} instead. ${DELETE_ONLY}`;
  let confirmLabel = single ? 'Delete observation' : `Delete ${count}`;
  if (deletion.loading) confirmLabel = 'Deleting…';

  return (
    <>
      <DialogTitle id={TITLE_ID}>
        {single ? `Delete “${single.title}”?` : `Delete ${count}?`}
      </DialogTitle>
      <DialogContent>
        <DialogContentText id={CONSEQUENCES_ID}>
          {consequences}
        </DialogContentText>
        <DialogContentText id={ALTERNATIVE_ID}>{alternative}</DialogContentText>
        {deletion.error && (
          <Typography color="error" role="alert" variant="body2">
            {single
              ? 'The observation was not deleted'
              : 'The observations were not deleted'}
            : {errorMessage(deletion.error)}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="contained"
          className={classes.contained}
          disabled={deletion.loading}
          onClick={() => confirm()}
        >
          {confirmLabel}
        </Button>
      </DialogActions>
    </>
  );
};

/**
 * Asks before deleting one observation, or many of one entity at once, and
 * says what follows: the tracker issues close as not planned, the audit
 * log keeps the history, and a later scan brings a finding back as new.
 * Silencing a finding is an assessment's job; the dialog says so.
 */
export const DeleteObservationsDialog = ({
  observations,
  ...props
}: {
  entityRef: string;
  /** The observations to delete; the dialog is open while there are some. */
  observations: Observation[];
  /** The entity's tracker routing, to name the tracker of an issue. */
  trackerRouting: EntitySummary['tracker'];
  onClose: () => void;
  onDeleted: (observations: Observation[]) => void;
}) => (
  <Dialog
    open={observations.length > 0}
    onClose={props.onClose}
    aria-labelledby={TITLE_ID}
    aria-describedby={`${CONSEQUENCES_ID} ${ALTERNATIVE_ID}`}
    fullWidth
    maxWidth="sm"
  >
    {observations.length > 0 && (
      <DeletionConfirmation observations={observations} {...props} />
    )}
  </Dialog>
);
