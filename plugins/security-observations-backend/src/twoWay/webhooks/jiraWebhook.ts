import { commentIdOfMarker } from '../../sync/trackers/issueMarker';
import {
  browseUrl,
  liveStatusOf,
  siteOf,
  trackerUserOf,
} from '../../sync/trackers/jira/jiraLiveIssue';
import { TrackerActivity, TrackerUser } from '../TrackerActivity';
import { TrackerWebhook, WebhookPayloadError } from './TrackerWebhook';
import {
  headerValue,
  hmacSha256Matches,
  hostOfUrl,
  valueAt,
} from './webhookParts';

/**
 * `X-Hub-Signature` as Atlassian documents it for admin webhooks with a
 * secret (Cloud and Data Center): `method=signature`, where the method is
 * sha256 and the signature the hex HMAC of the raw body.
 */

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a payload by dotted paths; what a used event must carry and does
 * not is a `WebhookPayloadError` naming the path.
 */
function reader(payload: unknown, event: string) {
  const get = (path: string): unknown => valueAt(payload, path);
  const missing = (path: string) =>
    new WebhookPayloadError(`Jira ${event} webhook without ${path}`);
  const string = (path: string): string => {
    const value = get(path);
    if (typeof value !== 'string' || !value) throw missing(path);
    return value;
  };
  /** Jira's ids are strings; a number is read as one. */
  const id = (path: string): string => {
    const value = get(path);
    if (typeof value === 'number') return String(value);
    return string(path);
  };
  const date = (path: string): Date => {
    const value = new Date(string(path));
    if (Number.isNaN(value.getTime())) throw missing(path);
    return value;
  };
  const user = (path: string): TrackerUser => {
    const found = trackerUserOf(get(path) as Json | undefined);
    if (!found) throw missing(path);
    return found;
  };
  /** The site, from a REST URL of the payload. */
  const site = (path: string): string => {
    const found = siteOf(string(path));
    if (!found) throw missing(path);
    return found;
  };
  /** When it happened: the delivery's `timestamp` (epoch ms). */
  const at = (): Date | null => {
    const value = get('timestamp');
    let time = NaN;
    if (typeof value === 'number') time = value;
    else if (typeof value === 'string') time = Date.parse(value);
    return Number.isNaN(time) ? null : new Date(time);
  };
  /** Who did it: the delivery's `user`, when it names one. */
  const actor = (): TrackerUser | null =>
    trackerUserOf(get('user') as Json | undefined);
  return { get, string, id, date, user, site, at, actor, missing };
}

type Reader = ReturnType<typeof reader>;

/** The text of an Atlassian Document Format node: its text, blocks on lines of their own. */
function adfText(node: unknown): string {
  if (!isObject(node)) return '';
  const attrs = isObject(node.attrs) ? node.attrs : {};
  switch (node.type) {
    case 'text':
      return typeof node.text === 'string' ? node.text : '';
    case 'hardBreak':
      return '\n';
    case 'mention':
    case 'emoji':
      return typeof attrs.text === 'string' ? attrs.text : '';
    case 'inlineCard':
      return typeof attrs.url === 'string' ? attrs.url : '';
    default: {
      const children = Array.isArray(node.content) ? node.content : [];
      const blocks = children.some(
        child => isObject(child) && Array.isArray(child.content),
      );
      let separator = blocks ? '\n' : '';
      if (node.type === 'doc') separator = '\n\n';
      return children.map(adfText).join(separator);
    }
  }
}

/**
 * A comment's body as text: admin webhooks send it as a string of wiki
 * markup, some sites as an ADF document.
 */
function commentBody(read: Reader): string {
  const body = read.get('comment.body');
  if (typeof body === 'string') return body;
  if (isObject(body) && body.type === 'doc') return adfText(body);
  throw read.missing('comment.body');
}

