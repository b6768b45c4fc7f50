import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  ASSESSABLE_STATUSES,
  Observation,
  SEVERITIES,
  VEX_JUSTIFICATIONS,
} from 'backstage-plugin-security-observations-common';
import { FormEvent, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { AssessmentOutcome, securityObservationsApiRef } from '../../api';
import { errorMessage } from '../errorMessage';
import { SEVERITY_LABELS } from '../observationFields/severities';
import {
  humanize,
  STATUS_DESCRIPTIONS,
  STATUS_LABELS,
} from '../observationFields/statuses';
import { DisabledReasonTooltip } from '../permissions/DisabledReasonTooltip';
import { AssessPermission } from '../permissions/useAssessPermission';
import {
  AssessableStatus,
  AssessmentForm,
  AssessmentFormErrors,
  assessmentRequestOf,
  EMPTY_ASSESSMENT_FORM,
  localDate,
  tomorrow,
  validateAssessmentForm,
} from './assessmentForm';

const TITLE_ID = 'security-observations-assessment-title';

const statusDescriptionId = (status: AssessableStatus) =>
  `security-observations-assessment-status-${status}-description`;

const useStyles = makeStyles({
  // A menu item is one line by default; a status and its line take two.
  statusOption: { whiteSpace: 'normal' },
});

function initialForm(observations: Observation[]): AssessmentForm {
  // One observation: start from its current status, the usual edit.
  const only = observations.length === 1 ? observations[0] : undefined;
  const status = (ASSESSABLE_STATUSES as readonly string[]).includes(
    only?.status ?? '',
  )
    ? (only!.status as AssessmentForm['status'])
    : '';
  return { ...EMPTY_ASSESSMENT_FORM, status };
}

function outcomeMessage(outcome: AssessmentOutcome, count: number): string {
  if (outcome.state === 'pending') {
    return 'Assessment sent for review: another person with the assess permission must approve it.';
  }
  return `Assessed ${count} observation${count === 1 ? '' : 's'}.`;
}

/**
 * The form itself, mounted per opening so every opening starts clean.
 */
const AssessmentFormContent = ({
  entityRef,
  observations,
  permission,
  onClose,
  onAssessed,
}: {
  entityRef: string;
  observations: Observation[];
  permission: AssessPermission;
  onClose: () => void;
  onAssessed: (outcome: AssessmentOutcome) => void;
}) => {
  const api = useApi(securityObservationsApiRef);
  const alertApi = useApi(alertApiRef);
  const classes = useStyles();
  const [form, setForm] = useState(() => initialForm(observations));
  const [submitted, setSubmitted] = useState(false);
  const today = localDate();
  const errors: AssessmentFormErrors = submitted
    ? validateAssessmentForm(form, today)
    : {};

  const [submission, submit] = useAsyncFn(async () => {
    const request = assessmentRequestOf(form);
    const outcome =
      observations.length === 1
        ? await api.assess(observations[0].id, request)
        : await api.assessMany({
            ...request,
            entityRef,
            observationIds: observations.map(observation => observation.id),
          });
    alertApi.post({
      message: outcomeMessage(outcome, observations.length),
      severity: outcome.state === 'pending' ? 'info' : 'success',
      display: 'transient',
    });
    onAssessed(outcome);
  }, [api, alertApi, form, observations, entityRef, onAssessed]);

  const change = (patch: Partial<AssessmentForm>) =>
    setForm(previous => ({ ...previous, ...patch }));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateAssessmentForm(form, today)).length === 0) {
      submit();
    }
  };

  const title =
    observations.length === 1
      ? `Assess “${observations[0].title}”`
      : `Assess ${observations.length} observations`;

  return (
    <form onSubmit={onSubmit} noValidate>
      <DialogTitle id={TITLE_ID}>{title}</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Every assessment is recorded in the observation's history with your
          comment.
        </DialogContentText>
        <TextField
          select
          fullWidth
          margin="normal"
          variant="outlined"
          id="security-observations-assessment-status"
          label="Status"
          required
          value={form.status}
          onChange={event =>
            change({ status: event.target.value as AssessmentForm['status'] })
          }
          // The field shows the status's name; its line is below it.
          SelectProps={{
            renderValue: value => STATUS_LABELS[value as AssessableStatus],
          }}
          error={!!errors.status}
          helperText={
            errors.status ??
            (form.status ? STATUS_DESCRIPTIONS[form.status] : undefined)
          }
        >
          {ASSESSABLE_STATUSES.map(status => (
            // Named by the status; its line is the option's description.
            <MenuItem
              key={status}
              value={status}
              aria-label={STATUS_LABELS[status]}
              aria-describedby={statusDescriptionId(status)}
              className={classes.statusOption}
            >
              <ListItemText
                primary={STATUS_LABELS[status]}
                secondary={
                  <span id={statusDescriptionId(status)}>
                    {STATUS_DESCRIPTIONS[status]}
                  </span>
                }
              />
            </MenuItem>
          ))}
        </TextField>
        {form.status === 'not_affected' && (
          <TextField
            select
            fullWidth
            margin="normal"
            variant="outlined"
            id="security-observations-assessment-justification"
            label="Justification"
            required
            value={form.justification}
            onChange={event =>
              change({
                justification: event.target
                  .value as AssessmentForm['justification'],
              })
            }
            error={!!errors.justification}
            helperText={
              errors.justification ??
              'Why the vulnerability does not affect this component (VEX).'
            }
          >
            {VEX_JUSTIFICATIONS.map(justification => (
              <MenuItem key={justification} value={justification}>
                {humanize(justification)}
              </MenuItem>
            ))}
          </TextField>
        )}
        {form.status === 'risk_accepted' && (
          <TextField
            fullWidth
            margin="normal"
            variant="outlined"
            type="date"
            id="security-observations-assessment-accepted-until"
            label="Accepted until"
            value={form.expiresOn}
            onChange={event => change({ expiresOn: event.target.value })}
            InputLabelProps={{ shrink: true }}
            inputProps={{ min: tomorrow(today) }}
            error={!!errors.expiresOn}
            helperText={
              errors.expiresOn ??
              'Optional: the observation reopens after this day. Without a date the acceptance stands until someone assesses the observation again.'
            }
          />
        )}
        <TextField
          select
          fullWidth
          margin="normal"
          variant="outlined"
          id="security-observations-assessment-severity-override"
          label="Severity override"
          value={form.severity}
          onChange={event =>
            change({
              severity: event.target.value as AssessmentForm['severity'],
            })
          }
          helperText="Optional: replaces the scanner's severity until cleared."
        >
          <MenuItem value="keep">Keep the current severity</MenuItem>
          <MenuItem value="scanner">
            Use the scanner's severity (clear an override)
          </MenuItem>
          {SEVERITIES.map(severity => (
            <MenuItem key={severity} value={severity}>
              {SEVERITY_LABELS[severity]}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          fullWidth
          multiline
          minRows={3}
          margin="normal"
          variant="outlined"
          id="security-observations-assessment-comment"
          label="Comment"
          required
          value={form.comment}
          onChange={event => change({ comment: event.target.value })}
          error={!!errors.comment}
          helperText={errors.comment}
        />
        {submission.error && (
          <Typography color="error" role="alert" variant="body2">
            The assessment was not saved: {errorMessage(submission.error)}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <DisabledReasonTooltip reason={permission.disabledReason}>
          <Button
            type="submit"
            color="primary"
            variant="contained"
            disabled={!permission.allowed || submission.loading}
          >
            {submission.loading ? 'Saving…' : 'Assess'}
          </Button>
        </DisabledReasonTooltip>
      </DialogActions>
    </form>
  );
};

/**
 * Assesses one observation, or many of one entity at once: status (each
 * explained in a line), comment, and what the status needs or allows (a
 * VEX justification for "Not affected", an optional expiry for "Risk
 * accepted").
 */
export const AssessmentDialog = ({
  entityRef,
  observations,
  permission,
  onClose,
  onAssessed,
}: {
  entityRef: string;
  /** The observations to assess; the dialog is open while there are some. */
  observations: Observation[];
  permission: AssessPermission;
  onClose: () => void;
  onAssessed: (outcome: AssessmentOutcome) => void;
}) => (
  <Dialog
    open={observations.length > 0}
    onClose={onClose}
    aria-labelledby={TITLE_ID}
    fullWidth
    maxWidth="sm"
  >
    {observations.length > 0 && (
      <AssessmentFormContent
        entityRef={entityRef}
        observations={observations}
        permission={permission}
        onClose={onClose}
        onAssessed={onAssessed}
      />
    )}
  </Dialog>
);
