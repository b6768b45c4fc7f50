/*
 * Jira's issues, users and changelogs in tracker-neutral terms: what the
 * client's reads and the webhook parser both say, so that the sync's own
 * account and an issue's status look the same whichever way they came.
 */
import { LiveStatus, TrackerUser } from '../../../twoWay/TrackerActivity';
import { JiraStatus, stateOfStatus } from './jiraWorkflow';

/** A user as Jira's answers and webhooks carry it. */
export interface JiraUserJson {
  /** Cloud. */
  accountId?: string;
  /** Data Center: stable across renames. */
  key?: string;
  /** Data Center: the user name, which can be renamed. */
  name?: string;
  displayName?: string;
}

/** A changelog entry as Jira answers it (`expand=changelog`). */
export interface JiraHistoryJson {
  id?: string;
  author?: JiraUserJson;
  /** e.g. 2026-12-01T10:00:00.000+0000 */
  created?: string;
  items?: Array<{
    field?: string;
    fromString?: string | null;
    toString?: string | null;
  }>;
}

/**
 * A Jira user in tracker-neutral terms: the id that stays when people are
 * renamed (Cloud's accountId; on Data Center the user key, else the name)
 * and the display name. Null when Jira names nobody.
 */
export function trackerUserOf(
  user: JiraUserJson | null | undefined,
): TrackerUser | null {
  const id = user?.accountId ?? user?.key ?? user?.name;
  if (!user || !id) return null;
  return { id, name: user.displayName ?? user.name ?? id };
}

/** The status as the tab shows it: its name; closed in the Done category. */
export function liveStatusOf(status: JiraStatus, labels: string[]): LiveStatus {
  return { state: stateOfStatus(status), name: status.name, labels };
}

const sameField = (field: string | undefined, name: string) =>
  field?.toLowerCase() === name.toLowerCase();

/**
 * Who changed the status last, and when: the latest changelog entry with
 * a `status` item (by its time, whatever order Jira lists them in).
 * Nobody when the changelog shows no status change.
 */
export function lastStatusChangeOf(histories: JiraHistoryJson[] | undefined): {
  by: TrackerUser | null;
  at: Date | null;
} {
  let last: { history: JiraHistoryJson; at: number } | undefined;
  for (const history of histories ?? []) {
    if (!history.items?.some(item => sameField(item.field, 'status'))) {
      continue;
    }
    const at = new Date(history.created ?? '').getTime();
    if (Number.isNaN(at)) continue;
    if (!last || at >= last.at) last = { history, at };
  }
  return last
    ? { by: trackerUserOf(last.history.author), at: new Date(last.at) }
    : { by: null, at: null };
}

/** The keys an issue had before it was moved, from its changelog's `Key` items. */
export function formerKeysOf(
  histories: JiraHistoryJson[] | undefined,
): string[] {
  return (histories ?? []).flatMap(history =>
    (history.items ?? []).flatMap(item =>
      sameField(item.field, 'Key') && item.fromString ? [item.fromString] : [],
    ),
  );
}

/**
 * The site's address from one of its REST URLs (an issue's `self`): what
 * precedes `/rest/`, so that a Data Center context path (`/jira`) stays.
 */
export function siteOf(restUrl: string): string | undefined {
  const at = restUrl.indexOf('/rest/');
  if (at < 0) return undefined;
  try {
    return new URL(restUrl.slice(0, at)).toString().replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

/** An issue's page, or one of its comments (`focusedCommentId`). */
export function browseUrl(site: string, key: string, commentId?: string) {
  return `${site}/browse/${key}${
    commentId ? `?focusedCommentId=${commentId}` : ''
  }`;
}
