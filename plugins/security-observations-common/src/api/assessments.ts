import { z } from 'zod';
import { severitySchema } from './observations';

/**
 * Statuses a person can set. `resolved` is the scanners' word: an
 * observation is resolved when it is no longer found.
 * @public
 */
export const ASSESSABLE_STATUSES = [
  'open',
  'in_review',
  'duplicate',
  'false_positive',
  'not_affected',
  'not_security',
  'risk_accepted',
] as const;

/**
 * Why a component is not affected: the VEX justifications of CycloneDX and
 * OpenVEX.
 * @public
 */
export const VEX_JUSTIFICATIONS = [
  'code_not_present',
  'code_not_reachable',
  'requires_configuration',
  'requires_dependency',
  'requires_environment',
  'protected_by_compiler',
  'protected_at_runtime',
  'protected_at_perimeter',
  'protected_by_mitigating_control',
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

const assessmentFields = {
  status: z.enum(ASSESSABLE_STATUSES),
  /** Overrides the scanner's severity; `null` clears the override. */
  severity: severitySchema.nullable().optional(),
  comment: z.string().trim().min(1, 'a comment is required').max(10_000),
  justification: z.enum(VEX_JUSTIFICATIONS).optional(),
  /** Risk accepted only: when the acceptance ends (ISO 8601, in the future). */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
};

type AssessmentFields = {
  status: string;
  justification?: string;
  expiresAt?: string;
};

function checkAssessmentRules(value: AssessmentFields, ctx: z.RefinementCtx) {
  if (value.status === 'not_affected' && !value.justification) {
    ctx.addIssue({
      code: 'custom',
      path: ['justification'],
      message: 'a justification is required for not_affected',
    });
  }
  if (value.status !== 'not_affected' && value.justification) {
    ctx.addIssue({
      code: 'custom',
      path: ['justification'],
      message: 'a justification applies to not_affected only',
    });
  }
  if (value.expiresAt && value.status !== 'risk_accepted') {
    ctx.addIssue({
      code: 'custom',
      path: ['expiresAt'],
      message: 'an expiry applies to risk_accepted only',
    });
  }
  if (value.expiresAt && Date.parse(value.expiresAt) <= Date.now()) {
    ctx.addIssue({
      code: 'custom',
      path: ['expiresAt'],
      message: 'the expiry must be in the future',
    });
  }
}

/**
 * Body of `POST /v1/observations/:id/assessments`.
 * @public
 */
export const assessmentRequestSchema = z
  .object(assessmentFields)
  .strict()
  .superRefine(checkAssessmentRules);

/**
 * Body of `POST /v1/observations/:id/assessments`.
 * @public
 */
export type AssessmentRequest = z.infer<typeof assessmentRequestSchema>;

/**
 * Body of `POST /v1/assessments`: one assessment for many observations of
 * one entity.
 * @public
 */
export const bulkAssessmentRequestSchema = z
  .object({
    ...assessmentFields,
    entityRef: z.string().min(1),
    observationIds: z.array(z.string().min(1)).min(1).max(1000),
  })
  .strict()
  .superRefine(checkAssessmentRules);

/**
 * Body of `POST /v1/assessments`.
 * @public
 */
export type BulkAssessmentRequest = z.infer<typeof bulkAssessmentRequestSchema>;

/**
 * What an assessment changed on one observation.
 * @public
 */
export const assessmentChangeSchema = z.object({
  observationId: z.string(),
  changes: z.record(
    z.string(),
    z.object({ from: z.unknown().optional(), to: z.unknown().optional() }),
  ),
});

/**
 * Answer of an applied assessment: what it changed on each observation.
 * @public
 */
export const assessmentResponseSchema = z.object({
  items: z.array(assessmentChangeSchema),
});

/**
 * Answer of an applied assessment.
 * @public
 */
export type AssessmentResponse = z.infer<typeof assessmentResponseSchema>;

/**
 * Body of `POST /v1/observations/:id/comments`.
 * @public
 */
export const commentRequestSchema = z
  .object({
    comment: z.string().trim().min(1, 'a comment is required').max(10_000),
  })
  .strict();

/**
 * A comment on an observation, written on the Security tab (`backstage`) or
 * on the tracker issue (`github`, `gitlab`, `jira`).
 * @public
 */
export const observationCommentSchema = z.object({
  id: z.string(),
  observationId: z.string(),
  author: z.string(),
  origin: z.string(),
  body: z.string(),
  createdAt: z.string(),
  /** The comment on the tracker, for comments that came from there. */
  url: z.string().nullable().optional(),
  /** Set when the comment was edited after it was written. */
  updatedAt: z.string().nullable().optional(),
  /**
   * Security-tab comments with `pushComments` on: `pending` until the
   * issue has them, `pushed` once it does, `failed` with the reason.
   */
  push: z
    .object({
      state: z.enum(['pending', 'pushed', 'failed']),
      error: z.string().nullable(),
    })
    .nullable()
    .optional(),
});

/**
 * A comment on an observation.
 * @public
 */
export type ObservationComment = z.infer<typeof observationCommentSchema>;

/** `GET /v1/observations/:id/comments`, oldest first. @public */
export const observationCommentsResponseSchema = z.object({
  items: z.array(observationCommentSchema),
});
