/** What the limiter decided for one request. */
export type RateLimitDecision =
  | { allowed: true }
  | {
      allowed: false;
      /** When the caller's window ends, in whole seconds from now (at least 1). */
      retryAfterSeconds: number;
    };

/** A caller's requests in its current window. */
interface Window {
  startedAt: number;
  count: number;
}

/**
 * Counts requests per caller in fixed one-minute windows, in the memory
 * of this backend process: with several replicas behind a load balancer,
 * a caller may make up to that many times the limit. A window starts with
 * the caller's first request in it; windows that ended are dropped once a
 * minute, so the memory holds only recent callers.
 */
export class RequestRateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;
  private nextSweepAt = 0;

  constructor(
    private readonly options: {
      /** Requests a caller may make in one window. */
      limit: number;
      /** Default one minute. */
      windowMs?: number;
      /** Epoch milliseconds; tests move it. */
      now?: () => number;
    },
  ) {
    this.windowMs = options.windowMs ?? 60_000;
  }

  get limit(): number {
    return this.options.limit;
  }

  /** Counts one request of `key`; refused once its window is used up. */
  take(key: string): RateLimitDecision {
    const now = this.options.now?.() ?? Date.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.options.limit) {
      const endsInMs = window.startedAt + this.windowMs - now;
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil(endsInMs / 1000)),
      };
    }
    window.count += 1;
    return { allowed: true };
  }

  private sweep(now: number) {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + this.windowMs;
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
    }
  }
}
