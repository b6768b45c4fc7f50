import { randomUUID } from 'node:crypto';
import type { components } from '@octokit/openapi-types';
import { delay, http, HttpResponse, RequestHandler } from 'msw';

/*
 * A stateful fake of GitHub's REST API for issues, as msw handlers: the
 * shapes are the OpenAPI description's (`@octokit/openapi-types`), so the
 * compiler checks them, and the statuses and headers are GitHub's
 * (410 for a deleted issue, 301 for a transferred one, secondary-limit 403
 * with retry-after, Link pagination, x-ratelimit-*).
 */

export type GitHubIssue = components['schemas']['issue'];
type GitHubLabel = components['schemas']['label'];
type SimpleUser = components['schemas']['simple-user'];

export interface FakeGitHubOptions {
  /** Default https://api.github.com; for GitHub Enterprise e.g. https://ghe.acme.example/api/v3. */
  apiBaseUrl?: string;
  /** Accepted tokens (`token X` or `Bearer X`); default ['ghp_test_token']. */
  tokens?: string[];
  /** Delay before every answer. */
  latencyMs?: number;
  /** Enforce GitHub's documented secondary write limits, in sliding windows. */
  secondaryLimits?: {
    createsPerMinute: number;
    createsPerHour: number;
    writesPerMinutePerEndpoint: number;
    /** Window lengths; a benchmark scales them. */
    minuteMs?: number;
    hourMs?: number;
  };
  /** GitHub App mode: installation tokens for `app.token`. */
  app?: {
    appId: number;
    installations: Array<{ id: number; account: string }>;
    token: string;
  };
}

/** What the next matching request(s) get instead of the normal answer. */
export type Fault =
  | { status: 500 | 502 | 503 | 404; afterApplying?: boolean }
  | {
      secondaryLimit: true;
      retryAfterSeconds: number;
      status?: 403 | 429;
    }
  | { rateLimit429: true; retryAfterSeconds: number }
  | { hangMs: number; afterApplying?: boolean };

interface Repo {
  id: number;
  fullName: string;
  nextNumber: number;
  issues: Map<number, StoredIssue>;
  labels: Map<string, GitHubLabel>;
}

interface StoredIssue {
  issue: GitHubIssue;
  deleted?: boolean;
  movedTo?: { repoId: number; number: number };
}

export interface FakeCall {
  method: string;
  path: string;
  status: number;
  at: number;
}

const DOCS = 'https://docs.github.com/rest';
const BOT: SimpleUser = {
  login: 'security-observations[bot]',
  id: 41898282,
  node_id: 'MDM6Qm90NDE4OTgyODI=',
  avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
  gravatar_id: '',
  url: 'https://api.github.com/users/security-observations%5Bbot%5D',
  html_url: 'https://github.com/apps/security-observations',
  followers_url: '',
  following_url: '',
  gists_url: '',
  starred_url: '',
  subscriptions_url: '',
  organizations_url: '',
  repos_url: '',
  events_url: '',
  received_events_url: '',
  type: 'Bot',
  site_admin: false,
};

export class FakeGitHub {
  readonly apiBaseUrl: string;
  readonly calls: FakeCall[] = [];
  /** Limit answers given by the enforced secondary limits. */
  limitHits = 0;
  private readonly repos = new Map<string, Repo>();
  private readonly faults: Array<{
    method: string;
    path: RegExp;
    times: number;
    fault: Fault;
  }> = [];
  private readonly writeTimes = new Map<string, number[]>();
  private readonly tokens: Set<string>;
  private primaryRemaining = 5000;
  private primaryReset = Math.floor(Date.now() / 1000) + 3600;
  private nextRepoId = 100;
  private nextIssueId = 2_000_000_000;

  constructor(private readonly options: FakeGitHubOptions = {}) {
    this.apiBaseUrl = (options.apiBaseUrl ?? 'https://api.github.com').replace(
      /\/+$/,
      '',
    );
    this.tokens = new Set([
      ...(options.tokens ?? ['ghp_test_token']),
      ...(options.app ? [options.app.token] : []),
    ]);
  }

