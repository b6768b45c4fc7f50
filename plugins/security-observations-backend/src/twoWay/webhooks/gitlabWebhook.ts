import { createHash, timingSafeEqual } from 'node:crypto';
import { commentIdOfMarker } from '../../sync/trackers/issueMarker';
import { TrackerActivity, TrackerUser } from '../TrackerActivity';
import { TrackerWebhook, WebhookPayloadError } from './TrackerWebhook';
import { headerValue, hostOfUrl, valueAt } from './webhookParts';

/*
 * GitLab's project and group webhooks, as its webhook events documentation
 * shows them. GitLab sends the secret itself in `X-Gitlab-Token` (no HMAC),
 * and names the event in `X-Gitlab-Event`: an event on a confidential issue
 * (ours are confidential by default) comes as `Confidential Issue Hook` or
 * `Confidential Note Hook`, on a webhook that subscribed to confidential
 * events.
 *
 * GitLab sends no webhook when an issue or a note is deleted: a deleted
 * note stays on the observation (the reconciliation reads issue states,
 * not notes, so it does not notice either); a deleted issue shows up as
 * gone in the reconciliation's full reads.
 */

const ISSUE_EVENTS = ['Issue Hook', 'Confidential Issue Hook'];
const NOTE_EVENTS = ['Note Hook', 'Confidential Note Hook'];
const ISSUE_ACTIONS = ['open', 'close', 'reopen', 'update'];

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * GitLab writes dates in hooks as Ruby's `Time#to_s` (`2013-12-03 17:15:43
 * UTC`) in most places and as ISO 8601 (`2013-12-03T17:15:43Z`) in others.
 */
export function parseGitLabHookDate(text: string): Date | undefined {
  const ruby =
    /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) (UTC|[+-]\d{2}:?\d{2})$/.exec(
      text.trim(),
    );
  let iso = text.trim();
  if (ruby) {
    const zone =
      ruby[3] === 'UTC'
        ? 'Z'
        : ruby[3].replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
    iso = `${ruby[1]}T${ruby[2]}${zone}`;
  } else if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso)) {
    return undefined;
  }
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** Reads a payload by dotted paths; a missing part is a `WebhookPayloadError` naming it. */
class HookPayload {
  constructor(
    private readonly payload: unknown,
    private readonly event: string,
  ) {}

  value(path: string): unknown {
    return valueAt(this.payload, path);
  }

  text(path: string): string {
    const value = this.value(path);
    if (typeof value !== 'string') throw this.lacks(path, 'a string');
    return value;
  }

  integer(path: string): number {
    const value = this.value(path);
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw this.lacks(path, 'an integer');
    }
    return value;
  }

  date(path: string): Date {
    const value = this.value(path);
    const date =
      typeof value === 'string' ? parseGitLabHookDate(value) : undefined;
    if (!date) throw this.lacks(path, 'a date');
    return date;
  }

  /** Label titles from a list of GitLab's label objects at `path`. */
  labelTitles(path: string): string[] {
    const value = this.value(path);
    if (!Array.isArray(value)) throw this.lacks(path, 'a list of labels');
    return value.map((_, index) => this.text(`${path}.${index}.title`));
  }

  lacks(path: string, what: string): WebhookPayloadError {
    return new WebhookPayloadError(
      `GitLab's ${this.event} payload lacks ${path} (${what})`,
    );
  }
}

/** Whoever the hook names as having acted (for notes: the note's author). */
function userOf(hook: HookPayload): TrackerUser {
  return {
    id: String(hook.integer('user.id')),
    name: hook.text('user.username'),
  };
}

