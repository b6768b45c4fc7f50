import { Clock, PacingWindow, WritePacer } from '../WritePacer';
import { sendWithPolicy } from './requestPolicy';
import { TrackerError } from './TrackerError';

/** Share of the request timeout that a limit answer may be sat out inline. */
const INLINE_WAIT_SHARE = 1 / 3;

export interface PacedRequestsOptions {
  /** Windows of issue creation. */
  createWindows: PacingWindow[];
  /** Windows of every request. */
  requestWindows: PacingWindow[];
  clock: Clock;
  /** When the tracker created issues in the last hour (from the database). */
  recentCreations?: number[];
  /** Unit of Retry-After and backoffs (1000: seconds). */
  retryBaseMs: number;
  requestTimeoutMs: number;
  /** A failure in the engine's terms. */
  toError(
    error: unknown,
    what: string,
    request: { idempotent: boolean },
  ): TrackerError | Promise<TrackerError>;
}

/**
 * A tracker client's requests, paced below the tracker's limits and sent
 * under the request policy (`sendWithPolicy`): what the GitLab and Jira
 * clients share. GitHub's Octokit plugins do the same for GitHub.
 */
export class PacedRequests {
  private readonly createPacer: WritePacer;
  private readonly requestPacer: WritePacer;

  constructor(private readonly options: PacedRequestsOptions) {
    this.createPacer = new WritePacer(
      options.createWindows,
      options.clock,
      options.recentCreations,
    );
    this.requestPacer = new WritePacer(options.requestWindows, options.clock);
  }

  /** How long a create would wait now for the pacing, in ms. */
  createDelayMs(): number {
    return Math.max(this.createPacer.delay(), this.requestPacer.delay());
  }

  seedCreations(times: number[]): void {
    this.createPacer.reseed(times);
  }

  /**
   * A create's slots: the request pacer's first, then the create pacer's,
   * counted once `beforeSend` is done, right before the request goes out.
   * Taken the other way round, a create could wait for a request slot
   * after its create slot was counted, and creates would reach the tracker
   * closer together than they were paced. Resolves with the slot's time.
   */
  async createSlot(beforeSend: () => Promise<void>): Promise<number> {
    await this.requestPacer.acquire();
    return this.createPacer.acquire(undefined, beforeSend);
  }

  /**
   * One request: paced (unless its slot was taken already, `paced`), sent
   * with the retry policy, failures of `call` as `TrackerError`.
   */
  async send<T>(
    what: string,
    request: {
      idempotent: boolean;
      paced?: boolean;
      /** Runs before the request is sent again (after a limit answer). */
      beforeResend?: () => Promise<void>;
    },
    call: () => Promise<T>,
  ): Promise<T> {
    let attempt = 0;
    return sendWithPolicy(
      {
        clock: this.options.clock,
        retryBaseMs: this.options.retryBaseMs,
        maxInlineWaitMs: this.options.requestTimeoutMs * INLINE_WAIT_SHARE,
      },
      request,
      async () => {
        const current = attempt++;
        if (current > 0 || !request.paced) await this.requestPacer.acquire();
        if (current > 0) await request.beforeResend?.();
        try {
          return await call();
        } catch (error) {
          throw await this.options.toError(error, what, request);
        }
      },
    );
  }
}
