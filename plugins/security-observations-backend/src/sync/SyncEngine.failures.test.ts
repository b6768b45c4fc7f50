import { generateKeyPairSync } from 'node:crypto';
import knexFactory from 'knex';
import { setupServer } from 'msw/node';
import { dependencyFinding } from '../__testUtils__/findings';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import {
  createSyncHarness,
  paymentsApi,
  REPO,
} from './__testUtils__/syncHarness';
import { FakeGitHub } from './trackers/__testUtils__/fakeGitHub';

jest.setTimeout(60_000);

const findings = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    dependencyFinding(`CVE-2024-${1000 + i}`, `lib${i}`, { severity: 'high' }),
  );

/** Every marker on GitHub exactly once: no observation has two issues. */
function expectNoDuplicates(github: FakeGitHub, expected: number) {
  const markers = github
    .issues(REPO)
    .map(issue => /observation=([\w-]+)/.exec(issue.body ?? '')?.[1]);
  expect(markers).toHaveLength(expected);
  expect(new Set(markers).size).toBe(expected);
}

/** The observation is linked to the one issue, found by its marker. */
async function expectLinkedToTheOneIssueFound(
  h: Awaited<ReturnType<typeof createSyncHarness>>,
  github: FakeGitHub,
) {
  expectNoDuplicates(github, 1);
  const [observation] = await h.observations();
  expect(observation.tracker?.issueKey).toBe(
    `${REPO}#${github.issues(REPO)[0].number}`,
  );
  expect((await h.store.listEvents(observation.id)).at(-1)).toMatchObject({
    type: 'issue_found',
  });
}

