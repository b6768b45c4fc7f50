import { LoggerService } from '@backstage/backend-plugin-api';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { TrackerConfig } from '../sync/routing/TrackerConfig';
import { backoffMs } from '../sync/SyncEngine';
import { TrackerClients } from '../sync/TrackerClients';
import { TrackerError } from '../sync/trackers/TrackerError';
import { Clock, systemClock } from '../sync/WritePacer';

/** Attempts before a comment's push counts as failed for good. */
const MAX_ATTEMPTS = 5;

/** What one run pushed. */
export interface CommentPushReport {
  pushed: number;
  failed: number;
  /** Waiting for the observation's issue, or for a limit. */
  waiting: number;
}

/**
 * Pushes Security-tab comments to their observation's issue, for trackers
 * with `pushComments`: runs after each tracker sync run, in its global
 * task, so one replica at a time. A comment whose observation has no issue
 * yet waits for one. Each pushed comment carries its marker, so the
 * tracker's webhook for it is not taken in as a new comment.
 */
export class CommentPusher {
  private readonly clock: Clock;

  constructor(
    private readonly options: {
      store: SecurityObservationsStore;
      trackers: TrackerConfig[];
      clients: TrackerClients;
      logger: LoggerService;
      clock?: Clock;
      batchSize?: number;
    },
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async run(
    options: { signal?: AbortSignal } = {},
  ): Promise<CommentPushReport> {
    const { store, clients } = this.options;
    const report: CommentPushReport = { pushed: 0, failed: 0, waiting: 0 };
    const now = new Date(this.clock.now());
    const pausedTrackers = new Set<string>();
    const comments = await store.commentsToPush({
      now,
      limit: this.options.batchSize ?? 200,
      trackerIds: this.options.trackers
        .filter(tracker => tracker.twoWay?.pushComments)
        .map(tracker => tracker.id),
    });
    for (const comment of comments) {
      if (options.signal?.aborted) break;
      const tracker = this.options.trackers.find(
        t => t.id === comment.tracker_id,
      );
      if (
        !comment.tracker_issue_key ||
        !tracker?.twoWay?.pushComments ||
        pausedTrackers.has(tracker.id)
      ) {
        report.waiting += 1;
        continue;
      }
      try {
        const client = await clients.get(tracker.id);
        if (!client) {
          report.waiting += 1;
          continue;
        }
        const pushed = await client.addComment(
          comment.tracker_issue_key,
          `**${comment.author}** commented on the Security tab:\n\n${comment.body}`,
          comment.id,
        );
        await store.recordCommentPushed(comment.id, {
          externalId: pushed.id,
          url: pushed.url,
        });
        report.pushed += 1;
      } catch (error) {
        const failure =
          error instanceof TrackerError
            ? error
            : new TrackerError('unavailable', (error as Error).message);
        if (failure.kind === 'rate_limited') {
          // The whole tracker waits; this comment's attempts are not spent.
          pausedTrackers.add(tracker.id);
          await store.recordCommentPushFailed(comment.id, {
            error: failure.message,
            nextAttemptAt: new Date(
              now.getTime() + (failure.details.retryAfterMs ?? 60_000),
            ),
            countsAsAttempt: false,
          });
          report.waiting += 1;
          continue;
        }
        const attempts = Number(comment.push_attempts) + 1;
        const retry = failure.kind !== 'gone' && attempts < MAX_ATTEMPTS;
        await store.recordCommentPushFailed(comment.id, {
          error: failure.message,
          nextAttemptAt: retry
            ? new Date(now.getTime() + backoffMs(attempts))
            : null,
          countsAsAttempt: true,
        });
        this.options.logger.warn(
          `Could not push comment ${comment.id} to ${comment.tracker_issue_key}: ${failure.message}`,
        );
        report.failed += 1;
      }
    }
    return report;
  }
}
