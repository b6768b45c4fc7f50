import { generateKeyPairSync } from 'node:crypto';
import { setupServer } from 'msw/node';
import { findings } from './__testUtils__/scenarioFindings';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { createSyncHarness, REPO } from './__testUtils__/syncHarness';
import { FakeGitHub } from './trackers/__testUtils__/fakeGitHub';

jest.setTimeout(60_000);

/** Every marker on GitHub exactly once: no observation has two issues. */
function expectNoDuplicates(github: FakeGitHub, expected: number) {
  const markers = github
    .issues(REPO)
    .map(issue => /observation=([\w-]+)/.exec(issue.body ?? '')?.[1]);
  expect(markers).toHaveLength(expected);
  expect(new Set(markers).size).toBe(expected);
}

/*
 * What only GitHub does: secondary limits (403 or 429 with GitHub's
 * message) that @octokit/plugin-throttling sits out, GitHub App
 * installations and GitHub Enterprise. The failures every tracker shares
 * are in SyncEngine.failures.test.ts.
 */
describe('SyncEngine under GitHub’s own failures', () => {
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
});
