import { LiveRead, LiveReadRequest } from '../TrackerClient';

/*
 * The reconciliation's reads of GitLab issues: one list request per
 * project and up to 100 issues (`GET /projects/:id/issues?iids[]=...`),
 * and what its answer says of each issue asked for.
 */

/** GitLab answers at most 100 issues a page; a batch fits in one. */
export const LIVE_READ_BATCH = 100;

/** What a live read uses of GitLab's issue entity, as a list answers it. */
export interface ListedIssue {
  iid: number;
  state: string;
  web_url: string;
  /** Titles: a list answers labels as names unless asked for details. */
  labels: string[];
  updated_at: string;
  closed_at: string | null;
  closed_by: { id: number; username: string } | null;
  moved_to_id?: number | string | null;
  references: { full: string };
}

/** One list request: issues of one project. */
export interface LiveReadBatch {
  project: string;
  requests: Array<{ request: LiveReadRequest; iid: number }>;
  /**
   * `updated_after` to send, when every request of the batch was read
   * before: GitLab then lists only the issues changed since, and an issue
   * it leaves out is unchanged. Null for a full read, whose every issue
   * not listed is gone.
   */
  updatedAfter: Date | null;
}

/**
 * The requests by project, in batches of at most `LIVE_READ_BATCH`. Each
 * `updated_after` is the batch's earliest `since` less `skewMs`, so that a
 * clock of GitLab's behind ours does not hide a change.
 */
export function liveReadBatches(
  requests: LiveReadRequest[],
  keyOf: (key: string) => { project: string; iid: number },
  skewMs: number,
): LiveReadBatch[] {
  const byProject = new Map<string, LiveReadBatch['requests']>();
  for (const request of requests) {
    const { project, iid } = keyOf(request.key);
    byProject.set(project, [
      ...(byProject.get(project) ?? []),
      { request, iid },
    ]);
  }
  return [...byProject].flatMap(([project, all]) => {
    const batches: LiveReadBatch[] = [];
    for (let start = 0; start < all.length; start += LIVE_READ_BATCH) {
      const part = all.slice(start, start + LIVE_READ_BATCH);
      const since = part.map(({ request }) => request.since);
      const incremental = since.every(time => time !== null);
      batches.push({
        project,
        requests: part,
        updatedAfter: incremental
          ? new Date(Math.min(...since.map(time => time!.getTime())) - skewMs)
          : null,
      });
    }
    return batches;
  });
}

/** What the list answer of `batch` says of each of its requests. */
export function liveReadsOf(
  batch: LiveReadBatch,
  listed: ListedIssue[],
): LiveRead[] {
  const byIid = new Map(listed.map(issue => [issue.iid, issue]));
  return batch.requests.map(({ request, iid }): LiveRead => {
    const issue = byIid.get(iid);
    if (!issue) {
      return {
        key: request.key,
        outcome: batch.updatedAfter ? 'unchanged' : 'gone',
      };
    }
    // Moved: only an administrator can look up where; the sync treats it
    // as gone (see GitLabTrackerClient.write).
    if (issue.moved_to_id) return { key: request.key, outcome: 'gone' };
    const closed = issue.state === 'closed';
    return {
      key: request.key,
      outcome: 'found',
      currentKey: issue.references.full,
      url: issue.web_url,
      status: {
        state: closed ? 'closed' : 'open',
        name: closed ? 'Closed' : 'Open',
        labels: issue.labels,
      },
      changedBy:
        closed && issue.closed_by
          ? { id: String(issue.closed_by.id), name: issue.closed_by.username }
          : null,
      changedAt: closed
        ? dateOrNull(issue.closed_at)
        : dateOrNull(issue.updated_at),
    };
  });
}

/** All reads of a batch, the same outcome: gone, or unreadable and why. */
export function sameForAll(
  batch: LiveReadBatch,
  read: { outcome: 'gone' } | { outcome: 'unreadable'; problem: string },
): LiveRead[] {
  return batch.requests.map(({ request }) => ({ key: request.key, ...read }));
}

function dateOrNull(text: string | null): Date | null {
  if (!text) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms);
}