  addRepo(fullName: string): void {
    this.repos.set(fullName.toLowerCase(), {
      id: this.nextRepoId++,
      fullName,
      nextNumber: 1,
      issues: new Map(),
      labels: new Map(),
    });
  }

  /** The repository's issues (no pull requests, none deleted or moved away). */
  issues(fullName: string): GitHubIssue[] {
    const repo = this.repo(fullName);
    return [...repo.issues.values()]
      .filter(stored => !stored.deleted && !stored.movedTo)
      .map(stored => stored.issue)
      .filter(issue => !issue.pull_request)
      .sort((a, b) => a.number - b.number);
  }

  issue(fullName: string, number: number): GitHubIssue | undefined {
    return this.repo(fullName).issues.get(number)?.issue;
  }

  writeCalls(): FakeCall[] {
    return this.calls.filter(call => call.method !== 'GET');
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  failNext(
    match: { method: string; path: RegExp; times?: number },
    fault: Fault,
  ): void {
    this.faults.push({
      method: match.method,
      path: match.path,
      times: match.times ?? 1,
      fault,
    });
  }

  setPrimaryRemaining(remaining: number, resetEpochSeconds: number): void {
    this.primaryRemaining = remaining;
    this.primaryReset = resetEpochSeconds;
  }

  addPullRequest(fullName: string, title: string): GitHubIssue {
    const issue = this.newIssue(this.repo(fullName), { title, body: '' });
    issue.pull_request = {
      url: `${issue.repository_url}/pulls/${issue.number}`,
      html_url: issue.html_url.replace('/issues/', '/pull/'),
      diff_url: null,
      patch_url: null,
    };
    return issue;
  }

  /** What people do on github.com. */
  editIssue(
    fullName: string,
    number: number,
    edit: {
      labels?: string[];
      assignees?: string[];
      milestone?: number;
      state?: 'open' | 'closed';
      title?: string;
      body?: string;
    },
  ): void {
    const repo = this.repo(fullName);
    const issue = repo.issues.get(number)!.issue;
    if (edit.labels) issue.labels = edit.labels.map(l => this.label(repo, l));
    if (edit.assignees) {
      issue.assignees = edit.assignees.map(login => this.user(login));
      issue.assignee = issue.assignees[0] ?? null;
    }
    if (edit.milestone !== undefined) {
      issue.milestone = this.milestone(repo, edit.milestone);
    }
    if (edit.state) this.setState(issue, edit.state, null);
    if (edit.title) issue.title = edit.title;
    if (edit.body !== undefined) issue.body = edit.body;
    issue.updated_at = new Date().toISOString();
  }

  deleteIssue(fullName: string, number: number): void {
    this.repo(fullName).issues.get(number)!.deleted = true;
  }

  /** Moves an issue; it gets the next number of the other repository. */
  transferIssue(fullName: string, number: number, toFullName: string): number {
    const from = this.repo(fullName);
    const to = this.repo(toFullName);
    const stored = from.issues.get(number)!;
    const moved = this.newIssue(to, {
      title: stored.issue.title,
      body: stored.issue.body ?? '',
    });
    moved.labels = stored.issue.labels;
    moved.assignees = stored.issue.assignees;
    moved.state = stored.issue.state;
    stored.movedTo = { repoId: to.id, number: moved.number };
    return moved.number;
  }

  get handlers(): RequestHandler[] {
    const base = this.apiBaseUrl;
    const issuePath = `${base}/repos/:owner/:repo/issues/:number`;
    const byIdPath = `${base}/repositories/:repoId/issues/:number`;
    return [
      http.get(`${base}/app/installations`, ({ request }) =>
        this.answer(request, 'GET', () => this.installations(), {
          app: true,
        }),
      ),
      http.post(
        `${base}/app/installations/:id/access_tokens`,
        ({ request, params }) =>
          this.answer(
            request,
            'POST',
            () => this.installationToken(Number(params.id)),
            { app: true },
          ),
      ),
      http.post(`${base}/repos/:owner/:repo/issues`, ({ request, params }) =>
        this.answer(request, 'POST', async () => {
          const repo = this.findRepo(params);
          if (!repo) return this.notFound();
          const body = (await request.json()) as {
            title: string;
            body?: string;
            labels?: string[];
          };
          const issue = this.newIssue(repo, body);
          return HttpResponse.json(issue, { status: 201 });
        }),
      ),
      http.get(`${base}/repos/:owner/:repo/issues`, ({ request, params }) =>
        this.answer(request, 'GET', () => {
          const repo = this.findRepo(params);
          return repo ? this.list(repo, request) : this.notFound();
        }),
      ),
      http.get(issuePath, ({ request, params }) =>
        this.answer(request, 'GET', () =>
          this.onIssue(this.findRepo(params), params, issue =>
            HttpResponse.json(issue),
          ),
        ),
      ),
      http.patch(issuePath, ({ request, params }) =>
        this.answer(request, 'PATCH', async () =>
          this.onIssue(this.findRepo(params), params, async issue =>
            HttpResponse.json(this.patch(issue, await request.json())),
          ),
        ),
      ),
      http.get(byIdPath, ({ request, params }) =>
        this.answer(request, 'GET', () =>
          this.onIssue(this.repoById(params.repoId), params, issue =>
            HttpResponse.json(issue),
          ),
        ),
      ),
      http.patch(byIdPath, ({ request, params }) =>
        this.answer(request, 'PATCH', async () =>
          this.onIssue(this.repoById(params.repoId), params, async issue =>
            HttpResponse.json(this.patch(issue, await request.json())),
          ),
        ),
      ),
      http.post(`${issuePath}/labels`, ({ request, params }) =>
        this.answer(request, 'POST', async () =>
          this.onIssue(this.findRepo(params), params, async issue => {
            const { labels } = (await request.json()) as { labels: string[] };
            const repo = this.findRepo(params)!;
            for (const name of labels) {
              if (
                !issue.labels.some(
                  l => typeof l !== 'string' && l.name === name,
                )
              ) {
                issue.labels = [...issue.labels, this.label(repo, name)];
              }
            }
            issue.updated_at = this.now();
            return HttpResponse.json(issue.labels);
          }),
        ),
      ),
    ];
  }

  /** Latency, auth, faults, limits and headers around every answer. */
  private async answer(
    request: Request,
    method: string,
    apply: () => Response | Promise<Response>,
    options: { app?: boolean } = {},
  ): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (this.options.latencyMs) await delay(this.options.latencyMs);
    const response = await this.respond(request, method, path, apply, options);
    const headers = new Headers(response.headers);
    headers.set('content-type', 'application/json; charset=utf-8');
    headers.set('x-github-request-id', randomUUID().slice(0, 18).toUpperCase());
    headers.set('x-ratelimit-limit', '5000');
    headers.set('x-ratelimit-remaining', String(this.primaryRemaining));
    headers.set('x-ratelimit-reset', String(this.primaryReset));
    headers.set('x-ratelimit-used', String(5000 - this.primaryRemaining));
    headers.set('x-ratelimit-resource', 'core');
    this.calls.push({ method, path, status: response.status, at: Date.now() });
    return new Response(response.body, { status: response.status, headers });
  }

