import { createHash, randomUUID } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import { Status } from 'backstage-plugin-security-observations-common';
import pLimit from 'p-limit';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';
import { toIsoString } from '../database/dates';
import { observationFromRow } from '../database/observationRows';
import {
  ClaimedObservation,
  CreateIntent,
  IssueLink,
  LinkEvent,
  NotPushedState,
} from '../database/syncQueue';
import { decideIssue, notPushedReason } from './issueRules';
import { renderIssue } from './renderIssue';
import { TrackerRoute } from './routing/resolveTrackerRoute';
import { SyncFailure, SyncFailureNotifier } from './SyncFailureNotifier';
import { TrackerClients } from './TrackerClients';
import {
  DesiredIssue,
  IssueTarget,
  TrackerClient,
} from './trackers/TrackerClient';
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
  /**
   * Settled without a tracker call, saying why: the entity's tracker
   * cannot sync (off), or the rules want no issue (not pushed).
   */
  notPushed: number;
}

/** An attempt's outcome, counted in the run report. */
type Outcome =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'failed'
  | 'deferred'
  | 'notPushed';

/** Attempts after which a failure counts as persistent and is notified. */
const PERSISTENT_AFTER_ATTEMPTS = 3;
/**
 * Attempts in a row that a tracker fails as unavailable (5xx, timeout,
 * network error) before a run stops calling it: the rest of its queue
 * fails without a request, backing off as if each had tried.
 */
const DOWN_AFTER_FAILURES_IN_A_ROW = 3;
/**
 * Failures that no retry fixes: notified at once. A tracker that cannot
 * sync by configuration (no credentials, a tracker this backend does not
 * support) is no failure: its observations are `off`, and nobody is told.
 */
const PERSISTENT_KINDS = new Set([
  'unauthorized',
  'forbidden',
  'not_found',
  'invalid',
  'routing',
  'target',
  'workflow',
]);

/** 1, 4, 16, 64 minutes, then 4 and at most 6 hours. */
export function backoffMs(attempt: number): number {
  return Math.min(6 * 3_600_000, 60_000 * 4 ** Math.max(0, attempt - 1));
}

const sha256 = (value: string) =>
  createHash('sha256').update(value).digest('hex');

/**
 * What the sync pushed; equal hashes mean no tracker call. `extras` is
 * what a client pushes besides title, body and state (Jira's mapped
 * fields).
 */
export function pushedContentHash(issue: DesiredIssue, extras = ''): string {
  return sha256(
    JSON.stringify([
      issue.title,
      issue.body,
      issue.state,
      issue.closeReason,
      ...(extras ? [extras] : []),
    ]),
  );
}

/**
 * What of a route, of its tracker's settings (labels, field mapping,
 * statuses; never credentials, which are read when a client is made) and
 * of the plugin's settings changes an entity's issues; a change requeues
 * them.
 */
export function routeHash(
  route: TrackerRoute,
  settings: { activeStatuses: Status[]; appBaseUrl: string },
): string {
  return sha256(
    JSON.stringify([
      [...settings.activeStatuses].sort(),
      settings.appBaseUrl,
      // JSON leaves out the functions that read credentials.
      route.tracker ?? null,
      route.target,
      route.options,
      route.labels,
      route.minimumSeverity,
      route.defaultBranch,
      route.problem,
    ]),
  );
}

const isGone = (error: unknown) =>
  error instanceof TrackerError && error.kind === 'gone';

/** Thrown when another worker took over a row; that worker finishes it. */
class LeaseLost extends Error {}

/**
 * Thrown when the attempt must wait: a create longer for the pacer than a
 * run waits, or a lookup for the tracker's search to catch up.
 */
class AttemptMustWait extends Error {
  constructor(readonly delayMs: number, why: string) {
    super(`${why}: ${delayMs} ms`);
  }
}

