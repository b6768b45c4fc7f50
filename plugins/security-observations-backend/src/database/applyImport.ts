import { createHash, randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import {
  ImportCounts,
  ImportResponse,
  ImportUnassessed,
  SEVERITIES,
  Severity,
  SeverityCounts,
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
  /**
   * The report's findings with distinct identities, consumed once, in
   * chunks, inside the transaction: an error thrown while producing them
   * rolls the import back.
   */
  findings: Iterable<NormalizedFinding>;
  now: Date;
  /**
   * Queue what this import changes for the tracker sync: true when the
   * scope's branch is the one the entity syncs to a usable tracker.
   */
  enqueueForSync?: boolean;
  /**
   * The report's fingerprint, remembered for the scope so that the same
   * bytes posted to it again are not parsed (`identicalReimport.ts`).
   */
  report?: RememberedReport;
}

/** What the warnings part of an import's answer was. */
export type ImportWarnings = Pick<
  ImportResponse,
  'warnings' | 'warningsOmitted'
>;

/** A report as its scope remembers it; see `identicalReimport.ts`. */
export interface RememberedReport {
  /** SHA-256 (hex) of the report's bytes. */
  sha256: string;
  /** Hash of the reader version and the request's options that read it. */
  reader: string;
  /** What the import answers besides counts; known once it is parsed. */
  warnings(): ImportWarnings;
}

export interface ImportResult {
  importId: string;
  counts: ImportCounts;
  /** Distinct findings in the report. */
  findingCount: number;
  /** Open observations of the scope afterwards: what a CI gate needs. */
  unassessed: ImportUnassessed;
}

interface ExistingRow {
  id: string;
  content_hash: string;
  parser_status: Status;
  assessed_status: Status | null;
  status: Status;
  parser_severity: Severity;
  assessed_severity: Severity | null;
  severity: Severity;
  title: string;
}

/** The scope's latest import before this one. */
interface ScopeSighting {
  importId: string;
  seenAt: unknown;
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
 * Findings per chunk: rows per bulk statement. Small on purpose: a chunk's
 * findings, rows and JSON parameter then die young in V8 (before they are
 * promoted to the old generation), so a 100k-finding import's heap stays
 * near its live size instead of growing by everything it allocates. For
 * 100k Trivy findings on the benchmark machine, 500 peaked at 564 MB where
 * 5,000 peaked at 700-750 MB, in about the same time (docs/benchmarks.md).
 */
const CHUNK_ROWS = 500;

/**
 * Chunks read ahead while the scope's rows load: enough to hide most of
 * the load of 10k rows behind the report's reading (about a third of an
 * identical re-import's time on Postgres), few enough that they die young.
 */
const LOOKAHEAD_CHUNKS = 8;

/**
 * Rows per statement for small rows: pages of the scope's observations
 * (`loadKnown`) and the ids that an import resolves.
 */
const ID_CHUNK_ROWS = 10_000;

/** Queues an updated row for the tracker sync (one bound value: now). */
const SYNC_ENQUEUE_SQL = `, sync_state = 'pending', sync_next_attempt_at = ?,
       sync_generation = sync_generation + 1`;

/**
 * Every change of a row bumps its generation, queued or not: a sync that
 * claimed the row before the change then does not mark it synced with
 * what it read before (it stays pending and is synced again).
 */
const SYNC_GENERATION_SQL = `, sync_generation = sync_generation + 1`;

/** A row with an issue, or a create whose outcome is not known. */
const LINKED_SQL =
  '(tracker_issue_key IS NOT NULL OR tracker_create_intent_at IS NOT NULL)';

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
 * Imports of one scope queue behind each other until the transaction ends:
 * on Postgres by an advisory lock; SQLite has one writer at a time.
 */
export async function lockScope(
  trx: Knex.Transaction,
  scope: ImportScope,
): Promise<void> {
  if (isPostgres(trx)) {
    await trx.raw('SELECT pg_advisory_xact_lock(?::bigint)', [
      scopeLockKey(scope),
    ]);
  }
}

/** What every statement of one import shares. */
interface ImportContext {
  trx: Knex.Transaction;
  scope: ImportScope;
  importId: string;
  actor: string;
  now: string;
  enqueueForSync: boolean;
  counts: ImportCounts;
  /** Open observations this import created or reopened, per severity. */
  introducedOpen: SeverityCounts;
  /**
   * The scope's observations before this import, by identity hash, as little
   * of each as tells whether a finding is new, unchanged or changed. Each
   * is removed when the report has it; what is left is missing.
   */
  known: Map<string, KnownObservation>;
  /** The scope's previous import: when the rows it had were last seen. */
  previous?: ScopeSighting;
}

interface KnownObservation {
  id: string;
  contentHash: string;
  status: Status;
  /**
   * The scanner's status is resolved: the row was missing from a report,
   * or a report states it resolved (CycloneDX VEX).
   */
  resolved: boolean;
  /** Not in the scope's latest report. */
  missing: boolean;
}

/**
 * Applies one report to its scope in one transaction: new findings are
 * inserted, changed ones updated, missing ones are resolved and returning
 * ones reopened, with an audit entry for every change of status or
 * severity. On any error, including one thrown while the findings are
 * iterated, nothing stays.
 *
 * Unchanged findings are not written at all: that they were seen again is
 * the scope's latest import, kept once per scope in `observation_scopes`
 * (`observationsWithLastSeen` reads it). An identical re-import therefore
 * writes one import row and one scope row, whatever the report's size.
 *
 * A report may state a finding resolved itself (CycloneDX VEX `resolved`,
 * `resolved_with_pedigree`): it is stored resolved, counted `resolved` when
 * it was not, stays resolved (unchanged) while later reports say so, and
 * is reopened by a report that states it otherwise (`exploitable`, ...).
 *
 * The findings are consumed in chunks as they are produced, so a large
 * report is never held whole: memory stays at a chunk or two of findings
 * (up to LOOKAHEAD_CHUNKS while the scope's rows load), the set of
 * identities the caller keeps for de-duplication, and a small map of the
 * scope's stored observations.
 */
export async function applyImport(
  db: Knex,
  input: ImportInput,
): Promise<ImportResult> {
  const { scope } = input;
  const importId = randomUUID();

  return db.transaction(async trx => {
    await lockScope(trx, scope);
    const context: ImportContext = {
      trx,
      scope,
      importId,
      actor: input.actor,
      now: input.now.toISOString(),
      enqueueForSync: input.enqueueForSync ?? false,
      counts: { new: 0, updated: 0, unchanged: 0, resolved: 0, reopened: 0 },
      introducedOpen: zeroSeverityCounts(),
      known: new Map(),
    };
    // The scope's rows load while Node reads the first chunks of the
    // report: up to LOOKAHEAD_CHUNKS are read ahead, then applied in order.
    let knownLoaded = false;
    const loading = loadKnown(context).finally(() => {
      knownLoaded = true;
    });

    // Node reads the next chunk of the report while the database writes
    // the last one: on a 2-core machine the two overlap instead of taking
    // turns. The write is started, given a turn of the event loop to reach
    // the socket, and awaited only before the next chunk is applied.
    let findingCount = 0;
    let writing: Promise<void> = loading;
    // Handled here so that a failed load or write cannot become an
    // unhandled rejection while the next chunk is read; rethrown below.
    writing.catch(() => undefined);
    const ahead: NormalizedFinding[][] = [];
    const applyAhead = async () => {
      while (ahead.length > 0) {
        await writing;
        writing = applyChunk(context, ahead.shift()!);
        writing.catch(() => undefined);
        await new Promise(resolve => setImmediate(resolve));
      }
    };
    try {
      for (const chunk of chunksOf(input.findings, CHUNK_ROWS)) {
        findingCount += chunk.length;
        ahead.push(chunk);
        if (!knownLoaded && ahead.length <= LOOKAHEAD_CHUNKS) {
          // A turn of the event loop, in which the load may finish.
          await new Promise(resolve => setImmediate(resolve));
          continue;
        }
        await applyAhead();
      }
      await applyAhead();
    } finally {
      // Settle the last write before the transaction ends either way.
      await writing.catch(() => undefined);
    }
    await writing;
    await resolveMissing(context);

    const { now, counts } = context;
    await recordImport(trx, {
      scope,
      importId,
      format: input.format,
      actor: input.actor,
      now,
      reportBytes: input.reportBytes,
      findingCount,
      counts,
      // Read now: the parser's warnings are complete once it is consumed.
      report: input.report
        ? { ...input.report, warnings: input.report.warnings() }
        : null,
    });

    const unassessed = {
      all: await countOpenBySeverity(trx, scope),
      new: context.introducedOpen,
    };
    return { importId, counts, findingCount, unassessed };
  });
}

/**
 * The scope's latest import, and its row in `imports`: when the scope's
 * rows were seen, and what the import found. Both an import that reads the
 * report and one that recognizes it (`identicalReimport.ts`) record this.
 */
export async function recordImport(
  trx: Knex.Transaction,
  input: {
    scope: ImportScope;
    importId: string;
    format: string;
    actor: string;
    /** ISO time of the import. */
    now: string;
    reportBytes: number;
    findingCount: number;
    counts: ImportCounts;
    /**
     * The report the scope's rows now stand for, or null when not known;
     * undefined keeps the one the scope remembers (it was recognized).
     */
    report?: {
      sha256: string;
      reader: string;
      warnings: ImportWarnings;
    } | null;
  },
): Promise<void> {
  const { scope, importId, now, counts, report } = input;
  const remembered =
    report === undefined
      ? {}
      : {
          report_sha256: report?.sha256 ?? null,
          report_reader: report?.reader ?? null,
          report_warnings: report ? JSON.stringify(report.warnings) : null,
        };
  await trx('observation_scopes')
    .insert({
      entity_ref: scope.entityRef,
      branch: scope.branch,
      scanner: scope.scanner,
      source: scope.source,
      last_import_id: importId,
      last_seen_at: now,
      ...remembered,
    })
    .onConflict(['entity_ref', 'branch', 'scanner', 'source'])
    .merge(['last_import_id', 'last_seen_at', ...Object.keys(remembered)]);
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
    finding_count: input.findingCount,
    count_new: counts.new,
    count_updated: counts.updated,
    count_unchanged: counts.unchanged,
    count_resolved: counts.resolved,
    count_reopened: counts.reopened,
  });
}