function issueActivities(hook: HookPayload): TrackerActivity[] {
  // Other work items (tasks, epics, OKRs) come as `work_item`: never ours.
  if (hook.text('object_kind') !== 'issue') return [];
  // Older GitLab versions leave out `action`; the state is there anyway.
  const action = hook.value('object_attributes.action') ?? 'update';
  if (typeof action !== 'string' || !ISSUE_ACTIONS.includes(action)) return [];
  const issueKey = `${hook.text('project.path_with_namespace')}#${hook.integer(
    'object_attributes.iid',
  )}`;
  const actor = userOf(hook);
  const at = hook.date('object_attributes.updated_at');
  // A moved issue stays behind, closed, pointing at the new one by an id
  // that only an administrator can look up: the sync treats it as gone
  // (see GitLabTrackerClient).
  const movedTo = hook.value('object_attributes.moved_to_id');
  if (movedTo !== null && movedTo !== undefined) {
    return [{ type: 'issue_gone', issueKey, actor, at }];
  }
  const state = hook.text('object_attributes.state');
  if (state !== 'opened' && state !== 'closed') {
    throw hook.lacks('object_attributes.state', "'opened' or 'closed'");
  }
  let labels: string[] = [];
  if (hook.value('labels') !== undefined) labels = hook.labelTitles('labels');
  else if (hook.value('object_attributes.labels') !== undefined) {
    labels = hook.labelTitles('object_attributes.labels');
  }
  return [
    {
      type: 'status',
      issueKey,
      status: {
        state: state === 'opened' ? 'open' : 'closed',
        name: state === 'opened' ? 'Open' : 'Closed',
        labels,
      },
      actor,
      at,
      url: hook.text('object_attributes.url'),
    },
  ];
}

/**
 * A comment on an issue, new or edited: GitLab 16.11 and later say which
 * in `object_attributes.action` (`create`, `update`), older versions send
 * an edit as a note whose `updated_at` is later than its `created_at`.
 * Either way it is the comment as it is now.
 */
function noteActivities(hook: HookPayload): TrackerActivity[] {
  if (hook.text('object_attributes.noteable_type') !== 'Issue') return [];
  // "changed the description", "closed": GitLab's own notes, not comments.
  if (hook.value('object_attributes.system') === true) return [];
  // An internal note (a `confidential` one in older GitLab) is for the
  // project's members from Reporter up, while the Security tab shows
  // comments to everyone who can see the entity. GitLab cannot make a
  // note internal later, so none was taken in before.
  if (
    hook.value('object_attributes.internal') === true ||
    hook.value('object_attributes.confidential') === true
  ) {
    return [];
  }
  const body = hook.text('object_attributes.note');
  return [
    {
      type: 'comment',
      issueKey: `${hook.text('project.path_with_namespace')}#${hook.integer(
        'issue.iid',
      )}`,
      comment: {
        id: String(hook.integer('object_attributes.id')),
        body,
        author: userOf(hook),
        url: hook.text('object_attributes.url'),
        createdAt: hook.date('object_attributes.created_at'),
        updatedAt: hook.date('object_attributes.updated_at'),
        pushedByUs: commentIdOfMarker(body) !== undefined,
      },
    },
  ];
}

/** GitLab's issue and note webhooks (see the top of this file). */
export const gitlabWebhook: TrackerWebhook = {
  deliveryIdHeader: 'x-gitlab-event-uuid',

  verify(_rawBody, headers, secret) {
    const token = headerValue(headers, 'x-gitlab-token');
    if (!token || !secret) return false;
    // Digests have one length, so the comparison says nothing of the secret's.
    return timingSafeEqual(digest(token), digest(secret));
  },

  hostOf(payload) {
    return (
      hostOfUrl(valueAt(payload, 'object_attributes.url')) ??
      hostOfUrl(valueAt(payload, 'project.web_url'))
    );
  },

  activitiesOf(headers, payload) {
    const event = headerValue(headers, 'x-gitlab-event') ?? '';
    if (ISSUE_EVENTS.includes(event)) {
      return issueActivities(new HookPayload(payload, event));
    }
    if (NOTE_EVENTS.includes(event)) {
      return noteActivities(new HookPayload(payload, event));
    }
    return [];
  },
};