  private async respond(
    request: Request,
    method: string,
    path: string,
    apply: () => Response | Promise<Response>,
    options: { app?: boolean },
  ): Promise<Response> {
    const auth = request.headers.get('authorization') ?? '';
    const credential = auth.replace(/^(token|bearer)\s+/i, '');
    const authorized = options.app
      ? credential.split('.').length === 3
      : this.tokens.has(credential);
    if (!authorized) {
      return this.error(401, 'Bad credentials', `${DOCS}`);
    }
    const fault = this.takeFault(method, path);
    if (fault) {
      if ('secondaryLimit' in fault) {
        return this.secondaryLimit(fault.retryAfterSeconds, fault.status);
      }
      if ('rateLimit429' in fault) {
        return this.error(429, 'API rate limit exceeded', DOCS, {
          'retry-after': String(fault.retryAfterSeconds),
        });
      }
      if ('hangMs' in fault) {
        const applied = fault.afterApplying ? await apply() : undefined;
        await delay(fault.hangMs);
        return applied ?? this.error(504, 'We couldn’t respond in time', DOCS);
      }
      if (fault.afterApplying) await apply();
      return this.error(
        fault.status,
        fault.status === 404 ? 'Not Found' : 'Server Error',
        DOCS,
      );
    }
    if (
      method !== 'GET' &&
      !options.app &&
      this.overSecondaryLimit(method, path)
    ) {
      this.limitHits += 1;
      const minuteMs = this.options.secondaryLimits?.minuteMs ?? 60_000;
      return this.secondaryLimit(
        Math.max(1, Math.round(60 * (minuteMs / 60_000))),
      );
    }
    if (this.primaryRemaining <= 0) {
      return this.error(403, 'API rate limit exceeded for user ID 1.', DOCS);
    }
    this.primaryRemaining -= 1;
    return apply();
  }

