import { Knex } from 'knex';
import type { Actor } from './applyAssessment';
import { observationsOfEntity } from './applyAssessment';
import { toIsoString } from './dates';
import { forgetReportsOfObservations } from './identicalReimport';
import { isPostgres, whereInJsonValues } from './jsonRows';
import {
  observationFromRow,
  observationsWithLastSeen,
} from './observationRows';
import { SYNC_ACTOR } from './syncQueue';

/*
 * Admin deletes: the observation rows go at once, in one transaction with
 * their comments and their place in pending reviews, so that no read,
 * import or sync can see them again. Their audit log stays (it is
 * append-only), with an entry saying who deleted them. A tracker issue
 * still to be closed waits in `deleted_observation_issues` for the sync.
 * Every statement of it is in this file.
 */

/** A deleted observation's issue, claimed by one sync worker. */
export interface DeletedIssueRow {
  observation_id: string;
  entity_ref: string;
  tracker_id: string;
  issue_key: string | null;
  issue_url: string | null;
  create_intent_at: unknown;
  create_intent_target: string | null;
  /** JSON `Observation`, as it was deleted. */
  observation: string;
  deleted_by: string;
  deleted_at: unknown;
  attempts: number;
  lease_owner: string;
}

export interface DeleteObservationsResult {
  deleted: number;
  /** Of those, how many have a tracker issue (or a create in doubt) to close. */
  issuesToClose: number;
}

/**
 * Deletes observations of one entity, all or none: every id must exist
 * (else 404 naming it) and belong to the entity (else 400).
 */
export async function deleteObservations(
  db: Knex,
  input: {
    entityRef: string;
    observationIds: string[];
    actor: Actor;
    now: Date;
  },
): Promise<DeleteObservationsResult> {
  const now = input.now.toISOString();
  const ids = [...new Set(input.observationIds)];
  return db.transaction(async trx => {
    await observationsOfEntity(trx, input.entityRef, ids);
    const lockedRows = trx(observationsWithLastSeen(trx)).where(
      whereInJsonValues(trx, 'id', ids),
    );
    // A sync worker that holds a row may be writing its issue right now:
    // the row is locked for the delete, and the close waits for its lease.
    if (isPostgres(trx)) {
      await trx('observations')
        .where(whereInJsonValues(trx, 'id', ids))
        .forUpdate()
        .select('id');
    }
    const rows: Array<Record<string, any>> = await lockedRows.select('*');
    const toClose = rows.filter(
      row =>
        (row.tracker_id && row.tracker_issue_key) ||
        (row.tracker_create_intent_at && row.tracker_create_intent_tracker_id),
    );
    if (toClose.length > 0) {
      await trx('deleted_observation_issues').insert(
        toClose.map(row => {
          const leaseEnds = row.sync_lease_expires_at
            ? toIsoString(row.sync_lease_expires_at)
            : now;
          return {
            observation_id: row.id,
            entity_ref: row.entity_ref,
            tracker_id: row.tracker_issue_key
              ? row.tracker_id
              : row.tracker_create_intent_tracker_id,
            issue_key: row.tracker_issue_key,
            issue_url: row.tracker_issue_url,
            create_intent_at: row.tracker_issue_key
              ? null
              : row.tracker_create_intent_at,
            create_intent_target: row.tracker_issue_key
              ? null
              : row.tracker_create_intent_target,
            observation: JSON.stringify(observationFromRow(row as any)),
            deleted_by: input.actor.ref,
            deleted_at: now,
            attempts: 0,
            next_attempt_at: leaseEnds > now ? leaseEnds : now,
          };
        }),
      );
    }
    await trx('observation_events').insert(
      rows.map(row => ({
        observation_id: row.id,
        entity_ref: row.entity_ref,
        type: 'deleted',
        actor: input.actor.ref,
        actor_kind: input.actor.kind,
        import_id: null,
        changes: JSON.stringify({ status: { from: row.status, to: null } }),
        comment: row.tracker_issue_key
          ? `Deleted; ${row.tracker_issue_key} is to be closed as not planned`
          : 'Deleted',
        created_at: now,
      })),
    );
    await trx('observation_comments')
      .where(whereInJsonValues(trx, 'observation_id', ids))
      .delete();
    await withoutDeletedFromReviews(
      trx,
      input.entityRef,
      ids,
      input.actor,
      now,
    );
    // The same report again must bring a deleted finding back as new.
    await forgetReportsOfObservations(trx, ids);
    await trx('observations').where(whereInJsonValues(trx, 'id', ids)).delete();
    return { deleted: rows.length, issuesToClose: toClose.length };
  });
}

