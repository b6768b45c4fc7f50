import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import {
  EntitySummary,
  EntityTrend,
  ListObservationsQuery,
  ListObservationsResponse,
  Observation,
  ObservationComment,
  ObservationEvent,
  SEVERITIES,
  STATUSES,
  Status,
} from 'backstage-plugin-security-observations-common';
import {
  addComment,
  applyAssessment,
  AssessmentInput,
  expireRiskAcceptances,
} from './applyAssessment';
import { applyImport, ImportInput, ImportResult } from './applyImport';
import {
  decideAssessment,
  getPendingAssessment,
  listPendingAssessments,
  requestAssessment,
} from './pendingAssessments';
import { toIsoString, toIsoStringOrNull } from './dates';
import * as deletedObservations from './deletedObservations';
import { entityTrend } from './entityTrend';
import {
  applyIdenticalReimport,
  IdenticalReimportInput,
  IdenticalReimportResult,
} from './identicalReimport';
import { listObservations } from './listObservations';
import * as syncQueue from './syncQueue';
import * as trackerActivity from './trackerActivity';
import { ClaimedObservation } from './syncQueue';
import {
  eventFromRow,
  EventRow,
  observationFromRow,
  ObservationRow,
  observationsWithLastSeen,
} from './observationRows';

const migrationsDir = resolvePackagePath(
  'backstage-plugin-security-observations-backend',
  'migrations',
);

/**
 * The plugin's store over the Backstage database. Every SQL statement of the
 * plugin lives in this folder.
 */
