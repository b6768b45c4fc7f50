import { z } from 'zod';

/*
 * Answers of routes whose schemas are not (yet) in
 * `backstage-plugin-security-observations-common`. Each one mirrors the
 * backend's contract; move it to -common when the backend exports one.
 * (Comments are in -common: observationCommentSchema.)
 */

/**
 * The 202 answer of an assessment under four-eyes review: the stored
 * request, waiting for another user's decision. Only its id matters here.
 */
export const pendingAssessmentResponseSchema = z.object({
  id: z.string(),
});

/** The 202 answer of `POST /v1/entities/:entityRef/sync`. */
export const syncResponseSchema = z.object({
  queued: z.number(),
});

/** The 200 answer of `POST /v1/observation-deletions`. */
export const deletionResponseSchema = z.object({
  deleted: z.number(),
  issuesToClose: z.number(),
});
