/** What went wrong on a tracker, as the sync engine acts on it. */
export type TrackerErrorKind =
  /** The issue was deleted (GitHub 410, or 404 for an issue we had). */
  | 'gone'
  /** Credentials rejected (401). */
  | 'unauthorized'
  /** No permission, or the project does not exist for these credentials. */
  | 'forbidden'
  | 'not_found'
  /** The tracker refused the content (422). */
  | 'invalid'
  /** A rate limit answered; `retryAfterMs` says when to come back. */
  | 'rate_limited'
  /** 5xx, a timeout or a network error: the request may or may not have been applied. */
  | 'unavailable';

/**
 * A tracker failure with what the engine needs: whether a write may have
 * been applied anyway, and when to retry. The message never holds
 * credentials.
 */
export class TrackerError extends Error {
  readonly name = 'TrackerError';

  constructor(
    readonly kind: TrackerErrorKind,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
  }

  /** True when the request may have been applied although it failed. */
  get outcomeUnknown(): boolean {
    return this.kind === 'unavailable';
  }
}

/**
 * What a tracker's refusal means for the engine, by HTTP status; any
 * other status (5xx, a proxy's 502) may have been applied: unavailable.
 */
export function kindOfStatus(status: number): TrackerErrorKind {
  const kinds: Record<number, TrackerErrorKind> = {
    400: 'invalid',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    409: 'invalid',
    422: 'invalid',
  };
  return kinds[status] ?? 'unavailable';
}
