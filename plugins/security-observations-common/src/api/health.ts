import { z } from 'zod';

/**
 * Answer of `GET /health`: the backend is up and its database answers.
 * @public
 */
export const healthResponseSchema = z.object({
  status: z.literal('ok'),
  database: z.object({
    client: z.string(),
    ok: z.boolean(),
  }),
});

/**
 * Answer of `GET /health`.
 * @public
 */
export type HealthResponse = z.infer<typeof healthResponseSchema>;
