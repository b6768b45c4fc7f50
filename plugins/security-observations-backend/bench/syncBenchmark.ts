/**
 * `yarn bench:sync`: the tracker sync of 1,000 observations against the
 * fake trackers of the tests (msw), which answer after 50 ms and enforce
 * the tracker's limits, into Postgres. One run per tracker:
 *
 * - GitHub: the documented secondary limits, 80 issue creations a minute
 *   and 500 an hour, 180 writes a minute per endpoint.
 * - GitLab: GitLab.com's documented limits, 200 issue creations a minute
 *   and 2,000 API requests a minute per user.
 * - Jira Cloud and Jira Data Center: Atlassian publishes no numbers for
 *   API-token traffic (Data Center has none unless an admin sets some), so
 *   the fake enforces what the client's pacing assumes: 5 creates and 10
 *   writes a second.
 *
 * Three phases each: the first sync (1,000 creates), an unchanged re-sync
 * of everything ("Sync now"), and a sync after every observation changed
 * (1,000 updates). Prints tracker calls per observation, wall time, limit
 * answers hit, and the share of the rate-limit bound used: the fastest the
 * limits allow (the sliding windows applied greedily, plus one latency)
 * divided by the wall time. Where the limits allow more than the
 * engine's 4 requests at a time of 50 ms each can send, that is the bound.
 *
 * Windows are scaled down so that a run takes minutes, not hours: GitHub's
 * by 10 (its hour), GitLab's by 2; Jira's seconds stay real seconds.
 *
 *   BENCH_TRACKERS     default github,gitlab,jira-cloud,jira-datacenter
 *   BENCH_TIME_SCALE   one scale for all (default per tracker, as above)
 *   BENCH_OBSERVATIONS default 1000
 *   SECURITY_OBSERVATIONS_BENCH_POSTGRES_URL  Postgres server (default local)
 */
