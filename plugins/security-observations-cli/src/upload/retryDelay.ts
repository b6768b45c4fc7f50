/** The first retry waits about this long; each next one twice as long. */
export const FIRST_BACKOFF_MS = 1_000;
/** Backoff never waits longer than this. */
export const MAX_BACKOFF_MS = 30_000;
/** A backend's Retry-After is honoured up to this long. */
export const MAX_RETRY_AFTER_MS = 120_000;

/**
 * Exponential backoff before retry number `retry` (1 for the first):
 * 1 s, 2 s, 4 s, ... up to 30 s, each 20 % shorter or longer at random, so
 * that the CI jobs a backend restart failed together do not all come back
 * in the same second. `random` returns a number in [0, 1).
 */
export function backoffDelay(retry: number, random: () => number): number {
  const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (retry - 1));
  const jittered = base * (0.8 + 0.4 * random());
  return Math.round(Math.min(MAX_BACKOFF_MS, jittered));
}

/**
 * A `Retry-After` header in milliseconds, capped: delay-seconds (`120`) or
 * an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`, which counts from `now`).
 * Undefined when there is no header or it cannot be read.
 */
export function retryAfterDelay(
  header: string | null,
  now: number,
): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  let delay: number;
  if (/^\d+$/.test(value)) {
    delay = Number(value) * 1_000;
  } else {
    // HTTP dates name the month ("21 Oct 2026"); Date.parse reads "-5" too.
    const date = /[a-z]/i.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(date)) return undefined;
    delay = Math.max(0, date - now);
  }
  return Math.min(MAX_RETRY_AFTER_MS, delay);
}

/** "0.8 s", "2 s", "30 s": how a wait reads in a retry line. */
export function formatDelay(ms: number): string {
  const seconds = ms / 1_000;
  if (seconds < 10 && !Number.isInteger(seconds)) {
    return `${seconds.toFixed(1)} s`;
  }
  return `${Math.round(seconds)} s`;
}
