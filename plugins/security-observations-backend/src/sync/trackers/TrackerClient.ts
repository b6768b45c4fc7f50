import { Observation } from 'backstage-plugin-security-observations-common';
import { LiveStatus, TrackerUser } from '../../twoWay/TrackerActivity';

/** Whether an observation wants an open issue. */
export type IssueState = 'open' | 'closed';

/**
 * Why an issue is closed, in the engine's words: the finding is gone from
 * the scans (`fixed`), or it will not be worked on (`not_planned`: assessed
 * away, below the minimum severity, off the synced branch). Each client
 * maps it onto its tracker (GitHub's state reason, a Jira status).
 */
export type CloseReason = 'fixed' | 'not_planned';

/**
 * What the issue of an observation should look like on the tracker, in
 * tracker-neutral terms. Each client renders it in its tracker's format:
 * where the marker goes, markdown or ADF or wiki markup, labels that the
 * tracker accepts, fields it maps.
 */
export interface DesiredIssue {
  /** Identifies the issue on the tracker (a hidden marker, a label). */
  observationId: string;
  title: string;
  /** Markdown, within the client's `descriptionLimit`, without any marker. */
  body: string;
  /**
   * The body again, cut to fit `limit` characters: for a client whose
   * format (ADF, wiki markup) grows the text past the tracker's limit.
   */
  bodyWithin(limit: number): string;
  /** Labels to add; labels are never removed. */
  labels: string[];
  state: IssueState;
  closeReason: CloseReason;
  /** The observation, for trackers that map its fields (Jira). */
  observation: Observation;
  /** The observation on its entity's Security tab. */
  observationUrl: string;
}

/** Where a new issue goes: the project plus what the entity's annotations chose. */
export interface IssueTarget {
  /** `owner/repo`, the GitLab project path or id, the Jira project key. */
  project: string;
  /** Tracker-specific choices from annotations, e.g. Jira's issue type and component. */
  options: Record<string, string>;
}

/** An issue as the tracker answered. */
export interface TrackerIssue {
  /** The tracker's own reference, e.g. `acme-corp/payments-api#12`, `PAY-12`. */
  key: string;
  url: string;
  state: IssueState;
}

/** A new issue, with when its create was sent as the tracker's pacing counts it. */
export interface CreatedIssue extends TrackerIssue {
  /** Recorded as the issue's creation time: other replicas pace by it. */
  requestedAt: Date;
}

/**
 * An update's outcome. `problem` says what could not be done although the
 * issue's content was written, e.g. a Jira workflow without a transition
 * into Done: the client has said so on the issue once, and the engine
 * shows it on the observation without retrying.
 */
export interface UpdatedIssue extends TrackerIssue {
  problem?: string;
}

/** How a lookup by marker turned out. */
export type MarkerLookup =
  | { found: TrackerIssue }
  | { found: null }
  /**
   * The tracker's search may not show an issue created this recently
   * (an eventually consistent index): look again from `notBefore` on.
   */
  | { found: null; notBefore: Date };

/** One linked issue the reconciliation wants to read. */
export interface LiveReadRequest {
  key: string;
  /** GitHub: the ETag of the last read, sent as `If-None-Match`. */
  etag: string | null;
  /**
   * When the issue was last read. GitLab lists only issues updated since
   * (`updated_after`); null asks for a full read, which alone can tell
   * that an issue is gone.
   */
  since: Date | null;
}

/** What the tracker says of one linked issue now. */
export type LiveRead =
  /** Not changed since the last read (a 304, or not listed as updated since `since`). */
  | { key: string; outcome: 'unchanged' }
  | {
      key: string;
      outcome: 'found';
      /** The issue's key now: differs when it was moved or transferred. */
      currentKey: string;
      url: string;
      status: LiveStatus;
      /** Who changed the status last, and when, when the tracker says. */
      changedBy: TrackerUser | null;
      changedAt: Date | null;
      /** GitHub: the answer's ETag, for the next read's `If-None-Match`. */
      etag?: string | null;
    }
  /** Deleted, or moved where the credentials cannot read it. */
  | { key: string; outcome: 'gone' }
  /**
   * Not readable now, although not known to be gone (its project answers
   * 404 too: the credentials lost access; a 403 of SAML enforcement; a
   * 451): counted as read, so the rest of the tracker's issues get their
   * turn, and reported as a problem.
   */
  | { key: string; outcome: 'unreadable'; problem: string };