export function zeroSeverityCounts(): SeverityCounts {
  return Object.fromEntries(
    SEVERITIES.map(severity => [severity, 0]),
  ) as SeverityCounts;
}

/** The scope's open observations per effective severity, in the transaction. */
export async function countOpenBySeverity(
  trx: Knex.Transaction,
  scope: ImportScope,
): Promise<SeverityCounts> {
  const rows: Array<{ severity: Severity; count: string | number }> = await trx(
    'observations',
  )
    .where(inScope({ scope }))
    .where('status', 'open')
    .groupBy('severity')
    .select('severity')
    .count({ count: '*' });
  const counts = zeroSeverityCounts();
  for (const row of rows) {
    counts[row.severity] = Number(row.count);
  }
  return counts;
}

interface KnownRow {
  id: string;
  identity_hash: string;
  content_hash: string;
  parser_status: Status;
  status: Status;
  missing: boolean | number;
}

const KNOWN_COLUMNS = [
  'id',
  'identity_hash',
  'content_hash',
  'parser_status',
  'status',
  'missing',
];

/**
 * Reads the scope's observations into `context.known`, in pages of
 * ID_CHUNK_ROWS: one result of 100k rows would hold them all twice for a
 * moment (as rows and in the map). A lookup per chunk of findings instead
 * would have Postgres scan the scope once per chunk.
 *
 * On Postgres the pages are fetched from a cursor over one scan. Pages
 * by keyset (`identity_hash > last ORDER BY identity_hash LIMIT n`) would
 * each be planned alone, and right after a large first import, before
 * autovacuum has analyzed the table, Postgres plans each of them as a scan
 * and sort of the whole scope (2.5 s instead of 0.6 s to read 100k rows).
 */
