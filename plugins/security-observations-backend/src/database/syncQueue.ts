import { Knex } from 'knex';
import { Status } from 'backstage-plugin-security-observations-common';
import { decideByStatus, notPushedReason } from '../sync/issueRules';
import type { Actor } from './applyAssessment';
import { toIsoStringOrNull } from './dates';
import { isPostgres, whereInJsonValues } from './jsonRows';
import { ObservationRow } from './observationRows';

/*
 * The durable queue of the tracker sync lives in the observations table:
 * `sync_state` pending / synced / failed, attempts, next attempt, last error,
 * plus a lease (who works on a row until when) and a generation that every
 * enqueue bumps. Rows the sync will not push are settled as `off` (the
 * entity's tracker cannot sync) or `not_pushed` (the rules want no issue),
 * with the reason in `sync_not_pushed_reason`: neither is a failure. Every
 * statement of it is in this file.
 */

/** An observation claimed by one sync worker. */
export interface ClaimedObservation extends ObservationRow {
  sync_generation: number;
  sync_lease_owner: string;
  tracker_create_intent_at: unknown;
  /** Null for an intent recorded before intents named their tracker. */
  tracker_create_intent_tracker_id: string | null;
  /** JSON `{project, options}`, or null as above. */
  tracker_create_intent_target: string | null;
  tracker_synced_hash: string | null;
  tracker_synced_labels: string | null;
}

/** The issue an observation is linked to, as the sync stores it. */
export interface IssueLink {
  trackerId: string;
  key: string;
  url: string;
  state: string;
}

const notLeased = (now: string) => (query: Knex.QueryBuilder) =>
  query
    .whereNull('sync_lease_expires_at')
    .orWhere('sync_lease_expires_at', '<', now);

/** States of rows the sync will not push; the row says why. */
export type NotPushedState = 'off' | 'not_pushed';
const NOT_PUSHED_STATES: NotPushedState[] = ['off', 'not_pushed'];

/** A row with an issue, or a create whose outcome is not known. */
const LINKED_SQL =
  '(tracker_issue_key IS NOT NULL OR tracker_create_intent_at IS NOT NULL)';

/**
 * The columns that put a row into the queue, due now. With the row's new
 * `status`: a status that never has an open issue (a false positive, an
 * accepted risk, ...) needs the sync only for an issue to close (or a
 * create in doubt); a row without either is settled at once as
 * `not_pushed`, saying why, instead of showing "pending" for an issue that
 * never comes. A row that no sync ever looked at (its entity has no
 * tracker) stays without a sync state.
 */
export function enqueueAssignments(db: Knex, now: Date, status?: Status) {
  const at = now.toISOString();
  const decision = status && decideByStatus(status);
  if (!decision) {
    return {
      sync_state: 'pending',
      sync_next_attempt_at: at,
      sync_generation: db.raw('sync_generation + 1'),
    };
  }
  // In SQL, every expression of an UPDATE reads the row as it was.
  const settled = `NOT ${LINKED_SQL} AND sync_state IS NOT NULL`;
  // Postgres types a CASE of a parameter and NULL as text.
  const timestamp = isPostgres(db) ? 'CAST(? AS timestamptz)' : '?';
  return {
    sync_state: db.raw(
      `CASE WHEN ${LINKED_SQL} THEN 'pending' WHEN sync_state IS NULL THEN NULL ELSE 'not_pushed' END`,
    ),
    sync_next_attempt_at: db.raw(
      `CASE WHEN ${LINKED_SQL} THEN ${timestamp} ELSE NULL END`,
      [at],
    ),
    sync_not_pushed_reason: db.raw(
      `CASE WHEN ${settled} THEN ? ELSE sync_not_pushed_reason END`,
      [notPushedReason(decision)],
    ),
    sync_last_error: db.raw(
      `CASE WHEN ${settled} THEN NULL ELSE sync_last_error END`,
    ),
    sync_attempts: db.raw(`CASE WHEN ${settled} THEN 0 ELSE sync_attempts END`),
    sync_generation: db.raw('sync_generation + 1'),
  };
}

