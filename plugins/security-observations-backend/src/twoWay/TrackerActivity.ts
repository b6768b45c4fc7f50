/*
 * What happened on a tracker, in tracker-neutral terms. Webhook deliveries
 * and the reconciliation's reads both become these, so that one use case
 * (`TrackerActivityService`) applies them the same way.
 */

/** A person (or bot) on the tracker. */
export interface TrackerUser {
  /** Stable id: GitHub's and GitLab's numeric id, Jira's accountId (Cloud) or name/key (Data Center). */
  id: string;
  /** What people read: a login, a username, a display name. */
  name: string;
}

/** The issue's status as the tracker shows it. */
export interface LiveStatus {
  state: 'open' | 'closed';
  /**
   * The status in the tracker's words, as the tab shows it and the status
   * mapping's `status` matches it (case-insensitively): GitHub `Open`,
   * `Closed as completed`, `Closed as not planned`, `Closed as duplicate`;
   * GitLab `Open`, `Closed`; Jira the workflow status's name (`To Do`,
   * `Won't Do`, `False positive`).
   */
  name: string;
  /** GitHub's `state_reason` (`completed`, `not_planned`, `duplicate`, `reopened`), when it has one. */
  reason?: string;
  /** The issue's labels, which a mapping may match (GitLab `wontfix`). */
  labels: string[];
}

/** A comment on a tracker issue. */
export interface TrackerComment {
  /** The tracker's id of the comment (a GitHub comment id, a GitLab note id, a Jira comment id). */
  id: string;
  /** Markdown (GitHub, GitLab) or the tracker's text (Jira wiki markup or ADF flattened to text). */
  body: string;
  author: TrackerUser;
  /** The comment on the tracker's web UI. */
  url: string;
  createdAt: Date;
  updatedAt: Date;
  /**
   * The comment is one this plugin pushed from the Security tab (it
   * carries our comment marker): never taken in as a new one.
   */
  pushedByUs: boolean;
}

/** One thing that happened on an issue. `issueKey` is in the clients' key format (`owner/repo#12`, `group/project#12`, `PAY-12`). */
export type TrackerActivity =
  | {
      type: 'status';
      issueKey: string;
      status: LiveStatus;
      /** Who changed it, when the tracker says (a webhook's sender, a changelog's author). */
      actor: TrackerUser | null;
      at: Date | null;
      /** The issue's web address now (it may have been renamed or moved). */
      url?: string;
    }
  | {
      type: 'issue_gone';
      issueKey: string;
      actor: TrackerUser | null;
      at: Date | null;
    }
  | {
      type: 'issue_moved';
      issueKey: string;
      newKey: string;
      newUrl: string;
      actor: TrackerUser | null;
      at: Date | null;
    }
  | { type: 'comment'; issueKey: string; comment: TrackerComment }
  | {
      type: 'comment_deleted';
      issueKey: string;
      commentId: string;
      actor: TrackerUser | null;
      at: Date | null;
    };