import os from 'node:os';
import { Entity } from '@backstage/catalog-model';
import { Knex } from 'knex';
import { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { dependencyFinding } from '../src/__testUtils__/findings';
import {
  createSyncHarness,
  ENTITY_REF,
  paymentsApi,
  REPO,
  SyncHarnessOptions,
} from '../src/sync/__testUtils__/syncHarness';
import {
  GITLAB_PROJECT,
  gitlabUnderTest,
} from '../src/sync/__testUtils__/trackersUnderTest/gitlab';
import {
  JIRA_PROJECT,
  jiraPaymentsApi,
  jiraTrackerSettings,
} from '../src/sync/__testUtils__/trackersUnderTest/jira';
import { FakeCall } from '../src/sync/trackers/__testUtils__/fakeTrackerParts';
import { FakeGitHub } from '../src/sync/trackers/__testUtils__/fakeGitHub';
import { FakeGitLab } from '../src/sync/trackers/__testUtils__/fakeGitLab';
import { FakeJira } from '../src/sync/trackers/__testUtils__/fakeJira';
import { PacingWindow } from '../src/sync/WritePacer';
import { createBenchDatabase } from './benchDatabase';

const COUNT = Number(process.env.BENCH_OBSERVATIONS ?? 1000);
const LATENCY_MS = 50;
const CONCURRENCY = 4;

/** A tracker's fake and settings for one run, at a time scale. */
interface BenchTracker {
  name: string;
  defaultScale: number;
  /** What the fake enforces, for the heading. */
  limits: string;
  start(scale: number): {
    handlers: RequestHandler[];
    calls: () => FakeCall[];
    resetCalls(): void;
    limitHits(): number;
    issues(): number;
    harness: Partial<SyncHarnessOptions>;
    entity: Entity;
    /** The windows that bound 1,000 creates and 1,000 updates. */
    createWindows: PacingWindow[];
    updateWindows: PacingWindow[];
  };
}

const minuteOf = (scale: number) => 60_000 / scale;

const TRACKERS: Record<string, BenchTracker> = {
  github: {
    name: 'GitHub',
    defaultScale: 10,
    limits:
      '80 creates a minute, 500 an hour, 180 writes a minute per endpoint',
    start(scale) {
      const minute = minuteOf(scale);
      const fake = new FakeGitHub({
        latencyMs: LATENCY_MS,
        secondaryLimits: {
          createsPerMinute: 80,
          createsPerHour: 500,
          writesPerMinutePerEndpoint: 180,
          minuteMs: minute,
          hourMs: 60 * minute,
        },
      });
      fake.addRepo(REPO);
      return {
        handlers: fake.handlers,
        calls: () => fake.calls,
        resetCalls: () => fake.resetCalls(),
        limitHits: () => fake.limitHits,
        issues: () => fake.issues(REPO).length,
        harness: {},
        entity: paymentsApi(),
        createWindows: [
          { limit: 80, windowMs: minute },
          { limit: 500, windowMs: 60 * minute },
          { limit: 180, windowMs: minute },
        ],
        updateWindows: [{ limit: 180, windowMs: minute }],
      };
    },
  },
  gitlab: {
    name: 'GitLab',
    defaultScale: 2,
    limits: '200 creates a minute, 2,000 requests a minute',
    start(scale) {
      const minute = minuteOf(scale);
      const fake = new FakeGitLab({
        latencyMs: LATENCY_MS,
        limits: {
          createsPerMinute: 200,
          requestsPerMinute: 2_000,
          notesPerMinute: 300,
          minuteMs: minute,
        },
      });
      fake.addProject(GITLAB_PROJECT);
      return {
        handlers: fake.handlers,
        calls: () => fake.calls,
        resetCalls: () => fake.resetCalls(),
        limitHits: () => fake.limitHits,
        issues: () => fake.issues(GITLAB_PROJECT).length,
        harness: gitlabUnderTest().harness(),
        entity: gitlabUnderTest().entity(),
        createWindows: [
          { limit: 200, windowMs: minute },
          { limit: 2_000, windowMs: minute },
        ],
        updateWindows: [{ limit: 2_000, windowMs: minute }],
      };
    },
  },
  ...Object.fromEntries(
    (['cloud', 'datacenter'] as const).map(deployment => [
      `jira-${deployment}`,
      {
        name: deployment === 'cloud' ? 'Jira Cloud' : 'Jira Data Center',
        defaultScale: 1,
        limits: '5 creates and 10 writes a second (the pacing’s assumption)',
        start(scale: number) {
          const second = 1000 / scale;
          const fake = new FakeJira({
            deployment,
            latencyMs: LATENCY_MS,
            limits: {
              createsPerSecond: 5,
              writesPerSecond: 10,
              secondMs: second,
            },
          });
          fake.addProject({ key: JIRA_PROJECT, components: ['payments'] });
          const evenly = (perSecond: number) => [
            { limit: perSecond, windowMs: second },
          ];
          return {
            handlers: fake.handlers,
            calls: () => fake.calls,
            resetCalls: () => fake.resetCalls(),
            limitHits: () => fake.limitHits,
            issues: () => fake.issues(JIRA_PROJECT).length,
            harness: {
              config: {
                trackers: [jiraTrackerSettings(deployment, fake.baseUrl)],
              },
            },
            entity: jiraPaymentsApi(),
            createWindows: evenly(5),
            // A Data Center update is an edit and a read, sent as one
            // request of the client's pacing; Jira limits the edits.
            updateWindows: evenly(10),
          };
        },
      } satisfies BenchTracker,
    ]),
  ),
};

/** The earliest the n-th operation can start under sliding windows, in ms. */
function boundMs(n: number, windows: PacingWindow[]): number {
  const starts: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = starts.length ? starts[starts.length - 1] : 0;
    for (const window of windows) {
      if (i >= window.limit) {
        t = Math.max(t, starts[i - window.limit] + window.windowMs);
      }
    }
    starts.push(t);
  }
  return (starts[n - 1] ?? 0) + LATENCY_MS;
}

async function withDatabase<T>(fn: (knex: Knex) => Promise<T>): Promise<T> {
  const { knex, drop } = await createBenchDatabase('so_sync_bench');
  try {
    return await fn(knex);
  } finally {
    await drop();
  }
}

