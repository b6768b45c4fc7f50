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
      windowMs: Math.ceil(window.windowMs * (1 + MARGIN)),
    }));
    this.times = windows.map(() => [...earlier].sort((a, b) => a - b));
  }

  /**
   * Adds the operations recorded elsewhere (in the database, by every
   * replica) to the history of every window. An operation of this pacer is
   * the same as a recorded one made at most `matchWithinMs` after it (the
   * record is written once the tracker answered); one without a record,
   * e.g. a create that timed out but happened, still counts.
   */
  reseed(recorded: number[], matchWithinMs: number): void {
    const others = [...recorded].sort((a, b) => a - b);
    this.times = this.times.map(own => {
      const unmatched: number[] = [];
      let next = 0;
      for (const time of own) {
        while (next < others.length && others[next] < time) next += 1;
        if (next < others.length && others[next] - time <= matchWithinMs) {
          next += 1; // recorded: counted once, from the record
        } else {
          unmatched.push(time);
        }
      }
      return [...others, ...unmatched].sort((a, b) => a - b);
    });
  }

  /** Waits for a slot in every window; callers are served in order. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot(signal));
    // A caller that gave up (aborted) must not block the next one.
    this.queue = turn.catch(() => undefined);
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

  private async waitForSlot(signal?: AbortSignal): Promise<void> {
    for (let wait = this.delay(); wait > 0; wait = this.delay()) {
      await this.clock.sleep(wait, signal);
    }
    const now = this.clock.now();
    this.times.forEach(times => times.push(now));
  }
}