/** A comment the sync wrote on an issue. */
export interface PushedComment {
  /** The tracker's id of the comment. */
  id: string;
  url: string;
}

/**
 * One client per configured tracker behind one interface. Clients know the
 * tracker's API, formats and limits, nothing of the database or of HTTP
 * routes, and map the engine's intent (open, closed as fixed or as not
 * planned, reopened) onto their tracker. Every failure is a `TrackerError`.
 */
export interface TrackerClient {
  /** The longest body (markdown) the engine renders for this tracker. */
  readonly descriptionLimit: number;
  /**
   * What besides title, body and state this client pushes for an issue
   * (e.g. Jira's mapped fields and priority), so that a change of it is
   * pushed; '' when nothing.
   */
  pushedExtras(issue: DesiredIssue): string;
  /** How long a create would wait now for the tracker's write pacing, in ms. */
  createDelayMs(): number;
  /**
   * The issues the tracker created recently (their `requestedAt`, epoch
   * ms), by any replica: what the pacing of creates must count besides
   * this client's own.
   */
  seedCreations(times: number[]): void;
  /**
   * Why new issues cannot go to the target (an unknown project, issue type
   * or component), in words for the tab; null when they can. Checked before
   * creates; clients cache the answer for a while.
   */
  checkTarget(target: IssueTarget): Promise<string | null>;
  /**
   * Creates the issue in the target, carrying the observation's marker.
   * `beforeSend` runs once the write pacing lets the request go and right
   * before it is sent (again, should a limit answer make it go twice): the
   * engine records its create intent there, so the intent's time is when
   * the tracker got the request, which a lookup's search lag counts from.
   */
  create(
    target: IssueTarget,
    issue: DesiredIssue,
    beforeSend: () => Promise<void>,
  ): Promise<CreatedIssue>;
  /**
   * Writes title, body and state; what people changed on the tracker
   * (other labels, assignees, milestones, priority) stays. Follows a moved
   * issue: the answer's key is then the new one. Throws `TrackerError` kind
   * `gone` when the issue no longer exists.
   */
  update(key: string, issue: DesiredIssue): Promise<UpdatedIssue>;
  /** Adds labels to the issue, keeping the ones it has. */
  addLabels(key: string, labels: string[]): Promise<void>;
  /**
   * The observation's issue in the target, created by a request sent at
   * about `requestedAt` (the recorded create intent), when it exists: reads
   * current data, or says when the tracker's search will have caught up.
   */
  findByMarker(
    target: IssueTarget,
    observationId: string,
    requestedAt: Date,
  ): Promise<MarkerLookup>;

  // Two-way sync.

  /**
   * The tracker account the client acts as (GitHub `GET /user`, or the
   * app's bot; GitLab `GET /user`; Jira `GET /myself`), so that changes
   * the sync made itself are never taken back in as people's. Cached;
   * null when the tracker does not say (a GitHub App token).
   */
  whoAmI(): Promise<TrackerUser | null>;
  /**
   * The live state of linked issues, in one answer per request, within the
   * tracker's read limits: GitHub one conditional request per issue
   * (304s do not count against the limit), GitLab one list per project
   * filtered by `iids[]` and `updated_after`, Jira `search/jql` by key.
   * A failure of the tracker as a whole throws `TrackerError`.
   */
  readIssues(requests: LiveReadRequest[]): Promise<LiveRead[]>;
  /**
   * Writes a Security-tab comment on the issue, carrying the comment
   * marker of `commentId` so that its webhook never comes back as a new
   * comment. `body` is markdown, already naming its author.
   */
  addComment(
    key: string,
    body: string,
    commentId: string,
  ): Promise<PushedComment>;
}
