import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { FormEvent, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { ObservationComment, securityObservationsApiRef } from '../../api';
import { safeHttpUrl } from '../../links/safeHttpUrl';
import { errorMessage } from '../errorMessage';
import { RelativeTime } from '../observationFields/RelativeTime';
import { trackerName as nameOf } from '../observationFields/trackerNames';
import { DisabledReasonTooltip } from '../permissions/DisabledReasonTooltip';
import { AssessPermission } from '../permissions/useAssessPermission';
import { UntrustedMarkdown } from './UntrustedMarkdown';

/** Where a Security-tab comment stands on its way to the tracker issue. */
function pushText(push: NonNullable<ObservationComment['push']>): string {
  switch (push.state) {
    case 'pushed':
      return 'Sent to the issue';
    case 'pending':
      return 'Waiting to be sent';
    default:
      return push.error ? `Not sent: ${push.error}` : 'Not sent';
  }
}

/**
 * Who wrote it, where (the Security tab or the tracker), when, whether it
 * was edited since, and its link on the tracker. The link comes from the
 * tracker: only http(s) addresses become links.
 */
const CommentHeader = ({
  comment,
  trackerName,
}: {
  comment: ObservationComment;
  trackerName: string;
}) => {
  const url = safeHttpUrl(comment.url);
  // A tracker comment links to its own tracker; a Security-tab comment,
  // once pushed, to the observation's.
  const linkedTracker =
    comment.origin === 'backstage' ? trackerName : nameOf(comment.origin);
  return (
    <Box display="flex" alignItems="center" flexWrap="wrap">
      <Typography variant="body2" component="span">
        <strong>{comment.author}</strong>
      </Typography>
      <Box mx={1}>
        <Chip
          size="small"
          variant="outlined"
          label={`via ${nameOf(comment.origin)}`}
        />
      </Box>
      <Typography variant="caption" color="textSecondary">
        <RelativeTime value={comment.createdAt} />
        {comment.updatedAt && (
          <>
            {' '}
            <span
              title={`Edited ${new Date(comment.updatedAt).toLocaleString()}`}
            >
              (edited)
            </span>
          </>
        )}
      </Typography>
      {url && (
        <Box ml={1}>
          <Typography variant="caption">
            <Link to={url}>View on {linkedTracker}</Link>
          </Typography>
        </Box>
      )}
    </Box>
  );
};

/**
 * Comments written on the Security tab and, with two-way sync, on the
 * tracker issue; each says where it came from. Security-tab comments that
 * go to the issue say whether they got there.
 */
export const ObservationComments = ({
  observationId,
  trackerName = 'the tracker',
  permission,
  refreshKey,
  onCommented,
}: {
  observationId: string;
  /** The tracker of the observation's issue, for links to its comments. */
  trackerName?: string;
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
        <Box
          component="ul"
          p={0}
          m={0}
          style={{ listStyle: 'none' }}
          aria-label="Comments"
        >
          {comments.value.map(comment => (
            <Box component="li" key={comment.id} mb={2}>
              <CommentHeader comment={comment} trackerName={trackerName} />
              <UntrustedMarkdown content={comment.body} />
              {comment.push && (
                <Typography
                  variant="caption"
                  display="block"
                  color={
                    comment.push.state === 'failed' ? 'error' : 'textSecondary'
                  }
                >
                  {pushText(comment.push)}
                </Typography>
              )}
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