describe('SyncEngine under failures', () => {
  const databases = createTestDatabases();
  let github: FakeGitHub;
  const server = setupServer();

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => server.close());

  const useGitHub = (fake: FakeGitHub) => {
    github = fake;
    github.addRepo(REPO);
    server.resetHandlers(...github.handlers);
  };
  beforeEach(() => useGitHub(new FakeGitHub()));

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    const harness = async (
      options: Partial<Parameters<typeof createSyncHarness>[0]> = {},
    ) =>
      createSyncHarness({ knex: await databases.init(databaseId), ...options });

    it.each([
      [
        'a 403 secondary limit',
        { secondaryLimit: true, retryAfterSeconds: 1, status: 403 } as const,
      ],
      [
        'a 429 secondary limit',
        { secondaryLimit: true, retryAfterSeconds: 1, status: 429 } as const,
      ],
    ])(
      'sits out %s with a short retry-after and creates once',
      async (_name, fault) => {
        const h = await harness();
        await h.importFindings(findings(2));
        github.failNext({ method: 'POST', path: /\/issues$/ }, fault);
        const run = await h.sync();
        expect(run).toMatchObject({ created: 2, failed: 0 });
        expect(
          github.calls.filter(call => call.status === fault.status),
        ).toHaveLength(1);
        expectNoDuplicates(github, 2);
      },
    );

    it('defers the tracker on a long retry-after and converges later', async () => {
      // Long: more than the run waits for what it deferred.
      const h = await harness({
        engine: { concurrency: 1, maxPacingWaitMs: 100 },
      });
      await h.importFindings(findings(3));
      github.failNext(
        { method: 'POST', path: /\/issues$/ },
        { rateLimit429: true, retryAfterSeconds: 120 },
      );
      const first = await h.sync();
      expect(first.deferred).toBe(3);
      expect(github.writeCalls()).toHaveLength(1);
      // The limited one says why; all three wait until GitHub allows more.
      const waiting = (await h.observations()).map(o => o.tracker!);
      const limited = waiting.find(tracker => tracker.lastError);
      expect(limited).toMatchObject({ syncState: 'failed', syncAttempts: 0 });
      expect(limited!.lastError).toMatch(/rate limited/);
      for (const tracker of waiting) {
        expect(new Date(tracker.nextAttemptAt!).getTime()).toBeGreaterThan(
          Date.now(),
        );
      }

      await h.makeDue();
      expect(await h.sync()).toMatchObject({ created: 3, failed: 0 });
      expectNoDuplicates(github, 3);
    });

    it('waits within the run for a short retry-after that the throttling plugin leaves to the engine', async () => {
      // A 429 without x-ratelimit headers and without the secondary-limit
      // message: @octokit/plugin-throttling does not sit it out.
      const h = await harness({ engine: { concurrency: 1 } });
      await h.importFindings(findings(3));
      github.failNext(
        { method: 'POST', path: /\/issues$/ },
        { rateLimit429: true, retryAfterSeconds: 20 },
      );
      const run = await h.sync();
      expect(run).toMatchObject({ created: 3, failed: 0 });
      expect(run.deferred).toBeGreaterThan(0);
      expectNoDuplicates(github, 3);
    });

    it('defers on a secondary limit without retry-after instead of waiting past the request timeout', async () => {
      // The throttling plugin's fallback for a limit without retry-after
      // is 60 units (here 300 ms), longer than this request timeout.
      const h = await harness({
        requestTimeoutMs: 200,
        engine: { maxPacingWaitMs: 100 },
      });
      await h.importFindings(findings(1));
      github.failNext(
        { method: 'POST', path: /\/issues$/ },
        { secondaryLimit: true, retryAfterSeconds: null },
      );
      expect(await h.sync()).toMatchObject({ deferred: 1, failed: 0 });
      const [waiting] = await h.observations();
      expect(waiting.tracker).toMatchObject({ syncAttempts: 0 });
      expect(waiting.tracker!.lastError).toMatch(/rate limited \(403\)/);

      await h.makeDue();
      expect(await h.sync()).toMatchObject({ created: 1, failed: 0 });
      expectNoDuplicates(github, 1);
    });

    it('retries a 500 on an update', async () => {
      const h = await harness();
      await h.importFindings(findings(1));
      await h.sync();
      github.failNext(
        { method: 'PATCH', path: /\/issues\/\d+$/, times: 2 },
        { status: 502 },
      );
      await h.importFindings([{ ...findings(1)[0], severity: 'critical' }]);
      expect(await h.sync()).toMatchObject({ updated: 1, failed: 0 });
      expect(github.issues(REPO)[0].title).toMatch(/^\[Critical\]/);
    });

    it.each([
      ['a 500 that created nothing', { status: 500 } as const],
      [
        'a 500 after GitHub created the issue',
        { status: 500, afterApplying: true } as const,
      ],
      [
        'a timeout after GitHub created the issue',
        { hangMs: 1_500, afterApplying: true } as const,
      ],
    ])('converges after %s on create, with one issue', async (_name, fault) => {
      const h = await harness({ requestTimeoutMs: 500 });
      await h.importFindings(findings(1));
      github.failNext({ method: 'POST', path: /\/issues$/ }, fault);
      const first = await h.sync();
      expect(first.failed).toBe(1);
      const failed = (await h.observations())[0].tracker!;
      expect(failed).toMatchObject({ syncState: 'failed', syncAttempts: 1 });
      expect(failed.lastError).toMatch(/GitHub could not create an issue/);

      await h.makeDue();
      const second = await h.sync();
      expect(second.failed).toBe(0);
      expectNoDuplicates(github, 1);
      const [observation] = await h.observations();
      expect(observation.tracker).toMatchObject({
        syncState: 'synced',
        issueKey: `${REPO}#${github.issues(REPO)[0].number}`,
      });
    });

    it('never creates a second issue when the process dies between create and storing the link', async () => {
      const h = await harness();
      await h.importFindings(findings(1));
      // The process dies right after GitHub answered: nothing more is
      // written, the lease stays until it runs out.
      jest
        .spyOn(h.store, 'recordSynced')
        .mockRejectedValueOnce(new Error('process killed'));
      jest
        .spyOn(h.store, 'recordFailure')
        .mockRejectedValueOnce(new Error('process killed'));
      await expect(h.sync()).rejects.toThrow('process killed');
      expect(github.issues(REPO)).toHaveLength(1);
      jest.restoreAllMocks();

      // Another run once the lease ran out.
      const knex = (h.store as unknown as { db: import('knex').Knex }).db;
      await knex('observations').update({
        sync_lease_expires_at: new Date(Date.now() - 1000).toISOString(),
      });
      await h.sync();
      await expectLinkedToTheOneIssueFound(h, github);
    });

    it('keeps a create in doubt on record while the entity routes nowhere, and links that issue when it routes again', async () => {
      const h = await harness({ requestTimeoutMs: 500 });
      await h.importFindings(findings(1));
      github.failNext(
        { method: 'POST', path: /\/issues$/ },
        { hangMs: 1_500, afterApplying: true },
      );
      expect(await h.sync()).toMatchObject({ failed: 1 });

      // The team drops the project annotation for a while.
      const unrouted = paymentsApi();
      delete unrouted.metadata.annotations!['github.com/project-slug'];
      h.setEntity(unrouted);
      await h.makeDue();
      await h.sync();

      h.setEntity(paymentsApi());
      expect(await h.sync()).toMatchObject({ created: 0, failed: 0 });
      await expectLinkedToTheOneIssueFound(h, github);
    });

    it('closes the issues of observations that an import resolves while a run is creating them', async () => {
      const h = await harness({ engine: { concurrency: 1 } });
      await h.importFindings(findings(4));
      // The run claims all four, creates the first issue, and before it
      // stores that link a scan finds none of them any more: the other
      // three are then synced from what the run read before the import.
      const recordSynced = h.store.recordSynced.bind(h.store);
      let scan: Promise<unknown> | undefined;
      jest
        .spyOn(h.store, 'recordSynced')
        .mockImplementation(async (...args) => {
          scan ??= h.importFindings([]);
          await scan;
          return recordSynced(...args);
        });
      expect(await h.sync()).toMatchObject({ created: 4 });
      jest.restoreAllMocks();
      await h.sync();

      expectNoDuplicates(github, 4);
      expect(github.issues(REPO).map(issue => issue.state)).toEqual(
        Array(4).fill('closed'),
      );
      for (const observation of await h.observations()) {
        expect(observation.status).toBe('resolved');
        expect(observation.tracker?.syncState).toBe('synced');
      }
    });

    it('syncs an entity again that left the catalog and came back', async () => {
      const h = await harness();
      await h.importFindings(findings(1));
      await h.sync();
      await h.importFindings(findings(2));
      h.removeEntity();
      expect(await h.sync()).toMatchObject({ failed: 1 });
      const missing = (await h.observations()).find(o => !o.tracker?.issueKey);
      expect(missing!.tracker!.lastError).toBe(
        'the entity component:default/payments-api is not in the catalog',
      );

      h.setEntity(paymentsApi());
      expect(await h.sync()).toMatchObject({ created: 1, failed: 0 });
      expectNoDuplicates(github, 2);
    });

    it('fails the attempt, not the run, when the tracker client cannot be prepared', async () => {
      const h = await harness();
      await h.importFindings(findings(1));
      jest
        .spyOn(h.store, 'issueCreationTimes')
        .mockRejectedValueOnce(new Error('Connection terminated'));
      expect(await h.sync()).toMatchObject({ failed: 1 });
      const [observation] = await h.observations();
      expect(observation.tracker!.lastError).toMatch(/Connection terminated/);

      await h.makeDue();
      expect(await h.sync()).toMatchObject({ created: 1 });
    });

    it('tells the owners about a persistent failure once, through notifications', async () => {
      const h = await harness({
        github: [{ host: 'github.com', token: 'ghp_revoked_token' }],
      });
      await h.importFindings(findings(2));
      await h.sync();
      expect(h.notifications.sent).toHaveLength(1);
      expect(h.notifications.sent[0]).toEqual({
        recipients: {
          type: 'entity',
          entityRef: 'component:default/payments-api',
        },
        payload: expect.objectContaining({
          title: 'Security issues of payments-api are not reaching the tracker',
          description: expect.stringMatching(
            /^2 observations failed to sync: GitHub could not create an issue in acme-corp\/payments-api: 401 the credentials were rejected/,
          ),
          link: '/catalog/default/component/payments-api/security',
          scope:
            'security-observations:sync:component:default/payments-api:unauthorized',
        }),
      });
      const [observation] = await h.observations();
      expect(observation.tracker?.lastError).toMatch(/401/);
      expect(JSON.stringify(await h.observations())).not.toContain(
        'ghp_revoked',
      );

      await h.makeDue();
      await h.sync();
      expect(h.notifications.sent).toHaveLength(1);
    });

    it('does not tell the owners again while another observation of the entity syncs', async () => {
      const h = await harness();
      await h.importFindings(findings(2));
      const refuse = () =>
        github.failNext({ method: 'POST', path: /\/issues$/ }, { status: 404 });
      refuse();
      expect(await h.sync()).toMatchObject({ created: 1, failed: 1 });
      expect(h.notifications.sent).toHaveLength(1);

      // A new finding syncs while the failed one waits for its next attempt.
      await h.importFindings(findings(3));
      expect(await h.sync()).toMatchObject({ created: 1, failed: 0 });
      refuse();
      await h.makeDue();
      expect(await h.sync()).toMatchObject({ failed: 1 });
      expect(h.notifications.sent).toHaveLength(1);
    });

    it('tells the owners at once when the entity’s route stops working', async () => {
      const h = await harness();
      await h.importFindings(findings(1));
      await h.sync();
      h.setEntity(
        paymentsApi({ 'security-observations/minimum-severity': 'urgent' }),
      );
      const [observation] = await h.observations();
      await h.assess([observation.id], 'risk_accepted');
      expect(await h.sync()).toMatchObject({ failed: 1 });
      expect(h.notifications.sent).toEqual([
        expect.objectContaining({
          payload: expect.objectContaining({
            description:
              "1 observation failed to sync: security-observations/minimum-severity is 'urgent'; expected one of critical, high, medium, low, none, unknown",
            scope:
              'security-observations:sync:component:default/payments-api:routing',
          }),
        }),
      ]);
    });

    it('defers a recreate that would wait for the pacer, keeping the old link until it can go', async () => {
      const h = await harness({
        config: {
          trackers: [
            {
              id: 'github',
              type: 'github',
              host: 'github.com',
              pacing: {
                createsPerMinute: 1,
                createsPerHour: 500,
                writesPerMinute: 180,
              },
            },
          ],
        },
        engine: { maxPacingWaitMs: 100 },
      });
      await h.importFindings(findings(1));
      expect(await h.sync()).toMatchObject({ created: 1 });
      const [issue] = github.issues(REPO);
      github.deleteIssue(REPO, issue.number);

      await h.importFindings([{ ...findings(1)[0], severity: 'critical' }]);
      expect(await h.sync()).toMatchObject({ deferred: 1, created: 0 });
      const [observation] = await h.observations();
      expect(observation.tracker).toMatchObject({
        issueKey: `${REPO}#${issue.number}`,
        syncState: 'pending',
      });
      expect(
        github.writeCalls().filter(call => call.method === 'POST'),
      ).toHaveLength(1);
    });

    it('clears a routing failure once the route is fixed, also for observations that need no issue any more', async () => {
      const h = await harness();
      await h.importFindings(findings(1));
      h.setEntity(
        paymentsApi({ 'security-observations/minimum-severity': 'urgent' }),
      );
      expect(await h.sync()).toMatchObject({ failed: 1 });
      await h.importFindings([]); // the next scan no longer finds it

      h.setEntity(paymentsApi());
      await h.sync();
      const [observation] = await h.observations();
      expect(observation.status).toBe('resolved');
      expect(observation.tracker).toBeNull();
      expect(github.issues(REPO)).toHaveLength(0);
    });

    it('authenticates as a GitHub App installation through the integration, also on later pages of a lookup', async () => {
      const { privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
      });
      useGitHub(
        new FakeGitHub({
          tokens: [],
          app: {
            appId: 4711,
            installations: [{ id: 99, account: 'acme-corp' }],
            token: 'ghs_installation_token',
          },
        }),
      );
      const h = await harness({
        github: [
          {
            host: 'github.com',
            apps: [
              {
                appId: 4711,
                privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }),
                clientId: 'Iv1.acme',
                clientSecret: 'secret',
                webhookSecret: 'hook',
              },
            ],
          },
        ],
      });
      await h.importFindings(findings(2));
      github.failNext(
        { method: 'POST', path: /\/issues$/ },
        { status: 500, afterApplying: true },
      );
      expect(await h.sync()).toMatchObject({ created: 1, failed: 1 });
      // Newer pull requests push the created issue to the second page of
      // the lookup, whose URL no longer names the owner of the App's
      // installation.
      for (let i = 0; i < 150; i++) github.addPullRequest(REPO, `PR ${i}`);
      await h.makeDue();
      expect(await h.sync()).toMatchObject({ failed: 0 });
      expectNoDuplicates(github, 2);
    });

    it('talks to GitHub Enterprise through the integration’s apiBaseUrl', async () => {
      useGitHub(
        new FakeGitHub({ apiBaseUrl: 'https://ghe.acme.example/api/v3' }),
      );
      const h = await harness({
        github: [
          {
            host: 'ghe.acme.example',
            apiBaseUrl: 'https://ghe.acme.example/api/v3',
            token: 'ghp_test_token',
          },
        ],
        config: {
          trackers: [
            { id: 'github', type: 'github', host: 'ghe.acme.example' },
          ],
        },
      });
      await h.importFindings(findings(1));
      expect(await h.sync()).toMatchObject({ created: 1 });
      // The fake serves only the Enterprise base URL; anything else would
      // be an unhandled request.
      expect(github.writeCalls().map(call => call.path)).toEqual([
        '/api/v3/repos/acme-corp/payments-api/issues',
      ]);
    });
  });

  it.each(databases.eachSupportedId())(
    'paces creates below the limit across backends that take turns on one %s database',
    async databaseId => {
      const limits = {
        createsPerMinute: 3,
        createsPerHour: 500,
        writesPerMinutePerEndpoint: 180,
      };
      useGitHub(new FakeGitHub({ secondaryLimits: limits }));
      const knex = await databases.init(databaseId);
      const config = {
        trackers: [
          {
            id: 'github',
            type: 'github',
            host: 'github.com',
            pacing: {
              createsPerMinute: 3,
              createsPerHour: 500,
              writesPerMinute: 180,
            },
          },
        ],
      };
      const first = await createSyncHarness({
        knex,
        config,
        engine: { maxPacingWaitMs: 1_000 },
      });
      const second = await createSyncHarness({
        knex,
        config,
        migrated: true,
        engine: { maxPacingWaitMs: 1_000 },
      });
      await first.importFindings(findings(1));
      expect(await first.sync()).toMatchObject({ created: 1 });
      await first.importFindings(findings(3));
      expect(await second.sync()).toMatchObject({ created: 2 });

      // The first backend's turn again: the minute is used up by both.
      await first.importFindings(findings(5));
      expect(await first.sync()).toMatchObject({ created: 0, deferred: 2 });
      expect(github.limitHits).toBe(0);
      expectNoDuplicates(github, 3);
    },
  );

  // On Postgres two connection pools, as two backend replicas have; on
  // SQLite, whose test database is one connection, the two engines
  // interleave at every await on it.
  it.each(databases.eachSupportedId())(
    'creates each issue exactly once when two backends sync one %s database at the same time',
    async databaseId => {
      useGitHub(new FakeGitHub({ latencyMs: 15 }));
      const knex = await databases.init(databaseId);
      const postgres = databaseId.startsWith('POSTGRES');
      const otherKnex = postgres ? knexFactory(knex.client.config) : knex;
      try {
        const first = await createSyncHarness({
          knex,
          engine: { batchSize: 5 },
        });
        const second = await createSyncHarness({
          knex: otherKnex,
          migrated: true,
          engine: { batchSize: 5 },
        });
        await first.importFindings(findings(30));
        const [a, b] = await Promise.all([first.sync(), second.sync()]);
        expect(a.created + b.created).toBe(30);
        expect(a.created).toBeGreaterThan(0);
        expect(b.created).toBeGreaterThan(0);
        expectNoDuplicates(github, 30);
        expect(
          (await first.observations()).every(
            observation => observation.tracker?.syncState === 'synced',
          ),
        ).toBe(true);
      } finally {
        if (postgres) await otherKnex.destroy();
      }
    },
  );
});
