import { createHash, randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import {
  ImportCounts,
  Severity,
  Status,
} from 'backstage-plugin-security-observations-common';
import { NormalizedFinding, severityRank } from '../ingest/NormalizedFinding';
import {
  isPostgres,
  JsonColumn,
  jsonRowsTable,
  whereInJsonValues,
} from './jsonRows';

/** (entity, branch, scanner, source): what one report speaks for. */
export interface ImportScope {
  entityRef: string;
  branch: string;
  scanner: string;
  source: string;
}

export interface ImportInput {
  scope: ImportScope;
  format: string;
  /** Token subject of the scanner, recorded on the import and in the audit log. */
  actor: string;
  reportBytes: number;
  findings: NormalizedFinding[];
  now: Date;
}

export interface ImportResult {
  importId: string;
  counts: ImportCounts;
}

interface ExistingRow {
  id: string;
  identity_hash: string;
  content_hash: string;
  parser_status: Status;
  assessed_status: Status | null;
  status: Status;
  parser_severity: Severity;
  assessed_severity: Severity | null;
  severity: Severity;
  title: string;
}

/** Columns a scanner's report sets, in both the insert and the update. */
const CONTENT_COLUMNS: JsonColumn[] = [
  ['id', 'text'],
  ['content_hash', 'text'],
  ['title', 'text'],
  ['description', 'text'],
  ['rule_id', 'text'],
  ['vulnerability_ids', 'text'],
  ['cwes', 'text'],
  ['package_purl', 'text'],
  ['package_name', 'text'],
  ['package_version', 'text'],
  ['package_fixed_version', 'text'],
  ['location_file', 'text'],
  ['location_start_line', 'integer'],
  ['location_end_line', 'integer'],
  ['location_uri', 'text'],
  ['location_image', 'text'],
  ['location_endpoint', 'text'],
  ['parser_severity', 'text'],
  ['severity', 'text'],
  ['severity_rank', 'integer'],
  ['parser_status', 'text'],
  ['status', 'text'],
  ['justification', 'text'],
];

const EVENT_COLUMNS: JsonColumn[] = [
  ['observation_id', 'text'],
  ['type', 'text'],
  ['changes', 'text'],
  ['comment', 'text'],
];

/**
 * Rows per bulk statement. One statement per chunk keeps the JSON parameter
 * (and the driver's copy of it) small: a 100k-row import in one statement
 * would hold a few hundred megabytes at once for no gain in speed.
 */
const CHUNK_ROWS = 5000;

function chunks<T>(items: T[], size = CHUNK_ROWS): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    result.push(items.slice(i, i + size));
  }
  return result;
}

/** The effective status: gone wins, then the assessment, then the scanner. */
export function effectiveStatus(
  parserStatus: Status,
  assessedStatus: Status | null,
): Status {
  if (parserStatus === 'resolved') {
    return 'resolved';
  }
  return assessedStatus ?? parserStatus;
}

export function contentRow(
  id: string,
  normalized: NormalizedFinding,
  assessed: { status: Status | null; severity: Severity | null },
) {
  const { finding } = normalized;
  const severity = assessed.severity ?? finding.severity;
  return {
    id,
    content_hash: normalized.contentHash,
    title: finding.title,
    description: finding.description,
    rule_id: finding.ruleId ?? null,
    vulnerability_ids: JSON.stringify(finding.vulnerabilityIds),
    cwes: JSON.stringify(finding.cwes),
    package_purl: finding.package?.purl ?? null,
    package_name: finding.package?.name ?? null,
    package_version: finding.package?.version ?? null,
    package_fixed_version: finding.package?.fixedVersion ?? null,
    location_file: finding.location?.file ?? null,
    location_start_line: finding.location?.startLine ?? null,
    location_end_line: finding.location?.endLine ?? null,
    location_uri: finding.location?.uri ?? null,
    location_image: finding.location?.image ?? null,
    location_endpoint: finding.location?.endpoint ?? null,
    parser_severity: finding.severity,
    severity,
    severity_rank: severityRank(severity),
    parser_status: finding.status,
    status: effectiveStatus(finding.status, assessed.status),
    justification: finding.justification ?? null,
  };
}