/**
 * Pending reviews (four-eyes) that name deleted observations go on without
 * them; one left with none is rejected, saying why, instead of failing
 * when someone approves it.
 */
async function withoutDeletedFromReviews(
  trx: Knex.Transaction,
  entityRef: string,
  ids: string[],
  actor: Actor,
  now: string,
) {
  const deleted = new Set(ids);
  const pending: Array<{ id: string; observation_ids: string }> = await trx(
    'pending_assessments',
  )
    .where({ entity_ref: entityRef, state: 'pending' })
    .select('id', 'observation_ids');
  for (const review of pending) {
    const named: string[] = JSON.parse(review.observation_ids);
    const kept = named.filter(id => !deleted.has(id));
    if (kept.length === named.length) continue;
    await trx('pending_assessments')
      .where({ id: review.id })
      .update(
        kept.length > 0
          ? { observation_ids: JSON.stringify(kept) }
          : {
              state: 'rejected',
              decided_by: actor.ref,
              decided_at: now,
              decision_comment: 'Its observations were deleted',
            },
      );
  }
}

const notLeased = (now: string) => (query: Knex.QueryBuilder) =>
  query.whereNull('lease_expires_at').orWhere('lease_expires_at', '<', now);

/**
 * Claims up to `limit` due issues of deleted observations for one worker,
 * one row at a time: there are few, and a row another worker took in
 * between is simply not claimed.
 */
export async function claimDeletedIssues(
  db: Knex,
  options: { owner: string; now: Date; leaseUntil: Date; limit: number },
): Promise<DeletedIssueRow[]> {
  const now = options.now.toISOString();
  const due: Array<{ observation_id: string }> = await db(
    'deleted_observation_issues',
  )
    .where('next_attempt_at', '<=', now)
    .where(notLeased(now))
    .orderBy('next_attempt_at')
    .limit(options.limit)
    .select('observation_id');
  const claimed: DeletedIssueRow[] = [];
  for (const { observation_id } of due) {
    const taken = await db('deleted_observation_issues')
      .where({ observation_id })
      .where(notLeased(now))
      .update({
        lease_owner: options.owner,
        lease_expires_at: options.leaseUntil.toISOString(),
      });
    if (taken === 1) {
      claimed.push(
        await db('deleted_observation_issues')
          .where({ observation_id })
          .first(),
      );
    }
  }
  return claimed;
}

/** What became of a deleted observation's issue, for its audit log. */
export interface DeletedIssueOutcome {
  /**
   * Closed (or updated, when the tracker's workflow could not close it),
   * gone from the tracker, never created by an interrupted create, or
   * left on a tracker that is no longer configured.
   */
  type: 'issue_closed' | 'issue_gone' | 'issue_not_found' | 'issue_left';
  issueKey: string | null;
  comment: string;
  now: Date;
}

/**
 * Nothing more to do for the issue: the row goes, and the deleted
 * observation's audit log says what became of its issue.
 */
export async function recordDeletedIssueSettled(
  db: Knex,
  row: DeletedIssueRow,
  outcome: DeletedIssueOutcome,
): Promise<void> {
  await db.transaction(async trx => {
    const removed = await trx('deleted_observation_issues')
      .where({
        observation_id: row.observation_id,
        lease_owner: row.lease_owner,
      })
      .delete();
    if (removed !== 1) return; // another worker took over, and records it
    await trx('observation_events').insert({
      observation_id: row.observation_id,
      entity_ref: row.entity_ref,
      type: outcome.type,
      actor: SYNC_ACTOR.ref,
      actor_kind: SYNC_ACTOR.kind,
      import_id: null,
      changes: JSON.stringify({
        trackerIssue: { from: outcome.issueKey, to: null },
      }),
      comment: outcome.comment,
      created_at: outcome.now.toISOString(),
    });
  });
}

/** A failed or deferred attempt: due again at `nextAttemptAt`. */
export async function recordDeletedIssueRetry(
  db: Knex,
  row: DeletedIssueRow,
  retry: { message: string; nextAttemptAt: Date; countsAsAttempt: boolean },
): Promise<void> {
  await db('deleted_observation_issues')
    .where({ observation_id: row.observation_id, lease_owner: row.lease_owner })
    .update({
      lease_owner: null,
      lease_expires_at: null,
      attempts: retry.countsAsAttempt
        ? db.raw('attempts + 1')
        : db.raw('attempts'),
      last_error: retry.message.slice(0, 2000),
      next_attempt_at: retry.nextAttemptAt.toISOString(),
    });
}
