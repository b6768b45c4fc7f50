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
