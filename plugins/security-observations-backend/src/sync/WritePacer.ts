/** At most `limit` operations in any window of `windowMs`. */
export interface PacingWindow {
  limit: number;
  windowMs: number;
}

/** A clock the pacer and the engine share; the benchmark scales it. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let timer: NodeJS.Timeout | undefined = undefined;
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * Share of each window added as a margin: the tracker counts requests when
 * they arrive, after a network latency that varies from one to the next, so
 * two requests exactly one window apart here can be a little less apart
 * there.
 */
const MARGIN = 0.02;
/**
 * And at least this much, for short windows (Jira's seconds), where 2% is
 * less than the jitter of a request's way to the tracker.
 */
const MIN_MARGIN_MS = 50;

/**
 * Paces operations below several sliding windows at once (e.g. GitHub's 80
 * issue creations a minute and 500 an hour): `acquire` waits until every
 * window has room, then counts the operation. A sliding window is at least
 * as strict as a fixed one of the same length, wherever its boundaries are.
 */
export class WritePacer {
  private readonly windows: PacingWindow[];
  private times: number[][];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    windows: PacingWindow[],
    private readonly clock: Clock,
    /** Operations done before this pacer existed, e.g. by another replica. */
    earlier: number[] = [],
  ) {
    this.windows = windows.map(window => ({
      limit: window.limit,
      windowMs: Math.ceil(
        window.windowMs + Math.max(window.windowMs * MARGIN, MIN_MARGIN_MS),
      ),
    }));
    this.times = windows.map(() => [...earlier].sort((a, b) => a - b));
  }

  /**
   * Adds the operations recorded elsewhere (in the database, by every
   * replica) to the history of every window. An operation of this pacer
   * is recorded with the time `acquire` gave it, so it is recognized and
   * counted once; one without a record (a create that timed out but
   * happened) still counts.
   */
  reseed(recorded: number[]): void {
    this.times = this.times.map(own => {
      const unmatched = new Map<number, number>();
      recorded.forEach(time =>
        unmatched.set(time, (unmatched.get(time) ?? 0) + 1),
      );
      const unrecorded = own.filter(time => {
        const left = unmatched.get(time) ?? 0;
        if (left === 0) return true;
        unmatched.set(time, left - 1);
        return false;
      });
      return [...recorded, ...unrecorded].sort((a, b) => a - b);
    });
  }

  /**
   * Waits for a slot in every window; callers are served in order.
   * Resolves with the slot's time (epoch ms), as the windows count it.
   * `beforeCounting` runs once there is room, holding the turn: the slot
   * is counted when it is done, right before the caller sends, so that
   * work between the wait and the request (a database write) does not
   * bunch requests up at the tracker.
   */
  acquire(
    signal?: AbortSignal,
    beforeCounting?: () => Promise<void>,
  ): Promise<number> {
    const turn = this.queue.then(() =>
      this.waitForSlot(signal, beforeCounting),
    );
    // A caller that gave up (aborted) must not block the next one.
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** How long the next operation would wait now, in ms. */
  delay(): number {
    const now = this.clock.now();
    return Math.max(
      0,
      ...this.windows.map((window, i) => {
        const times = this.times[i];
        while (times.length > 0 && times[0] <= now - window.windowMs) {
          times.shift();
        }
        return times.length < window.limit
          ? 0
          : times[times.length - window.limit] + window.windowMs - now;
      }),
    );
  }

  private async waitForSlot(
    signal?: AbortSignal,
    beforeCounting?: () => Promise<void>,
  ): Promise<number> {
    for (let wait = this.delay(); wait > 0; wait = this.delay()) {
      await this.clock.sleep(wait, signal);
    }
    await beforeCounting?.();
    const now = this.clock.now();
    this.times.forEach(times => times.push(now));
    return now;
  }
}