async function benchmark(tracker: BenchTracker) {
  const scale = Number(process.env.BENCH_TIME_SCALE ?? tracker.defaultScale);
  const fake = tracker.start(scale);
  const server = setupServer(...fake.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  console.log(
    `\n${tracker.name}: ${COUNT} observations, ${LATENCY_MS} ms latency, ${
      tracker.limits
    }, windows scaled 1:${scale} (a minute is ${(60 / scale).toFixed(1)} s)`,
  );
  try {
    await withDatabase(async knex => {
      const h = await createSyncHarness({
        knex,
        entities: [fake.entity],
        ...fake.harness,
        timing: { windowScale: scale, retryBaseMs: 1000 / scale },
        engine: { maxPacingWaitMs: minuteOf(scale), concurrency: CONCURRENCY },
      });
      const findings = (description: string) =>
        Array.from({ length: COUNT }, (_, i) =>
          dependencyFinding(`CVE-2024-${10_000 + i}`, `lib${i}`, {
            severity: 'high',
            description,
          }),
        );

      /** Runs the scheduled sync until nothing waits, as the scheduler would. */
      const drain = async () => {
        const started = Date.now();
        for (;;) {
          await h.sync();
          const next = await knex('observations')
            .whereIn('sync_state', ['pending', 'failed'])
            .whereNotNull('sync_next_attempt_at')
            .min({ at: 'sync_next_attempt_at' })
            .first();
          if (!next?.at) break;
          const wait = new Date(next.at).getTime() - Date.now();
          if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait));
        }
        return Date.now() - started;
      };

      const phase = async (
        name: string,
        prepare: () => Promise<unknown>,
        windows: PacingWindow[] | null,
      ) => {
        await prepare();
        fake.resetCalls();
        const hitsBefore = fake.limitHits();
        const wallMs = await drain();
        const row: Record<string, string> = {
          phase: name,
          'calls / observation': (fake.calls().length / COUNT).toFixed(2),
          'wall time': `${(wallMs / 1000).toFixed(1)} s`,
          'limit answers': String(fake.limitHits() - hitsBefore),
        };
        if (windows) {
          // The limits' bound, or, where the limits allow more than four
          // requests of 50 ms at a time can send (1,000 GitLab updates are
          // half a minute's allowance), the concurrency's.
          const limits = boundMs(COUNT, windows);
          const concurrency = (COUNT * LATENCY_MS) / CONCURRENCY;
          const bound = Math.max(limits, concurrency);
          row.bound = `${(bound / 1000).toFixed(1)} s (${
            limits >= concurrency ? 'limits' : 'concurrency'
          })`;
          row['share of bound'] = `${((100 * bound) / wallMs).toFixed(1)} %`;
        }
        return row;
      };

      const rows = [
        await phase(
          'first sync: create',
          () => h.importFindings(findings('A flaw.')),
          fake.createWindows,
        ),
        await phase(
          'unchanged re-sync',
          () =>
            h.store.enqueueEntity({
              entityRef: ENTITY_REF,
              branch: 'main',
              activeStatuses: ['open'],
              now: new Date(),
            }),
          null,
        ),
        await phase(
          'every observation changed: update',
          () => h.importFindings(findings('A worse flaw.')),
          fake.updateWindows,
        ),
      ];
      console.table(rows);
      const issues = fake.issues();
      console.log(
        `Issues on the fake ${
          tracker.name
        }: ${issues} for ${COUNT} observations${
          issues === COUNT ? '' : ' (MISMATCH)'
        }.`,
      );
    });
  } finally {
    server.close();
  }
}

async function main() {
  const names = (
    process.env.BENCH_TRACKERS ?? 'github,gitlab,jira-cloud,jira-datacenter'
  )
    .split(',')
    .map(name => name.trim());
  console.log(
    `Tracker sync benchmark: ${os.cpus().length} × ${os
      .cpus()[0]
      ?.model.trim()}, Node ${process.version}, concurrency 4, Postgres`,
  );
  for (const name of names) {
    const tracker = TRACKERS[name];
    if (!tracker) {
      throw new Error(
        `BENCH_TRACKERS: no tracker '${name}' (${Object.keys(TRACKERS).join(
          ', ',
        )})`,
      );
    }
    await benchmark(tracker);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
