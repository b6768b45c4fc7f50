import { z } from 'zod';

/** @public */
export const importCountsSchema = z.object({
  new: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  resolved: z.number(),
  reopened: z.number(),
});

/** @public */
export type ImportCounts = z.infer<typeof importCountsSchema>;

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
   * Optional parts of the report that were skipped (a vendor bending the
   * schema), each with its JSON path; the findings were kept without them.
   */
  warnings: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional(),
  /** Warnings beyond the first 100, counted. */
  warningsOmitted: z.number().optional(),
});

/** @public */
export type ImportResponse = z.infer<typeof importResponseSchema>;