async function loadKnown(context: ImportContext): Promise<void> {
  const { trx } = context;
  const scopeRow = await trx('observation_scopes')
    .where(inScope(context))
    .first('last_import_id', 'last_seen_at');
  if (scopeRow) {
    context.previous = {
      importId: scopeRow.last_import_id,
      seenAt: scopeRow.last_seen_at,
    };
  }
  const remember = (rows: KnownRow[]) => {
    for (const row of rows) {
      context.known.set(row.identity_hash, {
        id: row.id,
        contentHash: row.content_hash,
        status: row.status,
        resolved: row.parser_status === 'resolved',
        // SQLite has no booleans: 0 or 1.
        missing: Boolean(row.missing),
      });
    }
  };

  if (isPostgres(trx)) {
    const query = trx('observations')
      .where(inScope(context))
      .select(KNOWN_COLUMNS)
      .toSQL();
    await trx.raw(
      `DECLARE known_observations NO SCROLL CURSOR FOR ${query.sql}`,
      query.bindings,
    );
    for (;;) {
      const { rows }: { rows: KnownRow[] } = await trx.raw(
        `FETCH ${ID_CHUNK_ROWS} FROM known_observations`,
      );
      remember(rows);
      if (rows.length < ID_CHUNK_ROWS) break;
    }
    await trx.raw('CLOSE known_observations');
    return;
  }

  let after = '';
  for (;;) {
    const page: KnownRow[] = await trx('observations')
      .where(inScope(context))
      .where('identity_hash', '>', after)
      .orderBy('identity_hash')
      .limit(ID_CHUNK_ROWS)
      .select(KNOWN_COLUMNS);
    remember(page);
    if (page.length < ID_CHUNK_ROWS) return;
    after = page[page.length - 1].identity_hash;
  }
}