  /** Counts the write and says whether it is over a secondary limit. */
  private overSecondaryLimit(method: string, path: string): boolean {
    const limits = this.options.secondaryLimits;
    if (!limits) return false;
    const now = Date.now();
    const minute = limits.minuteMs ?? 60_000;
    const hour = limits.hourMs ?? 3_600_000;
    // GitHub counts points per endpoint: the path with numbers as holes.
    const endpoint = `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/{n}')}`;
    const isCreate = method === 'POST' && /\/issues$/.test(path);
    const within = (key: string, windowMs: number) =>
      (this.writeTimes.get(key) ?? []).filter(t => t > now - windowMs).length;
    if (
      within(endpoint, minute) >= limits.writesPerMinutePerEndpoint ||
      (isCreate &&
        (within('create', minute) >= limits.createsPerMinute ||
          within('create', hour) >= limits.createsPerHour))
    ) {
      return true;
    }
    const record = (key: string, windowMs: number) =>
      this.writeTimes.set(key, [
        ...(this.writeTimes.get(key) ?? []).filter(t => t > now - windowMs),
        now,
      ]);
    record(endpoint, minute);
    if (isCreate) record('create', hour);
    return false;
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex(
      candidate => candidate.method === method && candidate.path.test(path),
    );
    if (index < 0) return undefined;
    const entry = this.faults[index];
    entry.times -= 1;
    if (entry.times <= 0) this.faults.splice(index, 1);
    return entry.fault;
  }

  private onIssue(
    repo: Repo | undefined,
    params: Record<string, unknown>,
    fn: (issue: GitHubIssue) => Response | Promise<Response>,
  ): Response | Promise<Response> {
    const stored = repo?.issues.get(Number(params.number));
    if (!repo || !stored) return this.notFound();
    if (stored.deleted) {
      return this.error(410, 'This issue was deleted', `${DOCS}/issues/issues`);
    }
    if (stored.movedTo) {
      const location = `${this.apiBaseUrl}/repositories/${stored.movedTo.repoId}/issues/${stored.movedTo.number}`;
      return HttpResponse.json(
        {
          message: 'Moved Permanently',
          url: location,
          documentation_url: DOCS,
        },
        { status: 301, headers: { location } },
      );
    }
    return fn(stored.issue);
  }

  private patch(issue: GitHubIssue, input: unknown): GitHubIssue {
    const edit = input as {
      title?: string;
      body?: string;
      state?: 'open' | 'closed';
      state_reason?: GitHubIssue['state_reason'];
      labels?: string[];
    };
    const repo = this.repoById(
      /\/repos\/(.+)$/.exec(issue.repository_url)![1],
    )!;
    if (edit.title !== undefined) issue.title = edit.title;
    if (edit.body !== undefined) issue.body = edit.body;
    if (edit.labels) issue.labels = edit.labels.map(l => this.label(repo, l));
    // GitHub applies a state reason only with a change of state.
    if (edit.state && edit.state !== issue.state) {
      this.setState(issue, edit.state, edit.state_reason ?? null);
    }
    issue.updated_at = this.now();
    return issue;
  }