function issueUpdated(read: Reader): TrackerActivity[] {
  const changelog = read.get('changelog');
  // Updates without a changelog (a comment, a worklog) change no status.
  if (changelog === undefined) return [];
  const items = read.get('changelog.items');
  if (!Array.isArray(items)) throw read.missing('changelog.items');
  const field = (index: number) => {
    const name = (items[index] as Json | undefined)?.field;
    return typeof name === 'string' ? name.toLowerCase() : undefined;
  };
  const activities: TrackerActivity[] = [];
  const keyItem = items.findIndex((_, index) => field(index) === 'key');
  const statusItem = items.findIndex((_, index) => field(index) === 'status');
  if (keyItem < 0 && statusItem < 0) return [];
  const site = read.site('issue.self');
  const issueKey = read.string('issue.key');
  if (keyItem >= 0) {
    const newKey = read.string(`changelog.items.${keyItem}.toString`);
    activities.push({
      type: 'issue_moved',
      issueKey: read.string(`changelog.items.${keyItem}.fromString`),
      newKey,
      newUrl: browseUrl(site, newKey),
      actor: read.actor(),
      at: read.at(),
    });
  }
  if (statusItem >= 0) {
    const labels = read.get('issue.fields.labels');
    if (labels !== undefined && !Array.isArray(labels)) {
      throw read.missing('issue.fields.labels');
    }
    read.string('issue.fields.status.name');
    activities.push({
      type: 'status',
      issueKey,
      status: liveStatusOf(
        read.get('issue.fields.status') as { name: string },
        ((labels ?? []) as unknown[]).filter(
          (label): label is string => typeof label === 'string',
        ),
      ),
      actor: read.actor(),
      at: read.at(),
      url: browseUrl(site, issueKey),
    });
  }
  return activities;
}

/**
 * A comment restricted to a project role or a group (`visibility`, e.g.
 * `{type: 'role', value: 'Administrators'}`): never taken in, since the
 * Security tab shows comments to everyone who can see the entity.
 */
function isRestricted(read: Reader): boolean {
  return isObject(read.get('comment.visibility'));
}

/**
 * A comment created or edited. A restricted one gives nothing, or, when
 * an edit restricted it, its removal: it may have been taken in while
 * everyone could read it.
 */
function commentActivities(read: Reader, event: string): TrackerActivity[] {
  if (!isRestricted(read)) return [commentActivity(read)];
  if (event !== 'comment_updated') return [];
  return [
    {
      type: 'comment_deleted',
      issueKey: read.string('issue.key'),
      commentId: read.id('comment.id'),
      actor: trackerUserOf(read.get('comment.updateAuthor') as Json),
      at: read.at(),
    },
  ];
}

function commentActivity(read: Reader): TrackerActivity {
  const site = read.site('issue.self');
  const issueKey = read.string('issue.key');
  const id = read.id('comment.id');
  const body = commentBody(read);
  return {
    type: 'comment',
    issueKey,
    comment: {
      id,
      body,
      author: read.user('comment.author'),
      url: browseUrl(site, issueKey, id),
      createdAt: read.date('comment.created'),
      updatedAt: read.date('comment.updated'),
      pushedByUs: commentIdOfMarker(body) !== undefined,
    },
  };
}

/**
 * Jira's admin webhooks (Cloud and Data Center), signed with
 * `X-Hub-Signature` when registered with a secret: status changes and
 * moves in `jira:issue_updated`'s changelog, deletions, and comments.
 */
export const jiraWebhook: TrackerWebhook = {
  deliveryIdHeader: 'x-atlassian-webhook-identifier',

  verify(rawBody, headers, secret) {
    return hmacSha256Matches(
      rawBody,
      headerValue(headers, 'x-hub-signature'),
      secret,
    );
  },

  hostOf(payload) {
    return hostOfUrl(
      valueAt(payload, 'issue.self') ?? valueAt(payload, 'comment.self'),
    );
  },

  activitiesOf(_headers, payload) {
    const event = isObject(payload) ? payload.webhookEvent : undefined;
    if (typeof event !== 'string') return [];
    const read = reader(payload, event);
    switch (event) {
      case 'jira:issue_updated':
        return issueUpdated(read);
      case 'jira:issue_deleted':
        return [
          {
            type: 'issue_gone',
            issueKey: read.string('issue.key'),
            actor: read.actor(),
            at: read.at(),
          },
        ];
      case 'comment_created':
      case 'comment_updated':
        return commentActivities(read, event);
      case 'comment_deleted':
        return [
          {
            type: 'comment_deleted',
            issueKey: read.string('issue.key'),
            commentId: read.id('comment.id'),
            actor: read.actor(),
            at: read.at(),
          },
        ];
      default:
        return [];
    }
  },
};
