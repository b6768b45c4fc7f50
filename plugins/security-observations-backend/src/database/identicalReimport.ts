import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import {
  countOpenBySeverity,
  ImportResult,
  ImportScope,
  ImportWarnings,
  lockScope,
  recordImport,
  zeroSeverityCounts,
} from './applyImport';
import { whereInJsonValues } from './jsonRows';

/*
 * An identical re-import, recognized without reading the report. Each scope
 * remembers the report its latest import read (`observation_scopes`:
 * `report_sha256`, `report_reader`, `report_warnings`). Reading the same
 * bytes again, with the same parsers and options, finds every finding of
 * the scope's latest report unchanged, and nothing else (the rows it did
 * not have are missing already): the import's answer is known. So the
 * scope's latest import becomes this one, its `imports` row is written with
 * every finding unchanged, and the open observations are counted, as a full
 * import would; no parser runs and no observation row is read.
 *
 * That holds while nothing but an import changes what the import compares:
 * which rows the scope has (`identity_hash`), which of them its latest
 * report had (`missing`), and what the scanner said (`content_hash`,
 * `parser_status`). Assessments, risk-acceptance expiry, tracker webhooks
 * and the sync change none of those (they set the assessed and effective
 * `status`, which the answer's open counts read fresh). A path that does
 * (an admin delete) calls `forgetReportsOfObservations` or
 * `forgetScopeReport` in its transaction, and the next upload is read in
 * full. As a safety net the recognized import also counts the scope's rows
 * that its latest report had: when some are gone, it reads the report.
 */

/** An upload that may repeat its scope's latest report. */
export interface IdenticalReimportInput {
  entityRef: string;
  branch: string;
  source: string;
  /**
   * The scanner the request names; without it, the one this report gave
   * its scope last time (the same bytes read by the same parser give it).
   */
  scanner?: string;
  /** SHA-256 (hex) of the report's bytes. */
  sha256: string;
  /** What reads them: the reader version and the options that matter. */
  reader: string;
  actor: string;
  reportBytes: number;
  now: Date;
}

export interface IdenticalReimportResult extends ImportResult {
  scope: ImportScope;
  format: string;
  /** What the import that read this report answered besides counts. */
  warnings: ImportWarnings;
}

interface RememberedReport {
  scanner: string;
  format: string;
  finding_count: number | string;
  report_warnings: string | null;
}

/** What an import sets when the scope's report is no longer known. */
const FORGOTTEN = {
  report_sha256: null,
  report_reader: null,
  report_warnings: null,
};

/**
 * Records the upload as an identical re-import when it is its scope's latest
 * report, read by the same reader, and answers what a full import would;
 * undefined (nothing written) when it is not, and the report is to be read.
 * Serialized with the scope's other imports.
 */
export async function applyIdenticalReimport(
  db: Knex,
  input: IdenticalReimportInput,
): Promise<IdenticalReimportResult | undefined> {
  return db.transaction(async trx => {
    const rememberedIn = (scanner: string | undefined) => {
      const query = trx('observation_scopes as s')
        .join('imports as i', 'i.id', 's.last_import_id')
        .where({
          's.entity_ref': input.entityRef,
          's.branch': input.branch,
          's.source': input.source,
          's.report_sha256': input.sha256,
          's.report_reader': input.reader,
        });
      if (scanner !== undefined) query.where('s.scanner', scanner);
      return query.first<RememberedReport | undefined>(
        's.scanner',
        'i.format',
        'i.finding_count',
        's.report_warnings',
      );
    };

    const candidate = await rememberedIn(input.scanner);
    if (!candidate) return undefined;
    const scope: ImportScope = {
      entityRef: input.entityRef,
      branch: input.branch,
      scanner: candidate.scanner,
      source: input.source,
    };
    await lockScope(trx, scope);
    // Asked again under the lock: an import of the scope that committed
    // while this one waited may have read another report.
    const remembered = await rememberedIn(scope.scanner);
    if (!remembered) return undefined;
    const findingCount = Number(remembered.finding_count);
    if ((await countInLatestReport(trx, scope)) !== findingCount) {
      return undefined;
    }

    const importId = randomUUID();
    const counts = {
      new: 0,
      updated: 0,
      unchanged: findingCount,
      resolved: 0,
      reopened: 0,
    };
    await recordImport(trx, {
      scope,
      importId,
      format: remembered.format,
      actor: input.actor,
      now: input.now.toISOString(),
      reportBytes: input.reportBytes,
      findingCount,
      counts,
    });
    return {
      importId,
      scope,
      format: remembered.format,
      counts,
      findingCount,
      unassessed: {
        all: await countOpenBySeverity(trx, scope),
        new: zeroSeverityCounts(),
      },
      warnings: remembered.report_warnings
        ? (JSON.parse(remembered.report_warnings) as ImportWarnings)
        : { warnings: [] },
    };
  });
}

/** The scope's observations that its latest report had. */
async function countInLatestReport(
  trx: Knex.Transaction,
  scope: ImportScope,
): Promise<number> {
  const row = await trx('observations')
    .where({
      entity_ref: scope.entityRef,
      branch: scope.branch,
      scanner: scope.scanner,
      source: scope.source,
      missing: false,
    })
    .first<{ count: string | number }>(trx.raw('count(*) as count'));
  return Number(row?.count ?? 0);
}

/**
 * The scope's next report is read in full, even when it is the same as its
 * latest: for changes to the scope's observations outside an import.
 */
export async function forgetScopeReport(
  db: Knex,
  scope: ImportScope,
): Promise<void> {
  await db('observation_scopes')
    .where({
      entity_ref: scope.entityRef,
      branch: scope.branch,
      scanner: scope.scanner,
      source: scope.source,
    })
    .update(FORGOTTEN);
}

/**
 * `forgetScopeReport` for the scope of each of these observations. Call it
 * in the transaction that removes or changes them, before they are gone:
 * then a re-upload of the same report brings a deleted finding back as new.
 */
export async function forgetReportsOfObservations(
  db: Knex,
  observationIds: string[],
): Promise<void> {
  if (observationIds.length === 0) return;
  await db('observation_scopes')
    .whereExists(
      db('observations as o')
        .select(db.raw('1'))
        .where(whereInJsonValues(db, 'o.id', observationIds))
        .whereRaw(
          `o.entity_ref = observation_scopes.entity_ref
           AND o.branch = observation_scopes.branch
           AND o.scanner = observation_scopes.scanner
           AND o.source = observation_scopes.source`,
        ),
    )
    .update(FORGOTTEN);
}
