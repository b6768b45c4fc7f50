/*
 * Parts that the fake trackers of the tests (GitHub, GitLab, Jira) share:
 * the record of answered calls, injected faults, and sliding-window limits
 * as the trackers enforce them.
 */

export interface FakeCall {
  method: string;
  /** URL path without the query, with the base path. */
  path: string;
  status: number;
  /** When the request arrived, by the fake's clock. */
  at: number;
}

/** Which requests a fault applies to. */
export interface FaultMatch {
  method: string;
  /** Tested against the URL path (without the query, with the base path). */
  path: RegExp;
  /** How many matching requests get it; default 1. */
  times?: number;
}

/**
 * Faults queued with `add`, handed to the next matching requests by
 * `take`, each `times` times.
 */
export class FaultQueue<F> {
  private readonly entries: Array<{
    method: string;
    path: RegExp;
    times: number;
    fault: F;
  }> = [];

  add(match: FaultMatch, fault: F): void {
    this.entries.push({
      method: match.method.toUpperCase(),
      path: match.path,
      times: match.times ?? 1,
      fault,
    });
  }

  take(method: string, path: string): F | undefined {
    const index = this.entries.findIndex(
      entry => entry.method === method.toUpperCase() && entry.path.test(path),
    );
    if (index < 0) return undefined;
    const entry = this.entries[index];
    entry.times -= 1;
    if (entry.times <= 0) this.entries.splice(index, 1);
    return entry.fault;
  }
}

/**
 * A tracker's limit: at most `limit` requests in any window of `windowMs`.
 * `admit` counts a request when there is room, and otherwise says in how
 * many ms the oldest counted request leaves the window.
 */
export class SlidingWindowLimit {
  private readonly times: number[] = [];

  constructor(readonly limit: number, readonly windowMs: number) {}

  /** 0 when admitted (and counted), else the ms until there is room. */
  admit(now: number): number {
    while (this.times.length > 0 && this.times[0] <= now - this.windowMs) {
      this.times.shift();
    }
    if (this.times.length >= this.limit) {
      return this.times[this.times.length - this.limit] + this.windowMs - now;
    }
    this.times.push(now);
    return 0;
  }

  /** Requests counted in the window that ends now. */
  used(now: number): number {
    return this.times.filter(time => time > now - this.windowMs).length;
  }
}
