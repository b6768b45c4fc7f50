import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import {
  AssessmentRequest,
  ReconcileChange,
  Status,
} from 'backstage-plugin-security-observations-common';
import { toIsoStringOrNull } from '../database/dates';
import { Actor } from '../database/applyAssessment';
import { ObservationRow } from '../database/observationRows';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { StoredLiveStatus } from '../database/trackerActivity';
import { TrackerConfig } from '../sync/routing/TrackerConfig';
import { TrackerClients } from '../sync/TrackerClients';
import { trackerTypeOf } from '../sync/trackers/trackerTypes';
import { LiveStatus, TrackerActivity, TrackerUser } from './TrackerActivity';
import { mappedStatus } from './TwoWaySettings';

/** What applying activities changed (or, in a dry run, would change) per observation. */
export interface ActivityOutcome {
  observationId: string;
  trackerId: string;
  issueKey: string;
  changes: ReconcileChange[];
}

export interface ApplyActivitiesInput {
  /** The trackers the activities may concern (several of a kind share a host). */
  trackerIds: string[];
  activities: TrackerActivity[];
  /** True: work out the changes, store nothing. */
  dryRun?: boolean;
  now: Date;
}

const dateOrNull = (value: unknown) => {
  const iso = toIsoStringOrNull(value ?? null);
  return iso ? new Date(iso) : null;
};

const sameLabels = (a: string[], b: string[]) =>
  a.length === b.length &&
  [...a].sort().join('\n').toLowerCase() ===
    [...b].sort().join('\n').toLowerCase();

/**
 * Applies what trackers say back, from webhooks and the reconciliation
 * alike:
 *
 * - The issue's live status is stored for the tab (every tracker).
 * - With `twoWay`, a status change that the tracker's mapping covers is an
 *   assessment by the tracker user (or, with four-eyes review, a request
 *   for one), audited as such; comments come in, follow edits and
 *   deletions.
 * - No echo: a change the sync's own account made, or one with no known
 *   author that agrees with what the sync pushed, only updates the shown
 *   status; a comment the sync pushed is never taken in.
 * - A deleted issue is queued for the sync (which recreates it when still
 *   wanted); a moved one is followed.
 */
export class TrackerActivityService {
  constructor(
    private readonly options: {
      store: SecurityObservationsStore;
      trackers: TrackerConfig[];
      clients: TrackerClients;
      requireApproval: boolean;
      auditor: AuditorService;
      logger: LoggerService;
    },
  ) {}

  async apply(input: ApplyActivitiesInput): Promise<ActivityOutcome[]> {
    const outcomes: ActivityOutcome[] = [];
    for (const activity of input.activities) {
      const rows = await this.options.store.observationsOfIssue(
        input.trackerIds,
        activity.issueKey,
      );
      // An issue we do not know: acknowledged and ignored.
      for (const row of rows) {
        const tracker = this.trackerOf(row.tracker_id!);
        if (!tracker) continue;
        const changes = await this.applyOne(row, tracker, activity, input);
        if (changes.length > 0) {
          outcomes.push({
            observationId: row.id,
            trackerId: tracker.id,
            issueKey: activity.issueKey,
            changes,
          });
        }
      }
    }
    return outcomes;
  }

  private async applyOne(
    row: ObservationRow,
    tracker: TrackerConfig,
    activity: TrackerActivity,
    input: ApplyActivitiesInput,
  ): Promise<ReconcileChange[]> {
    switch (activity.type) {
      case 'status':
        return this.applyStatus(row, tracker, activity, input);
      case 'issue_gone':
        return this.applyGone(row, tracker, activity, input);
      case 'issue_moved':
        return this.applyMoved(row, tracker, activity, input);
      case 'comment':
        return this.applyComment(row, tracker, activity, input);
      case 'comment_deleted':
        return this.applyCommentDeleted(row, tracker, activity, input);
      default:
        return [];
    }
  }

