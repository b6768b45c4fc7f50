import { createHmac, generateKeyPairSync } from 'node:crypto';
import { ConfigReader } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import { setupServer } from 'msw/node';
import { githubWebhook } from '../../../twoWay/webhooks/githubWebhook';
import {
  FakeGitHub,
  FakeGitHubOptions,
  GitHubWebhookDelivery,
  labelNames,
} from './fakeGitHub';

const REPO = 'acme-corp/payments-api';
const [owner, repo] = REPO.split('/');
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('FakeGitHub', () => {
  const server = setupServer();
  let clock: number;
  let github: FakeGitHub;

  const useGitHub = (options: FakeGitHubOptions = {}) => {
    github = new FakeGitHub({ now: () => clock, ...options });
    github.addRepo(REPO);
    server.resetHandlers(...github.handlers);
    return github;
  };
  const octokit = (auth = 'ghp_test_token', baseUrl = github.apiBaseUrl) =>
    new Octokit({ auth, baseUrl, log: silent });
  const tick = (seconds: number) => {
    clock += seconds * 1000;
  };

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    clock = Date.parse('2026-12-01T10:00:00Z');
    useGitHub();
  });
  afterAll(() => server.close());

  it('creates, reads and updates an issue with GitHub’s shapes and headers', async () => {
    const gh = octokit();
    const created = await gh.rest.issues.create({
      owner,
      repo,
      title: 'CVE-2024-1234 in openssl',
      body: 'marker',
      labels: ['security', 'bug'],
    });
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe(
      'application/json; charset=utf-8',
    );
    expect(created.headers).toMatchObject({
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
    });
    expect(created.headers['x-github-request-id']).toMatch(/^[0-9A-F:]+$/);
    expect(created.data).toMatchObject({
      number: 1,
      state: 'open',
      state_reason: null,
      html_url: 'https://github.com/acme-corp/payments-api/issues/1',
      url: 'https://api.github.com/repos/acme-corp/payments-api/issues/1',
      repository_url: 'https://api.github.com/repos/acme-corp/payments-api',
      user: { login: 'acme-security-bot', type: 'User' },
      author_association: 'MEMBER',
      created_at: '2026-12-01T10:00:00Z',
    });
    // 'security' is new (grey, made on the fly), 'bug' is a default label.
    expect(created.data.labels).toEqual([
      expect.objectContaining({ name: 'security', color: 'ededed' }),
      expect.objectContaining({ name: 'bug', color: 'd73a4a', default: true }),
    ]);

    tick(60);
    const ref = { owner, repo, issue_number: 1 };
    const closed = await gh.rest.issues.update({
      ...ref,
      state: 'closed',
      state_reason: 'not_planned',
    });
    expect(closed.data).toMatchObject({
      state: 'closed',
      state_reason: 'not_planned',
      closed_at: '2026-12-01T10:01:00Z',
      updated_at: '2026-12-01T10:01:00Z',
    });
    // A reason without a change of state is ignored, as on GitHub.
    await gh.rest.issues.update({ ...ref, state_reason: 'completed' });
    expect(github.issue(REPO, 1)?.state_reason).toBe('not_planned');

    const reopened = await gh.rest.issues.update({ ...ref, state: 'open' });
    expect(reopened.data).toMatchObject({
      state: 'open',
      state_reason: 'reopened',
      closed_at: null,
    });
    const read = await gh.rest.issues.get(ref);
    expect(read.data.title).toBe('CVE-2024-1234 in openssl');
  });

  it('lists issues and pull requests in pages that octokit.paginate follows', async () => {
    const gh = octokit();
    for (const n of [1, 2, 3]) {
      await gh.rest.issues.create({
        owner,
        repo,
        title: `issue ${n}`,
        labels: n === 2 ? ['security', 'pci'] : ['security'],
      });
      tick(1);
    }
    const pr = github.addPullRequest(REPO, 'Bump openssl');
    expect(pr.number).toBe(4);
    await gh.rest.issues.update({
      owner,
      repo,
      issue_number: 3,
      state: 'closed',
    });

    const first = await gh.rest.issues.listForRepo({
      owner,
      repo,
      state: 'all',
      per_page: 2,
    });
    const repositoryUrl = /\/repositories\/\d+\/issues/.exec(
      first.headers.link!,
    )![0];
    expect(first.headers.link).toBe(
      `<https://api.github.com${repositoryUrl}?state=all&per_page=2&page=2>; rel="next", ` +
        `<https://api.github.com${repositoryUrl}?state=all&per_page=2&page=2>; rel="last"`,
    );
    const all = await gh.paginate(gh.rest.issues.listForRepo, {
      owner,
      repo,
      state: 'all',
      per_page: 2,
    });
    // Newest first; pull requests are in the list, with a pull_request field.
    expect(all.map(i => [i.number, Boolean(i.pull_request)])).toEqual([
      [4, true],
      [3, false],
      [2, false],
      [1, false],
    ]);
    const open = await gh.paginate(gh.rest.issues.listForRepo, {
      owner,
      repo,
      labels: 'security,PCI',
      sort: 'created',
      direction: 'asc',
    });
    expect(open.map(i => i.number)).toEqual([2]);
    const since = await gh.paginate(gh.rest.issues.listForRepo, {
      owner,
      repo,
      state: 'all',
      since: '2026-12-01T10:00:02Z',
      sort: 'updated',
    });
    expect(since.map(i => i.number)).toEqual([4, 3]);
    expect(github.issues(REPO).map(i => i.number)).toEqual([1, 2, 3]);
  });

  it('adds labels without removing any, and replaces them on update', async () => {
    const gh = octokit();
    await gh.rest.issues.create({
      owner,
      repo,
      title: 't',
      labels: ['security'],
    });
    github.editIssue(REPO, 1, { labels: ['security', 'triaged'] });

    const added = await gh.rest.issues.addLabels({
      owner,
      repo,
      issue_number: 1,
      labels: ['pci', 'security'],
    });
    expect(added.status).toBe(200);
    expect(added.data.map(l => l.name)).toEqual(['security', 'triaged', 'pci']);

    await gh.rest.issues.update({
      owner,
      repo,
      issue_number: 1,
      labels: ['payments'],
    });
    expect(labelNames(github.issue(REPO, 1)!)).toEqual(['payments']);
  });

  it('answers 410 for a deleted issue and 404 for unknown ones', async () => {
    const gh = octokit();
    await gh.rest.issues.create({ owner, repo, title: 't' });
    github.deleteIssue(REPO, 1);

    await expect(
      gh.rest.issues.update({ owner, repo, issue_number: 1, title: 'x' }),
    ).rejects.toMatchObject({
      status: 410,
      response: { data: { message: 'This issue was deleted', status: '410' } },
    });
    await expect(
      gh.rest.issues.get({ owner, repo, issue_number: 2 }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      gh.rest.issues.get({ owner, repo: 'nope', issue_number: 1 }),
    ).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Not Found' } },
    });
    expect(github.issues(REPO)).toEqual([]);
  });

  it('redirects a transferred issue with 301, and fetch follows it for GET and PATCH', async () => {
    const gh = octokit();
    github.addRepo('acme-corp/security-backlog');
    await gh.rest.issues.create({
      owner,
      repo,
      title: 'moved',
      labels: ['bug'],
    });
    const newNumber = github.transferIssue(
      REPO,
      1,
      'acme-corp/security-backlog',
    );
    github.resetCalls();

    const manual = await gh.request(
      'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
      {
        owner,
        repo,
        issue_number: 1,
        title: 'x',
        request: { redirect: 'manual' },
      },
    );
    expect(manual.status).toBe(301);
    const location = String(manual.headers.location);
    expect(location).toMatch(
      new RegExp(
        `^https://api\\.github\\.com/repositories/\\d+/issues/${newNumber}$`,
      ),
    );
    expect(manual.data).toMatchObject({
      message: 'Moved Permanently',
      url: location,
    });

    const read = await gh.rest.issues.get({ owner, repo, issue_number: 1 });
    expect(read.data).toMatchObject({
      number: newNumber,
      html_url: `https://github.com/acme-corp/security-backlog/issues/${newNumber}`,
    });
    const patched = await gh.rest.issues.update({
      owner,
      repo,
      issue_number: 1,
      title: 'patched through the redirect',
    });
    expect(patched.data.repository_url).toMatch(/security-backlog$/);
    expect(github.issues('acme-corp/security-backlog')[0].title).toBe(
      'patched through the redirect',
    );
    expect(github.calls.map(c => `${c.method} ${c.status}`)).toEqual([
      'PATCH 301',
      'GET 301',
      'GET 200',
      'PATCH 301',
      'PATCH 200',
    ]);
  });

  it('enforces secondary limits with retry-after, without changing anything', async () => {
    useGitHub({
      secondaryLimits: {
        createsPerMinute: 2,
        createsPerHour: 500,
        writesPerMinutePerEndpoint: 180,
        minuteMs: 6_000,
      },
    });
    const gh = octokit();
    await gh.rest.issues.create({ owner, repo, title: '1' });
    await gh.rest.issues.create({ owner, repo, title: '2' });
    const limited = gh.rest.issues.create({ owner, repo, title: '3' });
    await expect(limited).rejects.toMatchObject({
      name: 'HttpError',
      status: 403,
      message: expect.stringMatching(/secondary rate limit/),
      response: { headers: { 'retry-after': '6' } },
    });
    expect(github.limitHits).toBe(1);
    expect(github.issues(REPO)).toHaveLength(2);

    tick(6);
    await gh.rest.issues.create({ owner, repo, title: '3' });
    expect(github.issues(REPO).map(i => i.number)).toEqual([1, 2, 3]);
  });

  it('injects faults: errors, errors after applying, limits and hangs', async () => {
    const gh = octokit();
    const create = (title: string, signal?: AbortSignal) =>
      gh.rest.issues.create({ owner, repo, title, request: { signal } });
    const onCreate = { method: 'POST', path: /\/issues$/ };

    github.failNext(onCreate, { status: 502 });
    await expect(create('a')).rejects.toMatchObject({ status: 502 });
    expect(github.issues(REPO)).toHaveLength(0);

    github.failNext(onCreate, { status: 500, afterApplying: true });
    await expect(create('b')).rejects.toMatchObject({ status: 500 });
    expect(github.issues(REPO).map(i => i.title)).toEqual(['b']);

    github.failNext(onCreate, {
      secondaryLimit: true,
      retryAfterSeconds: 3,
      status: 429,
    });
    await expect(create('c')).rejects.toMatchObject({
      status: 429,
      message: expect.stringMatching(/secondary rate limit/),
      response: { headers: { 'retry-after': '3' } },
    });
    github.failNext(onCreate, { rateLimit429: true, retryAfterSeconds: 120 });
    await expect(create('d')).rejects.toMatchObject({
      status: 429,
      response: { headers: { 'retry-after': '120' } },
    });
    expect(github.limitHits).toBe(2);

    github.failNext(onCreate, { hangMs: 300, afterApplying: true });
    await expect(create('e', AbortSignal.timeout(50))).rejects.toThrow();
    expect(github.issues(REPO).map(i => i.title)).toEqual(['b', 'e']);

    await create('f');
    await new Promise(resolve => setTimeout(resolve, 300)); // the hung answer
    expect(github.writeCalls().map(c => c.status)).toEqual([
      502, 500, 429, 429, 201, 201,
    ]);
  });

  it('answers 403 with x-ratelimit-remaining 0 when the primary limit is used up', async () => {
    const gh = octokit();
    const reset = Math.floor(clock / 1000) + 600;
    github.setPrimaryRemaining(0, reset);
    await expect(
      gh.rest.issues.get({ owner, repo, issue_number: 1 }),
    ).rejects.toMatchObject({
      status: 403,
      response: {
        data: {
          message: expect.stringMatching(
            /^API rate limit exceeded for user ID \d+\.$/,
          ),
        },
        headers: {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(reset),
        },
      },
    });
    tick(601);
    const listed = await gh.rest.issues.listForRepo({ owner, repo });
    expect(listed.headers['x-ratelimit-remaining']).toBe('4999');
  });

  it('answers 401 Bad credentials for an unknown token', async () => {
    await expect(
      octokit('ghp_wrong').rest.issues.create({ owner, repo, title: 't' }),
    ).rejects.toMatchObject({
      status: 401,
      response: {
        data: {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        },
      },
    });
    expect(github.calls).toEqual([
      expect.objectContaining({ method: 'POST', status: 401 }),
    ]);
  });

  it('serves GitHub Enterprise under its API base URL', async () => {
    useGitHub({ apiBaseUrl: 'https://ghe.acme.example/api/v3' });
    const { data } = await octokit().rest.issues.create({
      owner,
      repo,
      title: 't',
    });
    expect(data).toMatchObject({
      url: 'https://ghe.acme.example/api/v3/repos/acme-corp/payments-api/issues/1',
      html_url: 'https://ghe.acme.example/acme-corp/payments-api/issues/1',
    });
    expect(github.calls[0].path).toBe(
      '/api/v3/repos/acme-corp/payments-api/issues',
    );
  });

  it('issues a GitHub App installation token that the issue routes accept', async () => {
    clock = Date.now(); // the integration caches the token by the real clock
    useGitHub({
      tokens: [],
      app: {
        appId: 1,
        installations: [{ id: 99, account: 'acme-corp' }],
        token: 'ghs_installation_token',
      },
    });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const credentials = DefaultGithubCredentialsProvider.fromIntegrations(
      ScmIntegrations.fromConfig(
        new ConfigReader({
          integrations: {
            github: [
              {
                host: 'github.com',
                apps: [
                  {
                    appId: 1,
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
    await expect(
      octokit('ghs_installation_token').rest.issues.create({
        owner,
        repo,
        title: 't',
      }),
    ).rejects.toMatchObject({ status: 401 }); // not issued yet

    const { token, type } = await credentials.getCredentials({
      url: 'https://github.com/acme-corp/payments-api',
    });
    expect({ token, type }).toEqual({
      token: 'ghs_installation_token',
      type: 'app',
    });
    const { data } = await octokit(token).rest.issues.create({
      owner,
      repo,
      title: 't',
    });
    expect(data).toMatchObject({
      user: { login: 'backstage-security-observations[bot]', type: 'Bot' },
      performed_via_github_app: { id: 1 },
    });
    expect(github.calls.map(c => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'POST /repos/acme-corp/payments-api/issues 401',
      'GET /app/installations 200',
      'POST /app/installations/99/access_tokens 201',
      'POST /repos/acme-corp/payments-api/issues 201',
    ]);
  });

  it('refuses a token at an organization enforcing SAML (403), and every token at a repository taken down (451)', async () => {
    github.addRepo('globex/billing');
    github.addRepo('initech/ledger');
    const gh = octokit();
    await gh.rest.issues.create({
      owner: 'globex',
      repo: 'billing',
      title: 't',
    });
    await gh.rest.issues.create({
      owner: 'initech',
      repo: 'ledger',
      title: 't',
    });
    github.enforceSaml('Globex');
    github.blockRepository('initech/ledger');

    const saml = await gh.rest.issues
      .get({ owner: 'globex', repo: 'billing', issue_number: 1 })
      .catch(error => error);
    expect(saml).toMatchObject({
      status: 403,
      response: {
        data: {
          message:
            'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
        },
        headers: {
          'x-github-sso': expect.stringMatching(
            /^required; url=https:\/\/github\.com\/orgs\/globex\/sso\?/,
          ),
        },
      },
    });
    await expect(
      gh.rest.repos.get({ owner: 'globex', repo: 'billing' }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      gh.rest.issues.get({ owner: 'initech', repo: 'ledger', issue_number: 1 }),
    ).rejects.toMatchObject({
      status: 451,
      response: {
        data: {
          message: 'Repository access blocked',
          block: { reason: 'dmca' },
        },
      },
    });
    // Other organizations answer as before.
    expect(
      (await gh.rest.issues.create({ owner, repo, title: 't' })).status,
    ).toBe(201);
  });

  it('accepts installation tokens issued before, which act as the app’s bot and not at GET /user', async () => {
    const token = 'ghs_preissued_installation_token';
    useGitHub({
      tokens: [],
      app: {
        appId: 1,
        installations: [{ id: 99, account: 'acme-corp' }],
        token: 'ghs_installation_token',
      },
      installationTokens: [token],
    });
    const received: GitHubWebhookDelivery[] = [];
    github.sendWebhooks('whsec_fake_github', async delivery => {
      received.push(delivery);
    });
    const gh = octokit(token);
    const bot = {
      login: 'backstage-security-observations[bot]',
      id: 211_000_001,
      type: 'Bot',
    };
    const { data: issue } = await gh.rest.issues.create({
      owner,
      repo,
      title: 't',
    });
    const ref = { owner, repo, issue_number: issue.number };
    const { data: comment } = await gh.rest.issues.createComment({
      ...ref,
      body: 'hello',
    });
    const { data: closed } = await gh.rest.issues.update({
      ...ref,
      state: 'closed',
    });
    expect(issue.user).toMatchObject(bot);
    expect(issue.performed_via_github_app).toMatchObject({ id: 1 });
    expect(comment.user).toMatchObject(bot);
    expect(closed.closed_by).toMatchObject(bot);
    expect(received.map(delivery => JSON.parse(delivery.body).sender)).toEqual([
      expect.objectContaining(bot), // opened
      expect.objectContaining(bot), // comment created
      expect.objectContaining(bot), // closed
    ]);
    await expect(gh.rest.users.getAuthenticated()).rejects.toMatchObject({
      status: 403,
    });
    // The SAML enforcement of an organization is for people's tokens.
    github.enforceSaml('acme-corp');
    expect((await gh.rest.issues.get(ref)).status).toBe(200);
  });

  it('records another app’s bot as the closer when it closes an issue', async () => {
    await octokit().rest.issues.create({ owner, repo, title: 't' });
    await github.personClose(REPO, 1, {
      reason: 'not_planned',
      byBot: 'github-actions[bot]',
    });
    expect(github.issue(REPO, 1)).toMatchObject({
      state_reason: 'not_planned',
      closed_by: { login: 'github-actions[bot]', type: 'Bot' },
    });
  });

  describe('conditional reads', () => {
    it('answers a read with an ETag, and 304 without a body to If-None-Match while the issue is unchanged', async () => {
      const gh = octokit();
      await gh.rest.issues.create({ owner, repo, title: 't' });
      const ref = { owner, repo, issue_number: 1 };
      const first = await gh.rest.issues.get(ref);
      const etag = first.headers.etag!;
      expect(etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
      const remaining = first.headers['x-ratelimit-remaining'];

      const again = gh.rest.issues.get({
        ...ref,
        headers: { 'if-none-match': etag },
      });
      await expect(again).rejects.toMatchObject({
        status: 304,
        response: { headers: { etag } },
      });
      expect(github.calls.at(-1)).toMatchObject({
        method: 'GET',
        status: 304,
        ifNoneMatch: etag,
      });
      // A 304 does not count against the primary limit.
      const listed = await gh.rest.issues.listForRepo({ owner, repo });
      expect(Number(listed.headers['x-ratelimit-remaining'])).toBe(
        Number(remaining) - 1,
      );

      tick(1);
      github.editIssue(REPO, 1, { labels: ['triaged'] });
      const changed = await gh.rest.issues.get({
        ...ref,
        headers: { 'if-none-match': etag },
      });
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).not.toBe(etag);
      expect(labelNames(changed.data)).toEqual(['triaged']);
    });

    it('records who closed an issue: the token’s account through the API, the person on github.com', async () => {
      const gh = octokit();
      await gh.rest.issues.create({ owner, repo, title: 'a' });
      await gh.rest.issues.create({ owner, repo, title: 'b' });
      await gh.rest.issues.update({
        owner,
        repo,
        issue_number: 1,
        state: 'closed',
      });
      await github.personClose(REPO, 2, { reason: 'not_planned' });
      expect(github.issue(REPO, 1)).toMatchObject({
        closed_by: { login: 'acme-security-bot', id: 104_857 },
        state_reason: 'completed',
      });
      expect(github.issue(REPO, 2)).toMatchObject({
        closed_by: { login: 'octocat', id: 583_231 },
        state_reason: 'not_planned',
      });
      await github.personReopen(REPO, 2);
      expect(github.issue(REPO, 2)).toMatchObject({
        state: 'open',
        state_reason: 'reopened',
        closed_by: null,
      });
    });
  });

  describe('GET /user', () => {
    it('answers the token’s account', async () => {
      const { data } = await octokit().rest.users.getAuthenticated();
      expect(data).toMatchObject({
        login: 'acme-security-bot',
        id: 104_857,
        type: 'User',
        html_url: 'https://github.com/acme-security-bot',
      });
      expect(github.tokenAccount).toMatchObject({ id: data.id });
    });

    it('refuses a GitHub App installation token with 403', async () => {
      clock = Date.now();
      useGitHub({
        tokens: [],
        app: {
          appId: 1,
          installations: [{ id: 99, account: 'acme-corp' }],
          token: 'ghs_installation_token',
        },
      });
      const app = new Octokit({ baseUrl: github.apiBaseUrl, log: silent });
      // Issue a token as the integration would.
      const [header, payload] = [{ alg: 'RS256' }, { iss: 1 }].map(part =>
        Buffer.from(JSON.stringify(part)).toString('base64url'),
      );
      await app.request('POST /app/installations/{id}/access_tokens', {
        id: 99,
        headers: { authorization: `Bearer ${header}.${payload}.signature` },
      });
      await expect(
        octokit('ghs_installation_token').rest.users.getAuthenticated(),
      ).rejects.toMatchObject({
        status: 403,
        response: {
          data: { message: 'Resource not accessible by integration' },
        },
      });
    });
  });

  describe('issue comments', () => {
    it('creates, lists, edits and deletes comments with GitHub’s shapes', async () => {
      const gh = octokit();
      await gh.rest.issues.create({ owner, repo, title: 't' });
      const ref = { owner, repo, issue_number: 1 };
      tick(60);
      const created = await gh.rest.issues.createComment({
        ...ref,
        body: 'Fixed in 1.2.3',
      });
      expect(created.status).toBe(201);
      const id = created.data.id;
      expect(created.data).toMatchObject({
        body: 'Fixed in 1.2.3',
        user: { login: 'acme-security-bot' },
        author_association: 'MEMBER',
        url: `https://api.github.com/repos/${REPO}/issues/comments/${id}`,
        html_url: `https://github.com/${REPO}/issues/1#issuecomment-${id}`,
        issue_url: `https://api.github.com/repos/${REPO}/issues/1`,
        created_at: '2026-12-01T10:01:00Z',
      });
      expect(github.issue(REPO, 1)).toMatchObject({
        comments: 1,
        updated_at: '2026-12-01T10:01:00Z',
      });
      const person = await github.personComment(REPO, 1, 'Thanks!');
      expect(person.user).toMatchObject({ login: 'octocat' });

      const listed = await gh.rest.issues.listComments(ref);
      expect(listed.data.map(c => c.body)).toEqual([
        'Fixed in 1.2.3',
        'Thanks!',
      ]);

      tick(60);
      const edited = await gh.rest.issues.updateComment({
        owner,
        repo,
        comment_id: id,
        body: 'Fixed in 1.2.4',
      });
      expect(edited.data).toMatchObject({
        body: 'Fixed in 1.2.4',
        updated_at: '2026-12-01T10:02:00Z',
      });
      const deleted = await gh.rest.issues.deleteComment({
        owner,
        repo,
        comment_id: id,
      });
      expect(deleted.status).toBe(204);
      expect(github.comments(REPO, 1).map(c => c.body)).toEqual(['Thanks!']);
      await expect(
        gh.rest.issues.getComment({ owner, repo, comment_id: id }),
      ).rejects.toMatchObject({ status: 404 });
      expect(github.issue(REPO, 1)?.comments).toBe(1);
    });

    it('refuses a comment without a body or over 65,536 characters, and on a deleted issue', async () => {
      const gh = octokit();
      await gh.rest.issues.create({ owner, repo, title: 't' });
      const ref = { owner, repo, issue_number: 1 };
      await expect(
        gh.request(
          'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
          {
            ...ref,
            body: '',
          },
        ),
      ).rejects.toMatchObject({ status: 422 });
      await expect(
        gh.rest.issues.createComment({ ...ref, body: 'x'.repeat(65_537) }),
      ).rejects.toMatchObject({
        status: 422,
        response: { data: { message: 'Validation Failed' } },
      });
      github.deleteIssue(REPO, 1);
      await expect(
        gh.rest.issues.createComment({ ...ref, body: 'late' }),
      ).rejects.toMatchObject({ status: 410 });
    });

    it('counts comments as content creation under the secondary limits', async () => {
      useGitHub({
        secondaryLimits: {
          createsPerMinute: 2,
          createsPerHour: 500,
          writesPerMinutePerEndpoint: 180,
          minuteMs: 6_000,
        },
      });
      const gh = octokit();
      await gh.rest.issues.create({ owner, repo, title: 't' });
      const ref = { owner, repo, issue_number: 1 };
      await gh.rest.issues.createComment({ ...ref, body: 'one' });
      await expect(
        gh.rest.issues.createComment({ ...ref, body: 'two' }),
      ).rejects.toMatchObject({
        status: 403,
        message: expect.stringMatching(/secondary rate limit/),
      });
      expect(github.comments(REPO, 1)).toHaveLength(1);
    });

    it('moves comments along with a transferred issue', async () => {
      github.addRepo('acme-corp/security-backlog');
      await octokit().rest.issues.create({ owner, repo, title: 't' });
      const comment = await github.personComment(REPO, 1, 'Moving this');
      const number = github.transferIssue(
        REPO,
        1,
        'acme-corp/security-backlog',
      );
      expect(github.comments('acme-corp/security-backlog', number)).toEqual([
        expect.objectContaining({
          id: comment.id,
          html_url: `https://github.com/acme-corp/security-backlog/issues/${number}#issuecomment-${comment.id}`,
        }),
      ]);
    });
  });

  describe('webhooks', () => {
    const secret = 'whsec_fake_github';
    let received: GitHubWebhookDelivery[];
    const events = () =>
      received.map(delivery => {
        const payload = JSON.parse(delivery.body);
        return `${delivery.headers['x-github-event']}.${payload.action} by ${payload.sender.login}`;
      });

    beforeEach(() => {
      received = [];
      github.sendWebhooks(secret, async delivery => {
        received.push(delivery);
      });
    });

    it('signs deliveries as GitHub does, with its headers', async () => {
      await octokit().rest.issues.create({ owner, repo, title: 't' });
      const [delivery] = received;
      const expected = createHmac('sha256', secret)
        .update(delivery.body)
        .digest('hex');
      expect(delivery.headers).toMatchObject({
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': expect.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        ),
        'x-hub-signature-256': `sha256=${expected}`,
        'user-agent': expect.stringMatching(/^GitHub-Hookshot\//),
      });
      expect(
        githubWebhook.verify(
          Buffer.from(delivery.body),
          delivery.headers,
          secret,
        ),
      ).toBe(true);
      expect(JSON.parse(delivery.body)).toMatchObject({
        action: 'opened',
        issue: { number: 1, title: 't' },
        repository: {
          full_name: REPO,
          html_url: `https://github.com/${REPO}`,
          owner: { login: 'acme-corp' },
        },
        organization: { login: 'acme-corp' },
        sender: { login: 'acme-security-bot', id: 104_857 },
      });
    });

    it('sends a delivery for each of the sync’s own writes, with the token’s account as sender', async () => {
      const gh = octokit();
      const ref = { owner, repo, issue_number: 1 };
      await gh.rest.issues.create({
        owner,
        repo,
        title: 't',
        labels: ['security'],
      });
      await gh.rest.issues.update({
        ...ref,
        title: 'T',
        state: 'closed',
        state_reason: 'not_planned',
      });
      await gh.rest.issues.update({ ...ref, state: 'open' });
      await gh.rest.issues.addLabels({ ...ref, labels: ['pci'] });
      await gh.rest.issues.update({ ...ref, labels: ['pci'] });
      const { data } = await gh.rest.issues.createComment({
        ...ref,
        body: 'hello',
      });
      await gh.rest.issues.updateComment({
        owner,
        repo,
        comment_id: data.id,
        body: 'hello again',
      });
      await gh.rest.issues.deleteComment({ owner, repo, comment_id: data.id });
      expect(events()).toEqual([
        'issues.opened by acme-security-bot',
        'issues.labeled by acme-security-bot',
        'issues.edited by acme-security-bot',
        'issues.closed by acme-security-bot',
        'issues.reopened by acme-security-bot',
        'issues.labeled by acme-security-bot',
        'issues.unlabeled by acme-security-bot',
        'issue_comment.created by acme-security-bot',
        'issue_comment.edited by acme-security-bot',
        'issue_comment.deleted by acme-security-bot',
      ]);
      const payloads = received.map(delivery => JSON.parse(delivery.body));
      expect(payloads[1].label).toMatchObject({ name: 'security' });
      expect(payloads[2].changes).toEqual({ title: { from: 't' } });
      expect(payloads[3].issue).toMatchObject({
        state: 'closed',
        state_reason: 'not_planned',
      });
      expect(payloads[3].issue).not.toHaveProperty('closed_by');
      expect(payloads[6].label).toMatchObject({ name: 'security' });
      expect(payloads[8].changes).toEqual({ body: { from: 'hello' } });
      // Reads and refused writes send nothing.
      received.length = 0;
      await gh.rest.issues.get(ref);
      await expect(
        gh.rest.issues.createComment({ ...ref, body: 'x'.repeat(65_537) }),
      ).rejects.toMatchObject({ status: 422 });
      expect(received).toEqual([]);
    });

    it('sends GitHub’s deliveries for what the person does, which the webhook parser reads', async () => {
      const gh = octokit();
      await gh.rest.issues.create({ owner, repo, title: 'a' });
      received.length = 0;
      const comment = await github.personComment(REPO, 1, 'Looking');
      await github.personEditComment(REPO, comment.id, 'Looked');
      await github.personDeleteComment(REPO, comment.id);
      await github.personClose(REPO, 1, { reason: 'not_planned' });
      await github.personReopen(REPO, 1);
      await github.personClose(REPO, 1, { addLabels: ['false positive'] });
      await github.personReopen(REPO, 1);
      await github.personClose(REPO, 1);
      await github.personDeleteIssue(REPO, 1);
      expect(events()).toEqual([
        'issue_comment.created by octocat',
        'issue_comment.edited by octocat',
        'issue_comment.deleted by octocat',
        'issues.closed by octocat',
        'issues.reopened by octocat',
        'issues.labeled by octocat',
        'issues.closed by octocat',
        'issues.reopened by octocat',
        'issues.closed by octocat',
        'issues.deleted by octocat',
      ]);
      const read = received.flatMap(delivery =>
        githubWebhook.activitiesOf(delivery.headers, JSON.parse(delivery.body)),
      );
      const key = `${REPO}#1`;
      const octocat = { id: '583231', name: 'octocat' };
      expect(read).toEqual([
        {
          type: 'comment',
          issueKey: key,
          comment: expect.objectContaining({
            id: String(comment.id),
            body: 'Looking',
            author: octocat,
            pushedByUs: false,
          }),
        },
        expect.objectContaining({
          type: 'comment',
          comment: expect.objectContaining({ body: 'Looked' }),
        }),
        expect.objectContaining({
          type: 'comment_deleted',
          commentId: String(comment.id),
        }),
        expect.objectContaining({
          type: 'status',
          issueKey: key,
          actor: octocat,
          status: expect.objectContaining({ name: 'Closed as not planned' }),
        }),
        expect.objectContaining({
          status: expect.objectContaining({ name: 'Open', reason: 'reopened' }),
        }),
        expect.objectContaining({
          status: expect.objectContaining({
            state: 'open',
            labels: ['false positive'],
          }),
        }),
        expect.objectContaining({
          status: {
            state: 'closed',
            name: 'Closed as completed',
            reason: 'completed',
            labels: ['false positive'],
          },
        }),
        expect.objectContaining({
          status: expect.objectContaining({ name: 'Open' }),
        }),
        expect.objectContaining({
          status: expect.objectContaining({ name: 'Closed as completed' }),
        }),
        { type: 'issue_gone', issueKey: key, actor: octocat, at: null },
      ]);
      await expect(
        gh.rest.issues.get({ owner, repo, issue_number: 1 }),
      ).rejects.toMatchObject({ status: 410 });
    });

    it('answers the API call although the receiver failed, and records the failure', async () => {
      github.sendWebhooks(secret, async () => {
        throw new Error('receiver down');
      });
      const { status } = await octokit().rest.issues.create({
        owner,
        repo,
        title: 't',
      });
      expect(status).toBe(201);
      expect(github.failedDeliveries).toEqual([
        expect.objectContaining({ error: new Error('receiver down') }),
      ]);
      // A test acting as the person hears of it.
      await expect(github.personClose(REPO, 1)).rejects.toThrow(
        'receiver down',
      );
    });

    it('stops sending when the receiver is removed', async () => {
      github.sendWebhooks(secret, null);
      await octokit().rest.issues.create({ owner, repo, title: 't' });
      expect(received).toEqual([]);
      expect(github.deliveries).toEqual([]);
    });
  });
});
