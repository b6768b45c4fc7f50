import { Entity } from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Divider from '@material-ui/core/Divider';
import Drawer from '@material-ui/core/Drawer';
import IconButton from '@material-ui/core/IconButton';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CloseIcon from '@material-ui/icons/Close';
import DeleteIcon from '@material-ui/icons/Delete';
import {
  EntitySummary,
  Observation,
} from 'backstage-plugin-security-observations-common';
import { ReactNode, useCallback, useReducer } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { securityObservationsApiRef } from '../../api';
import { useDangerButtonStyles } from '../DeleteObservationsDialog/dangerButtonStyles';
import { SeverityChip } from '../observationFields/SeverityChip';
import { TrackerIssue } from '../observationFields/TrackerIssue';
import { trackerNameOfIssue } from '../observationFields/trackerNames';
import { DisabledReasonTooltip } from '../permissions/DisabledReasonTooltip';
import { AssessPermission } from '../permissions/useAssessPermission';
import { SyncNowButton } from '../TrackerSync/SyncNowButton';
import { UntrustedMarkdown } from './UntrustedMarkdown';
import { ObservationComments } from './ObservationComments';
import { ObservationFacts } from './ObservationFacts';
import { ObservationHistory } from './ObservationHistory';
import { TrackerLiveStatus } from './TrackerLiveStatus';

const TITLE_ID = 'security-observations-drawer-title';

const useStyles = makeStyles(theme => ({
  paper: {
    width: 720,
    maxWidth: '100%',
    padding: theme.spacing(3),
  },
}));

const Section = ({
  title,
  children,
}: {
  title: string;
  children: ReactNode;
}) => (
  <Box component="section" mt={3}>
    <Typography variant="h6" component="h3" gutterBottom>
      {title}
    </Typography>
    {children}
  </Box>
);

const DrawerBody = ({
  entity,
  observationId,
  summary,
  permission,
  deleteAllowed,
  refreshKey,
  onAssess,
  onDelete,
  onChanged,
}: {
  entity: Entity;
  observationId: string;
  summary: EntitySummary;
  permission: AssessPermission;
  deleteAllowed: boolean;
  refreshKey: number;
  onAssess: (observation: Observation) => void;
  onDelete: (observation: Observation) => void;
  onChanged: () => void;
}) => {
  const api = useApi(securityObservationsApiRef);
  const dangerClasses = useDangerButtonStyles();
  // A new comment adds to the history too: both reload.
  const [localVersion, bumpLocal] = useReducer((n: number) => n + 1, 0);
  const version = `${refreshKey}.${localVersion}`;
  const observation = useAsync(
    () => api.getObservation(observationId),
    [api, observationId, refreshKey],
  );
  const onCommented = useCallback(() => bumpLocal(), []);

  if (observation.error) {
    return (
      <>
        <Typography id={TITLE_ID} variant="h5" component="h2">
          Observation
        </Typography>
        <ResponseErrorPanel error={observation.error} title="Observation" />
      </>
    );
  }
  if (observation.value?.id !== observationId) return <Progress />;
  const value = observation.value;
  const trackerName = trackerNameOfIssue(
    value.tracker?.trackerId,
    summary.tracker,
  );

  return (
    <>
      <Box display="flex" alignItems="center" flexWrap="wrap" pr={6}>
        <Box mr={1}>
          <SeverityChip severity={value.severity} />
        </Box>
        <Typography id={TITLE_ID} variant="h5" component="h2">
          {value.title}
        </Typography>
      </Box>
      <Box display="flex" alignItems="flex-start" flexWrap="wrap" mt={2}>
        <Box mr={1} mb={1}>
          <DisabledReasonTooltip reason={permission.disabledReason}>
            <Button
              variant="contained"
              color="primary"
              size="small"
              disabled={!permission.allowed}
              onClick={() => onAssess(value)}
            >
              Assess
            </Button>
          </DisabledReasonTooltip>
        </Box>
        <SyncNowButton
          entityRef={summary.entityRef}
          tracker={summary.tracker}
          permission={permission}
          onSynced={onChanged}
        />
        {/* Admins only: left out, not disabled, for everyone else. */}
        {deleteAllowed && (
          <Box ml="auto" mb={1}>
            <Button
              variant="outlined"
              size="small"
              className={dangerClasses.outlined}
              startIcon={<DeleteIcon />}
              onClick={() => onDelete(value)}
            >
              Delete
            </Button>
          </Box>
        )}
      </Box>
      <Section title="Details">
        <ObservationFacts entity={entity} observation={value} />
      </Section>
      <Section title="Description">
        <UntrustedMarkdown content={value.description || '_No description._'} />
      </Section>
      <Section title="Tracker issue">
        <TrackerIssue tracker={value.tracker} showLiveStatus={false} />
        {value.tracker && value.tracker.syncAttempts > 1 && (
          <Typography variant="caption" color="textSecondary">
            {value.tracker.syncAttempts} sync attempts
          </Typography>
        )}
        {value.tracker?.live && (
          <TrackerLiveStatus
            live={value.tracker.live}
            trackerName={trackerName}
          />
        )}
      </Section>
      <Divider style={{ marginTop: 24 }} />
      <Section title="History">
        <ObservationHistory observationId={value.id} refreshKey={version} />
      </Section>
      <Section title="Comments">
        <ObservationComments
          observationId={value.id}
          trackerName={trackerName}
          permission={permission}
          refreshKey={version}
          onCommented={onCommented}
        />
      </Section>
    </>
  );
};

/**
 * Everything about one observation, beside the table: details, history,
 * comments, tracker state, and the actions on it. A modal drawer: focus
 * stays inside, Escape closes it.
 */
export const ObservationDrawer = ({
  observationId,
  onClose,
  ...bodyProps
}: {
  entity: Entity;
  observationId?: string;
  summary: EntitySummary;
  permission: AssessPermission;
  /** Whether the user may delete the entity's observations. */
  deleteAllowed: boolean;
  refreshKey: number;
  onClose: () => void;
  onAssess: (observation: Observation) => void;
  onDelete: (observation: Observation) => void;
  onChanged: () => void;
}) => {
  const classes = useStyles();
  return (
    <Drawer
      anchor="right"
      open={!!observationId}
      onClose={onClose}
      classes={{ paper: classes.paper }}
      PaperProps={
        {
          role: 'dialog',
          'aria-modal': true,
          'aria-labelledby': TITLE_ID,
        } as object
      }
    >
      <Box position="absolute" top={16} right={16}>
        <IconButton aria-label="Close details" onClick={onClose}>
          <CloseIcon />
        </IconButton>
      </Box>
      {observationId && (
        <DrawerBody observationId={observationId} {...bodyProps} />
      )}
    </Drawer>
  );
};
