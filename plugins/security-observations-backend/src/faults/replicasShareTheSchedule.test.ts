import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { JsonObject } from '@backstage/types';
import knexFactory, { Knex } from 'knex';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { securityObservationsPlugin } from '../plugin';
import {
  ENTITY_REF,
  GITHUB_TOKEN,
  paymentsApi,
  REPO,
} from '../sync/__testUtils__/syncHarness';
import { SyncEngine } from '../sync/SyncEngine';
import { FakeGitHub } from '../sync/trackers/__testUtils__/fakeGitHub';

jest.setTimeout(60_000);

const API = '/api/security-observations';
/** How long each run takes at least: room for another replica to overlap it. */
const RUN_MS = 400;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** A Trivy image scan of payments-api with `count` high vulnerabilities. */
function trivyReport(count: number) {
  return {
    SchemaVersion: 2,
    ArtifactName: 'registry.example.com/payments-api:1.4.2',
    ArtifactType: 'container_image',
    Results: [
      {
        Target: 'registry.example.com/payments-api:1.4.2 (debian 12.5)',
        Class: 'os-pkgs',
        Type: 'debian',
        Vulnerabilities: Array.from({ length: count }, (_, i) => ({
          VulnerabilityID: `CVE-2024-${1000 + i}`,
          PkgName: `lib${i}`,
          PkgIdentifier: {
            PURL: `pkg:deb/debian/lib${i}@1.0.0?distro=debian-12.5`,
          },
          InstalledVersion: '1.0.0',
          FixedVersion: '1.0.1',
          Status: 'fixed',
          Severity: 'HIGH',
          Title: `lib${i}: CVE-2024-${1000 + i}`,
        })),
      },
    ],
  };
}

/** Runs of the tracker sync, in every replica of this process. */
interface SyncRun {
  engine: SyncEngine;
  start: number;
  end?: number;
}

/*
 * Two backend replicas with the plugin on one Postgres database, each with
 * its own connection pool and Backstage's real scheduler: the tracker
 * sync is a global task, which the scheduler's lock in the database runs
 * on one replica at a time.
 */
