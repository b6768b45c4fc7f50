import { z } from 'zod';
import { severitySchema } from './observations';

/**
 * The longest window, in days, that the trend endpoint accepts.
 * @public
 */
export const TREND_MAX_DAYS = 365;

/**
 * `GET /v1/entities/:entityRef/trend?days=90` query.
 * @public
 */
export const trendQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(TREND_MAX_DAYS).default(90),
});

/**
 * One day of the trend: the observations that were active at the end of
 * that day (UTC), per effective severity.
 * @public
 */
export const trendPointSchema = z.object({
  /** `YYYY-MM-DD`, UTC. */
  date: z.string(),
  activeBySeverity: z.record(severitySchema, z.number()),
});

/**
 * One day of an entity's trend.
 * @public
 */
export type TrendPoint = z.infer<typeof trendPointSchema>;

/**
 * `GET /v1/entities/:entityRef/trend`: active observations by severity per
 * day over the last `days` days (oldest first, today last), and the mean
 * time to resolve of the observations resolved in that window.
 * @public
 */
export const entityTrendSchema = z.object({
  entityRef: z.string(),
  days: z.number(),
  points: z.array(trendPointSchema),
  /**
   * Mean days from first seen to resolved (by a scan or an assessment that
   * ended it) per severity, for observations resolved in the window; null
   * where none was.
   */
  meanDaysToResolve: z.record(severitySchema, z.number().nullable()),
  /** How many observations the means are over, per severity. */
  resolvedBySeverity: z.record(severitySchema, z.number()),
});

/**
 * Answer of `GET /v1/entities/:entityRef/trend`.
 * @public
 */
export type EntityTrend = z.infer<typeof entityTrendSchema>;
