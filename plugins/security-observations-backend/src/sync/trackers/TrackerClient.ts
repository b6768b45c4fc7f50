/** How a closed issue was closed: fixed, or not going to be. */
export type CloseReason = 'completed' | 'not_planned';

/** What the issue of an observation should look like on the tracker. */
export interface DesiredIssue {
  title: string;
  /** Markdown, with the observation's hidden marker; within the tracker's size limit. */
  body: string;
  /** Labels to add; labels are never removed. */
  labels: string[];
  state: 'open' | 'closed';
  closeReason: CloseReason;
}

/** An issue as the tracker answered. */
export interface TrackerIssue {
  /** The tracker's own reference, e.g. `acme-corp/payments-api#12`. */
  key: string;
  url: string;
  state: 'open' | 'closed';
}

/** A new issue, with when its create was sent as the tracker's pacing counts it. */
export interface CreatedIssue extends TrackerIssue {
  /** Recorded as the issue's creation time: other replicas pace by it. */
  requestedAt: Date;
}

/**
 * One client per tracker kind behind one interface. Clients know the
 * tracker's API and limits, nothing of the database or of HTTP routes.
 * Every failure is a `TrackerError`.
 */
export interface TrackerClient {
  /** How long a create would wait now for the tracker's write pacing, in ms. */
  createDelayMs(): number;
  /**
   * The issues the tracker created recently (their `requestedAt`, epoch
   * ms), by any replica: what the pacing of creates must count besides
   * this client's own.
   */
  seedCreations(times: number[]): void;
  /** Creates the issue in the target (e.g. `owner/repo`). */
  create(target: string, issue: DesiredIssue): Promise<CreatedIssue>;
  /**
   * Sets title, body and state; other fields (labels, assignees,
   * milestones) stay as people left them. Follows a moved issue: the
   * answer's key is then the new one. Throws `TrackerError` kind `gone`
   * when the issue no longer exists.
   */
  update(key: string, issue: DesiredIssue): Promise<TrackerIssue>;
  /** Adds labels to the issue, keeping the ones it has. */
  addLabels(key: string, labels: string[]): Promise<void>;
  /**
   * The issue whose body carries `marker`, among the target's issues
   * created or updated since `since`; reads current data, not a search
   * index that lags behind writes.
   */
  findByMarker(
    target: string,
    marker: string,
    since: Date,
  ): Promise<TrackerIssue | undefined>;
}
