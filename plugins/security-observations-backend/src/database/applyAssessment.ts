import { randomUUID } from 'node:crypto';
import { InputError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  AssessmentResponse,
  Severity,
  Status,
} from 'backstage-plugin-security-observations-common';
import { severityRank } from '../ingest/NormalizedFinding';
import { effectiveStatus } from './applyImport';
import { toIsoStringOrNull } from './dates';
import { whereInJsonValues } from './jsonRows';
import { enqueueAssignments } from './syncQueue';
import { ObservationRow } from './observationRows';

/** Who did something, as the audit log records it. */
export interface Actor {
  ref: string;
  kind: 'user' | 'scanner' | 'service' | 'tracker' | 'system';
}

export interface AssessmentInput {
  entityRef: string;
  observationIds: string[];
  status: Status;
  /** Undefined keeps the current override, null clears it. */
  severity?: Severity | null;
  comment: string;
  justification?: string;
  expiresAt?: string;
  actor: Actor;
  now: Date;
}

/**
 * Applies one assessment to observations of one entity in one transaction,
 * with an audit entry per observation. Unknown ids answer 404, ids of
 * another entity 400 naming the field; then nothing is changed.
 */
export async function applyAssessment(
  db: Knex,
  input: AssessmentInput,
): Promise<AssessmentResponse['items']> {
  const now = input.now.toISOString();
  return db.transaction(async trx => {
    const byId = await observationsOfEntity(
      trx,
      input.entityRef,
      input.observationIds,
    );

    const items: AssessmentResponse['items'] = [];
    for (const id of new Set(input.observationIds)) {
      const row = byId.get(id)!;
      const assessedSeverity =
        input.severity === undefined ? row.assessed_severity : input.severity;
      const next = {
        assessed_status: input.status,
        status: effectiveStatus(row.parser_status, input.status),
        assessed_severity: assessedSeverity,
        severity: assessedSeverity ?? row.parser_severity,
        severity_rank: severityRank(assessedSeverity ?? row.parser_severity),
        assessed_justification:
          input.status === 'not_affected' ? input.justification ?? null : null,
        // UTC ISO strings compare correctly as text on SQLite too.
        risk_acceptance_expires_at:
          input.status === 'risk_accepted' && input.expiresAt
            ? new Date(input.expiresAt).toISOString()
            : null,
      };
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const compare = (field: string, from: unknown, to: unknown) => {
        if ((from ?? null) !== (to ?? null)) {
          changes[field] = { from: from ?? null, to: to ?? null };
        }
      };
      compare('status', row.status, next.status);
      compare('assessedStatus', row.assessed_status, next.assessed_status);
      compare('severity', row.severity, next.severity);
      compare(
        'justification',
        row.assessed_justification,
        next.assessed_justification,
      );
      compare(
        'riskAcceptanceExpiresAt',
        toIsoStringOrNull(row.risk_acceptance_expires_at),
        toIsoStringOrNull(next.risk_acceptance_expires_at),
      );

      await trx('observations')
        .where({ id })
        // The issue follows the assessment: queued for the tracker sync.
        .update({
          ...next,
          updated_at: now,
          ...enqueueAssignments(trx, input.now, next.status),
        });
      await trx('observation_events').insert({
        observation_id: id,
        entity_ref: row.entity_ref,
        type: 'assessed',
        actor: input.actor.ref,
        actor_kind: input.actor.kind,
        import_id: null,
        changes: JSON.stringify(changes),
        comment: input.comment,
        created_at: now,
      });
      items.push({ observationId: id, changes });
    }
    return items;
  });
}

/**
 * The observations by id, when every id exists (else 404) and belongs to the
 * entity (else 400 naming `observationIds[i]`).
 */
export async function observationsOfEntity(
  trx: Knex,
  entityRef: string,
  observationIds: string[],
): Promise<Map<string, ObservationRow>> {
  const rows: ObservationRow[] = await trx('observations')
    .where(whereInJsonValues(trx, 'id', observationIds))
    .select('*');
  const byId = new Map(rows.map(row => [row.id, row]));
  observationIds.forEach((id, index) => {
    const row = byId.get(id);
    if (!row) {
      throw new NotFoundError(`No observation ${id}`);
    }
    if (row.entity_ref !== entityRef) {
      throw new InputError(
        `observationIds[${index}]: observation ${id} belongs to ${row.entity_ref}, not ${entityRef}`,
      );
    }
  });
  return byId;
}

/**
 * A comment from the Security tab, and its audit entry. With `push`, it
 * waits to go to the observation's issue (`pushComments`).
 */
export async function addComment(
  db: Knex,
  input: {
    observationId: string;
    body: string;
    actor: Actor;
    now: Date;
    push?: boolean;
  },
) {
  const now = input.now.toISOString();
  return db.transaction(async trx => {
    const row = await trx('observations')
      .where({ id: input.observationId })
      .first('id', 'entity_ref');
    if (!row) {
      throw new NotFoundError(`No observation ${input.observationId}`);
    }
    const id = randomUUID();
    await trx('observation_comments').insert({
      id,
      observation_id: row.id,
      entity_ref: row.entity_ref,
      author: input.actor.ref,
      origin: 'backstage',
      external_id: null,
      body: input.body,
      created_at: now,
      push_state: input.push ? 'pending' : null,
    });
    await trx('observation_events').insert({
      observation_id: row.id,
      entity_ref: row.entity_ref,
      type: 'commented',
      actor: input.actor.ref,
      actor_kind: input.actor.kind,
      import_id: null,
      changes: '{}',
      comment: input.body,
      created_at: now,
    });
    return {
      id,
      observationId: row.id,
      author: input.actor.ref,
      origin: 'backstage' as const,
      body: input.body,
      createdAt: now,
      url: null,
      updatedAt: null,
      push: input.push ? { state: 'pending' as const, error: null } : null,
    };
  });
}

/**
 * Risk acceptances whose expiry has passed go back to the scanner's status
 * (open), with an audit entry by the system. Returns how many expired.
 */
export async function expireRiskAcceptances(db: Knex, now: Date) {
  const at = now.toISOString();
  return db.transaction(async trx => {
    const rows: ObservationRow[] = await trx('observations')
      .where({ assessed_status: 'risk_accepted' })
      .where('risk_acceptance_expires_at', '<=', at)
      .select('*');
    for (const row of rows) {
      const status = effectiveStatus(row.parser_status, null);
      await trx('observations')
        .where({ id: row.id })
        .update({
          assessed_status: null,
          status,
          risk_acceptance_expires_at: null,
          updated_at: at,
          ...enqueueAssignments(trx, now, status),
        });
      await trx('observation_events').insert({
        observation_id: row.id,
        entity_ref: row.entity_ref,
        type: 'expired',
        actor: 'system',
        actor_kind: 'system',
        import_id: null,
        changes: JSON.stringify({
          status: { from: row.status, to: status },
          assessedStatus: { from: 'risk_accepted', to: null },
        }),
        comment: `The risk acceptance expired on ${toIsoStringOrNull(
          row.risk_acceptance_expires_at,
        )}`,
        created_at: at,
      });
    }
    return rows.length;
  });
}
