import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import SyncIcon from '@material-ui/icons/Sync';
import { EntitySummary } from 'backstage-plugin-security-observations-common';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { securityObservationsApiRef } from '../../api';
import { DisabledReasonTooltip } from '../permissions/DisabledReasonTooltip';
import { AssessPermission } from '../permissions/useAssessPermission';
import { errorMessage } from '../errorMessage';
import { syncDisabledReason } from './syncDisabledReason';

/**
 * Queues the entity's observations for a tracker sync now, instead of at
 * the next scheduled run. Disabled, with the reason, when there is no
 * tracker to sync to or the user may not trigger it.
 */
export const SyncNowButton = ({
  entityRef,
  tracker,
  permission,
  onSynced,
}: {
  entityRef: string;
  tracker: EntitySummary['tracker'];
  permission: AssessPermission;
  onSynced?: () => void;
}) => {
  const api = useApi(securityObservationsApiRef);
  const alertApi = useApi(alertApiRef);
  const [state, sync] = useAsyncFn(async () => {
    const { queued } = await api.syncEntity(entityRef);
    alertApi.post({
      message: `Queued ${queued} observation${
        queued === 1 ? '' : 's'
      } for sync with ${tracker?.target ?? 'the tracker'}.`,
      severity: 'success',
      display: 'transient',
    });
    onSynced?.();
  }, [api, alertApi, entityRef, tracker, onSynced]);
  const disabledReason = syncDisabledReason(tracker, permission);

  return (
    <Box>
      <DisabledReasonTooltip reason={disabledReason}>
        <Button
          variant="outlined"
          size="small"
          startIcon={<SyncIcon />}
          disabled={!!disabledReason || state.loading}
          onClick={() => sync()}
        >
          {state.loading ? 'Syncing…' : 'Sync now'}
        </Button>
      </DisabledReasonTooltip>
      {state.error && (
        <Typography variant="body2" color="error" role="alert">
          Sync failed: {errorMessage(state.error)}
        </Typography>
      )}
    </Box>
  );
};