describe('two backend replicas on one Postgres database', () => {
  const databases = createTestDatabases();
  const postgresId = databases
    .eachSupportedId()
    .map(([id]) => id)
    .find(id => id.startsWith('POSTGRES'));
  const describeOnPostgres = postgresId ? describe : describe.skip;

  const server = setupServer();
  let github: FakeGitHub;
  let runs: SyncRun[];
  const stops: Array<() => Promise<void>> = [];

  beforeAll(() =>
    server.listen({
      // The test's own requests to the backends pass; anything else would
      // be a call to the real network.
      onUnhandledRequest: (unhandled, print) => {
        const { hostname } = new URL(unhandled.url);
        if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(hostname)) {
          print.error();
        }
      },
    }),
  );
  afterAll(() => server.close());
  beforeEach(() => {
    github = new FakeGitHub({ latencyMs: 20 });
    github.addRepo(REPO);
    server.resetHandlers(...github.handlers);
    // Every run, whichever replica's engine it is, and when it ran.
    runs = [];
    const run = SyncEngine.prototype.run;
    jest
      .spyOn(SyncEngine.prototype, 'run')
      .mockImplementation(async function timed(this: SyncEngine, ...args) {
        const record: SyncRun = { engine: this, start: Date.now() };
        runs.push(record);
        try {
          await sleep(RUN_MS);
          return await run.apply(this, args);
        } finally {
          record.end = Date.now();
        }
      });
  });
  afterEach(async () => {
    // Stopped before the database is dropped: their schedulers poll it.
    for (const stop of stops.splice(0).reverse()) await stop();
    jest.restoreAllMocks();
  });

  /** A replica with this sync schedule, on the database of `knex`. */
  async function startReplica(knex: Knex, schedule: JsonObject) {
    const backend = await startTestBackend({
      features: [
        securityObservationsPlugin,
        schedulerServiceFactory,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: [paymentsApi()] }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'https://backstage.acme.example' },
            integrations: {
              github: [{ host: 'github.com', token: GITHUB_TOKEN }],
            },
            securityObservations: {
              trackers: [{ id: 'github', type: 'github', host: 'github.com' }],
              sync: { schedule },
              // Not in this test's way.
              reconcile: {
                schedule: {
                  frequency: { hours: 1 },
                  timeout: { minutes: 5 },
                  initialDelay: { hours: 1 },
                },
              },
            },
          },
        }),
      ],
    });
    stops.push(() => backend.stop());
    return backend;
  }

  /** Another connection pool on the same database, as another replica has. */
  function otherPool(knex: Knex) {
    const other = knexFactory(knex.client.config);
    stops.push(() => other.destroy());
    return other;
  }

  /** Waits until nothing waits for the tracker and `enough` says so. */
  async function waitUntilSynced(knex: Knex, enough: () => boolean) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const [{ waiting }] = await knex('observations')
        .whereNot('sync_state', 'synced')
        .count({ waiting: '*' });
      if (Number(waiting) === 0 && enough()) return;
      if (Date.now() > deadline) {
        throw new Error(`${waiting} not synced after ${runs.length} runs`);
      }
      await sleep(100);
    }
  }

  const importFindings = (
    replica: Parameters<typeof request>[0],
    count: number,
  ) =>
    request(replica)
      .post(`${API}/v1/imports`)
      .query({ entityRef: ENTITY_REF })
      .set('Authorization', mockCredentials.service.header())
      .send(trivyReport(count));

  /** Every marker on GitHub once: no observation got two issues. */
  function expectEachIssueOnce(expected: number) {
    const markers = github
      .issues(REPO)
      .map(issue => /observation=([\w-]+)/.exec(issue.body ?? '')?.[1]);
    expect(markers).toHaveLength(expected);
    expect(new Set(markers).size).toBe(expected);
  }

  /** No run started before the one before it had ended. */
  function expectOneRunAtATime() {
    const sorted = [...runs].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i].start).toBeGreaterThanOrEqual(sorted[i - 1].end!);
    }
  }

  describeOnPostgres('with Backstage’s scheduler', () => {
    it('run the sync on one replica at a time, the other taking over when it stops, and create each issue once', async () => {
      const knex = await databases.init(postgresId!);
      const everySecond = {
        frequency: { seconds: 1 },
        timeout: { seconds: 30 },
      };
      const first = await startReplica(knex, everySecond);
      // The first replica's engine, known by its first run.
      while (runs.length === 0) await sleep(50);
      const firstEngine = runs[0].engine;
      const second = await startReplica(otherPool(knex), everySecond);

      expect((await importFindings(second.server, 20)).status).toBe(201);
      await waitUntilSynced(
        knex,
        () => runs.filter(run => run.end).length >= 5,
      );

      // A rolling deploy stops the first replica: the second one goes on.
      await first.stop();
      const stoppedAt = Date.now();
      expect((await importFindings(second.server, 30)).status).toBe(201);
      const later = () => runs.filter(run => run.start > stoppedAt);
      await waitUntilSynced(
        knex,
        () => later().filter(run => run.end).length >= 2,
      );

      expect(later().every(run => run.engine !== firstEngine)).toBe(true);
      expectOneRunAtATime();
      expectEachIssueOnce(30);
    });

    it('run one sync when "Sync now" is pressed on both replicas at once', async () => {
      const knex = await databases.init(postgresId!);
      // Runs at start-up, then only when triggered (the workers poll the
      // task every 5 seconds).
      const rarely = { frequency: { minutes: 10 }, timeout: { minutes: 1 } };
      const first = await startReplica(knex, rarely);
      const second = await startReplica(otherPool(knex), rarely);
      while (!runs[0]?.end) await sleep(50);
      expect(runs).toHaveLength(1);
      expect((await importFindings(first.server, 20)).status).toBe(201);

      const syncNow = (replica: typeof first) =>
        request(replica.server)
          .post(`${API}/v1/entities/${encodeURIComponent(ENTITY_REF)}/sync`)
          .set('Authorization', mockCredentials.user.header());
      const pressed = await Promise.all([syncNow(first), syncNow(second)]);
      expect(pressed.map(answer => answer.status)).toEqual([202, 202]);
      const pressedAt = Date.now();
      await waitUntilSynced(knex, () => Boolean(runs[1]?.end));
      // Long enough for both replicas' workers to have looked again.
      await sleep(Math.max(0, pressedAt + 6_000 - Date.now()));

      expect(runs).toHaveLength(2);
      expectOneRunAtATime();
      expectEachIssueOnce(20);
    });
  });
});
