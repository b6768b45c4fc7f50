import { z } from 'zod';

/**
 * One thing a reconciliation changed, or with `dryRun` would change, on an
 * observation: the issue's live status, the observation's status (through
 * the tracker's status mapping), a deleted or moved issue, a comment.
 * @public
 */
export const reconcileChangeSchema = z.object({
  kind: z.enum([
    'live_status',
    'status',
    'issue_gone',
    'issue_moved',
    'comment_added',
    'comment_edited',
    'comment_deleted',
  ]),
  from: z.string().nullable(),
  to: z.string().nullable(),
  /** The tracker user behind the change, when the tracker says. */
  by: z.string().nullable(),
});

/**
 * One change a reconciliation made or would make on an observation.
 * @public
 */
export type ReconcileChange = z.infer<typeof reconcileChangeSchema>;

/**
 * `GET /v1/entities/:entityRef/reconcile?dryRun=true` lists what a
 * reconciliation of the entity's linked issues would change, changing
 * nothing; `POST` to the same path applies it.
 * @public
 */
export const reconcileResponseSchema = z.object({
  entityRef: z.string(),
  dryRun: z.boolean(),
  /** Linked issues read from their trackers. */
  checked: z.number(),
  items: z.array(
    z.object({
      observationId: z.string(),
      trackerId: z.string(),
      issueKey: z.string(),
      changes: z.array(reconcileChangeSchema),
    }),
  ),
  /** Trackers that could not be read, and why. */
  problems: z.array(z.object({ trackerId: z.string(), message: z.string() })),
});

/**
 * Answer of `GET` and `POST /v1/entities/:entityRef/reconcile`.
 * @public
 */
export type ReconcileResponse = z.infer<typeof reconcileResponseSchema>;