/**
 * Queues the entity's observations that a sync could act on: those with an
 * issue (or a create in doubt), the active ones on the synced branch, and
 * those whose last attempt failed (a failure that waits for a change of
 * route would otherwise stay on the tab after the fix). Resolved or
 * assessed observations without an issue never need a call. Those that
 * say why they are not pushed are queued too: the reason may no longer
 * hold. With `notPushedOnly` (the entity's route changed, and does not
 * sync), only those.
 */
export async function enqueueEntity(
  db: Knex,
  options: {
    entityRef: string;
    branch: string;
    activeStatuses: Status[];
    now: Date;
    notPushedOnly?: boolean;
  },
): Promise<number> {
  return db('observations')
    .where({ entity_ref: options.entityRef })
    .where(query =>
      options.notPushedOnly
        ? query.whereIn('sync_state', NOT_PUSHED_STATES)
        : query
            .whereNotNull('tracker_issue_key')
            .orWhereNotNull('tracker_create_intent_at')
            .orWhereIn('sync_state', ['failed', ...NOT_PUSHED_STATES])
            .orWhere(active =>
              active
                .where({ branch: options.branch })
                .whereIn('status', options.activeStatuses),
            ),
    )
    .update(enqueueAssignments(db, options.now));
}

/**
 * Claims up to `limit` due observations for one worker until `leaseUntil`.
 * Two workers never get the same row: the update only takes rows whose
 * lease has ended. On Postgres, rows another worker is claiming at this
 * moment are skipped (`FOR UPDATE SKIP LOCKED`): without it, both pick the
 * same first rows, the second waits for the first's commit, finds them
 * leased and claims nothing, and an empty claim reads as "nothing is due".
 * SQLite has one writer at a time, so claims cannot overlap there.
 */
export async function claimDueObservations(
  db: Knex,
  options: { owner: string; now: Date; leaseUntil: Date; limit: number },
): Promise<ClaimedObservation[]> {
  const now = options.now.toISOString();
  const due = db('observations')
    .select('id')
    .whereIn('sync_state', ['pending', 'failed'])
    .where('sync_next_attempt_at', '<=', now)
    .where(notLeased(now))
    .orderBy('sync_next_attempt_at')
    .limit(options.limit);
  const lease = {
    sync_lease_owner: options.owner,
    sync_lease_expires_at: options.leaseUntil.toISOString(),
  };
  if (isPostgres(db)) {
    // Materialized, so the locked rows are picked once: as a subquery of
    // the update, Postgres may scan it again, and each scan skips other
    // locks and takes other rows, claiming more than `limit`.
    due.forUpdate().skipLocked();
    await db
      .withMaterialized('due', due)
      .from('observations')
      .whereIn('id', db.select('id').from('due'))
      .where(notLeased(now))
      .update(lease);
  } else {
    await db('observations')
      .whereIn('id', due)
      .where(notLeased(now))
      .update(lease);
  }
  return db('observations')
    .where({ sync_lease_owner: options.owner })
    .orderBy('sync_next_attempt_at')
    .select('*');
}

/**
 * Extends the lease of a claimed row right before a tracker call; false when
 * the row is no longer this worker's (its lease ran out and another took it).
 */
export async function renewLease(
  db: Knex,
  row: ClaimedObservation,
  leaseUntil: Date,
): Promise<boolean> {
  const updated = await db('observations')
    .where({ id: row.id, sync_lease_owner: row.sync_lease_owner })
    .update({ sync_lease_expires_at: leaseUntil.toISOString() });
  return updated === 1;
}

/** Lets the rows go without an attempt, due again at `nextAttemptAt`. */
export async function releaseObservations(
  db: Knex,
  owner: string,
  ids: string[],
  nextAttemptAt: Date | null,
): Promise<void> {
  if (ids.length === 0) return;
  await db('observations')
    .where({ sync_lease_owner: owner })
    .where(whereInJsonValues(db, 'id', ids))
    .update({
      sync_lease_owner: null,
      sync_lease_expires_at: null,
      ...(nextAttemptAt
        ? { sync_next_attempt_at: nextAttemptAt.toISOString() }
        : {}),
    });
}

