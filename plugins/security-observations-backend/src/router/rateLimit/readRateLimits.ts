import { Config } from '@backstage/config';

/** Requests per minute, per caller, of the routes that take writes from outside. */
export interface RateLimits {
  /** `POST /v1/imports`, per principal (a static token's subject, a user). */
  imports: { requestsPerMinute: number };
  /** Tracker webhooks, per tracker type and sender address. */
  webhooks: { requestsPerMinute: number };
}

/**
 * The defaults: a CI fan-out that uploads a report per component and
 * scanner stays well below 60 a minute per token; trackers send a webhook
 * per issue change, in bursts when people edit many issues at once.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  imports: { requestsPerMinute: 600 },
  webhooks: { requestsPerMinute: 600 },
};

/** Reads `securityObservations.rateLimits`; fails fast on bad values. */
export function readRateLimits(config: Config): RateLimits {
  const read = (route: keyof RateLimits) => {
    const key = `securityObservations.rateLimits.${route}.requestsPerMinute`;
    const value =
      config.getOptionalNumber(key) ??
      DEFAULT_RATE_LIMITS[route].requestsPerMinute;
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`${key} must be a whole number above 0, got ${value}`);
    }
    return { requestsPerMinute: value };
  };
  return { imports: read('imports'), webhooks: read('webhooks') };
}
