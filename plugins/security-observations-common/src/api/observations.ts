import { z } from 'zod';
import { SEVERITIES, STATUSES } from '../domain';

/**
 * Parses a severity name, one of `SEVERITIES`.
 * @public
 */
export const severitySchema = z.enum(SEVERITIES);
/**
 * Parses a status name, one of `STATUSES`.
 * @public
 */
export const statusSchema = z.enum(STATUSES);

/**
 * One observation as the HTTP API returns it.
 * @public
 */
export const observationSchema = z.object({
  id: z.string(),
  entityRef: z.string(),
  branch: z.string(),
  scanner: z.string(),
  source: z.string(),
  identityHash: z.string(),
  title: z.string(),
  description: z.string(),
  /** Effective severity: the assessed one when set, else the scanner's. */
  severity: severitySchema,
  parserSeverity: severitySchema,
  assessedSeverity: severitySchema.nullable(),
  /** Effective status. */
  status: statusSchema,
  parserStatus: statusSchema,
  assessedStatus: statusSchema.nullable(),
  justification: z.string().nullable(),
  ruleId: z.string().nullable(),
  vulnerabilityIds: z.array(z.string()),
  cwes: z.array(z.string()),
  package: z
    .object({
      purl: z.string().nullable(),
      name: z.string().nullable(),
      version: z.string().nullable(),
      fixedVersion: z.string().nullable(),
    })
    .nullable(),
  location: z
    .object({
      file: z.string().nullable(),
      startLine: z.number().nullable(),
      endLine: z.number().nullable(),
      uri: z.string().nullable(),
      image: z.string().nullable(),
      endpoint: z.string().nullable(),
    })
    .nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  resolvedAt: z.string().nullable(),
  riskAcceptanceExpiresAt: z.string().nullable(),
  tracker: z
    .object({
      trackerId: z.string().nullable(),
      issueKey: z.string().nullable(),
      issueUrl: z.string().nullable(),
      issueState: z.string().nullable(),
      /**
       * `pending` (queued), `synced`, `failed` (see `lastError`; retried
       * at `nextAttemptAt`), or one of two states that are not failures
       * and that nobody is notified about, with the reason in
       * `notPushedReason`: `off` (the entity's tracker cannot sync, e.g.
       * no credentials configured) and `not_pushed` (the rules want no
       * issue, e.g. a false positive or below the minimum severity).
       * Null when the entity has no tracker.
       */
      syncState: z.string().nullable(),
      syncAttempts: z.number(),
      nextAttemptAt: z.string().nullable(),
      lastError: z.string().nullable(),
      /**
       * Why the observation is not pushed to the tracker, when
       * `syncState` is `off` or `not_pushed`; null otherwise.
       */
      notPushedReason: z.string().nullable().optional(),
      /**
       * The issue as the tracker last showed it (a webhook or the
       * reconciliation): its status in the tracker's words, who changed
       * it last and when, and when it was last seen. Null until read.
       */
      live: z
        .object({
          state: z.enum(['open', 'closed', 'gone']),
          status: z.string(),
          changedBy: z.string().nullable(),
          changedAt: z.string().nullable(),
          seenAt: z.string(),
        })
        .nullable()
        .optional(),
    })
    .nullable(),
  updatedAt: z.string(),
});

/**
 * One observation as the HTTP API returns it.
 * @public
 */
export type Observation = z.infer<typeof observationSchema>;

/** Fields `GET /v1/observations` can sort by; prefix `-` for descending. @public */
export const OBSERVATION_SORT_FIELDS = [
  'severity',
  'title',
  'status',
  'scanner',
  'branch',
  'firstSeenAt',
  'lastSeenAt',
] as const;

/**
 * A field `GET /v1/observations` can sort by.
 * @public
 */
export type ObservationSortField = (typeof OBSERVATION_SORT_FIELDS)[number];