/** Where an issue is about to be created. */
export interface CreateIntent {
  trackerId: string;
  target: { project: string; options: Record<string, string> };
}

/**
 * Records, and commits, that an issue is about to be created, and where:
 * if the process dies before `recordSynced` stores the link, the next
 * attempt looks for the issue by its marker there first. False when the
 * row is no longer this worker's.
 */
export async function recordCreateIntent(
  db: Knex,
  row: ClaimedObservation,
  now: Date,
  options: { clearLink: boolean; intent: CreateIntent },
): Promise<boolean> {
  const updated = await db('observations')
    .where({ id: row.id, sync_lease_owner: row.sync_lease_owner })
    .update({
      tracker_create_intent_at: now.toISOString(),
      tracker_create_intent_tracker_id: options.intent.trackerId,
      tracker_create_intent_target: JSON.stringify(options.intent.target),
      // A gone issue's link goes with the intent of its successor, so an
      // interrupted recreate is found by its marker, not recreated again.
      ...(options.clearLink
        ? {
            tracker_issue_key: null,
            tracker_issue_url: null,
            tracker_issue_state: null,
            tracker_synced_hash: null,
            tracker_synced_labels: null,
          }
        : {}),
    });
  // Not this worker's row any more (its lease ran out while the create
  // waited for the pacer): the create must not go.
  return updated === 1;
}

/** The link change an audit entry records. */
export interface LinkEvent {
  type:
    | 'issue_created'
    | 'issue_found'
    | 'issue_recreated'
    | 'issue_moved'
    | 'issue_gone';
  from: string | null;
  to: string | null;
  comment: string;
}

/** Who the sync acts as in the audit log. */
export const SYNC_ACTOR: Actor = { ref: 'system', kind: 'system' };

/** No live status of a linked issue (see trackerActivity.ts). */
export const LIVE_STATUS_CLEARED = {
  tracker_live_status: null,
  tracker_live_changed_by: null,
  tracker_live_changed_at: null,
  tracker_live_seen_at: null,
  tracker_live_checked_at: null,
  tracker_live_etag: null,
};

/** The lease ends with the attempt. */
const LEASE_ENDED = { sync_lease_owner: null, sync_lease_expires_at: null };

/** No create in doubt any more. */
const INTENT_RESOLVED = {
  tracker_create_intent_at: null,
  tracker_create_intent_tracker_id: null,
  tracker_create_intent_target: null,
};

/**
 * The state after a successful sync: the link (null when the observation
 * has no issue and needs none), what was pushed, and audit entries for link
 * changes. The row stays pending when it was enqueued again meanwhile, or
 * when `requeue` says its issue is to be created by the next attempt.
 * `keepCreateIntent` keeps a create in doubt on record for a later lookup.
 */
