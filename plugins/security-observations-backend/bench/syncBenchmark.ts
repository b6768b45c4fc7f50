/**
 * `yarn bench:sync`: the tracker sync of 1,000 observations against a fake
 * GitHub (msw, the fake of the tests) that answers after 50 ms and enforces
 * GitHub's documented secondary write limits: 80 issue creations a minute
 * and 500 an hour, 180 writes a minute per endpoint. Into Postgres.
 *
 * Three phases: the first sync (1,000 creates), an unchanged re-sync of
 * everything ("Sync now"), and a sync after every observation changed
 * (1,000 updates). Prints tracker calls per observation, wall time, limit
 * answers hit, and the share of the rate-limit bound used: the fastest the
 * limits allow (the sliding windows applied greedily, plus one latency)
 * divided by the wall time.
 *
 * GitHub's windows are a minute and an hour; 1,000 creates need more than
 * an hour. BENCH_TIME_SCALE (default 10) shortens the windows of both the
 * fake and the client by that factor (a GitHub hour is 6 minutes at 10);
 * the latency stays 50 ms. BENCH_TIME_SCALE=1 runs at GitHub's real pace.
 *
 *   SECURITY_OBSERVATIONS_BENCH_POSTGRES_URL  Postgres server (default local)
 *   BENCH_OBSERVATIONS                        default 1000
 */
import os from 'node:os';
import { Knex } from 'knex';
import { setupServer } from 'msw/node';
import { dependencyFinding } from '../src/__testUtils__/findings';
import { createSyncHarness, REPO } from '../src/sync/__testUtils__/syncHarness';
import { FakeGitHub } from '../src/sync/trackers/__testUtils__/fakeGitHub';
import { PacingWindow } from '../src/sync/WritePacer';
import { createBenchDatabase } from './benchDatabase';

const SCALE = Number(process.env.BENCH_TIME_SCALE ?? 10);
const COUNT = Number(process.env.BENCH_OBSERVATIONS ?? 1000);
const LATENCY_MS = 50;
const MINUTE = 60_000 / SCALE;
const HOUR = 60 * MINUTE;

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

async function main() {
  const github = new FakeGitHub({
    latencyMs: LATENCY_MS,
    secondaryLimits: {
      createsPerMinute: 80,
      createsPerHour: 500,
      writesPerMinutePerEndpoint: 180,
      minuteMs: MINUTE,
      hourMs: HOUR,
    },
  });
  github.addRepo(REPO);
  const server = setupServer(...github.handlers);
  server.listen({ onUnhandledRequest: 'error' });

  console.log(
    `Tracker sync of ${COUNT} observations: fake GitHub with ${LATENCY_MS} ms latency and GitHub's secondary write limits, windows scaled 1:${SCALE} (a GitHub minute is ${
      MINUTE / 1000
    } s); ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${
      process.version
    }\n`,
  );

  await withDatabase(async knex => {
    const h = await createSyncHarness({
      knex,
      timing: { windowScale: SCALE, retryBaseMs: 1000 / SCALE },
      engine: { maxPacingWaitMs: MINUTE, concurrency: 4 },
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
      secObserveCalls: string,
    ) => {
      await prepare();
      github.resetCalls();
      const hitsBefore = github.limitHits;
      const wallMs = await drain();
      const calls = github.calls.length;
      const row: Record<string, string> = {
        phase: name,
        'calls / observation': (calls / COUNT).toFixed(2),
        'SecObserve (calls / obs.)': secObserveCalls,
        'wall time': `${(wallMs / 1000).toFixed(1)} s`,
        'limit answers': String(github.limitHits - hitsBefore),
      };
      if (windows) {
        const bound = boundMs(COUNT, windows);
        row.bound = `${(bound / 1000).toFixed(1)} s`;
        row['share of bound'] = `${((100 * bound) / wallMs).toFixed(1)} %`;
      }
      return row;
    };

    const rows = [
      await phase(
        'first sync: create',
        () => h.importFindings(findings('A flaw.')),
        [
          { limit: 80, windowMs: MINUTE },
          { limit: 500, windowMs: HOUR },
          { limit: 180, windowMs: MINUTE },
        ],
        '—',
      ),
      await phase(
        'unchanged re-sync',
        () =>
          h.store.enqueueEntity({
            entityRef: 'component:default/payments-api',
            branch: 'main',
            activeStatuses: ['open'],
            now: new Date(),
          }),
        null,
        '2 (GET + PATCH)',
      ),
      await phase(
        'every observation changed: update',
        () => h.importFindings(findings('A worse flaw.')),
        [{ limit: 180, windowMs: MINUTE }],
        '—',
      ),
    ];
    console.table(rows);
    const issues = github.issues(REPO).length;
    console.log(
      `\nIssues on the fake GitHub: ${issues} for ${COUNT} observations${
        issues === COUNT ? '' : ' (MISMATCH)'
      }.`,
    );
  });
  server.close();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
