import { createHash, randomUUID } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import { Status } from 'backstage-plugin-security-observations-common';
import pLimit from 'p-limit';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { toIsoString } from '../database/dates';
import { observationFromRow } from '../database/observationRows';
import {
  ClaimedObservation,
  IssueLink,
  LinkEvent,
} from '../database/syncQueue';
import { decideIssue } from './issueRules';
import { issueMarker, renderIssue } from './renderIssue';
import { TrackerRoute } from './routing/resolveTrackerRoute';
import { SyncFailure, SyncFailureNotifier } from './SyncFailureNotifier';
import { TrackerClients } from './TrackerClients';
import { DesiredIssue, TrackerClient } from './trackers/TrackerClient';
import { TrackerError } from './trackers/TrackerError';
import { Clock, systemClock } from './WritePacer';

/** Tracker routes of entities; an entity missing from the map is not in the catalog. */
export type RouteLookup = (
  entityRefs: string[],
) => Promise<Map<string, TrackerRoute>>;

export interface SyncEngineOptions {
  store: SecurityObservationsStore;
  routesOf: RouteLookup;
  clients: TrackerClients;
  notifier: SyncFailureNotifier;
  activeStatuses: Status[];
  /** The Backstage app's base URL, for the link back to the Security tab. */
  appBaseUrl: string;
  logger: LoggerService;
  clock?: Clock;
  /** Observations claimed at a time. */
  batchSize?: number;
  /** Observations synced at once (all trackers). */
  concurrency?: number;
  /** How long a claim holds; renewed before every tracker call. */
  leaseMs?: number;
  /**
   * The longest a create waits for the pacer, and a run for rows it
   * deferred (rate limits, pacing); longer waits are left to a later run.
   * Default 60 s.
   */
  maxPacingWaitMs?: number;
}

/** What one run did, for logs and the benchmark. */
export interface SyncRunReport {
  claimed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** Requeued without an attempt: a tracker was rate limited or paced. */
  deferred: number;
}

/** An attempt's outcome, counted in the run report. */
type Outcome = 'created' | 'updated' | 'unchanged' | 'failed' | 'deferred';

/** Attempts after which a failure counts as persistent and is notified. */
const PERSISTENT_AFTER_ATTEMPTS = 3;
/** Failures that no retry fixes: notified at once. */
const PERSISTENT_KINDS = new Set([
  'unauthorized',
  'forbidden',
  'not_found',
  'routing',
  'tracker_unavailable',
]);
/** Clock skew allowed between us and the tracker when looking for an issue. */
const LOOKUP_MARGIN_MS = 10 * 60_000;

/** 1, 4, 16, 64 minutes, then 4 and at most 6 hours. */
function backoffMs(attempt: number): number {
  return Math.min(6 * 3_600_000, 60_000 * 4 ** Math.max(0, attempt - 1));
}

const sha256 = (value: string) =>
  createHash('sha256').update(value).digest('hex');

/** What the sync pushed; equal hashes mean no tracker call. */
export function pushedContentHash(issue: DesiredIssue): string {
  return sha256(
    JSON.stringify([issue.title, issue.body, issue.state, issue.closeReason]),
  );
}

/**
 * What of a route, and of the plugin's settings, changes an entity's
 * issues; a change requeues them.
 */
export function routeHash(
  route: TrackerRoute,
  settings: { activeStatuses: Status[]; appBaseUrl: string },
): string {
  return sha256(
    JSON.stringify([
      [...settings.activeStatuses].sort(),
      settings.appBaseUrl,
      route.tracker?.id ?? null,
      route.target,
      route.labels,
      route.minimumSeverity,
      route.defaultBranch,
      route.jira ?? null,
      route.problem,
    ]),
  );
}

const isGone = (error: unknown) =>
  error instanceof TrackerError && error.kind === 'gone';

/** Thrown when another worker took over a row; that worker finishes it. */
class LeaseLost extends Error {}

/** Thrown when a create would wait longer for the pacer than a run waits. */
class CreateMustWait extends Error {
  constructor(readonly delayMs: number) {
    super(`creates are paced: the next one in ${delayMs} ms`);
  }
}

