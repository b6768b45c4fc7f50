import { Entity } from '@backstage/catalog-model';
import { RequestHandler } from 'msw';
import { FakeCall } from '../../trackers/__testUtils__/fakeTrackerParts';
import { CloseReason } from '../../trackers/TrackerClient';
import { SyncHarnessOptions } from '../syncHarness';

/** An issue on a fake tracker, in the same words for every tracker. */
export interface SeenIssue {
  /** The key the sync stores, e.g. `acme-corp/payments-api#1`, `PAY-1`. */
  key: string;
  /** The issue's page, as the sync links it. */
  url: string;
  title: string;
  /** The description as the tracker holds it (markdown, wiki markup, ADF as JSON text). */
  text: string;
  labels: string[];
  state: 'open' | 'closed';
  /** Why it was closed, where the tracker records it (not GitLab). */
  closeReason?: CloseReason;
}

/** A failure a fake answers with, in tracker-neutral terms. */
export type TestFault =
  | { status: 404 | 500 | 502 | 503; afterApplying?: boolean }
  | { rateLimitSeconds: number }
  | { hangMs: number; afterApplying?: boolean };

/** The requests a fault applies to. */
export type TestOperation = 'create' | 'update';

/**
 * One tracker behind its fake, for the scenario suite that every tracker
 * runs: the harness settings that route Payments API to it, and what a
 * test reads and does on the tracker's side.
 */
export interface TrackerUnderTest {
  name: string;
  /** The `securityObservations.trackers` id. */
  trackerId: string;
  /** The annotations that name the project (removed to unroute the entity). */
  projectAnnotations: string[];
  /** The description limit of the tracker. */
  descriptionLimit: number;
  /** Whether the tracker records why an issue was closed (GitLab does not). */
  recordsCloseReason: boolean;
  /** Starts a new fake; latency and enforced create limits are optional. */
  reset(options?: { latencyMs?: number; createsPerMinute?: number }): void;
  readonly handlers: RequestHandler[];
  /** Harness settings: integrations and the tracker, with extra tracker settings. */
  harness(extra?: {
    tracker?: Record<string, unknown>;
    credentials?: 'revoked';
  }): Partial<SyncHarnessOptions>;
  /** Payments API routed to this tracker, with extra annotations. */
  entity(annotations?: Record<string, string>): Entity;
  /** The observation marker of an issue, or undefined. */
  markerOf(issue: SeenIssue): string | undefined;
  issues(): SeenIssue[];
  issue(key: string): SeenIssue | undefined;
  /** A person labels the issue `triaged` and assigns it. */
  editAsPerson(key: string): void;
  /** Whether the person's label and assignee are still there. */
  keptPersonEdits(key: string): boolean;
  deleteIssue(key: string): void;
  /** The credentials lose (or regain) access to the project. */
  setAccess(access: boolean): void;
  failNext(operation: TestOperation, fault: TestFault): void;
  readonly calls: FakeCall[];
  writeCalls(): FakeCall[];
  resetCalls(): void;
  /** Limit answers the fake gave. */
  readonly limitHits: number;
  /** Two-way sync: people acting on the tracker, and its webhooks. */
  readonly people: PeopleOnTracker;
}

/** A webhook delivery as the tracker sends it: headers and the raw body. */
export interface WebhookDelivery {
  /** Header names lower-cased, as Backstage's events backend hands them on. */
  headers: Record<string, string>;
  /** The JSON body, byte for byte as signed. */
  body: string;
}

/**
 * People acting on a fake tracker's issues, in the same words for every
 * tracker, and the webhooks the tracker sends for what happens. The
 * fake sends a delivery for every change, including those the sync's own
 * API calls make (with the sync's account as the sender), as the real
 * trackers do: that is what the echo tests need.
 */
export interface PeopleOnTracker {
  /**
   * Where the fake sends its deliveries, signed with `secret` as the
   * tracker signs them; `null` stops them. Deliveries go out in order,
   * each awaited before the API call that caused it answers.
   */
  sendWebhooks(
    secret: string,
    deliver: ((delivery: WebhookDelivery) => Promise<void>) | null,
  ): void;
  /** The person who acts, as the tracker names them in payloads. */
  readonly person: { id: string; name: string };
  /** The account the sync's credentials act as. */
  readonly bot: { id: string; name: string };
  /** A person comments on the issue; returns the comment's id. */
  comment(key: string, body: string): Promise<string>;
  editComment(key: string, commentId: string, body: string): Promise<void>;
  /** Resolves when the tracker sends no webhook for it (GitLab). */
  deleteComment(key: string, commentId: string): Promise<void>;
  /** The comments on the issue, oldest first, as the tracker holds them. */
  comments(key: string): Array<{ id: string; body: string; author: string }>;
  /**
   * Closes the issue the way the tracker says "won't fix": GitHub closed
   * as not planned; GitLab closed with the `wontfix` label; Jira's
   * "Won't Do" status.
   */
  closeAsWontFix(key: string): Promise<void>;
  /**
   * Closes it as a false positive: GitHub and GitLab closed with the
   * `false positive` label; Jira's "False positive" status.
   */
  closeAsFalsePositive(key: string): Promise<void>;
  /** Closes it with the tracker's plain "done" (GitHub completed, GitLab close, Jira Done). */
  closeAsDone(key: string): Promise<void>;
  reopen(key: string): Promise<void>;
  /** Deletes the issue, sending the tracker's delete webhook where it has one. */
  deleteWithWebhook(key: string): Promise<void>;
}

/** What every fake tracker of the tests offers the scenario suites. */
interface FakeTracker {
  readonly handlers: RequestHandler[];
  readonly calls: FakeCall[];
  readonly limitHits: number;
  writeCalls(): FakeCall[];
  resetCalls(): void;
}

type FakeMembers = Pick<
  TrackerUnderTest,
  'handlers' | 'calls' | 'limitHits' | 'writeCalls' | 'resetCalls'
>;

/**
 * Completes an adapter with the members that read its current fake (a
 * test's `reset` makes a new one), as live properties.
 */
export function withFakeMembers(
  adapter: Omit<TrackerUnderTest, keyof FakeMembers>,
  current: () => FakeTracker,
): TrackerUnderTest {
  return Object.defineProperties(adapter, {
    handlers: { get: () => current().handlers },
    calls: { get: () => current().calls },
    limitHits: { get: () => current().limitHits },
    writeCalls: { value: () => current().writeCalls() },
    resetCalls: { value: () => current().resetCalls() },
  }) as TrackerUnderTest;
}

/** A test fault in the words of the fakes, which share these shapes. */
export function fakeFault<F extends TestFault>(fault: F) {
  return 'rateLimitSeconds' in fault
    ? ({
        rateLimit429: true,
        retryAfterSeconds: fault.rateLimitSeconds,
      } as const)
    : (fault as Exclude<F, { rateLimitSeconds: number }>);
}
