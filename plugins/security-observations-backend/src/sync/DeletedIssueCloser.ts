import { randomUUID } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import { Observation } from 'backstage-plugin-security-observations-common';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { toIsoString } from '../database/dates';
import {
  DeletedIssueOutcome,
  DeletedIssueRow,
} from '../database/deletedObservations';
import { renderIssue } from './renderIssue';
import { backoffMs } from './SyncEngine';
import { TrackerClients } from './TrackerClients';
import { IssueTarget, TrackerClient } from './trackers/TrackerClient';
import { TrackerError } from './trackers/TrackerError';
import { Clock, systemClock } from './WritePacer';

/** What one run did with the issues of deleted observations. */
export interface DeletedIssueReport {
  closed: number;
  /** Gone from the tracker, never created, or on a tracker no longer configured. */
  settled: number;
  /** Due again later: a failure, a limit, or a search to catch up. */
  retrying: number;
}

/**
 * Closes the tracker issues of observations an admin deleted, as not
 * planned, saying who deleted them. Runs after each tracker sync run, in
 * its global task. An issue that an interrupted create may have made is
 * looked for by its marker first, so none is left open. Failures back off
 * like the sync's; an issue that cannot be closed (a Jira workflow without
 * the transition) is left with its text saying so, and logged.
 */
export class DeletedIssueCloser {
  private readonly clock: Clock;

  constructor(
    private readonly options: {
      store: SecurityObservationsStore;
      clients: TrackerClients;
      /** The Backstage app's base URL, for the issue's link back. */
      appBaseUrl: string;
      logger: LoggerService;
      clock?: Clock;
      batchSize?: number;
      leaseMs?: number;
    },
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async run(
    options: { signal?: AbortSignal } = {},
  ): Promise<DeletedIssueReport> {
    const report: DeletedIssueReport = { closed: 0, settled: 0, retrying: 0 };
    const paused = new Set<string>();
    while (!options.signal?.aborted) {
      const now = this.clock.now();
      const batch = await this.options.store.claimDeletedIssues({
        owner: randomUUID(),
        now: new Date(now),
        leaseUntil: new Date(now + (this.options.leaseMs ?? 5 * 60_000)),
        limit: this.options.batchSize ?? 50,
      });
      if (batch.length === 0) break;
      for (const row of batch) {
        report[await this.closeOne(row, paused)] += 1;
      }
    }
    if (report.closed + report.settled > 0) {
      this.options.logger.info(
        `Tracker sync: closed ${report.closed} issues of deleted observations`,
      );
    }
    return report;
  }

  private async closeOne(
    row: DeletedIssueRow,
    paused: Set<string>,
  ): Promise<keyof DeletedIssueReport> {
    const { store, clients, logger } = this.options;
    const now = () => new Date(this.clock.now());
    const issue =
      row.issue_key ?? 'an issue an interrupted create may have made';
    if (!clients.isConfigured(row.tracker_id)) {
      logger.warn(
        `Deleted observation ${row.observation_id}: ${issue} is on the tracker '${row.tracker_id}', which is no longer configured, so it was left as it is`,
      );
      return this.settle(
        row,
        'issue_left',
        `Not closed: the tracker '${row.tracker_id}' is no longer configured`,
      );
    }
    const retryLater = (message: string, at: number, counts: boolean) =>
      store
        .recordDeletedIssueRetry(row, {
          message,
          nextAttemptAt: new Date(at),
          countsAsAttempt: counts,
        })
        .then(() => 'retrying' as const);
    if (paused.has(row.tracker_id)) {
      return retryLater(
        'the tracker asked to wait',
        this.clock.now() + 60_000,
        false,
      );
    }
    const off = clients.unavailableReason(row.tracker_id);
    const client = off ? undefined : await clients.get(row.tracker_id);
    if (!client) {
      return retryLater(
        off ?? 'the tracker cannot be synced',
        this.clock.now() + backoffMs(Number(row.attempts) + 1),
        false,
      );
    }
    try {
      const key =
        row.issue_key ?? (await this.findInterruptedCreate(row, client));
      if (typeof key === 'number') {
        return retryLater(
          "the tracker's search may not show the issue yet",
          key,
          false,
        );
      }
      if (key === null) {
        return this.settle(
          row,
          'issue_not_found',
          'An interrupted create had made no issue: nothing to close',
        );
      }
      const closed = await client.update(key, this.closingIssue(row, client));
      if (closed.problem) {
        logger.warn(
          `Deleted observation ${row.observation_id}: ${closed.key} was updated but not closed: ${closed.problem}`,
        );
      }
      await store.recordDeletedIssueSettled(row, {
        type: 'issue_closed',
        issueKey: closed.key,
        comment: closed.problem
          ? `Updated ${closed.key} to say the observation was deleted, but could not close it: ${closed.problem}`
          : `Closed ${closed.key} as not planned: the observation was deleted`,
        now: now(),
      });
      return 'closed';
    } catch (error) {
      const failure =
        error instanceof TrackerError
          ? error
          : new TrackerError('unavailable', (error as Error).message);
      if (failure.kind === 'gone') {
        return this.settle(
          row,
          'issue_gone',
          `${issue} is gone from the tracker`,
        );
      }
      if (failure.kind === 'rate_limited') {
        paused.add(row.tracker_id);
        return retryLater(
          failure.message,
          this.clock.now() + (failure.details.retryAfterMs ?? 60_000),
          false,
        );
      }
      const attempts = Number(row.attempts) + 1;
      logger.warn(
        `Could not close ${issue} of deleted observation ${row.observation_id} (attempt ${attempts}): ${failure.message}`,
      );
      return retryLater(
        failure.message,
        this.clock.now() +
          Math.max(backoffMs(attempts), failure.details.retryAfterMs ?? 0),
        true,
      );
    }
  }

  /**
   * The issue an interrupted create made, by its marker: its key, null when
   * there is none, or when (epoch ms) the tracker's search will show it.
   */
  private async findInterruptedCreate(
    row: DeletedIssueRow,
    client: TrackerClient,
  ): Promise<string | null | number> {
    if (!row.create_intent_target || row.create_intent_at === null) {
      return null;
    }
    const target: IssueTarget = JSON.parse(row.create_intent_target);
    const lookup = await client.findByMarker(
      target,
      row.observation_id,
      new Date(toIsoString(row.create_intent_at)),
    );
    if ('notBefore' in lookup) return lookup.notBefore.getTime();
    return lookup.found?.key ?? null;
  }

  /** The issue as it was, closed as not planned, saying who deleted it. */
  private closingIssue(row: DeletedIssueRow, client: TrackerClient) {
    const observation: Observation = JSON.parse(row.observation);
    return renderIssue({
      observation,
      decision: {
        state: 'closed',
        closeReason: 'not_planned',
        because: `the observation was deleted from Backstage by ${row.deleted_by}`,
      },
      labels: [],
      appBaseUrl: this.options.appBaseUrl,
      bodyLimit: client.descriptionLimit,
    });
  }

  /** Nothing (more) to close: the row goes, with an audit entry saying why. */
  private async settle(
    row: DeletedIssueRow,
    type: DeletedIssueOutcome['type'],
    comment: string,
  ): Promise<'settled'> {
    await this.options.store.recordDeletedIssueSettled(row, {
      type,
      issueKey: row.issue_key,
      comment,
      now: new Date(this.clock.now()),
    });
    return 'settled';
  }
}