/**
 * The tracker sync. Works from the durable queue in the observations table:
 * claims due observations under a lease, derives each one's desired issue
 * from the outbound rules, compares it with the hash of what it last
 * pushed, and calls the tracker only when something differs. Creates are
 * preceded by a committed intent, so a crash before the link is stored
 * finds the issue by its marker instead of creating it twice.
 */
export class SyncEngine {
  private readonly clock: Clock;

  constructor(private readonly options: SyncEngineOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /**
   * One run: requeue entities whose route changed, then drain what is due,
   * including what it deferred for up to `maxPacingWaitMs`.
   */
  async run(options: { signal?: AbortSignal } = {}): Promise<SyncRunReport> {
    const { store, logger } = this.options;
    const report: SyncRunReport = {
      claimed: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      failed: 0,
      deferred: 0,
    };
    const routes = await this.requeueChangedRoutes();
    await this.options.clients.refreshPacing();
    const run: RunState = {
      routes,
      pausedUntil: new Map(),
      failures: [],
      healthy: new Set(),
    };
    const limit = pLimit(this.options.concurrency ?? 4);
    while (!options.signal?.aborted) {
      const owner = randomUUID();
      const batch = await store.claimDueObservations({
        owner,
        now: this.now(),
        leaseUntil: this.leaseUntil(),
        limit: this.options.batchSize ?? 100,
      });
      if (batch.length === 0) {
        if (await this.waitForDeferred(run, options.signal)) continue;
        break;
      }
      report.claimed += batch.length;
      await this.addRoutes(run, batch);
      const outcomes = await Promise.all(
        batch.map(row =>
          limit(() =>
            options.signal?.aborted
              ? this.defer(row, run, this.clock.now())
              : this.syncOne(row, run),
          ),
        ),
      );
      outcomes.forEach(outcome => {
        report[outcome] += 1;
      });
    }
    await this.options.notifier.report(run.failures, [...run.healthy]);
    if (report.claimed > 0) {
      logger.info(
        `Tracker sync: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.failed} failed, ${report.deferred} deferred`,
      );
    }
    return report;
  }

  /**
   * Queues the observations of every entity whose route (annotations or
   * tracker configuration) changed since the last run, and returns all
   * routes for the run. A first run queues every routed entity.
   */
  private async requeueChangedRoutes(): Promise<Map<string, TrackerRoute>> {
    const { store } = this.options;
    const entityRefs = await store.entitiesWithObservations();
    const routes = await this.options.routesOf(entityRefs);
    const known = await store.routeHashes();
    for (const entityRef of entityRefs) {
      // Gone from the catalog: its rows fail until it is back, and then its
      // route counts as changed, which queues them again.
      if (!routes.has(entityRef) && known.has(entityRef)) {
        await store.deleteRouteHash(entityRef);
      }
    }
    for (const [entityRef, route] of routes) {
      const hash = routeHash(route, this.options);
      if (known.get(entityRef) === hash) continue;
      if (route.tracker && !route.problem) {
        await store.enqueueEntity({
          entityRef,
          branch: route.defaultBranch,
          activeStatuses: this.options.activeStatuses,
          now: this.now(),
        });
      }
      await store.saveRouteHash(entityRef, hash, this.now());
    }
    return routes;
  }

  private async addRoutes(run: RunState, batch: ClaimedObservation[]) {
    const missing = [...new Set(batch.map(row => row.entity_ref))].filter(
      ref => !run.routes.has(ref),
    );
    if (missing.length === 0) return;
    const found = await this.options.routesOf(missing);
    found.forEach((route, ref) => run.routes.set(ref, route));
  }

  private async syncOne(
    row: ClaimedObservation,
    run: RunState,
  ): Promise<Outcome> {
    const { store, clients } = this.options;
    const route = run.routes.get(row.entity_ref);
    const linked = linkOf(row);
    const intentOnRecord = row.tracker_create_intent_at !== null;
    if (!route) {
      return this.fail(row, run, {
        message: `the entity ${row.entity_ref} is not in the catalog`,
        retry: false,
      });
    }
    if (!route.tracker && !linked) {
      // Not routed, nothing to close: out of the queue. A create in doubt
      // stays on record, to be looked for once the entity routes again.
      await store.recordSynced(row, this.untracked(intentOnRecord));
      return 'unchanged';
    }
    if (route.problem) {
      return this.fail(row, run, {
        message: route.problem,
        retry: false,
        kind: 'routing',
      });
    }
    const trackerId = linked?.trackerId ?? route.tracker!.id;
    const paused = run.pausedUntil.get(trackerId);
    if (paused && paused > this.clock.now()) {
      return this.defer(row, run, paused);
    }
    const unavailable = clients.unavailableReason(trackerId);
    if (unavailable) {
      return this.fail(row, run, {
        message: unavailable,
        retry: false,
        kind: 'tracker_unavailable',
      });
    }

    let attempt: Attempt | undefined;
    try {
      const observation = observationFromRow(row);
      const desired = renderIssue({
        observation,
        decision: decideIssue(observation, route, this.options.activeStatuses),
        labels: route.labels,
        appBaseUrl: this.options.appBaseUrl,
        bodyLimit: clients.bodyLimit(trackerId),
      });
      attempt = {
        row,
        client: (await clients.get(trackerId))!,
        trackerId,
        // Where this tracker's new issues go. Null when the entity no
        // longer routes here (no tracker, or another one): its existing
        // issue is still updated and closed, but nothing new is created.
        target: route.tracker?.id === trackerId ? route.target : null,
        routedElsewhere: Boolean(
          route.tracker && route.tracker.id !== trackerId,
        ),
        desired,
        events: [],
        link: linked,
        pushedHash: row.tracker_synced_hash,
        pushedLabels: linked
          ? JSON.parse(row.tracker_synced_labels ?? '[]')
          : [],
        createInDoubt: intentOnRecord,
        requeue: false,
      };
      return await this.push(attempt, run);
    } catch (error) {
      if (error instanceof LeaseLost) return 'deferred';
      if (error instanceof CreateMustWait) {
        return this.defer(row, run, this.clock.now() + error.delayMs);
      }
      const createInDoubt = attempt?.createInDoubt ?? intentOnRecord;
      const failure =
        error instanceof TrackerError
          ? error
          : new TrackerError(
              'unavailable',
              `the sync failed: ${(error as Error).message}`,
            );
      if (failure.kind === 'rate_limited') {
        const until =
          this.clock.now() + (failure.details.retryAfterMs ?? 60_000);
        run.pausedUntil.set(trackerId, until);
        this.resumeAt(run, until);
        await store.recordFailure(row, {
          message: failure.message,
          nextAttemptAt: new Date(until),
          createInDoubt,
          countsAsAttempt: false,
        });
        return 'deferred';
      }
      return this.fail(row, run, {
        message: failure.message,
        retry: true,
        kind: failure.kind,
        createInDoubt,
      });
    }
  }

  /** Brings the issue to what the rules want, with as few calls as it takes. */
  private async push(attempt: Attempt, run: RunState): Promise<Outcome> {
    const { row, desired } = attempt;
    const hash = pushedContentHash(desired);
    let outcome: Outcome = 'unchanged';
    if (!attempt.link && attempt.createInDoubt) {
      await this.findEarlierCreate(attempt);
    }
    if (!attempt.link) {
      if (desired.state === 'closed' || !attempt.target) {
        await this.options.store.recordSynced(
          row,
          this.untracked(attempt.createInDoubt),
        );
        return 'unchanged';
      }
      await this.create(attempt, 'issue_created', null);
      outcome = 'created';
    } else if (attempt.pushedHash !== hash) {
      outcome = await this.update(attempt);
    }
    const newLabels = attempt.link
      ? desired.labels.filter(label => !attempt.pushedLabels.includes(label))
      : [];
    if (newLabels.length > 0) {
      const labelled = await this.addLabels(attempt, newLabels);
      outcome = outcome === 'unchanged' ? labelled : outcome;
    }
    await this.options.store.recordSynced(row, {
      link: attempt.link,
      pushedHash: attempt.link ? hash : null,
      pushedLabels: attempt.pushedLabels,
      issueCreatedAt: attempt.issueCreatedAt,
      events: attempt.events,
      keepCreateIntent: false,
      requeue: attempt.requeue,
      now: this.now(),
    });
    run.healthy.add(row.entity_ref);
    return outcome;
  }

  /**
   * An earlier attempt wrote a create intent and did not store a link: the
   * issue may exist. Found by its marker, it is linked instead of created.
   */
  private async findEarlierCreate(attempt: Attempt): Promise<void> {
    const intentAt = new Date(
      toIsoString(attempt.row.tracker_create_intent_at),
    );
    if (!attempt.target) return;
    const found = await attempt.client.findByMarker(
      attempt.target,
      issueMarker(attempt.row.id),
      new Date(intentAt.getTime() - LOOKUP_MARGIN_MS),
    );
    if (found) {
      attempt.link = { trackerId: attempt.trackerId, ...found };
      attempt.pushedHash = null; // pushed content unknown: update it
      attempt.pushedLabels = attempt.desired.labels;
      attempt.issueCreatedAt = intentAt;
      attempt.events.push({
        type: 'issue_found',
        from: null,
        to: found.key,
        comment:
          'Linked the issue an interrupted sync had created, found by its marker',
      });
    }
    // Looked and not found: no earlier create to worry about.
    attempt.createInDoubt = false;
  }

  private async create(
    attempt: Attempt,
    type: LinkEvent['type'],
    from: string | null,
  ): Promise<void> {
    const { row, client, desired } = attempt;
    // Every create, a recreate too: a long wait for the pacer would outlast
    // the lease and the run; the row comes back when a create can go.
    const delayMs = client.createDelayMs();
    if (delayMs > this.maxPacingWaitMs()) throw new CreateMustWait(delayMs);
    await this.renew(row);
    await this.options.store.recordCreateIntent(row, this.now(), {
      clearLink: from !== null,
    });
    attempt.createInDoubt = true;
    try {
      const { requestedAt, ...issue } = await client.create(
        attempt.target!,
        desired,
      );
      attempt.link = { trackerId: attempt.trackerId, ...issue };
      // The time the tracker's pacer counted: replicas pace by it.
      attempt.issueCreatedAt = requestedAt;
    } catch (error) {
      // A refused create created nothing; a 5xx or timeout may have.
      attempt.createInDoubt =
        !(error instanceof TrackerError) || error.outcomeUnknown;
      throw error;
    }
    attempt.pushedLabels = desired.labels;
    attempt.events.push({
      type,
      from,
      to: attempt.link.key,
      comment:
        type === 'issue_recreated'
          ? `The tracker says ${from} is gone; created a new issue`
          : 'Created the tracker issue',
    });
  }

  private async update(attempt: Attempt): Promise<Outcome> {
    const { row, client, desired } = attempt;
    const link = attempt.link!;
    await this.renew(row);
    try {
      const issue = await client.update(link.key, desired);
      if (issue.key !== link.key) {
        attempt.events.push({
          type: 'issue_moved',
          from: link.key,
          to: issue.key,
          comment: `The issue was moved to ${issue.key}`,
        });
      }
      attempt.link = { trackerId: attempt.trackerId, ...issue };
      return 'updated';
    } catch (error) {
      if (!isGone(error)) throw error;
      return this.replaceGoneIssue(attempt);
    }
  }

  /** Adds labels the issue does not have yet; it may turn out to be gone. */
  private async addLabels(
    attempt: Attempt,
    labels: string[],
  ): Promise<Outcome> {
    await this.renew(attempt.row);
    try {
      await attempt.client.addLabels(attempt.link!.key, labels);
      attempt.pushedLabels = [...attempt.pushedLabels, ...labels];
      return 'updated';
    } catch (error) {
      if (!isGone(error)) throw error;
      return this.replaceGoneIssue(attempt);
    }
  }

  /**
   * The tracker says the linked issue is gone: an issue that should be
   * open is created anew where the entity routes; otherwise the link goes.
   */
  private async replaceGoneIssue(attempt: Attempt): Promise<Outcome> {
    const gone = attempt.link!;
    attempt.link = null;
    attempt.pushedLabels = [];
    if (attempt.desired.state === 'open' && attempt.target) {
      await this.create(attempt, 'issue_recreated', gone.key);
      return 'created';
    }
    // Wanted open, but on the tracker the entity routes to now: the next
    // attempt creates it there.
    attempt.requeue =
      attempt.desired.state === 'open' && attempt.routedElsewhere;
    attempt.events.push({
      type: 'issue_gone',
      from: gone.key,
      to: null,
      comment: `The tracker says ${gone.key} is gone; ${
        attempt.requeue
          ? 'a new issue will be created where the entity routes now'
          : 'the observation needs no open issue, so none was created'
      }`,
    });
    return 'updated';
  }

  private async fail(
    row: ClaimedObservation,
    run: RunState,
    failure: {
      message: string;
      retry: boolean;
      kind?: string;
      createInDoubt?: boolean;
    },
  ): Promise<Outcome> {
    const attempts = Number(row.sync_attempts) + 1;
    await this.options.store.recordFailure(row, {
      message: failure.message,
      nextAttemptAt: failure.retry
        ? new Date(this.clock.now() + backoffMs(attempts))
        : null,
      createInDoubt:
        failure.createInDoubt ?? row.tracker_create_intent_at !== null,
      countsAsAttempt: failure.retry,
    });
    if (
      failure.kind &&
      (attempts >= PERSISTENT_AFTER_ATTEMPTS ||
        PERSISTENT_KINDS.has(failure.kind))
    ) {
      run.failures.push({
        entityRef: row.entity_ref,
        problem: failure.kind,
        message: failure.message,
        attempts,
      });
    }
    return 'failed';
  }

  /** Lets the row go without an attempt, due again at `until` (epoch ms). */
  private async defer(
    row: ClaimedObservation,
    run: RunState,
    until: number,
  ): Promise<Outcome> {
    this.resumeAt(run, until);
    await this.options.store.releaseObservations(
      row.sync_lease_owner,
      [row.id],
      new Date(until),
    );
    return 'deferred';
  }

  /** Remembers the earliest time a deferred row of this run is due again. */
  private resumeAt(run: RunState, until: number) {
    run.resumeAt = Math.min(run.resumeAt ?? Infinity, until);
  }

  /**
   * Nothing is due: when rows were deferred for a short while (a limit
   * answer, the pacer), waits for them within this run instead of leaving
   * them to the next scheduled one. False when there is nothing to wait for.
   */
  private async waitForDeferred(
    run: RunState,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const until = run.resumeAt;
    run.resumeAt = undefined;
    if (until === undefined || signal?.aborted) return false;
    const wait = until - this.clock.now();
    if (wait > this.maxPacingWaitMs()) return false;
    try {
      await this.clock.sleep(Math.max(0, wait), signal);
    } catch {
      return false; // aborted: the scheduler's timeout or shutdown
    }
    return true;
  }

  private maxPacingWaitMs(): number {
    return this.options.maxPacingWaitMs ?? 60_000;
  }

  /** Before every tracker call: still ours? A lost lease stops the attempt. */
  private async renew(row: ClaimedObservation): Promise<void> {
    if (!(await this.options.store.renewLease(row, this.leaseUntil()))) {
      throw new LeaseLost();
    }
  }

  /** No issue, none needed here; an unresolved create stays on record. */
  private untracked(createInDoubt: boolean) {
    return {
      link: null,
      pushedHash: null,
      pushedLabels: [],
      events: [],
      keepCreateIntent: createInDoubt,
      requeue: false,
      now: this.now(),
    };
  }

  private now(): Date {
    return new Date(this.clock.now());
  }

  private leaseUntil(): Date {
    return new Date(this.clock.now() + (this.options.leaseMs ?? 5 * 60_000));
  }
}

interface RunState {
  routes: Map<string, TrackerRoute>;
  /** Trackers that answered with a rate limit, until when. */
  pausedUntil: Map<string, number>;
  failures: SyncFailure[];
  /** Entities with at least one successful sync in this run. */
  healthy: Set<string>;
  /** The earliest time a row this run deferred is due again. */
  resumeAt?: number;
}

/** One observation's sync in progress. */
interface Attempt {
  row: ClaimedObservation;
  client: TrackerClient;
  trackerId: string;
  target: string | null;
  /** The entity routes to another tracker than the link's. */
  routedElsewhere: boolean;
  desired: DesiredIssue;
  events: LinkEvent[];
  link: IssueLink | null;
  pushedHash: string | null;
  pushedLabels: string[];
  issueCreatedAt?: Date;
  /** An issue may exist that no link points to yet. */
  createInDoubt: boolean;
  /** Due again at once: the issue is to be created on another tracker. */
  requeue: boolean;
}

function linkOf(row: ClaimedObservation): IssueLink | null {
  return row.tracker_id && row.tracker_issue_key
    ? {
        trackerId: row.tracker_id,
        key: row.tracker_issue_key,
        url: row.tracker_issue_url ?? '',
        state: row.tracker_issue_state ?? 'open',
      }
    : null;
}
