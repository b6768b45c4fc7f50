import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { FormEvent, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { securityObservationsApiRef } from '../../api';
import { errorMessage } from '../errorMessage';
import { RelativeTime } from '../observationFields/RelativeTime';
import { DisabledReasonTooltip } from '../permissions/DisabledReasonTooltip';
import { AssessPermission } from '../permissions/useAssessPermission';
import { UntrustedMarkdown } from './UntrustedMarkdown';

const ORIGIN_LABELS: Record<string, string> = {
  backstage: 'Backstage',
  github: 'GitHub',
  gitlab: 'GitLab',
  jira: 'Jira',
};

/**
 * Comments written on the Security tab and, with two-way sync, on the
 * tracker issue; each says where it came from.
 */
export const ObservationComments = ({
  observationId,
  permission,
  refreshKey,
  onCommented,
}: {
  observationId: string;
  permission: AssessPermission;
  /** Reloads whenever it changes. */
  refreshKey: string;
  onCommented: () => void;
}) => {
  const api = useApi(securityObservationsApiRef);
  const [draft, setDraft] = useState('');
  const comments = useAsync(
    () => api.getObservationComments(observationId),
    [api, observationId, refreshKey],
  );
  const [posting, post] = useAsyncFn(async () => {
    await api.addComment(observationId, draft.trim());
    setDraft('');
    onCommented();
  }, [api, observationId, draft, onCommented]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim()) post();
  };

  return (
    <>
      {comments.error && (
        <ResponseErrorPanel error={comments.error} title="Comments" />
      )}
      {!comments.error && comments.loading && !comments.value && <Progress />}
      {comments.value?.length === 0 && (
        <Typography variant="body2">No comments yet.</Typography>
      )}
      {comments.value && comments.value.length > 0 && (
        <Box component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
          {comments.value.map(comment => (
            <Box component="li" key={comment.id} mb={2}>
              <Box display="flex" alignItems="center" flexWrap="wrap">
                <Typography variant="body2" component="span">
                  <strong>{comment.author}</strong>
                </Typography>
                <Box mx={1}>
                  <Chip
                    size="small"
                    variant="outlined"
                    label={`via ${
                      ORIGIN_LABELS[comment.origin] ?? comment.origin
                    }`}
                  />
                </Box>
                <Typography variant="caption" color="textSecondary">
                  <RelativeTime value={comment.createdAt} />
                </Typography>
              </Box>
              <UntrustedMarkdown content={comment.body} />
            </Box>
          ))}
        </Box>
      )}
      <form onSubmit={onSubmit}>
        <TextField
          fullWidth
          multiline
          minRows={2}
          margin="normal"
          variant="outlined"
          id="security-observations-new-comment"
          label="Add a comment"
          value={draft}
          onChange={event => setDraft(event.target.value)}
          disabled={!permission.allowed}
          inputProps={{ maxLength: 10_000 }}
        />
        {posting.error && (
          <Typography variant="body2" color="error" role="alert">
            The comment was not saved: {errorMessage(posting.error)}
          </Typography>
        )}
        <DisabledReasonTooltip reason={permission.disabledReason}>
          <Button
            type="submit"
            variant="outlined"
            color="primary"
            disabled={!permission.allowed || !draft.trim() || posting.loading}
          >
            {posting.loading ? 'Saving…' : 'Comment'}
          </Button>
        </DisabledReasonTooltip>
      </form>
    </>
  );
};