  private setState(
    issue: GitHubIssue,
    state: 'open' | 'closed',
    reason: GitHubIssue['state_reason'],
  ) {
    issue.state = state;
    issue.state_reason =
      reason ?? (state === 'closed' ? 'completed' : 'reopened');
    issue.closed_at = state === 'closed' ? this.now() : null;
    issue.closed_by = state === 'closed' ? BOT : null;
  }

  private list(repo: Repo, request: Request): Response {
    const url = new URL(request.url);
    const q = url.searchParams;
    const state = q.get('state') ?? 'open';
    const labels = (q.get('labels') ?? '').split(',').filter(Boolean);
    const since = q.get('since');
    const sort = q.get('sort') === 'updated' ? 'updated_at' : 'created_at';
    const direction = q.get('direction') === 'asc' ? 1 : -1;
    const perPage = Math.min(100, Number(q.get('per_page') ?? 30));
    const page = Math.max(1, Number(q.get('page') ?? 1));
    const matching = [...repo.issues.values()]
      .filter(stored => !stored.deleted && !stored.movedTo)
      .map(stored => stored.issue)
      .filter(issue => state === 'all' || issue.state === state)
      .filter(issue =>
        labels.every(name =>
          issue.labels.some(l => typeof l !== 'string' && l.name === name),
        ),
      )
      .filter(issue => !since || issue.updated_at >= since)
      .sort(
        (a, b) =>
          direction * (a[sort].localeCompare(b[sort]) || a.number - b.number),
      );
    const last = Math.max(1, Math.ceil(matching.length / perPage));
    const pageUrl = (n: number) => {
      const next = new URL(url);
      next.searchParams.set('page', String(n));
      return next.toString();
    };
    const links = [
      page < last && `<${pageUrl(page + 1)}>; rel="next"`,
      page < last && `<${pageUrl(last)}>; rel="last"`,
      page > 1 && `<${pageUrl(page - 1)}>; rel="prev"`,
      page > 1 && `<${pageUrl(1)}>; rel="first"`,
    ].filter(Boolean);
    return HttpResponse.json(
      matching.slice((page - 1) * perPage, page * perPage),
      { headers: links.length ? { link: links.join(', ') } : {} },
    );
  }

  private installations(): Response {
    const app = this.options.app!;
    return HttpResponse.json(
      app.installations.map(installation => ({
        id: installation.id,
        account: this.user(installation.account),
        access_tokens_url: `${this.apiBaseUrl}/app/installations/${installation.id}/access_tokens`,
        repositories_url: `${this.apiBaseUrl}/installation/repositories`,
        html_url: `https://github.com/organizations/${installation.account}/settings/installations/${installation.id}`,
        app_id: app.appId,
        target_id: 1,
        target_type: 'Organization',
        permissions: { issues: 'write', metadata: 'read' },
        events: ['issues', 'issue_comment'],
        repository_selection: 'all',
        created_at: '2026-01-05T10:00:00Z',
        updated_at: '2026-01-05T10:00:00Z',
        single_file_name: null,
        app_slug: 'security-observations',
        suspended_at: null,
        suspended_by: null,
      })),
    );
  }

  private installationToken(id: number): Response {
    const app = this.options.app!;
    if (!app.installations.some(installation => installation.id === id)) {
      return this.notFound();
    }
    return HttpResponse.json(
      {
        token: app.token,
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        permissions: { issues: 'write', metadata: 'read' },
        repository_selection: 'all',
      },
      { status: 201 },
    );
  }