export class SecurityObservationsStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<SecurityObservationsStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await migrateUp(client);
    }
    return new SecurityObservationsStore(client);
  }

  private constructor(private readonly db: Knex) {}

  /** Name of the Knex client in use, e.g. `pg` or `better-sqlite3`. */
  get clientName(): string {
    return String(this.db.client.config.client);
  }

  /** True when the database answers a trivial query. */
  async ping(): Promise<boolean> {
    try {
      await this.db.raw('select 1');
      return true;
    } catch {
      return false;
    }
  }

  /** Applies one report to its scope, all or nothing. */
  applyImport(input: ImportInput): Promise<ImportResult> {
    return applyImport(this.db, input);
  }

  /** Applies one assessment to observations of one entity, all or nothing. */
  applyAssessment(input: AssessmentInput) {
    return applyAssessment(this.db, input);
  }

  /** Four-eyes review: stores an assessment until someone else decides. */
  requestAssessment(input: Parameters<typeof requestAssessment>[1]) {
    return requestAssessment(this.db, input);
  }

  getPendingAssessment(id: string) {
    return getPendingAssessment(this.db, id);
  }

  listPendingAssessments(entityRef: string) {
    return listPendingAssessments(this.db, entityRef);
  }

  decideAssessment(input: Parameters<typeof decideAssessment>[1]) {
    return decideAssessment(this.db, input);
  }

  /** Ends the risk acceptances whose expiry has passed; returns how many. */
  expireRiskAcceptances(now: Date): Promise<number> {
    return expireRiskAcceptances(this.db, now);
  }

  addComment(input: Parameters<typeof addComment>[1]) {
    return addComment(this.db, input);
  }

  listObservations(
    query: ListObservationsQuery,
  ): Promise<ListObservationsResponse> {
    return listObservations(this.db, query);
  }
  // Admin deletes, and the issues they leave to close: see deletedObservations.ts.

  /** Deletes observations of one entity, all or none. */
  deleteObservations(
    input: Parameters<typeof deletedObservations.deleteObservations>[1],
  ) {
    return deletedObservations.deleteObservations(this.db, input);
  }

  claimDeletedIssues(
    options: Parameters<typeof deletedObservations.claimDeletedIssues>[1],
  ) {
    return deletedObservations.claimDeletedIssues(this.db, options);
  }

  recordDeletedIssueSettled(
    row: deletedObservations.DeletedIssueRow,
    outcome: deletedObservations.DeletedIssueOutcome,
  ) {
    return deletedObservations.recordDeletedIssueSettled(this.db, row, outcome);
  }

  recordDeletedIssueRetry(
    row: deletedObservations.DeletedIssueRow,
    retry: Parameters<typeof deletedObservations.recordDeletedIssueRetry>[2],
  ) {
    return deletedObservations.recordDeletedIssueRetry(this.db, row, retry);
  }

  async getObservation(id: string): Promise<Observation | undefined> {
    const row: ObservationRow | undefined = await this.db(
      observationsWithLastSeen(this.db),
    )
      .where({ id })
      .first();
    return row ? observationFromRow(row) : undefined;
  }

  /**
   * The audit log of an observation, oldest first. Its first entry, the
   * import that created it, comes from the imports table: writing one event
   * row per new finding would double the cost of large imports.
   */
  async listEvents(observationId: string): Promise<ObservationEvent[]> {
    const created = await this.db('observations as o')
      .join('imports as i', 'i.id', 'o.first_import_id')
      .where('o.id', observationId)
      .first(
        'o.id',
        'o.first_import_id',
        'o.status',
        'i.actor',
        'i.created_at',
      );
    if (!created) {
      return [];
    }
    const rows: EventRow[] = await this.db('observation_events')
      .where({ observation_id: observationId })
      .orderBy('id', 'asc');
    const events = rows.map(eventFromRow);
    // A report may create it in any status (CycloneDX VEX): the one the
    // first change of status started from, else the one it still has.
    const createdStatus =
      events.find(event => event.changes.status?.from !== undefined)?.changes
        .status.from ?? created.status;
    return [
      {
        id: `import:${created.first_import_id}`,
        observationId,
        type: 'created',
        actor: created.actor,
        actorKind: 'scanner',
        importId: created.first_import_id,
        changes: { status: { to: createdStatus } },
        comment: 'First found in a scan',
        createdAt: toIsoString(created.created_at),
      },
      ...events,
    ];
  }

  /** Comments of an observation from both origins, oldest first. */
  async listComments(observationId: string): Promise<ObservationComment[]> {
    const rows: Array<Record<string, any>> = await this.db(
      'observation_comments',
    )
      .where({ observation_id: observationId })
      .orderBy([
        { column: 'created_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    return rows.map(row => ({
      id: row.id,
      observationId: row.observation_id,
      author: row.author,
      origin: row.origin,
      body: row.body,
      createdAt: toIsoString(row.created_at),
      url: row.external_url ?? null,
      updatedAt: toIsoStringOrNull(row.updated_at ?? null),
      push: row.push_state
        ? { state: row.push_state, error: row.push_error ?? null }
        : null,
    }));
  }

  // The tracker sync's queue: see syncQueue.ts.

  enqueueEntity(options: Parameters<typeof syncQueue.enqueueEntity>[1]) {
    return syncQueue.enqueueEntity(this.db, options);
  }

  claimDueObservations(
    options: Parameters<typeof syncQueue.claimDueObservations>[1],
  ) {
    return syncQueue.claimDueObservations(this.db, options);
  }

  renewLease(row: ClaimedObservation, leaseUntil: Date) {
    return syncQueue.renewLease(this.db, row, leaseUntil);
  }

  releaseObservations(
    owner: string,
    ids: string[],
    nextAttemptAt: Date | null,
  ) {
    return syncQueue.releaseObservations(this.db, owner, ids, nextAttemptAt);
  }

  recordCreateIntent(
    row: ClaimedObservation,
    now: Date,
    options: Parameters<typeof syncQueue.recordCreateIntent>[3],
  ) {
    return syncQueue.recordCreateIntent(this.db, row, now, options);
  }

  recordSynced(
    row: ClaimedObservation,
    result: Parameters<typeof syncQueue.recordSynced>[2],
  ) {
    return syncQueue.recordSynced(this.db, row, result);
  }

  recordFailure(
    row: ClaimedObservation,
    failure: Parameters<typeof syncQueue.recordFailure>[2],
  ) {
    return syncQueue.recordFailure(this.db, row, failure);
  }

  recordNotPushed(
    row: ClaimedObservation,
    settled: Parameters<typeof syncQueue.recordNotPushed>[2],
  ) {
    return syncQueue.recordNotPushed(this.db, row, settled);
  }

  issueCreationTimes(trackerId: string, since: Date) {
    return syncQueue.issueCreationTimes(this.db, trackerId, since);
  }

  entitiesWithObservations() {
    return syncQueue.entitiesWithObservations(this.db);
  }

  routeStates() {
    return syncQueue.routeStates(this.db);
  }

  saveTargetProblem(entityRef: string, problem: string | null, now: Date) {
    return syncQueue.saveTargetProblem(this.db, entityRef, problem, now);
  }

  targetProblemOf(entityRef: string) {
    return syncQueue.targetProblemOf(this.db, entityRef);
  }

  saveRouteHash(entityRef: string, routeHash: string, now: Date) {
    return syncQueue.saveRouteHash(this.db, entityRef, routeHash, now);
  }

  deleteRouteHash(entityRef: string) {
    return syncQueue.deleteRouteHash(this.db, entityRef);
  }

  entitiesWithSyncFailures(entityRefs: string[]) {
    return syncQueue.entitiesWithSyncFailures(this.db, entityRefs);
  }

  lastSyncNotification(entityRef: string, problem: string) {
    return syncQueue.lastSyncNotification(this.db, entityRef, problem);
  }

  saveSyncNotification(
    entry: Parameters<typeof syncQueue.saveSyncNotification>[1],
  ) {
    return syncQueue.saveSyncNotification(this.db, entry);
  }

  clearSyncNotifications(entityRef: string) {
    return syncQueue.clearSyncNotifications(this.db, entityRef);
  }

  // What trackers say back (two-way sync): see trackerActivity.ts.

  observationsOfIssue(trackerIds: string[], issueKey: string) {
    return trackerActivity.observationsOfIssue(this.db, trackerIds, issueKey);
  }

  linkedIssuesToRead(
    options: Parameters<typeof trackerActivity.linkedIssuesToRead>[1],
  ) {
    return trackerActivity.linkedIssuesToRead(this.db, options);
  }

  trackersWithLinkedIssues(entityRef?: string) {
    return trackerActivity.trackersWithLinkedIssues(this.db, entityRef);
  }

  recordLiveStatusChange(
    input: Parameters<typeof trackerActivity.recordLiveStatusChange>[1],
  ) {
    return trackerActivity.recordLiveStatusChange(this.db, input);
  }

  /** An assessment within the caller's transaction (e.g. a mapped tracker change). */
  applyAssessmentIn(trx: Knex, input: AssessmentInput) {
    return applyAssessment(trx, input);
  }

  /** A four-eyes request within the caller's transaction. */
  requestAssessmentIn(
    trx: Knex,
    input: Parameters<typeof requestAssessment>[1],
  ) {
    return requestAssessment(trx, input);
  }

  recordIssuesRead(
    reads: Parameters<typeof trackerActivity.recordIssuesRead>[1],
    now: Date,
  ) {
    return trackerActivity.recordIssuesRead(this.db, reads, now);
  }

  recordIssueGone(
    row: ObservationRow,
    options: Parameters<typeof trackerActivity.recordIssueGone>[2],
  ) {
    return trackerActivity.recordIssueGone(this.db, row, options);
  }

  recordIssueMoved(
    row: ObservationRow,
    options: Parameters<typeof trackerActivity.recordIssueMoved>[2],
  ) {
    return trackerActivity.recordIssueMoved(this.db, row, options);
  }

  commentByExternalId(observationId: string, externalId: string) {
    return trackerActivity.commentByExternalId(
      this.db,
      observationId,
      externalId,
    );
  }

  upsertTrackerComment(input: trackerActivity.TrackerCommentInput) {
    return trackerActivity.upsertTrackerComment(this.db, input);
  }

  deleteTrackerComment(
    input: Parameters<typeof trackerActivity.deleteTrackerComment>[1],
  ) {
    return trackerActivity.deleteTrackerComment(this.db, input);
  }

  commentsToPush(
    options: Parameters<typeof trackerActivity.commentsToPush>[1],
  ) {
    return trackerActivity.commentsToPush(this.db, options);
  }

  recordCommentPushed(
    commentId: string,
    pushed: Parameters<typeof trackerActivity.recordCommentPushed>[2],
  ) {
    return trackerActivity.recordCommentPushed(this.db, commentId, pushed);
  }

  recordCommentPushFailed(
    commentId: string,
    failure: Parameters<typeof trackerActivity.recordCommentPushFailed>[2],
  ) {
    return trackerActivity.recordCommentPushFailed(this.db, commentId, failure);
  }

  /** Active observations per day and mean time to resolve, for one entity. */
  getTrend(options: Parameters<typeof entityTrend>[1]): Promise<EntityTrend> {
    return entityTrend(this.db, options);
  }

  /** Counts per severity (active only) and per status, for one entity. */
  async getSummary(
    entityRef: string,
    activeStatuses: Status[],
  ): Promise<EntitySummary> {
    const groups: Array<{ severity: string; status: string; count: unknown }> =
      await this.db('observations')
        .where({ entity_ref: entityRef })
        .groupBy('severity', 'status')
        .select('severity', 'status')
        .count({ count: '*' });
    const lastImport = await this.db('imports')
      .where({ entity_ref: entityRef })
      .max({ at: 'created_at' })
      .first();

    const activeBySeverity = Object.fromEntries(
      SEVERITIES.map(severity => [severity, 0]),
    ) as EntitySummary['activeBySeverity'];
    const byStatus = Object.fromEntries(
      STATUSES.map(status => [status, 0]),
    ) as EntitySummary['byStatus'];
    let total = 0;
    let totalActive = 0;
    for (const group of groups) {
      const count = Number(group.count);
      total += count;
      byStatus[group.status as Status] += count;
      if (activeStatuses.includes(group.status as Status)) {
        totalActive += count;
        activeBySeverity[group.severity as keyof typeof activeBySeverity] +=
          count;
      }
    }
    return {
      entityRef,
      activeBySeverity,
      byStatus,
      total,
      totalActive,
      lastImportAt: toIsoStringOrNull(lastImport?.at ?? null),
    };
  }

  /**
   * Records an upload of its scope's latest report, read by the same code,
   * without reading it: undefined when it is not one.
   */
  applyIdenticalReimport(
    input: IdenticalReimportInput,
  ): Promise<IdenticalReimportResult | undefined> {
    return applyIdenticalReimport(this.db, input);
  }
}

/** Applies every pending migration shipped in `migrations/`. */
export async function migrateUp(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: migrationsDir });
}

/** Rolls back every applied migration; for tests of the down path. */
export async function migrateDownAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback({ directory: migrationsDir }, true);
}
