import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { LiveStatus } from '../twoWay/TrackerActivity';
import { Actor } from './applyAssessment';
import { whereInJsonValues } from './jsonRows';
import { ObservationRow } from './observationRows';
import { enqueueAssignments, SYNC_ACTOR } from './syncQueue';

/*
 * What trackers say back (two-way sync): the live status of linked issues,
 * their deletion or move, and comments written on them. The rules (echo,
 * mapping) live in twoWay/TrackerActivityService.ts.
 */

/** What the store keeps of a linked issue's live status. */
export interface StoredLiveStatus extends Omit<LiveStatus, 'state'> {
  state: LiveStatus['state'] | 'gone';
}

/** The observations linked to an issue of one of the trackers. */
export async function observationsOfIssue(
  db: Knex,
  trackerIds: string[],
  issueKey: string,
): Promise<ObservationRow[]> {
  return db('observations')
    .where(whereInJsonValues(db, 'tracker_id', trackerIds))
    .where({ tracker_issue_key: issueKey })
    .select('*');
}

/** Linked issues of a tracker, least recently read first, for the reconciliation. */
export async function linkedIssuesToRead(
  db: Knex,
  options: { trackerId: string; entityRef?: string; limit: number },
): Promise<ObservationRow[]> {
  const query = db('observations')
    .where({ tracker_id: options.trackerId })
    .whereNotNull('tracker_issue_key');
  if (options.entityRef) query.where({ entity_ref: options.entityRef });
  return (
    query
      // Never read first, then the longest unread.
      .orderByRaw('tracker_live_checked_at is not null')
      .orderBy([
        { column: 'tracker_live_checked_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(options.limit)
      .select('*')
  );
}

/** The trackers with linked issues of an entity (or of every entity). */
export async function trackersWithLinkedIssues(
  db: Knex,
  entityRef?: string,
): Promise<string[]> {
  const query = db('observations')
    .whereNotNull('tracker_id')
    .whereNotNull('tracker_issue_key')
    .distinct('tracker_id');
  if (entityRef) query.where({ entity_ref: entityRef });
  return (await query).map((row: { tracker_id: string }) => row.tracker_id);
}

/** What the tracker shows of the issue now, and since when. */
export interface LiveStatusRecord {
  status: StoredLiveStatus;
  changedBy: string | null;
  changedAt: Date | null;
  seenAt: Date;
}

const liveStatusColumns = (live: LiveStatusRecord) => ({
  tracker_live_status: JSON.stringify(live.status),
  tracker_live_changed_by: live.changedBy,
  tracker_live_changed_at: live.changedAt?.toISOString() ?? null,
  tracker_live_seen_at: live.seenAt.toISOString(),
});

/**
 * Stores the issue's live status, and what it leads to (`then`, e.g. the
 * assessment a status mapping gives), in one transaction, only over the
 * live status the caller decided from (`expected`, the stored JSON or
 * null): false, with nothing stored, when another writer came first.
 */
export async function recordLiveStatusChange(
  db: Knex,
  input: LiveStatusRecord & {
    observationId: string;
    expected: string | null;
    then?: (trx: Knex) => Promise<unknown>;
  },
): Promise<boolean> {
  return db.transaction(async trx => {
    const query = trx('observations').where({ id: input.observationId });
    if (input.expected === null) query.whereNull('tracker_live_status');
    else query.where({ tracker_live_status: input.expected });
    const updated = await query.update(liveStatusColumns(input));
    if (updated === 0) return false;
    await input.then?.(trx);
    return true;
  });
}

/** The reconciliation read these issues now; GitHub's ETags for the next read. */
export async function recordIssuesRead(
  db: Knex,
  reads: Array<{ observationId: string; etag?: string | null }>,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await db.transaction(async trx => {
    for (const read of reads) {
      await trx('observations')
        .where({ id: read.observationId })
        .update({
          tracker_live_checked_at: at,
          tracker_live_seen_at: trx.raw(
            'case when tracker_live_status is null then tracker_live_seen_at else ? end',
            [at],
          ),
          ...(read.etag !== undefined ? { tracker_live_etag: read.etag } : {}),
        });
    }
  });
}

/**
 * The issue is gone from the tracker: shown as such, and queued for the
 * sync, which recreates it when the observation still wants one.
 */
export async function recordIssueGone(
  db: Knex,
  row: ObservationRow,
  options: { status: StoredLiveStatus; by: string | null; now: Date },
): Promise<void> {
  await db.transaction(async trx => {
    await trx('observations')
      .where({ id: row.id })
      .update(
        liveStatusColumns({
          status: options.status,
          changedBy: options.by,
          changedAt: options.now,
          seenAt: options.now,
        }),
      );
    await trx('observations')
      .where({ id: row.id })
      // What was pushed is unknown now: the sync writes the issue, hears
      // that it is gone, and recreates it when the finding still wants one.
      .update({
        tracker_synced_hash: null,
        ...enqueueAssignments(trx, options.now),
      });
  });
}

/** The issue moved (a transfer, a Jira project move): the link follows it. */
export async function recordIssueMoved(
  db: Knex,
  row: ObservationRow,
  options: { key: string; url: string; comment: string; now: Date },
): Promise<void> {
  const now = options.now.toISOString();
  await db.transaction(async trx => {
    await trx('observations')
      .where({ id: row.id })
      .update({
        tracker_issue_key: options.key,
        tracker_issue_url: options.url,
        tracker_live_etag: null,
        // A sync attempt holding the row would write the old key back: it
        // then leaves the row pending, and the next attempt follows the move.
        sync_generation: trx.raw('sync_generation + 1'),
      });
    await trx('observation_events').insert({
      observation_id: row.id,
      entity_ref: row.entity_ref,
      type: 'issue_moved',
      actor: SYNC_ACTOR.ref,
      actor_kind: SYNC_ACTOR.kind,
      import_id: null,
      changes: JSON.stringify({
        trackerIssue: { from: row.tracker_issue_key, to: options.key },
      }),
      comment: options.comment,
      created_at: now,
    });
  });
}

/** A comment from a tracker, as it is stored. */
export interface TrackerCommentInput {
  observationId: string;
  entityRef: string;
  /** `github`, `gitlab` or `jira`. */
  origin: string;
  externalId: string;
  author: string;
  body: string;
  url: string;
  createdAt: Date;
  updatedAt: Date;
  actor: Actor;
}

/** A stored comment with that external id on the observation, if any. */
export async function commentByExternalId(
  db: Knex,
  observationId: string,
  externalId: string,
): Promise<{ id: string; origin: string; body: string } | undefined> {
  return db('observation_comments')
    .where({ observation_id: observationId, external_id: externalId })
    .first('id', 'origin', 'body');
}

/**
 * Adds a tracker comment, or updates its body after an edit. Unique per
 * observation and external id, so a webhook and its retry store it once.
 */
export async function upsertTrackerComment(
  db: Knex,
  input: TrackerCommentInput,
): Promise<'added' | 'edited' | 'unchanged'> {
  return db.transaction(async trx => {
    const existing = await commentByExternalId(
      trx,
      input.observationId,
      input.externalId,
    );
    if (existing) {
      if (existing.body === input.body) return 'unchanged';
      // Only a newer text: an older edit that arrives late (or again)
      // does not undo a later one.
      const updated = await trx('observation_comments')
        .where({ id: existing.id })
        .where(builder =>
          builder
            .whereNull('updated_at')
            .orWhere('updated_at', '<', input.updatedAt.toISOString()),
        )
        .update({
          body: input.body,
          updated_at: input.updatedAt.toISOString(),
        });
      if (updated === 0) return 'unchanged';
      await insertCommentEvent(trx, input, 'comment_edited');
      return 'edited';
    }
    const inserted = await trx('observation_comments')
      .insert({
        id: randomUUID(),
        observation_id: input.observationId,
        entity_ref: input.entityRef,
        author: input.author,
        origin: input.origin,
        external_id: input.externalId,
        external_url: input.url,
        body: input.body,
        created_at: input.createdAt.toISOString(),
        updated_at: null,
      })
      .onConflict(['observation_id', 'external_id'])
      .ignore()
      .returning('id');
    if (inserted.length === 0) return 'unchanged';
    await insertCommentEvent(trx, input, 'commented');
    return 'added';
  });
}

/** Removes a tracker comment deleted on the tracker; false when it was not stored. */
export async function deleteTrackerComment(
  db: Knex,
  input: {
    observationId: string;
    entityRef: string;
    externalId: string;
    actor: Actor;
    now: Date;
  },
): Promise<boolean> {
  return db.transaction(async trx => {
    const deleted = await trx('observation_comments')
      .where({
        observation_id: input.observationId,
        external_id: input.externalId,
      })
      .whereNot({ origin: 'backstage' })
      .delete();
    if (deleted === 0) return false;
    await trx('observation_events').insert({
      observation_id: input.observationId,
      entity_ref: input.entityRef,
      type: 'comment_deleted',
      actor: input.actor.ref,
      actor_kind: input.actor.kind,
      import_id: null,
      changes: '{}',
      comment: 'Deleted on the tracker',
      created_at: input.now.toISOString(),
    });
    return true;
  });
}

async function insertCommentEvent(
  trx: Knex,
  input: TrackerCommentInput,
  type: 'commented' | 'comment_edited',
) {
  await trx('observation_events').insert({
    observation_id: input.observationId,
    entity_ref: input.entityRef,
    type,
    actor: input.actor.ref,
    actor_kind: input.actor.kind,
    import_id: null,
    changes: '{}',
    comment: input.body,
    created_at: (type === 'commented'
      ? input.createdAt
      : input.updatedAt
    ).toISOString(),
  });
}

// Security-tab comments pushed to issues (`pushComments`).

/** Comments waiting to go to their observation's issue. */
export async function commentsToPush(
  db: Knex,
  options: { now: Date; limit: number; trackerIds: string[] },
): Promise<
  Array<{
    id: string;
    observation_id: string;
    author: string;
    body: string;
    push_attempts: number;
    tracker_id: string | null;
    tracker_issue_key: string | null;
  }>
> {
  // Only comments that can go now: the observation has an issue on a
  // tracker that takes comments. Those still waiting for an issue never
  // stand in the way of the others.
  return db('observation_comments as c')
    .join('observations as o', 'o.id', 'c.observation_id')
    .where('c.push_state', 'pending')
    .where(whereInJsonValues(db, 'o.tracker_id', options.trackerIds))
    .whereNotNull('o.tracker_issue_key')
    .where(builder =>
      builder
        .whereNull('c.push_next_attempt_at')
        .orWhere('c.push_next_attempt_at', '<=', options.now.toISOString()),
    )
    .orderBy('c.created_at', 'asc')
    .limit(options.limit)
    .select(
      'c.id',
      'c.observation_id',
      'c.author',
      'c.body',
      'c.push_attempts',
      'o.tracker_id',
      'o.tracker_issue_key',
    );
}

export async function recordCommentPushed(
  db: Knex,
  commentId: string,
  pushed: { externalId: string; url: string },
): Promise<void> {
  await db('observation_comments').where({ id: commentId }).update({
    push_state: 'pushed',
    push_error: null,
    push_next_attempt_at: null,
    external_id: pushed.externalId,
    external_url: pushed.url,
  });
}

export async function recordCommentPushFailed(
  db: Knex,
  commentId: string,
  failure: {
    error: string;
    nextAttemptAt: Date | null;
    countsAsAttempt: boolean;
  },
): Promise<void> {
  await db('observation_comments')
    .where({ id: commentId })
    .update({
      push_state: failure.nextAttemptAt ? 'pending' : 'failed',
      push_error: failure.error.slice(0, 2000),
      push_next_attempt_at: failure.nextAttemptAt?.toISOString() ?? null,
      ...(failure.countsAsAttempt
        ? { push_attempts: db.raw('push_attempts + 1') }
        : {}),
    });
}
