import { z } from 'zod';

/**
 * Body of `POST /v1/observation-deletions`: observations of one entity to
 * delete, all or none.
 * @public
 */
export const bulkDeletionRequestSchema = z
  .object({
    entityRef: z.string().min(1),
    observationIds: z.array(z.string().min(1)).min(1).max(1000),
  })
  .strict();

/**
 * Body of `POST /v1/observation-deletions`.
 * @public
 */
export type BulkDeletionRequest = z.infer<typeof bulkDeletionRequestSchema>;

/**
 * Answer of `POST /v1/observation-deletions`: how many observations were
 * deleted, and how many of them have a tracker issue that the sync closes
 * as not planned.
 * @public
 */
export interface BulkDeletionResponse {
  /** How many observations were deleted. */
  deleted: number;
  /** How many of them have a tracker issue that the sync closes. */
  issuesToClose: number;
}
