import {
  Observation,
  ObservationEvent,
  Severity,
  Status,
} from 'backstage-plugin-security-observations-common';
import { Knex } from 'knex';
import { toIsoString, toIsoStringOrNull } from './dates';

/** A row of the `observations` table as Knex returns it. */
export interface ObservationRow {
  id: string;
  entity_ref: string;
  branch: string;
  scanner: string;
  source: string;
  identity_hash: string;
  content_hash: string;
  title: string;
  description: string;
  rule_id: string | null;
  vulnerability_ids: string;
  cwes: string;
  package_purl: string | null;
  package_name: string | null;
  package_version: string | null;
  package_fixed_version: string | null;
  location_file: string | null;
  location_start_line: number | null;
  location_end_line: number | null;
  location_uri: string | null;
  location_image: string | null;
  location_endpoint: string | null;
  parser_severity: Severity;
  assessed_severity: Severity | null;
  severity: Severity;
  severity_rank: number;
  parser_status: Status;
  assessed_status: Status | null;
  status: Status;
  justification: string | null;
  assessed_justification: string | null;
  risk_acceptance_expires_at: unknown;
  first_seen_at: unknown;
  /**
   * When an import last wrote the row; when it was last seen only where
   * `missing` (see `observationsWithLastSeen`).
   */
  last_seen_at: unknown;
  /** When the row was last seen, from `observationsWithLastSeen`. */
  seen_at?: unknown;
  /** Not in its scope's latest report (0 or 1 on SQLite). */
  missing?: boolean | number;
  resolved_at: unknown;
  first_import_id: string;
  last_import_id: string;
  tracker_id: string | null;
  tracker_issue_key: string | null;
  tracker_issue_url: string | null;
  tracker_issue_state: string | null;
  sync_state: string | null;
  sync_attempts: number;
  sync_next_attempt_at: unknown;
  sync_last_error: string | null;
  /** Why the sync does not push the row, when `sync_state` is off or not_pushed. */
  sync_not_pushed_reason?: string | null;
  /** JSON `LiveStatus`, as the tracker last showed the issue. */
  tracker_live_status?: string | null;
  tracker_live_changed_by?: string | null;
  tracker_live_changed_at?: unknown;
  tracker_live_seen_at?: unknown;
  tracker_live_checked_at?: unknown;
  tracker_live_etag?: string | null;
  updated_at: unknown;
}

/**
 * The `observations` table with `seen_at`: when each row was last seen. A
 * row its scope's latest report had was seen by that import, which only
 * the scope keeps (`observation_scopes`), so that an identical re-import
 * writes no row; a missing row's own `last_seen_at` says when. Reads that
 * answer with observations select from this, by the table's name, instead
 * of the table.
 */
export function observationsWithLastSeen(db: Knex): Knex.Raw {
  return db.raw(
    `(SELECT o.*, CASE WHEN o.missing THEN o.last_seen_at
         ELSE COALESCE(s.last_seen_at, o.last_seen_at) END AS seen_at
       FROM observations o
       LEFT JOIN observation_scopes s ON s.entity_ref = o.entity_ref
         AND s.branch = o.branch AND s.scanner = o.scanner
         AND s.source = o.source) AS observations`,
  );
}

/** The issue's live status for the HTTP API, when a tracker has shown it. */
function liveOf(row: ObservationRow) {
  if (!row.tracker_live_status || !row.tracker_live_seen_at) return null;
  const status: { state: 'open' | 'closed' | 'gone'; name: string } =
    JSON.parse(row.tracker_live_status);
  return {
    state: status.state,
    status: status.name,
    changedBy: row.tracker_live_changed_by ?? null,
    changedAt: toIsoStringOrNull(row.tracker_live_changed_at ?? null),
    seenAt: toIsoString(row.tracker_live_seen_at),
  };
}

/** Why the sync does not push the row; a reason of an earlier state is moot. */
function notPushedReasonOf(row: ObservationRow): string | null {
  return row.sync_state === 'off' || row.sync_state === 'not_pushed'
    ? row.sync_not_pushed_reason ?? null
    : null;
}

const allNull = (...values: unknown[]) =>
  values.every(value => value === null || value === undefined);

/** The HTTP API's shape of an observation row. */
export function observationFromRow(row: ObservationRow): Observation {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    branch: row.branch,
    scanner: row.scanner,
    source: row.source,
    identityHash: row.identity_hash,
    title: row.title,
    description: row.description,
    severity: row.severity,
    parserSeverity: row.parser_severity,
    assessedSeverity: row.assessed_severity,
    status: row.status,
    parserStatus: row.parser_status,
    assessedStatus: row.assessed_status,
    justification: row.assessed_justification ?? row.justification,
    ruleId: row.rule_id,
    vulnerabilityIds: JSON.parse(row.vulnerability_ids),
    cwes: JSON.parse(row.cwes),
    package: allNull(
      row.package_purl,
      row.package_name,
      row.package_version,
      row.package_fixed_version,
    )
      ? null
      : {
          purl: row.package_purl,
          name: row.package_name,
          version: row.package_version,
          fixedVersion: row.package_fixed_version,
        },
    location: allNull(
      row.location_file,
      row.location_start_line,
      row.location_uri,
      row.location_image,
      row.location_endpoint,
    )
      ? null
      : {
          file: row.location_file,
          startLine:
            row.location_start_line === null
              ? null
              : Number(row.location_start_line),
          endLine:
            row.location_end_line === null
              ? null
              : Number(row.location_end_line),
          uri: row.location_uri,
          image: row.location_image,
          endpoint: row.location_endpoint,
        },
    firstSeenAt: toIsoString(row.first_seen_at),
    lastSeenAt: toIsoString(row.seen_at ?? row.last_seen_at),
    resolvedAt: toIsoStringOrNull(row.resolved_at),
    riskAcceptanceExpiresAt: toIsoStringOrNull(row.risk_acceptance_expires_at),
    tracker:
      row.tracker_id === null && row.sync_state === null
        ? null
        : {
            trackerId: row.tracker_id,
            issueKey: row.tracker_issue_key,
            issueUrl: row.tracker_issue_url,
            issueState: row.tracker_issue_state,
            syncState: row.sync_state,
            syncAttempts: Number(row.sync_attempts),
            nextAttemptAt: toIsoStringOrNull(row.sync_next_attempt_at),
            lastError: row.sync_last_error,
            notPushedReason: notPushedReasonOf(row),
            live: liveOf(row),
          },
    updatedAt: toIsoString(row.updated_at),
  };
}

/** A row of `observation_events`. */
export interface EventRow {
  id: string | number;
  observation_id: string;
  type: string;
  actor: string;
  actor_kind: ObservationEvent['actorKind'];
  import_id: string | null;
  changes: string;
  comment: string | null;
  created_at: unknown;
}

export function eventFromRow(row: EventRow): ObservationEvent {
  return {
    id: String(row.id),
    observationId: row.observation_id,
    type: row.type,
    actor: row.actor,
    actorKind: row.actor_kind,
    importId: row.import_id,
    changes: JSON.parse(row.changes),
    comment: row.comment,
    createdAt: toIsoString(row.created_at),
  };
}