export async function recordSynced(
  db: Knex,
  row: ClaimedObservation,
  result: {
    link: IssueLink | null;
    pushedHash: string | null;
    pushedLabels: string[];
    issueCreatedAt?: Date;
    events: LinkEvent[];
    keepCreateIntent: boolean;
    requeue: boolean;
    /**
     * What the tracker could not do although the content was pushed (a
     * workflow without a transition): shown as the error, not retried
     * until the observation changes.
     */
    problem?: string;
    now: Date;
  },
): Promise<boolean> {
  const now = result.now.toISOString();
  const { link } = result;
  const settled = result.problem
    ? { sync_state: 'failed', sync_last_error: result.problem.slice(0, 2000) }
    : { sync_state: link ? 'synced' : null, sync_last_error: null };
  return db.transaction(async trx => {
    const pushed = {
      ...LEASE_ENDED,
      sync_attempts: 0,
      sync_last_error: settled.sync_last_error,
      sync_not_pushed_reason: null,
      tracker_id: link?.trackerId ?? null,
      tracker_issue_key: link?.key ?? null,
      tracker_issue_url: link?.url ?? null,
      tracker_issue_state: link?.state ?? null,
      tracker_synced_hash: result.pushedHash,
      tracker_synced_labels: link ? JSON.stringify(result.pushedLabels) : null,
      ...(result.keepCreateIntent ? {} : INTENT_RESOLVED),
      // Another issue (or none): what a tracker said of the old one is moot.
      ...(link?.key !== row.tracker_issue_key ? LIVE_STATUS_CLEARED : {}),
      tracker_synced_at: link ? now : null,
      ...(result.issueCreatedAt
        ? { tracker_issue_created_at: result.issueCreatedAt.toISOString() }
        : {}),
    };
    const mine = { id: row.id, sync_lease_owner: row.sync_lease_owner };
    let updated = await trx('observations')
      .where({ ...mine, sync_generation: row.sync_generation })
      .update({
        ...pushed,
        ...(result.requeue
          ? { sync_state: 'pending', sync_next_attempt_at: now }
          : { sync_state: settled.sync_state, sync_next_attempt_at: null }),
      });
    if (updated === 0) {
      // Enqueued again while it was synced: it stays in the queue, and
      // what was pushed counts as unknown, so the next attempt writes the
      // issue (a tracker may have said meanwhile that it is gone or moved).
      updated = await trx('observations')
        .where(mine)
        .update({
          ...pushed,
          tracker_synced_hash: null,
          sync_state: 'pending',
          sync_next_attempt_at: now,
        });
    }
    if (updated === 1 && result.events.length > 0) {
      await trx('observation_events').insert(
        result.events.map(event => ({
          observation_id: row.id,
          entity_ref: row.entity_ref,
          type: event.type,
          actor: SYNC_ACTOR.ref,
          actor_kind: SYNC_ACTOR.kind,
          import_id: null,
          changes: JSON.stringify({
            trackerIssue: { from: event.from, to: event.to },
          }),
          comment: event.comment,
          created_at: now,
        })),
      );
    }
    return updated === 1;
  });
}

/**
 * A failed attempt: the error for the tab, the next attempt (null: only a
 * new enqueue retries, as for a routing problem), and whether a create may
 * have happened (then its intent stays, so the next attempt looks first).
 */
export async function recordFailure(
  db: Knex,
  row: ClaimedObservation,
  failure: {
    message: string;
    nextAttemptAt: Date | null;
    createInDoubt: boolean;
    countsAsAttempt: boolean;
  },
): Promise<void> {
  await db('observations')
    .where({ id: row.id, sync_lease_owner: row.sync_lease_owner })
    .update({
      ...LEASE_ENDED,
      sync_state: 'failed',
      sync_not_pushed_reason: null,
      sync_attempts: failure.countsAsAttempt
        ? db.raw('sync_attempts + 1')
        : db.raw('sync_attempts'),
      sync_last_error: failure.message.slice(0, 2000),
      sync_next_attempt_at: toIsoStringOrNull(failure.nextAttemptAt),
      ...(failure.createInDoubt ? {} : INTENT_RESOLVED),
    });
}

/**
 * The sync will not push the row, and says why: `off` when its tracker
 * cannot sync (no credentials, a tracker this backend does not support),
 * `not_pushed` when the rules want no issue and it has none. Not a
 * failure: no attempt counts, nothing is retried until the row or its
 * route changes, and the link and a create in doubt stay as they are.
 * False when the row was enqueued again meanwhile: it stays in the queue.
 */
export async function recordNotPushed(
  db: Knex,
  row: ClaimedObservation,
  settled: { state: NotPushedState; reason: string },
): Promise<boolean> {
  const mine = { id: row.id, sync_lease_owner: row.sync_lease_owner };
  const updated = await db('observations')
    .where({ ...mine, sync_generation: row.sync_generation })
    .update({
      ...LEASE_ENDED,
      sync_state: settled.state,
      sync_not_pushed_reason: settled.reason.slice(0, 2000),
      sync_last_error: null,
      sync_attempts: 0,
      sync_next_attempt_at: null,
    });
  if (updated === 0) {
    await db('observations').where(mine).update(LEASE_ENDED);
  }
  return updated === 1;
}

/** When this tracker created issues since `since`: seeds its pacer. */
export async function issueCreationTimes(
  db: Knex,
  trackerId: string,
  since: Date,
): Promise<Date[]> {
  const rows: Array<{ at: unknown }> = await db('observations')
    .where({ tracker_id: trackerId })
    .where('tracker_issue_created_at', '>=', since.toISOString())
    .select({ at: 'tracker_issue_created_at' });
  return rows.map(row => new Date(toIsoStringOrNull(row.at)!));
}

