import { generateKeyPairSync } from 'node:crypto';
import { ConfigReader } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import { setupServer } from 'msw/node';
import { FakeGitHub, FakeGitHubOptions, labelNames } from './fakeGitHub';

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
});