  private async applyStatus(
    row: ObservationRow,
    tracker: TrackerConfig,
    activity: Extract<TrackerActivity, { type: 'status' }>,
    input: ApplyActivitiesInput,
  ): Promise<ReconcileChange[]> {
    const before: StoredLiveStatus | null = row.tracker_live_status
      ? JSON.parse(row.tracker_live_status)
      : null;
    const changedAt = dateOrNull(row.tracker_live_changed_at);
    // Deliveries come out of order (GitHub sends `labeled` and `closed`
    // concurrently; Jira retries for half an hour): an older word than
    // the one stored changes nothing.
    if (activity.at && changedAt && activity.at < changedAt) return [];
    const live = activity.status;
    const by = activity.actor?.name ?? null;
    const changed =
      !before ||
      before.state !== live.state ||
      before.name !== live.name ||
      !sameLabels(before.labels ?? [], live.labels);
    const changes: ReconcileChange[] = [];
    if (!before || before.name !== live.name || before.state !== live.state) {
      changes.push({
        kind: 'live_status',
        from: before?.name ?? null,
        to: live.name,
        by,
      });
    }
    const status = changed
      ? await this.mappedChange(row, tracker, before, activity)
      : undefined;
    if (status)
      changes.push({ kind: 'status', from: row.status, to: status, by });
    if (input.dryRun) return changes;

    // The live status and the assessment it maps to are stored together,
    // and only over the live status this decision was made from: of two
    // deliveries (or a delivery and a reconciliation) racing, one wins.
    const recorded = await this.options.store.recordLiveStatusChange({
      observationId: row.id,
      expected: row.tracker_live_status ?? null,
      status: live,
      // Unchanged: who changed it last is still who it was.
      changedBy: changed ? by : row.tracker_live_changed_by ?? null,
      changedAt: changed ? activity.at ?? input.now : changedAt,
      seenAt: input.now,
      then: status
        ? trx =>
            this.assess(trx, row, tracker, status, live, activity, input.now)
        : undefined,
    });
    return recorded ? changes : [];
  }

  /**
   * The status a tracker change maps to, when it is a change to apply: a
   * two-way tracker's rule covers the new status, and not already the old
   * one (a label added to a closed issue re-asserts nothing), the
   * observation is not there yet, and it is not the sync's own doing.
   */
  private async mappedChange(
    row: ObservationRow,
    tracker: TrackerConfig,
    before: StoredLiveStatus | null,
    activity: Extract<TrackerActivity, { type: 'status' }>,
  ): Promise<Status | undefined> {
    if (!tracker.twoWay) return undefined;
    const rules = tracker.twoWay.statusMapping;
    const status = mappedStatus(rules, activity.status);
    if (!status || status === row.status) return undefined;
    if (
      before &&
      before.state !== 'gone' &&
      mappedStatus(rules, {
        state: before.state === 'closed' ? 'closed' : 'open',
        name: before.name,
        reason: before.reason,
        labels: before.labels ?? [],
      }) === status
    ) {
      return undefined;
    }
    return (await this.isEcho(tracker, row, activity)) ? undefined : status;
  }

  /**
   * Whether a status change is the sync's own doing coming back. Made by
   * the sync's account, when the tracker names who made it and the sync
   * knows its account. Otherwise (a GitHub App before its first write, a
   * reconciliation of a GitHub reopen) the state decides: the state the
   * sync pushed is its own; while a sync attempt holds the observation,
   * what it pushes is not known yet, so nothing is mapped (the
   * reconciliation looks again).
   */
  private async isEcho(
    tracker: TrackerConfig,
    row: ObservationRow,
    activity: Extract<TrackerActivity, { type: 'status' }>,
  ): Promise<boolean> {
    const me = activity.actor ? await this.whoAmI(tracker.id) : null;
    if (activity.actor && me) return me.id === activity.actor.id;
    // A lease that ran out (its process died) holds nothing any more.
    const lease = dateOrNull(
      (row as { sync_lease_expires_at?: unknown }).sync_lease_expires_at,
    );
    if (lease && lease > new Date()) return true;
    return activity.status.state === row.tracker_issue_state;
  }