  private newIssue(
    repo: Repo,
    input: { title: string; body?: string; labels?: string[] },
  ): GitHubIssue {
    const number = repo.nextNumber++;
    const id = this.nextIssueId++;
    const repositoryUrl = `${this.apiBaseUrl}/repos/${repo.fullName}`;
    const url = `${repositoryUrl}/issues/${number}`;
    const now = this.now();
    const issue: GitHubIssue = {
      id,
      node_id: `I_kwDO${Buffer.from(String(id)).toString('base64')}`,
      url,
      repository_url: repositoryUrl,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `https://github.com/${repo.fullName}/issues/${number}`,
      number,
      state: 'open',
      state_reason: null,
      title: input.title,
      body: input.body ?? null,
      user: BOT,
      labels: (input.labels ?? []).map(name => this.label(repo, name)),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: 0,
      closed_at: null,
      created_at: now,
      updated_at: now,
      closed_by: null,
      author_association: 'NONE',
      reactions: {
        url: `${url}/reactions`,
        total_count: 0,
        '+1': 0,
        '-1': 0,
        laugh: 0,
        confused: 0,
        heart: 0,
        hooray: 0,
        eyes: 0,
        rocket: 0,
      },
    };
    repo.issues.set(number, { issue });
    return issue;
  }

  private label(repo: Repo, name: string): GitHubLabel {
    let label = repo.labels.get(name);
    if (!label) {
      const id = 5_000_000_000 + repo.labels.size;
      label = {
        id,
        node_id: `LA_kwDO${id}`,
        url: `${this.apiBaseUrl}/repos/${
          repo.fullName
        }/labels/${encodeURIComponent(name)}`,
        name,
        description: null,
        color: 'ededed',
        default: false,
      };
      repo.labels.set(name, label);
    }
    return label;
  }

  private milestone(repo: Repo, number: number): GitHubIssue['milestone'] {
    const url = `${this.apiBaseUrl}/repos/${repo.fullName}/milestones/${number}`;
    return {
      url,
      html_url: `https://github.com/${repo.fullName}/milestone/${number}`,
      labels_url: `${url}/labels`,
      id: 9_000 + number,
      node_id: `MI_kwDO${number}`,
      number,
      state: 'open',
      title: `Sprint ${number}`,
      description: null,
      creator: BOT,
      open_issues: 1,
      closed_issues: 0,
      created_at: '2026-11-01T09:00:00Z',
      updated_at: '2026-11-01T09:00:00Z',
      closed_at: null,
      due_on: null,
    };
  }

  private user(login: string): SimpleUser {
    return {
      ...BOT,
      login,
      id: 583231,
      url: `https://api.github.com/users/${login}`,
      html_url: `https://github.com/${login}`,
      type: 'User',
    };
  }

  private repo(fullName: string): Repo {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`FakeGitHub: no repository ${fullName}`);
    return repo;
  }

  private findRepo(params: Record<string, unknown>): Repo | undefined {
    return this.repos.get(`${params.owner}/${params.repo}`.toLowerCase());
  }

  private repoById(idOrName: unknown): Repo | undefined {
    return [...this.repos.values()].find(
      repo =>
        String(repo.id) === String(idOrName) || repo.fullName === idOrName,
    );
  }

  private now(): string {
    return new Date().toISOString();
  }

  private notFound(): Response {
    return this.error(404, 'Not Found', `${DOCS}/issues/issues`);
  }

  private secondaryLimit(retryAfterSeconds: number, status: 403 | 429 = 403) {
    return this.error(
      status,
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222.',
      `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
      { 'retry-after': String(retryAfterSeconds) },
    );
  }

  private error(
    status: number,
    message: string,
    documentationUrl: string,
    headers: Record<string, string> = {},
  ): Response {
    return HttpResponse.json(
      { message, documentation_url: documentationUrl, status: String(status) },
      { status, headers },
    );
  }
}

/** The names of an issue's labels (GitHub's type allows bare strings). */
export function labelNames(issue: GitHubIssue): string[] {
  return issue.labels.map(label =>
    typeof label === 'string' ? label : label.name ?? '',
  );
}
