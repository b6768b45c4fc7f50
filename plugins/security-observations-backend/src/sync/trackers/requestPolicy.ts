import { Clock } from '../WritePacer';
import { TrackerError } from './TrackerError';

/** Headers as a plain, lower-case keyed record, or a fetch `Headers`. */
export type HeaderSource =
  | Headers
  | Record<string, string | string[] | undefined>
  | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value ?? undefined;
}

/**
 * How long a tracker asked us to wait, in ms: `Retry-After` (seconds or an
 * HTTP date), else a reset time (`RateLimit-Reset` / `X-RateLimit-Reset`,
 * epoch seconds or an ISO timestamp, as GitLab and Jira send them).
 * `unitMs` is what a second counts for (tests shorten it).
 */
export function retryDelayMs(
  headers: HeaderSource,
  now: number,
  unitMs = 1000,
): number | undefined {
  const retryAfter = header(headers, 'retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * unitMs;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  for (const name of ['ratelimit-reset', 'x-ratelimit-reset']) {
    const reset = header(headers, name)?.trim();
    if (!reset) continue;
    const at = /^\d+$/.test(reset) ? Number(reset) * 1000 : Date.parse(reset);
    if (!Number.isNaN(at) && at > 0) return Math.max(0, at - now) + unitMs;
  }
  return undefined;
}

export interface RequestPolicy {
  clock: Clock;
  /** Unit of backoffs (1000: seconds). */
  retryBaseMs: number;
  /** A limit answer asking for at most this is sat out inline, once. */
  maxInlineWaitMs: number;
}

/** Retries of an idempotent request after a 5xx, a timeout or a network error. */
const IDEMPOTENT_RETRIES = 2;

/**
 * Sends one tracker request the way every client here should: a limit
 * answer that asks for a short wait is sat out once (the tracker refused
 * the request, so even a create is safe to send again); a 5xx, timeout or
 * network error is retried with backoff only when the request is
 * idempotent (a create may have happened: the engine then looks for it by
 * its marker). Anything else reaches the engine as the `TrackerError`.
 */
export async function sendWithPolicy<T>(
  policy: RequestPolicy,
  request: { idempotent: boolean },
  send: () => Promise<T>,
): Promise<T> {
  let satOut = false;
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof TrackerError)) throw error;
      const wait = error.details.retryAfterMs ?? 0;
      if (
        error.kind === 'rate_limited' &&
        !satOut &&
        wait <= policy.maxInlineWaitMs
      ) {
        satOut = true;
        await policy.clock.sleep(wait);
        continue;
      }
      if (
        error.kind === 'unavailable' &&
        request.idempotent &&
        attempt < IDEMPOTENT_RETRIES
      ) {
        await policy.clock.sleep(policy.retryBaseMs * 2 ** attempt);
        continue;
      }
      throw error;
    }
  }
}