/** The items in arrays of `size`, taken from the iterable as they come. */
function* chunksOf<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

function inScope(context: { scope: ImportScope }) {
  const { scope } = context;
  return {
    entity_ref: scope.entityRef,
    branch: scope.branch,
    scanner: scope.scanner,
    source: scope.source,
  };
}

/**
 * One chunk of findings (distinct identities, none seen in an earlier chunk)
 * against the stored observations with the same identities. Unchanged ones
 * are only counted.
 */
async function applyChunk(
  context: ImportContext,
  findings: NormalizedFinding[],
): Promise<void> {
  const { trx, scope, importId, now, counts, enqueueForSync } = context;
  const inserts: Array<ContentRow & { identity_hash: string }> = [];
  const updates: ContentRow[] = [];
  /** Unchanged, but back in the report after missing from one. */
  const back: string[] = [];
  const changed: Array<[known: KnownObservation, finding: NormalizedFinding]> =
    [];
  const events: Array<Record<string, unknown>> = [];

  for (const normalized of findings) {
    const known = context.known.get(normalized.identityHash);
    if (!known) {
      const row = contentRow(randomUUID(), normalized, {
        status: null,
        severity: null,
      });
      inserts.push({ ...row, identity_hash: normalized.identityHash });
      counts.new += 1;
      if (row.status === 'open') context.introducedOpen[row.severity] += 1;
      continue;
    }
    context.known.delete(normalized.identityHash);
    // A resolved row whose finding the report does not state resolved
    // returns, whatever its content: one resolved for missing from a
    // report kept the content it had before. A finding stated resolved
    // again with the same content (the hash covers the status) is
    // unchanged: it stays resolved.
    const returns = known.resolved && normalized.finding.status !== 'resolved';
    if (!returns && known.contentHash === normalized.contentHash) {
      counts.unchanged += 1;
      if (known.missing) back.push(known.id);
      continue;
    }
    changed.push([known, normalized]);
  }

  // Changed and returning findings need the whole stored row: their
  // assessment is kept and their audit entry says what changed.
  const existingById = new Map<string, ExistingRow>();
  if (changed.length > 0) {
    const rows: ExistingRow[] = await trx('observations')
      .where(
        whereInJsonValues(
          trx,
          'id',
          changed.map(([known]) => known.id),
        ),
      )
      .select(
        'id',
        'content_hash',
        'parser_status',
        'assessed_status',
        'status',
        'parser_severity',
        'assessed_severity',
        'severity',
        'title',
      );
    rows.forEach(row => existingById.set(row.id, row));
  }
  for (const [known, normalized] of changed) {
    const existing = existingById.get(known.id)!;
    const wasResolved = existing.parser_status === 'resolved';
    const isResolved = normalized.finding.status === 'resolved';
    const row = contentRow(existing.id, normalized, {
      status: existing.assessed_status,
      severity: existing.assessed_severity,
    });
    updates.push(row);
    const changes = changesBetween(existing, row);
    if (wasResolved && !isResolved) {
      counts.reopened += 1;
      if (row.status === 'open') context.introducedOpen[row.severity] += 1;
      events.push({
        observation_id: existing.id,
        type: 'reopened',
        changes: JSON.stringify(changes),
        comment: known.missing
          ? 'Found again in the latest scan'
          : 'No longer stated resolved in the latest scan',
      });
    } else if (!wasResolved && isResolved) {
      counts.resolved += 1;
      events.push({
        observation_id: existing.id,
        type: 'resolved',
        changes: JSON.stringify(changes),
        comment: 'Stated resolved in the latest scan',
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

  if (inserts.length > 0) {
    const insertColumns: JsonColumn[] = [
      ...CONTENT_COLUMNS,
      ['identity_hash', 'text'],
    ];
    const insertNames = insertColumns.map(([name]) => name);
    await trx.raw(
      `INSERT INTO observations (${insertNames.join(', ')},
         entity_ref, branch, scanner, source, first_seen_at, last_seen_at,
         first_import_id, last_import_id, updated_at, resolved_at,
         sync_state, sync_next_attempt_at)
       SELECT ${insertNames.map(name => `u.${name}`).join(', ')},
         ?, ?, ?, ?, ?, ?, ?, ?, ?,
         CASE WHEN u.parser_status = 'resolved'
           THEN ${isPostgres(trx) ? '?::timestamptz' : '?'} END, ?, ?
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
        now,
        enqueueForSync ? 'pending' : null,
        enqueueForSync ? now : null,
        jsonRowsTable(trx, insertColumns, inserts),
      ],
    );
  }

  if (back.length > 0) {
    await trx('observations')
      .where(whereInJsonValues(trx, 'id', back))
      .update({ missing: false, last_seen_at: now, last_import_id: importId });
  }

  if (updates.length > 0) {
    const assignments = CONTENT_COLUMNS.filter(([name]) => name !== 'id')
      .map(([name]) => `${name} = u.${name}`)
      .join(', ');
    // Resolved since when: kept while the scanner's status stays resolved
    // (missing, then stated resolved), from now when it becomes resolved.
    await trx.raw(
      `UPDATE observations SET ${assignments},
         resolved_at = CASE WHEN u.parser_status = 'resolved'
           THEN COALESCE(observations.resolved_at, ?) END,
         missing = ?, last_seen_at = ?, last_import_id = ?, updated_at = ?
       ${enqueueForSync ? SYNC_ENQUEUE_SQL : SYNC_GENERATION_SQL}
       FROM ? WHERE observations.id = u.id`,
      [
        now,
        false,
        now,
        importId,
        now,
        ...(enqueueForSync ? [now] : []),
        jsonRowsTable(trx, CONTENT_COLUMNS, updates),
      ],
    );
  }

  await insertEvents(context, events);
}

/**
 * What is left of the scope's observations was not in the report: marked
 * missing, last seen by the scope's previous import, and resolved with an
 * audit entry each unless their scanner's status was resolved already.
 */
async function resolveMissing(context: ImportContext): Promise<void> {
  const { trx, now, counts, enqueueForSync, previous } = context;
  const gone = [...context.known.values()].filter(known => !known.missing);
  const lastSighting = previous
    ? { last_seen_at: previous.seenAt, last_import_id: previous.importId }
    : // Rows of a scope that has no import yet keep their own.
      {};

  // Stated resolved by the last report, now missing: already resolved.
  const stillResolved = gone.filter(known => known.resolved);
  for (let i = 0; i < stillResolved.length; i += ID_CHUNK_ROWS) {
    const chunk = stillResolved.slice(i, i + ID_CHUNK_ROWS);
    await trx('observations')
      .where(
        whereInJsonValues(
          trx,
          'id',
          chunk.map(row => row.id),
        ),
      )
      .update({ missing: true, ...lastSighting });
  }

  const missing = gone.filter(known => !known.resolved);
  counts.resolved += missing.length;
  for (let i = 0; i < missing.length; i += ID_CHUNK_ROWS) {
    const chunk = missing.slice(i, i + ID_CHUNK_ROWS);
    await trx('observations')
      .where(
        whereInJsonValues(
          trx,
          'id',
          chunk.map(row => row.id),
        ),
      )
      .update({
        parser_status: 'resolved',
        status: 'resolved',
        resolved_at: now,
        updated_at: now,
        missing: true,
        ...lastSighting,
        // A sync that holds the row must not store its old status as synced.
        sync_generation: trx.raw('sync_generation + 1'),
        // Only an issue needs closing: the rest never needs a call.
        ...(enqueueForSync
          ? {
              sync_state: trx.raw(
                `CASE WHEN ${LINKED_SQL} THEN 'pending' ELSE sync_state END`,
              ),
              sync_next_attempt_at: trx.raw(
                `CASE WHEN ${LINKED_SQL} THEN ? ELSE sync_next_attempt_at END`,
                [now],
              ),
            }
          : {}),
      });
    await insertEvents(
      context,
      chunk.map(row => ({
        observation_id: row.id,
        type: 'resolved',
        changes: JSON.stringify({
          status: { from: row.status, to: 'resolved' },
        }),
        comment: 'Not found in the latest scan',
      })),
    );
  }
}

async function insertEvents(
  context: ImportContext,
  events: Array<Record<string, unknown>>,
): Promise<void> {
  if (events.length === 0) return;
  const { trx, scope, actor, importId, now } = context;
  const eventNames = EVENT_COLUMNS.map(([name]) => name);
  await trx.raw(
    `INSERT INTO observation_events (${eventNames.join(', ')},
       entity_ref, actor, actor_kind, import_id, created_at)
     SELECT ${eventNames.map(name => `u.${name}`).join(', ')}, ?, ?, ?, ?, ?
     FROM ?`,
    [
      scope.entityRef,
      actor,
      'scanner',
      importId,
      now,
      jsonRowsTable(trx, EVENT_COLUMNS, events),
    ],
  );
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
