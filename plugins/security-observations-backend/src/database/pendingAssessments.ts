import { ConflictError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { AssessmentRequest } from 'backstage-plugin-security-observations-common';
import {
  Actor,
  applyAssessment,
  observationsOfEntity,
} from './applyAssessment';
import { toIsoString, toIsoStringOrNull } from './dates';

export interface PendingAssessment {
  id: string;
  entityRef: string;
  observationIds: string[];
  assessment: AssessmentRequest;
  requestedBy: string;
  requestedAt: string;
  state: 'pending' | 'approved' | 'rejected';
  decidedBy: string | null;
  decidedAt: string | null;
  decisionComment: string | null;
}

function fromRow(row: any): PendingAssessment {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    observationIds: JSON.parse(row.observation_ids),
    assessment: JSON.parse(row.assessment),
    requestedBy: row.requested_by,
    requestedAt: toIsoString(row.requested_at),
    state: row.state,
    decidedBy: row.decided_by,
    decidedAt: toIsoStringOrNull(row.decided_at),
    decisionComment: row.decision_comment,
  };
}

/**
 * Stores an assessment for review, with a 'requested' audit entry on each
 * observation. The observations themselves do not change yet.
 */
export async function requestAssessment(
  db: Knex,
  input: {
    entityRef: string;
    observationIds: string[];
    assessment: AssessmentRequest;
    actor: Actor;
    now: Date;
  },
): Promise<PendingAssessment> {
  const now = input.now.toISOString();
  const id = randomUUID();
  return db.transaction(async trx => {
    await observationsOfEntity(trx, input.entityRef, input.observationIds);
    const row = {
      id,
      entity_ref: input.entityRef,
      observation_ids: JSON.stringify(input.observationIds),
      assessment: JSON.stringify(input.assessment),
      requested_by: input.actor.ref,
      requested_at: now,
      state: 'pending',
      decided_by: null,
      decided_at: null,
      decision_comment: null,
    };
    await trx('pending_assessments').insert(row);
    await trx('observation_events').insert(
      input.observationIds.map(observationId => ({
        observation_id: observationId,
        entity_ref: input.entityRef,
        type: 'assessment_requested',
        actor: input.actor.ref,
        actor_kind: input.actor.kind,
        import_id: null,
        changes: JSON.stringify({
          requestedStatus: { to: input.assessment.status },
        }),
        comment: input.assessment.comment,
        created_at: now,
      })),
    );
    return fromRow(row);
  });
}

export async function getPendingAssessment(db: Knex, id: string) {
  const row = await db('pending_assessments').where({ id }).first();
  return row ? fromRow(row) : undefined;
}

export async function listPendingAssessments(db: Knex, entityRef: string) {
  const rows = await db('pending_assessments')
    .where({ entity_ref: entityRef, state: 'pending' })
    .orderBy('requested_at', 'asc');
  return rows.map(fromRow);
}

/**
 * Approves (applies the assessment in the requester's name, then records the
 * approval) or rejects a pending assessment, once.
 */
export async function decideAssessment(
  db: Knex,
  input: {
    id: string;
    decision: 'approved' | 'rejected';
    comment?: string;
    actor: Actor;
    now: Date;
  },
) {
  const now = input.now.toISOString();
  return db.transaction(async trx => {
    // Only one decision: the state moves from pending exactly once.
    const updated = await trx('pending_assessments')
      .where({ id: input.id, state: 'pending' })
      .update({
        state: input.decision,
        decided_by: input.actor.ref,
        decided_at: now,
        decision_comment: input.comment ?? null,
      });
    if (updated !== 1) {
      throw new ConflictError(`Assessment ${input.id} is no longer pending`);
    }
    const pending = fromRow(
      await trx('pending_assessments').where({ id: input.id }).first(),
    );
    if (input.decision === 'approved') {
      await applyAssessment(trx, {
        ...pending.assessment,
        entityRef: pending.entityRef,
        observationIds: pending.observationIds,
        actor: { ref: pending.requestedBy, kind: 'user' },
        now: input.now,
      });
    }
    await trx('observation_events').insert(
      pending.observationIds.map(observationId => ({
        observation_id: observationId,
        entity_ref: pending.entityRef,
        type: `assessment_${input.decision}`,
        actor: input.actor.ref,
        actor_kind: input.actor.kind,
        import_id: null,
        changes: '{}',
        comment: input.comment ?? null,
        created_at: now,
      })),
    );
    return pending;
  });
}
