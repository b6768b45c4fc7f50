import {
  githubIssueKey,
  liveStatusOf,
} from '../../sync/trackers/github/githubStatus';
import { commentIdOfMarker } from '../../sync/trackers/issueMarker';
import { TrackerActivity, TrackerUser } from '../TrackerActivity';
import { TrackerWebhook, WebhookPayloadError } from './TrackerWebhook';
import {
  headerValue,
  hmacSha256Matches,
  hostOfUrl,
  valueAt,
} from './webhookParts';

/** `issues` actions after which the issue's status may differ. */
const STATUS_ACTIONS = new Set([
  'closed',
  'reopened',
  'edited',
  'labeled',
  'unlabeled',
]);

/**
 * Reads a payload by dotted paths; what a used event must carry and
 * does not is a `WebhookPayloadError` naming the path.
 */
function reader(payload: unknown, what: string) {
  const get = (path: string): unknown => valueAt(payload, path);
  const missing = (path: string) =>
    new WebhookPayloadError(`GitHub ${what} webhook without ${path}`);
  const string = (path: string): string => {
    const value = get(path);
    if (typeof value !== 'string') throw missing(path);
    return value;
  };
  const number = (path: string): number => {
    const value = get(path);
    if (typeof value !== 'number') throw missing(path);
    return value;
  };
  const date = (path: string): Date => {
    const value = new Date(string(path));
    if (Number.isNaN(value.getTime())) throw missing(path);
    return value;
  };
  const user = (path: string): TrackerUser => ({
    id: String(number(`${path}.id`)),
    name: string(`${path}.login`),
  });
  return { get, string, number, date, user, missing };
}

type Reader = ReturnType<typeof reader>;

function issueKeyOf(read: Reader): string {
  return githubIssueKey(
    read.string('repository.full_name'),
    read.number('issue.number'),
  );
}

function issueActivities(action: string, read: Reader): TrackerActivity[] {
  if (read.get('issue.pull_request')) return [];
  if (STATUS_ACTIONS.has(action)) {
    const labels = read.get('issue.labels');
    // Documented as optional: absent means none; anything else is wrong.
    if (labels !== undefined && !Array.isArray(labels)) {
      throw read.missing('issue.labels');
    }
    const state = read.string('issue.state');
    return [
      {
        type: 'status',
        issueKey: issueKeyOf(read),
        status: liveStatusOf({
          state,
          state_reason: read.get('issue.state_reason') as string | null,
          labels: (labels ?? []) as Array<{ name?: string }>,
        }),
        actor: read.user('sender'),
        at: read.date(
          state === 'closed' ? 'issue.closed_at' : 'issue.updated_at',
        ),
        url: read.string('issue.html_url'),
      },
    ];
  }
  if (action === 'deleted') {
    // The payload says who, not when: the issue's times are its last edit.
    return [
      {
        type: 'issue_gone',
        issueKey: issueKeyOf(read),
        actor: read.user('sender'),
        at: null,
      },
    ];
  }
  if (action === 'transferred') {
    return [
      {
        type: 'issue_moved',
        issueKey: issueKeyOf(read),
        newKey: githubIssueKey(
          read.string('changes.new_repository.full_name'),
          read.number('changes.new_issue.number'),
        ),
        newUrl: read.string('changes.new_issue.html_url'),
        actor: read.user('sender'),
        at: read.date('changes.new_issue.updated_at'),
      },
    ];
  }
  return [];
}

function commentActivities(action: string, read: Reader): TrackerActivity[] {
  // issue_comment fires for pull requests too; they are never ours.
  if (read.get('issue.pull_request')) return [];
  if (action === 'created' || action === 'edited') {
    const body = read.string('comment.body');
    return [
      {
        type: 'comment',
        issueKey: issueKeyOf(read),
        comment: {
          id: String(read.number('comment.id')),
          body,
          // A deleted account's comments have no user: GitHub's ghost.
          author: read.get('comment.user')
            ? read.user('comment.user')
            : read.user('sender'),
          url: read.string('comment.html_url'),
          createdAt: read.date('comment.created_at'),
          updatedAt: read.date('comment.updated_at'),
          pushedByUs: commentIdOfMarker(body) !== undefined,
        },
      },
    ];
  }
  if (action === 'deleted') {
    return [
      {
        type: 'comment_deleted',
        issueKey: issueKeyOf(read),
        commentId: String(read.number('comment.id')),
        actor: read.user('sender'),
        at: null,
      },
    ];
  }
  return [];
}

/**
 * GitHub's repository and organization webhooks (`issues`,
 * `issue_comment`), signed with `X-Hub-Signature-256`.
 */
export const githubWebhook: TrackerWebhook = {
  deliveryIdHeader: 'x-github-delivery',

  verify(rawBody, headers, secret) {
    return hmacSha256Matches(
      rawBody,
      headerValue(headers, 'x-hub-signature-256'),
      secret,
    );
  },

  hostOf(payload) {
    return hostOfUrl(
      valueAt(payload, 'repository.html_url') ??
        valueAt(payload, 'issue.html_url'),
    );
  },

  activitiesOf(headers, payload) {
    const event = headerValue(headers, 'x-github-event');
    if (event !== 'issues' && event !== 'issue_comment') return [];
    const read = reader(payload, event);
    const action = read.string('action');
    return event === 'issues'
      ? issueActivities(action, read)
      : commentActivities(action, read);
  },
};