  /** The mapped status as an assessment by the tracker user, or a request for one. */
  private async assess(
    trx: Knex,
    row: ObservationRow,
    tracker: TrackerConfig,
    status: Status,
    live: LiveStatus,
    activity: Extract<TrackerActivity, { type: 'status' }>,
    now: Date,
  ) {
    const { store, auditor, requireApproval } = this.options;
    const actor = this.actorOf(tracker, activity.actor);
    const where = trackerTypeOf(tracker).displayName;
    const comment = `${live.name} on ${where}${
      activity.actor ? ` by ${activity.actor.name}` : ''
    } (${row.tracker_issue_key}${activity.url ? `, ${activity.url}` : ''})`;
    const meta = {
      entityRef: row.entity_ref,
      observationIds: [row.id],
      status,
      trackerId: tracker.id,
      issueKey: row.tracker_issue_key,
      trackerUser: activity.actor?.name ?? null,
    };
    const event = await auditor.createEvent({
      eventId: requireApproval
        ? 'observation-assess-request'
        : 'observation-assess',
      severityLevel: 'medium',
      meta: { ...meta, actor: actor.ref, origin: 'tracker' },
    });
    try {
      if (requireApproval) {
        const pending = await store.requestAssessmentIn(trx, {
          entityRef: row.entity_ref,
          observationIds: [row.id],
          assessment: {
            status: status as AssessmentRequest['status'],
            comment,
          },
          actor,
          now,
        });
        await event.success({ meta: { pendingAssessmentId: pending.id } });
      } else {
        await store.applyAssessmentIn(trx, {
          entityRef: row.entity_ref,
          observationIds: [row.id],
          status,
          comment,
          actor,
          now,
        });
        await event.success({ meta: { changed: 1 } });
      }
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  private async applyGone(
    row: ObservationRow,
    tracker: TrackerConfig,
    activity: Extract<TrackerActivity, { type: 'issue_gone' }>,
    input: ApplyActivitiesInput,
  ): Promise<ReconcileChange[]> {
    const before: StoredLiveStatus | null = row.tracker_live_status
      ? JSON.parse(row.tracker_live_status)
      : null;
    if (before?.state === 'gone') return [];
    const name = `Deleted on ${trackerTypeOf(tracker).displayName}`;
    if (!input.dryRun) {
      await this.options.store.recordIssueGone(row, {
        status: { state: 'gone', name, labels: [] },
        by: activity.actor?.name ?? null,
        now: input.now,
      });
    }
    return [
      {
        kind: 'issue_gone',
        from: row.tracker_issue_key,
        to: null,
        by: activity.actor?.name ?? null,
      },
    ];
  }

  private async applyMoved(
    row: ObservationRow,
    tracker: TrackerConfig,
    activity: Extract<TrackerActivity, { type: 'issue_moved' }>,
    input: ApplyActivitiesInput,
  ): Promise<ReconcileChange[]> {
    if (activity.newKey === row.tracker_issue_key) return [];
    if (!input.dryRun) {
      await this.options.store.recordIssueMoved(row, {
        key: activity.newKey,
        url: activity.newUrl,
        comment: `The issue was moved to ${activity.newKey} on ${
          trackerTypeOf(tracker).displayName
        }${activity.actor ? ` by ${activity.actor.name}` : ''}`,
        now: input.now,
      });
    }
    return [
      {
        kind: 'issue_moved',
        from: row.tracker_issue_key,
        to: activity.newKey,
        by: activity.actor?.name ?? null,
      },
    ];
  }

  private async applyComment(
    row: ObservationRow,
    tracker: TrackerConfig,
    activity: Extract<TrackerActivity, { type: 'comment' }>,
    input: ApplyActivitiesInput,
  ): Promise<ReconcileChange[]> {
    const { comment } = activity;
    if (!tracker.twoWay || comment.pushedByUs) return [];
    const me = await this.whoAmI(tracker.id);
    if (me && me.id === comment.author.id) return [];
    const stored = await this.options.store.commentByExternalId(
      row.id,
      comment.id,
    );
    // One the sync pushed (its id is stored once the tracker answered).
    if (stored?.origin === 'backstage') return [];
    if (stored && stored.body === comment.body) return [];
    const change: ReconcileChange = {
      kind: stored ? 'comment_edited' : 'comment_added',
      from: stored ? stored.body : null,
      to: comment.body,
      by: comment.author.name,
    };
    if (!input.dryRun) {
      const result = await this.options.store.upsertTrackerComment({
        observationId: row.id,
        entityRef: row.entity_ref,
        origin: tracker.type,
        externalId: comment.id,
        author: comment.author.name,
        body: comment.body,
        url: comment.url,
        createdAt: comment.createdAt,
        updatedAt: comment.updatedAt,
        actor: this.actorOf(tracker, comment.author),
      });
      if (result === 'unchanged') return [];
    }
    return [change];
  }

  private async applyCommentDeleted(
    row: ObservationRow,
    tracker: TrackerConfig,
    activity: Extract<TrackerActivity, { type: 'comment_deleted' }>,
    input: ApplyActivitiesInput,
  ): Promise<ReconcileChange[]> {
    if (!tracker.twoWay) return [];
    const stored = await this.options.store.commentByExternalId(
      row.id,
      activity.commentId,
    );
    if (!stored || stored.origin === 'backstage') return [];
    if (!input.dryRun) {
      await this.options.store.deleteTrackerComment({
        observationId: row.id,
        entityRef: row.entity_ref,
        externalId: activity.commentId,
        actor: this.actorOf(tracker, activity.actor),
        now: input.now,
      });
    }
    return [
      {
        kind: 'comment_deleted',
        from: stored.body,
        to: null,
        by: activity.actor?.name ?? null,
      },
    ];
  }

  /** The audit log's actor for a tracker user: `<tracker id>:<name>`. */
  private actorOf(tracker: TrackerConfig, user: TrackerUser | null): Actor {
    return {
      ref: `${tracker.id}:${user?.name ?? 'unknown'}`,
      kind: 'tracker',
    };
  }

  private trackerOf(trackerId: string): TrackerConfig | undefined {
    return this.options.trackers.find(tracker => tracker.id === trackerId);
  }

  /** The sync's own account on the tracker; null when it cannot be told. */
  private async whoAmI(trackerId: string): Promise<TrackerUser | null> {
    try {
      const client = await this.options.clients.get(trackerId);
      return (await client?.whoAmI()) ?? null;
    } catch (error) {
      this.options.logger.warn(
        `Two-way sync: could not tell which account the tracker '${trackerId}' acts as: ${
          (error as Error).message
        }`,
      );
      return null;
    }
  }
}
