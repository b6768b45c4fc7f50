import { LoggerService } from '@backstage/backend-plugin-api';
import { ReconcileResponse } from 'backstage-plugin-security-observations-common';
import { toIsoStringOrNull } from '../database/dates';
import { ObservationRow } from '../database/observationRows';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { TrackerClients } from '../sync/TrackerClients';
import { LiveRead, LiveReadRequest } from '../sync/trackers/TrackerClient';
import { TrackerError } from '../sync/trackers/TrackerError';
import { Clock, systemClock } from '../sync/WritePacer';
import { TrackerActivity } from './TrackerActivity';
import { TrackerActivityService } from './TrackerActivityService';

/** Issues read with one `readIssues` call. */
const BATCH = 100;
/**
 * A read that only asks what changed since (GitLab's `updated_after`)
 * cannot see a deletion: each issue gets a full read at least this often.
 */
const FULL_READ_EVERY_MS = 24 * 3_600_000;

/**
 * The reconciliation: reads the live state of linked issues from their
 * trackers in batches, within each tracker's limits (GitHub's conditional
 * requests, GitLab's `updated_after`, Jira's `search/jql`), and applies
 * what it finds as a webhook would: the live status on the tab, mapped
 * status changes, deleted and moved issues. For trackers without
 * webhooks, and to heal missed deliveries.
 */
export class Reconciler {
  private readonly clock: Clock;

  constructor(
    private readonly options: {
      store: SecurityObservationsStore;
      clients: TrackerClients;
      activities: TrackerActivityService;
      logger: LoggerService;
      /** Linked issues read per tracker in one run. */
      maxIssuesPerRun: number;
      clock?: Clock;
    },
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /**
   * One run over every tracker (or one entity's issues). With `dryRun`,
   * says what it would change and changes nothing, not even what it read.
   */
  async run(
    options: {
      entityRef?: string;
      dryRun?: boolean;
      signal?: AbortSignal;
    } = {},
  ): Promise<Omit<ReconcileResponse, 'entityRef'>> {
    const { store, clients } = this.options;
    const result: Omit<ReconcileResponse, 'entityRef'> = {
      dryRun: Boolean(options.dryRun),
      checked: 0,
      items: [],
      problems: [],
    };
    for (const trackerId of await store.trackersWithLinkedIssues(
      options.entityRef,
    )) {
      if (options.signal?.aborted) break;
      const unavailable = clients.isConfigured(trackerId)
        ? clients.unavailableReason(trackerId)
        : `the tracker '${trackerId}' is no longer configured`;
      if (unavailable) {
        result.problems.push({ trackerId, message: unavailable });
        continue;
      }
      try {
        await this.reconcileTracker(trackerId, options, result);
      } catch (error) {
        const message =
          error instanceof TrackerError
            ? error.message
            : `the reconciliation failed: ${(error as Error).message}`;
        result.problems.push({ trackerId, message });
        this.options.logger.warn(
          `Reconciliation of the tracker '${trackerId}' stopped: ${message}`,
        );
      }
    }
    return result;
  }

  private async reconcileTracker(
    trackerId: string,
    options: { entityRef?: string; dryRun?: boolean; signal?: AbortSignal },
    result: Omit<ReconcileResponse, 'entityRef'>,
  ) {
    const { store, clients, activities } = this.options;
    const client = (await clients.get(trackerId))!;
    const rows = await store.linkedIssuesToRead({
      trackerId,
      entityRef: options.entityRef,
      limit: this.options.maxIssuesPerRun,
    });
    for (let start = 0; start < rows.length; start += BATCH) {
      if (options.signal?.aborted) return;
      const batch = rows.slice(start, start + BATCH);
      const now = new Date(this.clock.now());
      // A dry run reads conditionally too: "unchanged since the last
      // read" means the stored live status is current, nothing to change.
      const reads = await client.readIssues(
        batch.map(row => this.requestOf(row, now)),
      );
      result.checked += reads.length;
      for (const read of reads) {
        if (read.outcome === 'unreadable') {
          result.problems.push({
            trackerId,
            message: `${read.key}: ${read.problem}`,
          });
        }
      }
      const outcomes = await activities.apply({
        trackerIds: [trackerId],
        activities: reads.flatMap(read =>
          activitiesOf(read, Boolean(options.dryRun)),
        ),
        dryRun: options.dryRun,
        now,
      });
      result.items.push(...outcomes);
      if (!options.dryRun) {
        const rowOf = new Map(batch.map(row => [row.tracker_issue_key, row]));
        await store.recordIssuesRead(
          reads.flatMap(read => {
            const row = rowOf.get(read.key);
            if (!row) return [];
            return [
              {
                observationId: row.id,
                ...(read.outcome === 'found'
                  ? { etag: read.etag ?? null }
                  : {}),
              },
            ];
          }),
          now,
        );
      }
    }
  }

  private requestOf(row: ObservationRow, now: Date): LiveReadRequest {
    const checkedAt = toIsoStringOrNull(row.tracker_live_checked_at ?? null);
    const since =
      checkedAt &&
      row.tracker_live_status &&
      now.getTime() - Date.parse(checkedAt) < FULL_READ_EVERY_MS
        ? new Date(checkedAt)
        : null;
    return {
      key: row.tracker_issue_key!,
      etag: row.tracker_live_etag ?? null,
      since,
    };
  }
}

/** A read as the activities a webhook would have brought. */
function activitiesOf(read: LiveRead, dryRun: boolean): TrackerActivity[] {
  switch (read.outcome) {
    case 'unchanged':
    case 'unreadable':
      return [];
    case 'gone':
      return [
        { type: 'issue_gone', issueKey: read.key, actor: null, at: null },
      ];
    case 'found': {
      const moved: TrackerActivity[] =
        read.currentKey !== read.key
          ? [
              {
                type: 'issue_moved',
                issueKey: read.key,
                newKey: read.currentKey,
                newUrl: read.url,
                actor: null,
                at: null,
              },
            ]
          : [];
      return [
        ...moved,
        {
          type: 'status',
          // Once the move is applied, the link has the new key; a dry run
          // applies nothing, so the link still has the old one.
          issueKey: dryRun ? read.key : read.currentKey,
          status: read.status,
          actor: read.changedBy,
          at: read.changedAt,
          url: read.url,
        },
      ];
    }
    default:
      return [];
  }
}
