import { z } from 'zod';
import { SEVERITIES } from '../domain';

/**
 * How many observations an import created, updated, left unchanged,
 * resolved and reopened.
 * @public
 */
export const importCountsSchema = z.object({
  new: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  resolved: z.number(),
  reopened: z.number(),
});

/**
 * What an import did to the observations of its scope.
 * @public
 */
export type ImportCounts = z.infer<typeof importCountsSchema>;

/**
 * Observations per severity; every severity is present.
 * @public
 */
export const severityCountsSchema = z.object(
  Object.fromEntries(SEVERITIES.map(severity => [severity, z.number()])) as {
    [S in (typeof SEVERITIES)[number]]: z.ZodNumber;
  },
);

/**
 * Observations per severity.
 * @public
 */
export type SeverityCounts = z.infer<typeof severityCountsSchema>;

/**
 * Open observations of the import's scope, as the import left them: what
 * a CI gate decides on without a second call.
 * @public
 */
export const importUnassessedSchema = z.object({
  /** Every `open` observation of the scope (nobody has assessed it). */
  all: severityCountsSchema,
  /** Of those, the ones this import created or reopened. */
  new: severityCountsSchema,
});

/**
 * Open observations of an import's scope, all and new.
 * @public
 */
export type ImportUnassessed = z.infer<typeof importUnassessedSchema>;

/**
 * Answer of `POST /v1/imports` (201).
 * @public
 */
export const importResponseSchema = z.object({
  importId: z.string(),
  format: z.string(),
  entityRef: z.string(),
  branch: z.string(),
  scanner: z.string(),
  source: z.string(),
  findings: z.number(),
  counts: importCountsSchema,
  /**
   * Open, unassessed observations of the scope after this import, by
   * severity (the assessed severity where one was set).
   */
  unassessed: importUnassessedSchema,
  /**
   * Optional parts of the report that were skipped (a vendor bending the
   * schema), each with its JSON path; the findings were kept without them.
   */
  warnings: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional(),
  /** Warnings beyond the first 100, counted. */
  warningsOmitted: z.number().optional(),
});

/**
 * Answer of `POST /v1/imports`.
 * @public
 */
export type ImportResponse = z.infer<typeof importResponseSchema>;