/** Entities that have observations: the sync checks their routes. */
export async function entitiesWithObservations(db: Knex): Promise<string[]> {
  const rows: Array<{ entity_ref: string }> = await db('observations')
    .distinct('entity_ref')
    .orderBy('entity_ref');
  return rows.map(row => row.entity_ref);
}

/** Per entity: the hash of its last route, and what the tracker said of its target. */
export interface EntityRouteState {
  routeHash: string;
  targetProblem: string | null;
}

export async function routeStates(
  db: Knex,
): Promise<Map<string, EntityRouteState>> {
  const rows: Array<{
    entity_ref: string;
    route_hash: string;
    target_problem: string | null;
  }> = await db('sync_entity_routes').select(
    'entity_ref',
    'route_hash',
    'target_problem',
  );
  return new Map(
    rows.map(row => [
      row.entity_ref,
      { routeHash: row.route_hash, targetProblem: row.target_problem },
    ]),
  );
}

/**
 * Records what the tracker said of the entity's target when the sync
 * checked it before creating; null once new issues can go there.
 */
export async function saveTargetProblem(
  db: Knex,
  entityRef: string,
  problem: string | null,
  now: Date,
): Promise<void> {
  await db('sync_entity_routes')
    .where({ entity_ref: entityRef })
    .update({
      target_problem: problem?.slice(0, 2000) ?? null,
      target_checked_at: now.toISOString(),
    });
}

/** What the tracker said of the entity's target, as last checked. */
export async function targetProblemOf(
  db: Knex,
  entityRef: string,
): Promise<string | null> {
  const row = await db('sync_entity_routes')
    .where({ entity_ref: entityRef })
    .first('target_problem');
  return row?.target_problem ?? null;
}

export async function deleteRouteHash(
  db: Knex,
  entityRef: string,
): Promise<void> {
  await db('sync_entity_routes').where({ entity_ref: entityRef }).delete();
}

export async function saveRouteHash(
  db: Knex,
  entityRef: string,
  routeHash: string,
  now: Date,
): Promise<void> {
  // A new route is checked anew before its first create.
  await db('sync_entity_routes')
    .insert({
      entity_ref: entityRef,
      route_hash: routeHash,
      checked_at: now.toISOString(),
      target_problem: null,
      target_checked_at: null,
    })
    .onConflict('entity_ref')
    .merge();
}

/** The failure notification last sent for (entity, problem), if any. */
export async function lastSyncNotification(
  db: Knex,
  entityRef: string,
  problem: string,
): Promise<{ message: string; sentAt: Date } | undefined> {
  const row = await db('sync_notifications')
    .where({ entity_ref: entityRef, problem })
    .first();
  return row
    ? {
        message: row.message,
        sentAt: new Date(toIsoStringOrNull(row.sent_at)!),
      }
    : undefined;
}

export async function saveSyncNotification(
  db: Knex,
  entry: { entityRef: string; problem: string; message: string; sentAt: Date },
): Promise<void> {
  await db('sync_notifications')
    .insert({
      entity_ref: entry.entityRef,
      problem: entry.problem,
      message: entry.message,
      sent_at: entry.sentAt.toISOString(),
    })
    .onConflict(['entity_ref', 'problem'])
    .merge();
}

/** Those of the entities that have observations whose sync failed. */
export async function entitiesWithSyncFailures(
  db: Knex,
  entityRefs: string[],
): Promise<Set<string>> {
  if (entityRefs.length === 0) return new Set();
  const rows: Array<{ entity_ref: string }> = await db('observations')
    .distinct('entity_ref')
    .where({ sync_state: 'failed' })
    .where(whereInJsonValues(db, 'entity_ref', entityRefs));
  return new Set(rows.map(row => row.entity_ref));
}

/** Forgets the entity's failure notifications once its sync works again. */
export async function clearSyncNotifications(
  db: Knex,
  entityRef: string,
): Promise<void> {
  await db('sync_notifications').where({ entity_ref: entityRef }).delete();
}