type ContentRow = ReturnType<typeof contentRow>;

/** A 64-bit advisory-lock key for the scope, so imports of one scope queue. */
function scopeLockKey(scope: ImportScope): string {
  const digest = createHash('sha256')
    .update(
      [scope.entityRef, scope.branch, scope.scanner, scope.source].join(
        '\u0000',
      ),
    )
    .digest();
  return digest.readBigInt64BE(0).toString();
}

/**
 * Applies one report to its scope in one transaction: new findings are
 * inserted, changed ones updated, unchanged ones only get their last-seen
 * time, missing ones are resolved and returning ones reopened, with an audit
 * entry for every change of status or severity. On any error nothing stays.
 */
export async function applyImport(
  db: Knex,
  input: ImportInput,
): Promise<ImportResult> {
  const { scope, findings } = input;
  const now = input.now.toISOString();
  const importId = randomUUID();

  return db.transaction(async trx => {
    if (isPostgres(trx)) {
      await trx.raw('SELECT pg_advisory_xact_lock(?::bigint)', [
        scopeLockKey(scope),
      ]);
    }

    const existingRows: ExistingRow[] = await trx('observations')
      .where({
        entity_ref: scope.entityRef,
        branch: scope.branch,
        scanner: scope.scanner,
        source: scope.source,
      })
      .select(
        'id',
        'identity_hash',
        'content_hash',
        'parser_status',
        'assessed_status',
        'status',
        'parser_severity',
        'assessed_severity',
        'severity',
        'title',
      );
    const existingByIdentity = new Map(
      existingRows.map(row => [row.identity_hash, row]),
    );

    // Rows to insert are built chunk by chunk below, not all at once.
    const inserts: NormalizedFinding[] = [];
    const updates: ContentRow[] = [];
    const seenIds: string[] = [];
    const events: Array<Record<string, unknown>> = [];
    const counts: ImportCounts = {
      new: 0,
      updated: 0,
      unchanged: 0,
      resolved: 0,
      reopened: 0,
    };

    for (const normalized of findings) {
      const existing = existingByIdentity.get(normalized.identityHash);
      if (!existing) {
        inserts.push(normalized);
        counts.new += 1;
        continue;
      }
      existingByIdentity.delete(normalized.identityHash);
      seenIds.push(existing.id);

      const wasResolved = existing.parser_status === 'resolved';
      if (!wasResolved && existing.content_hash === normalized.contentHash) {
        counts.unchanged += 1;
        continue;
      }

      const row = contentRow(existing.id, normalized, {
        status: existing.assessed_status,
        severity: existing.assessed_severity,
      });
      updates.push(row);
      const changes = changesBetween(existing, row);
      if (wasResolved) {
        counts.reopened += 1;
        events.push({
          observation_id: existing.id,
          type: 'reopened',
          changes: JSON.stringify(changes),
          comment: 'Found again in the latest scan',
        });
      } else {
        counts.updated += 1;
        if (Object.keys(changes).length > 0) {
          events.push({
            observation_id: existing.id,
            type: 'updated',
            changes: JSON.stringify(changes),
            comment: null,
          });
        }
      }
    }

    // What is left was in the scope but not in this report.
    const resolvedIds: string[] = [];
    for (const missing of existingByIdentity.values()) {
      if (missing.parser_status === 'resolved') {
        continue;
      }
      resolvedIds.push(missing.id);
      counts.resolved += 1;
      events.push({
        observation_id: missing.id,
        type: 'resolved',
        changes: JSON.stringify({
          status: { from: missing.status, to: 'resolved' },
        }),
        comment: 'Not found in the latest scan',
      });
    }

    const insertColumns: JsonColumn[] = [
      ...CONTENT_COLUMNS,
      ['identity_hash', 'text'],
    ];
    const insertNames = insertColumns.map(([name]) => name);
    for (const chunk of chunks(inserts)) {
      const rows = chunk.map(normalized => ({
        ...contentRow(randomUUID(), normalized, {
          status: null,
          severity: null,
        }),
        identity_hash: normalized.identityHash,
      }));
      await trx.raw(
        `INSERT INTO observations (${insertNames.join(', ')},
           entity_ref, branch, scanner, source, first_seen_at, last_seen_at,
           first_import_id, last_import_id, updated_at)
         SELECT ${insertNames.map(name => `u.${name}`).join(', ')},
           ?, ?, ?, ?, ?, ?, ?, ?, ?
         FROM ?`,
        [
          scope.entityRef,
          scope.branch,
          scope.scanner,
          scope.source,
          now,
          now,
          importId,
          importId,
          now,
          jsonRowsTable(trx, insertColumns, rows),
        ],
      );
    }

    for (const chunk of chunks(seenIds, 4 * CHUNK_ROWS)) {
      await trx('observations')
        .where(whereInJsonValues(trx, 'id', chunk))
        .update({ last_seen_at: now, last_import_id: importId });
    }

    const assignments = CONTENT_COLUMNS.filter(([name]) => name !== 'id')
      .map(([name]) => `${name} = u.${name}`)
      .join(', ');
    for (const chunk of chunks(updates)) {
      await trx.raw(
        `UPDATE observations SET ${assignments}, resolved_at = NULL, updated_at = ?
         FROM ? WHERE observations.id = u.id`,
        [now, jsonRowsTable(trx, CONTENT_COLUMNS, chunk)],
      );
    }

    for (const chunk of chunks(resolvedIds, 4 * CHUNK_ROWS)) {
      await trx('observations')
        .where(whereInJsonValues(trx, 'id', chunk))
        .update({
          parser_status: 'resolved',
          status: 'resolved',
          resolved_at: now,
          updated_at: now,
        });
    }

    const eventNames = EVENT_COLUMNS.map(([name]) => name);
    for (const chunk of chunks(events)) {
      await trx.raw(
        `INSERT INTO observation_events (${eventNames.join(', ')},
           entity_ref, actor, actor_kind, import_id, created_at)
         SELECT ${eventNames.map(name => `u.${name}`).join(', ')}, ?, ?, ?, ?, ?
         FROM ?`,
        [
          scope.entityRef,
          input.actor,
          'scanner',
          importId,
          now,
          jsonRowsTable(trx, EVENT_COLUMNS, chunk),
        ],
      );
    }

    await trx('imports').insert({
      id: importId,
      entity_ref: scope.entityRef,
      branch: scope.branch,
      scanner: scope.scanner,
      source: scope.source,
      format: input.format,
      actor: input.actor,
      created_at: now,
      report_bytes: input.reportBytes,
      finding_count: findings.length,
      count_new: counts.new,
      count_updated: counts.updated,
      count_unchanged: counts.unchanged,
      count_resolved: counts.resolved,
      count_reopened: counts.reopened,
    });

    return { importId, counts };
  });
}

/** Audit-relevant differences: effective status, effective severity, title. */
function changesBetween(existing: ExistingRow, next: ContentRow) {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  if (existing.status !== next.status) {
    changes.status = { from: existing.status, to: next.status };
  }
  if (existing.severity !== next.severity) {
    changes.severity = { from: existing.severity, to: next.severity };
  }
  if (existing.parser_severity !== next.parser_severity) {
    changes.parserSeverity = {
      from: existing.parser_severity,
      to: next.parser_severity,
    };
  }
  if (existing.title !== next.title) {
    changes.title = { from: existing.title, to: next.title };
  }
  return changes;
}
