import { generateKeyPairSync } from 'node:crypto';
import { ConfigReader } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import { setupServer } from 'msw/node';
import { FakeGitHub, FakeGitHubOptions } from '../__testUtils__/fakeGitHub';
import { commentIdOfMarker } from '../issueMarker';
import { TrackerError } from '../TrackerError';
import {
  GITHUB_DOT_COM_PACING,
  GitHubPacing,
  GitHubTrackerClient,
} from './GitHubTrackerClient';

/*
 * The two-way sync's calls of the GitHub client (whoAmI, readIssues,
 * addComment) against the fake GitHub: conditional reads, closes,
 * deletions and transfers as GitHub answers them, pacing and limits.
 */

const REPO = 'acme-corp/payments-api';
const BACKLOG = 'acme-corp/security-backlog';
const TOKEN = 'ghp_test_token';
const COMMENT_ID = '5f0c6f1e-8a0e-4d5e-9b7a-2f9d3c1a7b64';

const tokenCredentials = (token = TOKEN): GithubCredentialsProvider =>
  DefaultGithubCredentialsProvider.fromIntegrations(
    ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: { github: [{ host: 'github.com', token }] },
      }),
    ),
  );

/** The fake's GitHub App (app id 1, installed on acme-corp). */
const APP = {
  appId: 1,
  installations: [{ id: 99, account: 'acme-corp' }],
  token: 'ghs_installation_token',
};
/** What GitHub names as the author of the app's writes. */
const APP_BOT = {
  id: '211000001',
  name: 'backstage-security-observations[bot]',
};

/** The integration's credentials for the fake's app, with a new key. */
const appCredentials = (): GithubCredentialsProvider => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return DefaultGithubCredentialsProvider.fromIntegrations(
    ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [
            {
              host: 'github.com',
              apps: [
                {
                  appId: APP.appId,
                  privateKey: privateKey.export({
                    type: 'pkcs1',
                    format: 'pem',
                  }),
                  clientId: 'x',
                  clientSecret: 'y',
                  webhookSecret: 'z',
                },
              ],
            },
          ],
        },
      }),
    ),
  );
};

/** An installation token configured as a plain token (e.g. GITHUB_TOKEN). */
const installationTokenCredentials = (
  token: string,
): GithubCredentialsProvider => ({
  getCredentials: async () => ({
    type: 'token',
    token,
    headers: { Authorization: `Bearer ${token}` },
  }),
});

/** What the engine asks a create for. */
const desiredIssue = (
  observationId: string,
  state: 'open' | 'closed' = 'open',
) => ({
  observationId,
  title: `Finding ${observationId}`,
  body: 'text',
  bodyWithin: () => 'text',
  labels: [],
  state,
  closeReason: 'fixed' as const,
  observation: {} as never,
  observationUrl: `https://backstage.acme.example/observations/${observationId}`,
});