/** Thrown when the tracker refuses new issues for the entity's target. */
class TargetRefused extends Error {}

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
      notPushed: 0,
    };
    const { routes, targetProblems } = await this.requeueChangedRoutes();
    await this.options.clients.refreshPacing();
    const run: RunState = {
      routes,
      targetProblems,
      pausedUntil: new Map(),
      down: new Map(),
      failures: [],
      settled: new Set(),
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
    await this.options.notifier.report(run.failures, [...run.settled]);
    if (report.claimed > 0) {
      logger.info(
        `Tracker sync: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.failed} failed, ${report.deferred} deferred, ${report.notPushed} not pushed`,
      );
    }
    return report;
  }

  /**
   * Queues the observations of every entity whose route (annotations or
   * tracker configuration) changed since the last run, and returns all
   * routes for the run. A first run queues every routed entity. A route
   * whose tracker cannot sync queues them too, so that they say so (off);
   * a route to no tracker, or with a problem, only those that say why
   * they are not pushed, since that may have changed.
   */
  private async requeueChangedRoutes(): Promise<{
    routes: Map<string, TrackerRoute>;
    targetProblems: Map<string, string | null>;
  }> {
    const { store } = this.options;
    const entityRefs = await store.entitiesWithObservations();
    const routes = await this.options.routesOf(entityRefs);
    const known = await store.routeStates();
    for (const entityRef of entityRefs) {
      // Gone from the catalog: its rows fail until it is back, and then its
      // route counts as changed, which queues them again.
      if (!routes.has(entityRef) && known.has(entityRef)) {
        await store.deleteRouteHash(entityRef);
      }
    }
    for (const [entityRef, route] of routes) {
      const hash = routeHash(route, this.options);
      if (known.get(entityRef)?.routeHash === hash) continue;
      const syncs = route.tracker && !route.problem;
      await store.enqueueEntity({
        entityRef,
        branch: route.defaultBranch,
        activeStatuses: this.options.activeStatuses,
        now: this.now(),
        notPushedOnly: !syncs && !this.offReason(route),
      });
      await store.saveRouteHash(entityRef, hash, this.now());
      known.delete(entityRef);
    }
    return {
      routes,
      targetProblems: new Map(
        [...known].map(([ref, state]) => [ref, state.targetProblem]),
      ),
    };
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
    let intent = intentOf(row, route);
    if (!route) {
      return this.fail(row, run, {
        message: `the entity ${row.entity_ref} is not in the catalog`,
        retry: false,
      });
    }
    if (intent?.trackerId && !clients.isConfigured(intent.trackerId)) {
      // Its tracker left the configuration: there is nowhere to look.
      this.options.logger.warn(
        `Observation ${row.id}: an interrupted create on the tracker '${intent.trackerId}', which is no longer configured, cannot be checked`,
      );
      intent = null;
    }
    // The linked issue's tracker; else the one an interrupted create went
    // to (looked at there, wherever the entity routes now); else the route's.
    const trackerId =
      linked?.trackerId ?? intent?.trackerId ?? route.tracker?.id;
    if (!trackerId) {
      // Not routed, nothing to close: out of the queue. A create in doubt
      // of unknown target stays on record, to be looked for once the
      // entity routes again.
      await store.recordSynced(row, this.untracked(intent !== null));
      return 'unchanged';
    }
    const observation = observationFromRow(row);
    const decision = decideIssue(
      observation,
      route,
      this.options.activeStatuses,
    );
    if (!linked && !intent && decision.state === 'closed') {
      // No issue, none wanted: no call, whatever the tracker or the route.
      return this.notPushed(row, run, 'not_pushed', notPushedReason(decision));
    }
    // Off by configuration, not failing: no attempt, no notification.
    const off = clients.unavailableReason(trackerId) ?? this.offReason(route);
    if (off) {
      return this.notPushed(row, run, 'off', off);
    }
    if (route.problem) {
      return this.fail(row, run, {
        message: route.problem,
        retry: false,
        kind: 'routing',
      });
    }
    const paused = run.pausedUntil.get(trackerId);
    if (paused && paused > this.clock.now()) {
      return this.defer(row, run, paused);
    }
    const down = run.down.get(trackerId);
    if (down && down.failuresInARow >= DOWN_AFTER_FAILURES_IN_A_ROW) {
      return this.fail(row, run, {
        message: `${down.message} (not tried again in this run: the tracker failed ${down.failuresInARow} attempts in a row)`,
        notice: down.message,
        retry: true,
        kind: 'unavailable',
      });
    }

    let attempt: Attempt | undefined;
    try {
      const client = (await clients.get(trackerId))!;
      const desired = renderIssue({
        observation,
        decision,
        labels: route.labels,
        appBaseUrl: this.options.appBaseUrl,
        bodyLimit: client.descriptionLimit,
      });
      const routesHere = route.tracker?.id === trackerId;
      attempt = {
        row,
        client,
        trackerId,
        // Where this tracker's new issues go. Null when the entity no
        // longer routes here (no tracker, or another one): its existing
        // issue is still updated and closed, but nothing new is created.
        target: routesHere
          ? { project: route.target!, options: route.options }
          : null,
        routedElsewhere: Boolean(route.tracker && !routesHere),
        desired,
        events: [],
        link: linked,
        pushedHash: row.tracker_synced_hash,
        pushedLabels: linked
          ? JSON.parse(row.tracker_synced_labels ?? '[]')
          : [],
        intent: linked ? null : intent,
        requeue: false,
      };
      return await this.push(attempt, run);
    } catch (error) {
      if (error instanceof LeaseLost) return 'deferred';
      if (error instanceof AttemptMustWait) {
        return this.defer(row, run, this.clock.now() + error.delayMs);
      }
      const createInDoubt = attempt ? attempt.intent !== null : !!intent;
      if (error instanceof TargetRefused) {
        return this.fail(row, run, {
          message: error.message,
          retry: true,
          kind: 'target',
          createInDoubt,
        });
      }
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
      if (failure.kind === 'unavailable') {
        const downSoFar = run.down.get(trackerId);
        run.down.set(trackerId, {
          failuresInARow: (downSoFar?.failuresInARow ?? 0) + 1,
          message: failure.message,
        });
      }
      return this.fail(row, run, {
        message: failure.message,
        retry: true,
        kind: failure.kind,
        createInDoubt,
        retryAfterMs: failure.details.retryAfterMs,
      });
    }
  }

  /** Brings the issue to what the rules want, with as few calls as it takes. */
  private async push(attempt: Attempt, run: RunState): Promise<Outcome> {
    const { row, desired, client } = attempt;
    const hash = pushedContentHash(desired, client.pushedExtras(desired));
    let outcome: Outcome = 'unchanged';
    if (!attempt.link && attempt.intent) {
      await this.findEarlierCreate(attempt);
    }
    if (!attempt.link) {
      if (desired.state === 'closed' || !attempt.target) {
        await this.options.store.recordSynced(row, {
          ...this.untracked(attempt.intent !== null),
          // Looked on the tracker of an interrupted create and found
          // nothing: the issue is to be created where the entity routes.
          requeue: desired.state === 'open' && attempt.routedElsewhere,
        });
        return 'unchanged';
      }
      await this.checkTarget(attempt, run);
      await this.create(attempt, 'issue_created', null);
      outcome = 'created';
    } else if (attempt.pushedHash !== hash) {
      outcome = await this.update(attempt, run);
    } else if (attempt.link.state !== desired.state) {
      // Pushed before, and the tracker could not take the issue there (a
      // Jira workflow without the transition): that is still the news.
      attempt.problem =
        row.sync_last_error ??
        `the issue ${attempt.link.key} is ${attempt.link.state}, not ${desired.state}`;
    }
    const newLabels = attempt.link
      ? desired.labels.filter(label => !attempt.pushedLabels.includes(label))
      : [];
    if (newLabels.length > 0) {
      const labelled = await this.addLabels(attempt, run, newLabels);
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
      problem: attempt.problem,
      now: this.now(),
    });
    if (attempt.problem) {
      run.failures.push({
        entityRef: row.entity_ref,
        problem: 'workflow',
        message: attempt.problem,
        attempts: 1,
      });
      return 'failed';
    }
    run.down.delete(attempt.trackerId);
    run.settled.add(row.entity_ref);
    return outcome;
  }

  /**
   * Before a create: asks the tracker whether new issues can go to the
   * target (a Jira project, issue type and component), and keeps its
   * answer on the entity for the Security tab, from any replica.
   */
  private async checkTarget(attempt: Attempt, run: RunState): Promise<void> {
    const entityRef = attempt.row.entity_ref;
    const problem = await attempt.client.checkTarget(attempt.target!);
    if ((run.targetProblems.get(entityRef) ?? null) !== problem) {
      await this.options.store.saveTargetProblem(
        entityRef,
        problem,
        this.now(),
      );
      run.targetProblems.set(entityRef, problem);
    }
    if (problem) throw new TargetRefused(problem);
  }

  /**
   * An earlier attempt wrote a create intent and did not store a link: the
   * issue may exist. It is looked for by its marker where that create went
   * (the recorded tracker and target); found, it is linked instead of
   * created again.
   */
  private async findEarlierCreate(attempt: Attempt): Promise<void> {
    const intent = attempt.intent!;
    const target = intent.target ?? attempt.target;
    // An intent from before intents named their target, for an entity
    // that routes nowhere now: it stays in doubt until it routes again.
    if (!target) return;
    const lookup = await attempt.client.findByMarker(
      target,
      attempt.row.id,
      intent.at,
    );
    if ('notBefore' in lookup) {
      throw new AttemptMustWait(
        Math.max(0, lookup.notBefore.getTime() - this.clock.now()),
        `the tracker's search may not show a create of ${intent.at.toISOString()} yet`,
      );
    }
    if (lookup.found) {
      attempt.link = { trackerId: attempt.trackerId, ...lookup.found };
      attempt.pushedHash = null; // pushed content unknown: update it
      attempt.pushedLabels = attempt.desired.labels;
      attempt.issueCreatedAt = intent.at;
      attempt.events.push({
        type: 'issue_found',
        from: null,
        to: lookup.found.key,
        comment:
          'Linked the issue an interrupted sync had created, found by its marker',
      });
    }
    // Looked and not found: no earlier create to worry about.
    attempt.intent = null;
  }

  private async create(
    attempt: Attempt,
    type: LinkEvent['type'],
    from: string | null,
  ): Promise<void> {
    const { row, client, desired } = attempt;
    const target = attempt.target!;
    // Every create, a recreate too: a long wait for the pacer would outlast
    // the lease and the run; the row comes back when a create can go.
    const delayMs = client.createDelayMs();
    if (delayMs > this.maxPacingWaitMs()) {
      throw new AttemptMustWait(delayMs, 'creates are paced');
    }
    await this.renew(row);
    const intent: CreateIntent = { trackerId: attempt.trackerId, target };
    // Committed right before the request goes out, after any pacing wait.
    const recordIntent = async () => {
      const at = this.now();
      const ours = await this.options.store.recordCreateIntent(row, at, {
        clearLink: from !== null,
        intent,
      });
      // The lease ran out during the pacing wait: another worker has it.
      if (!ours) throw new LeaseLost();
      attempt.intent = { ...intent, at };
    };
    try {
      const { requestedAt, ...issue } = await client.create(
        target,
        desired,
        recordIntent,
      );
      attempt.link = { trackerId: attempt.trackerId, ...issue };
      // The time the tracker's pacer counted: replicas pace by it.
      attempt.issueCreatedAt = requestedAt;
    } catch (error) {
      // A refused create created nothing; a 5xx or timeout may have.
      if (error instanceof TrackerError && !error.outcomeUnknown) {
        attempt.intent = null;
      }
      throw error;
    }
    attempt.intent = null;
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

  private async update(attempt: Attempt, run: RunState): Promise<Outcome> {
    const { row, client, desired } = attempt;
    const link = attempt.link!;
    await this.renew(row);
    try {
      const { problem, ...issue } = await client.update(link.key, desired);
      if (issue.key !== link.key) {
        attempt.events.push({
          type: 'issue_moved',
          from: link.key,
          to: issue.key,
          comment: `The issue was moved to ${issue.key}`,
        });
      }
      attempt.link = { trackerId: attempt.trackerId, ...issue };
      attempt.problem = problem;
      return 'updated';
    } catch (error) {
      if (!isGone(error)) throw error;
      return this.replaceGoneIssue(attempt, run);
    }
  }

  /** Adds labels the issue does not have yet; it may turn out to be gone. */
  private async addLabels(
    attempt: Attempt,
    run: RunState,
    labels: string[],
  ): Promise<Outcome> {
    await this.renew(attempt.row);
    try {
      await attempt.client.addLabels(attempt.link!.key, labels);
      attempt.pushedLabels = [...attempt.pushedLabels, ...labels];
      return 'updated';
    } catch (error) {
      if (!isGone(error)) throw error;
      return this.replaceGoneIssue(attempt, run);
    }
  }

  /**
   * The tracker says the linked issue is gone: an issue that should be
   * open is created anew where the entity routes; otherwise the link goes.
   */
  private async replaceGoneIssue(
    attempt: Attempt,
    run: RunState,
  ): Promise<Outcome> {
    const gone = attempt.link!;
    attempt.link = null;
    attempt.pushedLabels = [];
    attempt.problem = undefined;
    if (attempt.desired.state === 'open' && attempt.target) {
      await this.checkTarget(attempt, run);
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
      /** The tracker asked to come back no earlier (a 503's Retry-After). */
      retryAfterMs?: number;
      /** What the owners are told, when not the message: the tracker's own words. */
      notice?: string;
    },
  ): Promise<Outcome> {
    const attempts = Number(row.sync_attempts) + 1;
    const waitMs = Math.max(backoffMs(attempts), failure.retryAfterMs ?? 0);
    await this.options.store.recordFailure(row, {
      message: failure.message,
      nextAttemptAt: failure.retry ? new Date(this.clock.now() + waitMs) : null,
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
        message: failure.notice ?? failure.message,
        attempts,
      });
    }
    return 'failed';
  }

  /**
   * Settles the row without a tracker call, saying why: not a failure, so
   * no attempt counts and nobody is notified.
   */
  private async notPushed(
    row: ClaimedObservation,
    run: RunState,
    state: NotPushedState,
    reason: string,
  ): Promise<Outcome> {
    await this.options.store.recordNotPushed(row, { state, reason });
    run.settled.add(row.entity_ref);
    return 'notPushed';
  }

  /** Why the route's tracker cannot sync (no credentials, ...), if so. */
  private offReason(route: TrackerRoute): string | undefined {
    return route.tracker
      ? this.options.clients.unavailableReason(route.tracker.id)
      : undefined;
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
    if (until - this.clock.now() > this.maxPacingWaitMs()) return false;
    try {
      // A timer may fire a little before the clock reads its deadline (the
      // event loop's cached time lags under load): a claim then would find
      // the rows not yet due and end the run. Sleep until the clock agrees.
      for (let wait = until - this.clock.now(); wait >= 0; ) {
        await this.clock.sleep(wait + 1, signal);
        wait = until - this.clock.now();
      }
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
  /** What each entity's tracker last said of its target, as stored. */
  targetProblems: Map<string, string | null>;
  /** Trackers that answered with a rate limit, until when. */
  pausedUntil: Map<string, number>;
  /** Trackers whose last attempts failed as unavailable: how many in a row, the last error. */
  down: Map<string, { failuresInARow: number; message: string }>;
  failures: SyncFailure[];
  /**
   * Entities with at least one observation settled in this run without a
   * failure (synced, or not pushed by configuration or the rules).
   */
  settled: Set<string>;
  /** The earliest time a row this run deferred is due again. */
  resumeAt?: number;
}

/** A create that may have happened: when, and where it was sent. */
interface OpenIntent {
  at: Date;
  /** Null for an intent recorded before intents named their tracker. */
  trackerId: string | null;
  target: IssueTarget | null;
}

/** One observation's sync in progress. */
interface Attempt {
  row: ClaimedObservation;
  client: TrackerClient;
  trackerId: string;
  target: IssueTarget | null;
  /** The entity routes to another tracker than the attempt's. */
  routedElsewhere: boolean;
  desired: DesiredIssue;
  events: LinkEvent[];
  link: IssueLink | null;
  pushedHash: string | null;
  pushedLabels: string[];
  issueCreatedAt?: Date;
  /** An issue may exist that no link points to yet. */
  intent: OpenIntent | null;
  /** Due again at once: the issue is to be created on another tracker. */
  requeue: boolean;
  /** What the tracker could not do although the content was pushed. */
  problem?: string;
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

/**
 * The row's create in doubt, if any. An intent recorded before intents
 * named their tracker went where the entity routed then; it is taken to be
 * where the entity routes now, as the sync always did.
 */
function intentOf(
  row: ClaimedObservation,
  route: TrackerRoute | undefined,
): OpenIntent | null {
  if (row.tracker_create_intent_at === null) return null;
  const at = new Date(toIsoString(row.tracker_create_intent_at));
  if (row.tracker_create_intent_tracker_id) {
    return {
      at,
      trackerId: row.tracker_create_intent_tracker_id,
      target: row.tracker_create_intent_target
        ? JSON.parse(row.tracker_create_intent_target)
        : null,
    };
  }
  return route?.tracker && route.target
    ? {
        at,
        trackerId: route.tracker.id,
        target: { project: route.target, options: route.options },
      }
    : { at, trackerId: null, target: null };
}