const csv = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform(value =>
      (Array.isArray(value) ? value : [value])
        .flatMap(part => part.split(','))
        .map(part => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

/**
 * Query of `GET /v1/observations`. List filters take comma-separated values
 * or repeated parameters.
 * @public
 */
export const listObservationsQuerySchema = z.object({
  entityRef: z.string().min(1),
  status: csv(statusSchema).optional(),
  severity: csv(severitySchema).optional(),
  scanner: csv(z.string()).optional(),
  branch: csv(z.string()).optional(),
  q: z.string().max(200).optional(),
  sort: z
    .string()
    .regex(
      new RegExp(`^-?(${OBSERVATION_SORT_FIELDS.join('|')})$`),
      `expected one of ${OBSERVATION_SORT_FIELDS.join(
        ', ',
      )}, optionally prefixed with -`,
    )
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(2000).optional(),
});

/**
 * Query of `GET /v1/observations`, parsed.
 * @public
 */
export type ListObservationsQuery = z.infer<typeof listObservationsQuerySchema>;

/**
 * Answer of `GET /v1/observations`: one page and the filter's total.
 * @public
 */
export const listObservationsResponseSchema = z.object({
  items: z.array(observationSchema),
  totalCount: z.number(),
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor: z.string().optional(),
});

/**
 * Answer of `GET /v1/observations`.
 * @public
 */
export type ListObservationsResponse = z.infer<
  typeof listObservationsResponseSchema
>;

/**
 * One entry of an observation's audit log.
 * @public
 */
export const observationEventSchema = z.object({
  id: z.string(),
  observationId: z.string(),
  type: z.string(),
  actor: z.string(),
  /**
   * `scanner`: an import's token subject; `service`: a service explicitly
   * granted the assess permission.
   */
  actorKind: z.enum(['user', 'scanner', 'service', 'tracker', 'system']),
  importId: z.string().nullable(),
  changes: z.record(
    z.string(),
    z.object({ from: z.unknown().optional(), to: z.unknown().optional() }),
  ),
  comment: z.string().nullable(),
  createdAt: z.string(),
});

/**
 * One entry of an observation's audit log.
 * @public
 */
export type ObservationEvent = z.infer<typeof observationEventSchema>;

/**
 * Answer of `GET /v1/observations/:id/events`: the audit log, oldest
 * first.
 * @public
 */
export const observationEventsResponseSchema = z.object({
  items: z.array(observationEventSchema),
});

/**
 * `GET /v1/entities/:entityRef/summary`.
 * @public
 */
export const entitySummarySchema = z.object({
  entityRef: z.string(),
  /** Active observations (open, and in review) per effective severity. */
  activeBySeverity: z.record(severitySchema, z.number()),
  /** All observations per effective status. */
  byStatus: z.record(statusSchema, z.number()),
  totalActive: z.number(),
  total: z.number(),
  lastImportAt: z.string().nullable(),
  /**
   * Where the entity's observations are synced, resolved from its
   * annotations and `securityObservations.trackers`. `problem` says, in
   * words a developer can act on, why nothing is synced (an unknown tracker
   * id, a missing project annotation, no credentials, ...). Absent when the
   * backend has no tracker sync.
   */
  tracker: z
    .object({
      /** The configured tracker's id, when one was chosen. */
      trackerId: z.string().nullable(),
      kind: z.enum(['github', 'gitlab', 'jira']).nullable(),
      /** `owner/repo`, the GitLab project, or the Jira project key. */
      target: z.string().nullable(),
      /** The tracker's web address for the target, when known. */
      url: z.string().nullable(),
      problem: z.string().nullable(),
      /**
       * What the tracker said when the sync checked the target before
       * creating issues (an unknown Jira project, issue type or
       * component); null when new issues can go there or nothing was
       * checked yet. Unlike `problem`, "Sync now" stays possible: the fix
       * is on the tracker's side.
       */
      targetProblem: z.string().nullable().optional(),
    })
    .optional(),
});

/**
 * Answer of `GET /v1/entities/:entityRef/summary`.
 * @public
 */
export type EntitySummary = z.infer<typeof entitySummarySchema>;