describe('GitHubTrackerClient, two-way sync', () => {
  const server = setupServer();
  let clock: number;
  let github: FakeGitHub;
  const warnings: string[] = [];

  /** A clock whose sleeps pass at once: pacing shows in the fake's times. */
  const virtualClock = {
    now: () => clock,
    sleep: async (ms: number) => {
      clock += ms;
    },
  };

  const useGitHub = (options: FakeGitHubOptions = {}) => {
    github = new FakeGitHub({ now: () => clock, ...options });
    github.addRepo(REPO);
    github.addRepo(BACKLOG);
    server.resetHandlers(...github.handlers);
  };

  const client = (
    options: {
      credentials?: GithubCredentialsProvider;
      pacing?: Partial<GitHubPacing>;
      retryBaseMs?: number;
    } = {},
  ) =>
    new GitHubTrackerClient({
      trackerId: 'github',
      host: 'github.com',
      apiBaseUrl: github.apiBaseUrl,
      credentials: options.credentials ?? tokenCredentials(),
      pacing: { ...GITHUB_DOT_COM_PACING, ...options.pacing },
      clock: virtualClock,
      retryBaseMs: options.retryBaseMs ?? 1000,
      requestTimeoutMs: 30_000,
      log: { debug: () => {}, warn: message => warnings.push(message) },
    });

  /** `count` issues in REPO, made through the API, and a client to read them. */
  const createIssues = async (count: number) => {
    const octokit = new Octokit({ auth: TOKEN, baseUrl: github.apiBaseUrl });
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      const { data } = await octokit.rest.issues.create({
        owner: 'acme-corp',
        repo: 'payments-api',
        title: `Finding ${i + 1}`,
        labels: ['security'],
      });
      keys.push(`${REPO}#${data.number}`);
    }
    github.resetCalls();
    return { sync: client(), keys };
  };

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    clock = Date.parse('2026-12-01T10:00:00Z');
    warnings.length = 0;
    useGitHub();
  });
  afterAll(() => server.close());

  describe('whoAmI', () => {
    it('answers the token’s account, asking GitHub once', async () => {
      const sync = client();
      expect(await sync.whoAmI()).toEqual({
        id: '104857',
        name: 'acme-security-bot',
      });
      expect(await sync.whoAmI()).toEqual({
        id: '104857',
        name: 'acme-security-bot',
      });
      expect(
        github.calls.map(c => `${c.method} ${c.path} ${c.status}`),
      ).toEqual(['GET /user 200']);
    });

    it('is null for a GitHub App, whose bot GET /user does not know', async () => {
      clock = Date.now(); // the integration caches app tokens by the real clock
      useGitHub({ tokens: [], app: APP });
      const app = appCredentials();
      expect(await client({ credentials: app }).whoAmI()).toBeNull();
      expect(github.calls).toEqual([]);

      // An installation token configured as a plain token: GitHub's 403.
      const { token } = await app.getCredentials({
        url: `https://github.com/${REPO}`,
      });
      expect(
        await client({
          credentials: installationTokenCredentials(token!),
        }).whoAmI(),
      ).toBeNull();
      expect(github.calls.at(-1)).toMatchObject({
        path: '/user',
        status: 403,
      });
    });

    it('knows a GitHub App’s bot once the app created an issue: GitHub names it as the author', async () => {
      clock = Date.now(); // the integration caches app tokens by the real clock
      useGitHub({ tokens: [], app: APP });
      const sync = client({ credentials: appCredentials() });
      expect(await sync.whoAmI()).toBeNull();

      const created = await sync.create(
        { project: REPO, options: {} },
        desiredIssue('obs-1'),
        async () => {},
      );
      expect(github.issue(REPO, 1)?.user).toMatchObject({
        login: APP_BOT.name,
        type: 'Bot',
      });
      expect(await sync.whoAmI()).toEqual(APP_BOT);
      // Its own close, which a reconciliation reads back, is by the bot.
      await sync.update(created.key, desiredIssue('obs-1', 'closed'));
      const [read] = await sync.readIssues([
        { key: created.key, etag: null, since: null },
      ]);
      expect(read).toMatchObject({ changedBy: APP_BOT });
      expect(github.calls.map(c => c.path)).not.toContain('/user');
    });

    it('knows the bot of an installation token configured as a plain token from its first comment or close', async () => {
      const installationToken = 'ghs_preissued_installation_token';
      useGitHub({ app: APP, installationTokens: [installationToken] });
      const { keys } = await createIssues(2);

      const commenting = client({
        credentials: installationTokenCredentials(installationToken),
      });
      // GET /user refuses an installation token: nothing known yet.
      expect(await commenting.whoAmI()).toBeNull();
      await commenting.addComment(keys[0], 'Tracked.', COMMENT_ID);
      expect(await commenting.whoAmI()).toEqual(APP_BOT);

      const closing = client({
        credentials: installationTokenCredentials(installationToken),
      });
      expect(await closing.whoAmI()).toBeNull();
      await closing.update(keys[1], desiredIssue('obs-2', 'closed'));
      expect(github.issue(REPO, 2)?.closed_by).toMatchObject({
        login: APP_BOT.name,
      });
      expect(await closing.whoAmI()).toEqual(APP_BOT);
    });

    it('does not take someone else’s close for its own', async () => {
      const installationToken = 'ghs_preissued_installation_token';
      useGitHub({ app: APP, installationTokens: [installationToken] });
      const { keys } = await createIssues(2);
      const sync = client({
        credentials: installationTokenCredentials(installationToken),
      });
      // Another app's bot closed it a minute before the sync's update,
      // which leaves GitHub's closed_by as it was.
      await github.personClose(REPO, 1, {
        reason: 'not_planned',
        byBot: 'github-actions[bot]',
      });
      clock += 60_000;
      await sync.update(keys[0], desiredIssue('obs-1', 'closed'));
      expect(github.issue(REPO, 1)?.closed_by).toMatchObject({
        login: 'github-actions[bot]',
        type: 'Bot',
      });
      expect(await sync.whoAmI()).toBeNull();

      // A person closed it the same second: a person is never the sync.
      await github.personClose(REPO, 2);
      await sync.update(keys[1], desiredIssue('obs-2', 'closed'));
      expect(github.issue(REPO, 2)?.closed_by).toMatchObject({
        login: 'octocat',
      });
      expect(await sync.whoAmI()).toBeNull();
    });

    it('asks again after a failure', async () => {
      const sync = client();
      github.failNext(
        { method: 'GET', path: /^\/user$/ },
        { rateLimit429: true, retryAfterSeconds: 120 },
      );
      await expect(sync.whoAmI()).rejects.toMatchObject({
        kind: 'rate_limited',
      });
      expect(await sync.whoAmI()).toMatchObject({ name: 'acme-security-bot' });
    });
  });

  describe('readIssues', () => {
    it('reads an issue, then answers unchanged from GitHub’s 304 to its ETag', async () => {
      const { sync, keys } = await createIssues(1);
      const [first] = await sync.readIssues([
        { key: keys[0], etag: null, since: null },
      ]);
      expect(first).toMatchObject({
        key: keys[0],
        outcome: 'found',
        currentKey: keys[0],
        url: `https://github.com/${REPO}/issues/1`,
        status: { state: 'open', name: 'Open', labels: ['security'] },
        changedBy: null,
        changedAt: new Date(clock),
        etag: expect.stringMatching(/^W\/"/),
      });
      const etag = first.outcome === 'found' ? first.etag! : '';

      const second = await sync.readIssues([
        { key: keys[0], etag, since: new Date(clock) },
      ]);
      expect(second).toEqual([{ key: keys[0], outcome: 'unchanged' }]);
      // One request each: the 304 was not retried.
      expect(github.calls).toEqual([
        expect.objectContaining({ method: 'GET', status: 200 }),
        expect.objectContaining({
          method: 'GET',
          status: 304,
          ifNoneMatch: etag,
        }),
      ]);
      expect(github.calls[0]).not.toHaveProperty('ifNoneMatch');
    });

    it('reads a close as not planned with who closed it and when', async () => {
      const { sync, keys } = await createIssues(1);
      const [before] = await sync.readIssues([
        { key: keys[0], etag: null, since: null },
      ]);
      clock += 60_000;
      await github.personClose(REPO, 1, { reason: 'not_planned' });

      const [after] = await sync.readIssues([
        {
          key: keys[0],
          etag: before.outcome === 'found' ? before.etag! : null,
          since: null,
        },
      ]);
      expect(after).toMatchObject({
        outcome: 'found',
        status: {
          state: 'closed',
          name: 'Closed as not planned',
          reason: 'not_planned',
          labels: ['security'],
        },
        changedBy: { id: '583231', name: 'octocat' },
        changedAt: new Date('2026-12-01T10:01:00Z'),
      });
    });

    it('reads a close with the false positive label, and a reopen', async () => {
      const { sync, keys } = await createIssues(1);
      await github.personClose(REPO, 1, { addLabels: ['false positive'] });
      const [closed] = await sync.readIssues([
        { key: keys[0], etag: null, since: null },
      ]);
      expect(closed).toMatchObject({
        status: {
          state: 'closed',
          name: 'Closed as completed',
          labels: ['security', 'false positive'],
        },
      });
      clock += 60_000;
      await github.personReopen(REPO, 1);
      const [reopened] = await sync.readIssues([
        { key: keys[0], etag: null, since: null },
      ]);
      expect(reopened).toMatchObject({
        status: { state: 'open', name: 'Open', reason: 'reopened' },
        changedBy: null,
        changedAt: new Date('2026-12-01T10:01:00Z'),
      });
    });

    it('answers gone for a deleted issue (410) and one moved out of reach (404)', async () => {
      github.addRepo('acme-corp/private-backlog');
      const { sync, keys } = await createIssues(3);
      await github.personDeleteIssue(REPO, 1);
      github.transferIssue(REPO, 2, 'acme-corp/private-backlog');
      github.setAccess('acme-corp/private-backlog', false);

      const reads = await sync.readIssues(
        keys.map(key => ({ key, etag: null, since: null })),
      );
      expect(reads).toEqual([
        { key: keys[0], outcome: 'gone' },
        { key: keys[1], outcome: 'gone' },
        expect.objectContaining({ key: keys[2], outcome: 'found' }),
      ]);
    });

    it('follows a transferred issue to its new key', async () => {
      const { sync, keys } = await createIssues(1);
      const [before] = await sync.readIssues([
        { key: keys[0], etag: null, since: null },
      ]);
      const number = github.transferIssue(REPO, 1, BACKLOG);

      const [moved] = await sync.readIssues([
        {
          key: keys[0],
          etag: before.outcome === 'found' ? before.etag! : null,
          since: null,
        },
      ]);
      expect(moved).toMatchObject({
        key: keys[0],
        outcome: 'found',
        currentKey: `${BACKLOG}#${number}`,
        url: `https://github.com/${BACKLOG}/issues/${number}`,
      });
    });

    it('reads issues of a repository the credentials lost as unreadable, saying why, and the rest of the batch', async () => {
      const { sync, keys } = await createIssues(2);
      const octokit = new Octokit({ auth: TOKEN, baseUrl: github.apiBaseUrl });
      await octokit.rest.issues.create({
        owner: 'acme-corp',
        repo: 'security-backlog',
        title: 'Elsewhere',
      });
      github.setAccess(REPO, false);
      const reads = await sync.readIssues([
        ...keys.map(key => ({ key, etag: null, since: null })),
        { key: `${BACKLOG}#1`, etag: null, since: null },
      ]);
      expect(reads).toEqual([
        ...keys.map(key => ({
          key,
          outcome: 'unreadable',
          problem: `GitHub could not read ${key}: 404 the repository ${REPO} does not exist or the credentials cannot see it`,
        })),
        expect.objectContaining({ key: `${BACKLOG}#1`, outcome: 'found' }),
      ]);
      // The repository was asked about once.
      expect(
        github.calls.filter(c => c.path === `/repos/${REPO}`),
      ).toHaveLength(1);
      // Said once, by the read: the reconciliation reports it.
      expect(warnings).toEqual([]);
    });

    it('reads the rest of a batch when GitHub refuses some issues alone: SAML enforcement (403), a repository taken down (451), a key that is not GitHub’s', async () => {
      for (const name of ['globex/billing', 'initech/ledger']) {
        github.addRepo(name);
      }
      const octokit = new Octokit({ auth: TOKEN, baseUrl: github.apiBaseUrl });
      for (const [owner, repo] of [
        ['acme-corp', 'payments-api'],
        ['globex', 'billing'],
        ['initech', 'ledger'],
      ]) {
        await octokit.rest.issues.create({ owner, repo, title: 'Finding' });
      }
      github.enforceSaml('globex');
      github.blockRepository('initech/ledger');
      const sync = client();

      const reads = await sync.readIssues(
        [
          `${REPO}#1`,
          'globex/billing#1',
          'initech/ledger#1',
          'initech-ledger-1',
        ].map(key => ({
          key,
          etag: null,
          since: null,
        })),
      );
      expect(reads).toEqual([
        expect.objectContaining({ key: `${REPO}#1`, outcome: 'found' }),
        {
          key: 'globex/billing#1',
          outcome: 'unreadable',
          problem:
            'GitHub could not read globex/billing#1: 403 Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
        },
        {
          key: 'initech/ledger#1',
          outcome: 'unreadable',
          problem:
            'GitHub could not read initech/ledger#1: 451 Repository access blocked',
        },
        {
          key: 'initech-ledger-1',
          outcome: 'unreadable',
          problem: "'initech-ledger-1' is not a GitHub issue key",
        },
      ]);
      // Refusals are not retried.
      expect(
        github.calls.filter(c => c.path === '/repos/globex/billing/issues/1'),
      ).toHaveLength(1);
    });

    it('stops at a failure of GitHub as a whole: a server error after the retries, rejected credentials', async () => {
      const { keys } = await createIssues(2);
      github.failNext(
        { method: 'GET', path: /\/issues\/2$/, times: 4 },
        { status: 502 },
      );
      await expect(
        client({ retryBaseMs: 1 }).readIssues(
          keys.map(key => ({ key, etag: null, since: null })),
        ),
      ).rejects.toMatchObject({
        kind: 'unavailable',
        details: { status: 502 },
      });

      await expect(
        client({ credentials: tokenCredentials('ghp_revoked') }).readIssues(
          keys.map(key => ({ key, etag: null, since: null })),
        ),
      ).rejects.toMatchObject({ kind: 'unauthorized' });
    });

    it('reads at most four issues at once, answering in the order asked', async () => {
      useGitHub({ latencyMs: 100 });
      const { sync, keys } = await createIssues(10);
      let inFlight = 0;
      let most = 0;
      const start = () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
      };
      const end = () => {
        inFlight -= 1;
      };
      server.events.on('request:start', start);
      server.events.on('response:mocked', end);
      try {
        const reads = await sync.readIssues(
          [...keys].reverse().map(key => ({ key, etag: null, since: null })),
        );
        expect(reads.map(read => read.key)).toEqual([...keys].reverse());
        // Unbounded, the ten would overlap.
        expect(most).toBeLessThanOrEqual(4);
        expect(most).toBeGreaterThan(1);
      } finally {
        server.events.removeListener('request:start', start);
        server.events.removeListener('response:mocked', end);
      }
    });

    it('throws rate_limited when GitHub’s limit answers for longer than a request may wait', async () => {
      const { sync, keys } = await createIssues(2);
      github.failNext(
        { method: 'GET', path: /\/issues\/2$/ },
        { rateLimit429: true, retryAfterSeconds: 120 },
      );
      const read = sync.readIssues(
        keys.map(key => ({ key, etag: null, since: null })),
      );
      await expect(read).rejects.toBeInstanceOf(TrackerError);
      await expect(read).rejects.toMatchObject({
        kind: 'rate_limited',
        details: { status: 429, retryAfterMs: 120_000 },
      });

      github.setPrimaryRemaining(0, Math.floor(clock / 1000) + 600);
      await expect(
        sync.readIssues([{ key: keys[0], etag: null, since: null }]),
      ).rejects.toMatchObject({
        kind: 'rate_limited',
        details: { status: 403 },
      });
    });

    it('sits out a short limit and reads on', async () => {
      const { sync, keys } = await createIssues(1);
      github.failNext(
        { method: 'GET', path: /\/issues\/1$/ },
        { secondaryLimit: true, retryAfterSeconds: 1 },
      );
      const [read] = await sync.readIssues([
        { key: keys[0], etag: null, since: null },
      ]);
      expect(read.outcome).toBe('found');
      expect(github.calls.map(c => c.status)).toEqual([403, 200]);
    });
  });

  describe('addComment', () => {
    it('writes the body with the hidden comment marker, and answers the comment’s id and address', async () => {
      const { sync, keys } = await createIssues(1);
      const body = '**Jane Doe** on the Security tab:\n\nAccepted until 2027.';
      const pushed = await sync.addComment(keys[0], body, COMMENT_ID);

      const [comment] = github.comments(REPO, 1);
      expect(pushed).toEqual({
        id: String(comment.id),
        url: `https://github.com/${REPO}/issues/1#issuecomment-${comment.id}`,
      });
      expect(comment.body).toBe(
        `${body}\n\n<!-- security-observations:comment=${COMMENT_ID} -->`,
      );
      expect(commentIdOfMarker(comment.body!)).toBe(COMMENT_ID);
      expect(comment.user?.login).toBe('acme-security-bot');
    });

    it('paces comments with issue creations below GitHub’s content-creation limit', async () => {
      useGitHub({
        secondaryLimits: {
          createsPerMinute: 2,
          createsPerHour: 500,
          writesPerMinutePerEndpoint: 180,
        },
      });
      const sync = client({ pacing: { createsPerMinute: 2 } });
      const created = await sync.create(
        { project: REPO, options: {} },
        {
          observationId: 'obs-1',
          title: 'Finding',
          body: 'text',
          bodyWithin: () => 'text',
          labels: [],
          state: 'open',
          closeReason: 'fixed',
          observation: {} as never,
          observationUrl: 'https://backstage.acme.example/observations/obs-1',
        },
        async () => {},
      );
      await sync.addComment(created.key, 'first', COMMENT_ID);
      await sync.addComment(created.key, 'second', COMMENT_ID);

      const creations = github.writeCalls().filter(c => c.method === 'POST');
      expect(creations.map(c => c.status)).toEqual([201, 201, 201]);
      expect(github.limitHits).toBe(0);
      // The third content creation waited for the minute to pass.
      expect(creations[2].at - creations[0].at).toBeGreaterThanOrEqual(60_000);
      expect(creations[1].at - creations[0].at).toBeLessThan(1_000);
    });

    it('comments on a transferred issue where it is now', async () => {
      const { sync, keys } = await createIssues(1);
      const number = github.transferIssue(REPO, 1, BACKLOG);
      const pushed = await sync.addComment(keys[0], 'hello', COMMENT_ID);
      expect(pushed.url).toMatch(
        new RegExp(`^https://github.com/${BACKLOG}/issues/${number}#`),
      );
      expect(github.comments(BACKLOG, number)).toHaveLength(1);
    });

    it('throws gone for a deleted issue', async () => {
      const { sync, keys } = await createIssues(2);
      github.deleteIssue(REPO, 1);
      await expect(
        sync.addComment(keys[0], 'late', COMMENT_ID),
      ).rejects.toMatchObject({ kind: 'gone', details: { status: 410 } });
      // Deleted without GitHub's 410 (moved out of reach): 404, then gone.
      github.addRepo('acme-corp/private-backlog');
      github.transferIssue(REPO, 2, 'acme-corp/private-backlog');
      github.setAccess('acme-corp/private-backlog', false);
      await expect(
        sync.addComment(keys[1], 'late', COMMENT_ID),
      ).rejects.toMatchObject({ kind: 'gone' });
    });

    it('is not retried after a server error, which may have written it', async () => {
      const { sync, keys } = await createIssues(1);
      github.failNext(
        { method: 'POST', path: /\/comments$/ },
        { status: 502, afterApplying: true },
      );
      await expect(
        sync.addComment(keys[0], 'once', COMMENT_ID),
      ).rejects.toMatchObject({ kind: 'unavailable' });
      expect(github.comments(REPO, 1)).toHaveLength(1);
      expect(github.writeCalls().map(c => c.status)).toEqual([502]);
    });
  });
});
