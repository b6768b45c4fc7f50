import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { RestEndpointMethodTypes } from '@octokit/rest';
import { delay, http, HttpResponse, RequestHandler } from 'msw';

/*
 * A stateful fake of GitHub's REST API for issues, as msw 2 handlers, for
 * the tracker-sync tests and benchmark. Shapes, statuses and headers are
 * GitHub's: 201/200 with full issue and label objects, 301 for a
 * transferred issue, 410 for a deleted one, Link pagination through
 * /repositories/{id}, x-ratelimit-* on every answer, secondary-limit 403s
 * with retry-after, GitHub App installation tokens, ETags and 304s on
 * issue reads, issue comments, GET /user. People act on issues through the
 * `person…` methods, and every change sends GitHub's webhook delivery to
 * the receiver set with `sendWebhooks`.
 */

type Data<T extends { response: { data: unknown } }> = T['response']['data'];
/**
 * `components['schemas']['issue']` of the OpenAPI types `@octokit/rest` 22
 * compiles against. Taken through `@octokit/rest` because the copy of
 * `@octokit/openapi-types` a plain import resolves to here is an older one
 * (18.x, without state_reason 'duplicate').
 */
export type GitHubIssue = Data<RestEndpointMethodTypes['issues']['get']>;
/** `components['schemas']['label']`. */
export type GitHubLabel = Data<RestEndpointMethodTypes['issues']['getLabel']>;
/** `components['schemas']['issue-comment']`. */
export type GitHubComment = Data<
  RestEndpointMethodTypes['issues']['getComment']
>;
/** `components['schemas']['private-user']`, GET /user for a token. */
type AuthenticatedUser = Extract<
  Data<RestEndpointMethodTypes['users']['getAuthenticated']>,
  { plan?: unknown }
>;
type SimpleUser = NonNullable<GitHubIssue['assignees']>[number];
type Milestone = NonNullable<GitHubIssue['milestone']>;
type Integration = NonNullable<GitHubIssue['performed_via_github_app']>;
type Installation = Data<RestEndpointMethodTypes['apps']['getInstallation']>;
type InstallationToken = Data<
  RestEndpointMethodTypes['apps']['createInstallationAccessToken']
>;
type StateReason = GitHubIssue['state_reason'];
/** `components['schemas']['full-repository']`, the fields a client reads. */
type GitHubRepository = Pick<
  Data<RestEndpointMethodTypes['repos']['get']>,
  | 'id'
  | 'node_id'
  | 'name'
  | 'full_name'
  | 'private'
  | 'visibility'
  | 'owner'
  | 'html_url'
  | 'description'
  | 'fork'
  | 'url'
  | 'issues_url'
  | 'labels_url'
  | 'default_branch'
  | 'has_issues'
  | 'archived'
  | 'disabled'
  | 'open_issues_count'
  | 'created_at'
  | 'updated_at'
  | 'pushed_at'
  | 'permissions'
>;

export interface FakeGitHubOptions {
  /** Default https://api.github.com; GitHub Enterprise e.g. https://ghe.acme.example/api/v3. */
  apiBaseUrl?: string;
  /** Accepted `token X` / `Bearer X` values; default ['ghp_test_token']. */
  tokens?: string[];
  /** Delay before every answer. */
  latencyMs?: number;
  /** Clock (ms) for timestamps, limit windows and token expiry. */
  now?: () => number;
  /** GitHub's documented secondary write limits, in sliding windows. */
  secondaryLimits?: {
    /** Content creation (POST .../issues): 80 a minute. */
    createsPerMinute: number;
    /** Content creation: 500 an hour. */
    createsPerHour: number;
    /** 900 points a minute per endpoint, 5 per write: 180. */
    writesPerMinutePerEndpoint: number;
    /** Window lengths, default a real minute and hour; a benchmark scales them. */
    minuteMs?: number;
    hourMs?: number;
  };
  /** GitHub App mode: `app.token` is issued by POST /app/installations/:id/access_tokens. */
  app?: {
    appId: number;
    installations: Array<{ id: number; account: string }>;
    token: string;
  };
  /**
   * Installation tokens of `app` valid from the start, as one issued
   * before the test and configured as a plain token: they act as the
   * app's bot (`<slug>[bot]`, type Bot) without the JWT exchange.
   */
  installationTokens?: string[];
}

/** What the next matching request(s) get instead of the normal answer. */
export type Fault =
  /** `{message: 'Server Error'}` (or GitHub's 404/422 body); with afterApplying the change is made first. */
  | { status: 404 | 422 | 500 | 502 | 503; afterApplying?: boolean }
  /**
   * The secondary-limit message, with retry-after unless it is null (GitHub
   * does not always send one); nothing changes.
   */
  | {
      secondaryLimit: true;
      retryAfterSeconds: number | null;
      status?: 403 | 429;
    }
  /** 429 `API rate limit exceeded` with retry-after; nothing changes. */
  | { rateLimit429: true; retryAfterSeconds: number }
  /** Waits before answering: the real answer when afterApplying, else a 502 with nothing changed. */
  | { hangMs: number; afterApplying?: boolean };

export interface FakeCall {
  method: string;
  /** URL path without the query, e.g. /repos/acme-corp/payments-api/issues. */
  path: string;
  status: number;
  /** When the request arrived, by the fake's clock. */
  at: number;
  /** The request's If-None-Match (a conditional read), when it had one. */
  ifNoneMatch?: string;
}

/** A webhook delivery as GitHub sends it: lower-cased headers and the signed body. */
export interface GitHubWebhookDelivery {
  headers: Record<string, string>;
  body: string;
}

/** How a person closes an issue on github.com. */
export interface PersonClose {
  /** Close as completed (the default), as not planned, or as a duplicate. */
  reason?: 'completed' | 'not_planned' | 'duplicate';
  /** Labels the person adds first. */
  addLabels?: string[];
  /**
   * Closed by another app's bot instead of the person, e.g. the stale
   * action's `github-actions[bot]`.
   */
  byBot?: string;
}

/** Human edits on github.com. */
export interface IssueEdit {
  labels?: string[];
  assignees?: string[];
  /** A milestone by number or title (created when new), or null to remove it. */
  milestone?: number | string | null;
  state?: 'open' | 'closed';
  state_reason?: StateReason;
  title?: string;
  body?: string;
}

/** The names of an issue's labels (GitHub's type allows bare strings). */
export function labelNames(issue: GitHubIssue): string[] {
  return issue.labels.map(label =>
    typeof label === 'string' ? label : label.name ?? '',
  );
}

interface Repo {
  id: number;
  owner: string;
  name: string;
  nextNumber: number;
  issues: Map<number, GitHubIssue>;
  /** Numbers that no longer hold an issue here. */
  gone: Map<number, 'deleted' | { repo: Repo; number: number }>;
  labels: Map<string, GitHubLabel>;
  milestones: Milestone[];
  /** The credentials lost access: GitHub answers 404 for all of it. */
  hidden: boolean;
  /** Taken down (e.g. a DMCA notice): GitHub answers 451 for all of it. */
  blocked: boolean;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Caller {
  user: SimpleUser;
  association: 'MEMBER' | 'NONE';
  app?: Integration;
  /** Key of the primary rate limit. */
  quotaKey: string;
  limitMessage: string;
}

interface Ctx {
  request: Request;
  params: Record<string, string>;
  url: URL;
  body: any;
  caller: Caller;
  /** Webhook events of the changes the request made, sent before it answers. */
  events: HookEvent[];
}

/** A change GitHub sends a webhook for: the event and its payload. */
interface HookEvent {
  event: 'issues' | 'issue_comment';
  payload: Record<string, unknown>;
}

/** Issue creation and comments are content creation; edits are not. */
type WriteKind = 'create' | 'update' | 'labels' | 'comment' | 'commentEdit';
const CONTENT_CREATION: ReadonlySet<WriteKind> = new Set(['create', 'comment']);

interface RouteOptions {
  jwt?: boolean;
  write?: WriteKind;
  /** documentation_url of this endpoint's errors. */
  docs: string;
}

const DOCS = 'https://docs.github.com/rest';
const ISSUE_DOCS = `${DOCS}/issues/issues`;
const LABEL_DOCS = `${DOCS}/issues/labels`;
const COMMENT_DOCS = `${DOCS}/issues/comments`;
const APP_DOCS = `${DOCS}/apps/apps`;
const RATE_DOCS = `${DOCS}/overview/rate-limits-for-the-rest-api`;
const SECONDARY_DOCS =
  'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
const PRIMARY_LIMIT = 5000;
const BODY_LIMIT = 65_536;
const APP_SLUG = 'backstage-security-observations';
const APP_PERMISSIONS = { issues: 'write', metadata: 'read' } as const;

/** The labels every new GitHub repository starts with. */
const DEFAULT_LABELS: Array<[string, string, string]> = [
  ['bug', 'd73a4a', "Something isn't working"],
  ['documentation', '0075ca', 'Improvements or additions to documentation'],
  ['duplicate', 'cfd3d7', 'This issue or pull request already exists'],
  ['enhancement', 'a2eeef', 'New feature or request'],
  ['good first issue', '7057ff', 'Good for newcomers'],
  ['help wanted', '008672', 'Extra attention is needed'],
  ['invalid', 'e4e669', "This doesn't seem right"],
  ['question', 'd876e3', 'Further information is requested'],
  ['wontfix', 'ffffff', 'This will not be worked on'],
];

/** GitHub's timestamps have whole seconds. */
const iso = (ms: number) =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const b64 = (text: string) =>
  Buffer.from(text).toString('base64url').replace(/=+$/, '');
const isMoved = (gone: unknown): gone is { repo: Repo; number: number } =>
  typeof gone === 'object' && gone !== null;
const sha256Hmac = (secret: string, body: string) =>
  createHmac('sha256', secret).update(body).digest('hex');
/** A weak ETag of the answer's content, as GitHub's: it changes with the issue. */
const etagOf = (body: unknown) =>
  `W/"${createHash('sha256').update(JSON.stringify(body)).digest('hex')}"`;
/** The id of the repository webhook that sends the deliveries. */
const HOOK_ID = 498_275_105;

export class FakeGitHub {
  readonly apiBaseUrl: string;
  /** The web host, e.g. https://github.com or https://ghe.acme.example. */
  readonly webBaseUrl: string;
  /** Every answered request, in the order of the answers. */
  readonly calls: FakeCall[] = [];
  /** Limit answers: secondary (enforced or injected), primary exhaustion, injected 429s. */
  limitHits = 0;
  /** Pass to `setupServer(...fake.handlers)` or `server.use(...)`. */
  readonly handlers: RequestHandler[];

  private readonly now: () => number;
  private readonly tokens: Set<string>;
  private readonly repos: Repo[] = [];
  private readonly faults: Array<{
    method: string;
    path: RegExp;
    times: number;
    fault: Fault;
  }> = [];
  private readonly quotas = new Map<
    string,
    { remaining: number; reset: number }
  >();
  private defaultQuota?: { remaining: number; reset: number };
  private readonly creates: number[] = [];
  private readonly endpointWrites = new Map<WriteKind, number[]>();
  private appTokenExpiresAt?: number;
  private requests = 0;
  private ids = 0;
  /** The people the fake knows by login, so that a login has one id. */
  private readonly accounts = new Map<string, SimpleUser>();
  private readonly tokenUser: SimpleUser;
  /** Organizations (lower-cased) whose SAML enforcement refuses the tokens. */
  private readonly samlOrgs = new Set<string>();
  private readonly human: SimpleUser;
  private readonly personUser: SimpleUser;
  /** Comments by id, with the id of their issue. */
  private readonly commentIndex = new Map<
    number,
    { comment: GitHubComment; issueId: number }
  >();
  private webhooks: {
    secret: string;
    deliver: (delivery: GitHubWebhookDelivery) => Promise<void>;
  } | null = null;
  /** Every webhook delivery sent, in order. */
  readonly deliveries: GitHubWebhookDelivery[] = [];
  /** Deliveries the receiver failed: GitHub records them and goes on. */
  readonly failedDeliveries: Array<{
    delivery: GitHubWebhookDelivery;
    error: unknown;
  }> = [];

  constructor(private readonly options: FakeGitHubOptions = {}) {
    this.apiBaseUrl = (options.apiBaseUrl ?? 'https://api.github.com').replace(
      /\/+$/,
      '',
    );
    const api = new URL(this.apiBaseUrl);
    this.webBaseUrl = api.hostname.startsWith('api.')
      ? `${api.protocol}//${api.host.slice(4)}`
      : api.origin;
    this.now = options.now ?? Date.now;
    this.tokens = new Set(options.tokens ?? ['ghp_test_token']);
    // A personal access token belongs to a (machine) user of the org.
    this.tokenUser = this.user('acme-security-bot', 'User', 104_857);
    this.human = this.user('jane-appsec', 'User', 7_318_204);
    this.personUser = this.user('octocat', 'User', 583_231);
    this.handlers = this.createHandlers();
  }

  addRepo(fullName: string): void {
    const [owner, name] = fullName.split('/');
    if (this.findRepo(owner, name)) return;
    const repo: Repo = {
      id: 712_000_000 + this.repos.length * 7919,
      owner,
      name,
      nextNumber: 1,
      issues: new Map(),
      gone: new Map(),
      labels: new Map(),
      milestones: [],
      hidden: false,
      blocked: false,
    };
    this.repos.push(repo);
    for (const [label, color, description] of DEFAULT_LABELS) {
      this.label(repo, label, { color, description, isDefault: true });
    }
  }

  /** A pull request: it takes the next issue number and shows in issue lists. */
  addPullRequest(fullName: string, title: string): GitHubIssue {
    const repo = this.repo(fullName);
    const pr = this.newIssue(repo, { title, body: '' }, this.humanCaller());
    const pulls = `${this.repoUrl(repo)}/pulls/${pr.number}`;
    pr.html_url = `${this.repoWebUrl(repo)}/pull/${pr.number}`;
    pr.pull_request = {
      url: pulls,
      html_url: pr.html_url,
      diff_url: `${pr.html_url}.diff`,
      patch_url: `${pr.html_url}.patch`,
      merged_at: null,
    };
    pr.draft = false;
    return structuredClone(pr);
  }

  /** The repository's issues, without pull requests, by number. */
  issues(fullName: string): GitHubIssue[] {
    return [...this.repo(fullName).issues.values()]
      .filter(issue => !issue.pull_request)
      .sort((a, b) => a.number - b.number)
      .map(issue => structuredClone(issue));
  }

  issue(fullName: string, number: number): GitHubIssue | undefined {
    const issue = this.repo(fullName).issues.get(number);
    return issue && structuredClone(issue);
  }

  writeCalls(): FakeCall[] {
    return this.calls.filter(call => call.method !== 'GET');
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  /**
   * The next `times` (default 1) requests with this method whose URL path
   * (without the query, with the base path) matches get the fault.
   */
  failNext(
    match: { method: string; path: RegExp; times?: number },
    fault: Fault,
  ): void {
    this.faults.push({
      method: match.method.toUpperCase(),
      path: match.path,
      times: match.times ?? 1,
      fault,
    });
  }

  /** Sets the primary limit left, for one token or for all tokens. */
  setPrimaryRemaining(
    remaining: number,
    resetEpochSeconds = Math.floor(this.now() / 1000) + 3600,
    token?: string,
  ): void {
    const quota = { remaining, reset: resetEpochSeconds };
    if (token) {
      this.quotas.set(token, quota);
    } else {
      this.quotas.clear();
      this.defaultQuota = quota;
    }
  }

  /** An edit made by a person on github.com, which the client must keep. */
  editIssue(fullName: string, number: number, edit: IssueEdit): void {
    const repo = this.repo(fullName);
    const issue = this.existing(repo, number);
    if (edit.milestone !== undefined) {
      issue.milestone = edit.milestone
        ? this.milestoneFor(repo, edit.milestone)
        : null;
    }
    // Sends no webhook: the `person…` methods do.
    this.applyEdit(repo, issue, edit, this.human, []);
  }

  /**
   * The credentials lose (or regain) access to the repository, e.g. it is
   * removed from the GitHub App's selected repositories: GitHub then
   * answers 404 for the repository and for all of its issues.
   */
  setAccess(fullName: string, access: boolean): void {
    this.repo(fullName).hidden = !access;
  }

  /**
   * The organization enforces SAML single sign-on and the personal access
   * token was not authorized for it: GitHub answers 403 for all of its
   * repositories to the token. Installation tokens of an app are not
   * affected.
   */
  enforceSaml(owner: string): void {
    this.samlOrgs.add(owner.toLowerCase());
  }

  /**
   * The repository is taken down (a DMCA notice): GitHub answers 451 for
   * the repository and all of its issues.
   */
  blockRepository(fullName: string): void {
    this.repo(fullName).blocked = true;
  }

  /**
   * Deleted on github.com: the issue's URLs answer 410 from now on. Sends
   * no webhook (`personDeleteIssue` does).
   */
  deleteIssue(fullName: string, number: number): void {
    const repo = this.repo(fullName);
    const issue = this.existing(repo, number);
    repo.issues.delete(number);
    repo.gone.set(number, 'deleted');
    for (const [id, entry] of this.commentIndex) {
      if (entry.issueId === issue.id) this.commentIndex.delete(id);
    }
  }

  /**
   * Transferred on github.com: the issue takes the next number of the
   * other repository and its old URLs answer 301. As on GitHub, labels stay
   * only when the new repository has them, and the milestone is dropped.
   */
  transferIssue(fullName: string, number: number, toFullName: string): number {
    const from = this.repo(fullName);
    const to = this.repo(toFullName);
    const issue = this.existing(from, number);
    const newNumber = to.nextNumber++;
    from.issues.delete(number);
    from.gone.set(number, { repo: to, number: newNumber });
    Object.assign(issue, this.urls(to, newNumber), {
      number: newNumber,
      labels: labelNames(issue)
        .map(name => to.labels.get(name.toLowerCase()))
        .filter((label): label is GitHubLabel => label !== undefined),
      milestone: null,
      updated_at: iso(this.now()),
    });
    to.issues.set(newNumber, issue);
    // Comments go along, under the new repository's URLs.
    for (const comment of this.commentsOf(issue)) {
      Object.assign(comment, this.commentUrls(issue, comment.id));
    }
    return newNumber;
  }

  /**
   * Where deliveries go, signed with `secret` as GitHub signs them; null
   * stops them. A change's deliveries go out in order, awaited before the
   * request that made it answers.
   */
  sendWebhooks(
    secret: string,
    deliver: ((delivery: GitHubWebhookDelivery) => Promise<void>) | null,
  ): void {
    this.webhooks = deliver ? { secret, deliver } : null;
  }

  /** The account a personal access token acts as (GET /user), author of the sync's writes. */
  get tokenAccount(): SimpleUser {
    return structuredClone(this.tokenUser);
  }

  /** Who acts through the `person…` methods. */
  get person(): SimpleUser {
    return structuredClone(this.personUser);
  }

  /** The issue's comments, oldest first. */
  comments(fullName: string, number: number): GitHubComment[] {
    const issue = this.existing(this.repo(fullName), number);
    return this.commentsOf(issue).map(comment => structuredClone(comment));
  }

  /** The person comments on github.com. */
  async personComment(
    fullName: string,
    number: number,
    body: string,
  ): Promise<GitHubComment> {
    const repo = this.repo(fullName);
    const issue = this.existing(repo, number);
    const events: HookEvent[] = [];
    const comment = this.addComment(
      repo,
      issue,
      body,
      this.humanCaller(this.personUser),
      events,
    );
    await this.deliverOwn(events);
    return structuredClone(comment);
  }

  async personEditComment(
    fullName: string,
    commentId: number,
    body: string,
  ): Promise<void> {
    const repo = this.repo(fullName);
    const found = this.existingComment(repo, commentId);
    const events: HookEvent[] = [];
    this.editComment(
      repo,
      found.issue,
      found.comment,
      body,
      this.personUser,
      events,
    );
    await this.deliverOwn(events);
  }

  async personDeleteComment(
    fullName: string,
    commentId: number,
  ): Promise<void> {
    const repo = this.repo(fullName);
    const found = this.existingComment(repo, commentId);
    const events: HookEvent[] = [];
    this.deleteComment(
      repo,
      found.issue,
      found.comment,
      this.personUser,
      events,
    );
    await this.deliverOwn(events);
  }

  /** The person closes the issue, after adding labels when asked. */
  async personClose(
    fullName: string,
    number: number,
    close: PersonClose = {},
  ): Promise<void> {
    const repo = this.repo(fullName);
    const issue = this.existing(repo, number);
    const events: HookEvent[] = [];
    const by = close.byBot ? this.user(close.byBot, 'Bot') : this.personUser;
    if (close.addLabels?.length) {
      this.applyEdit(
        repo,
        issue,
        { labels: [...labelNames(issue), ...close.addLabels] },
        by,
        events,
      );
    }
    this.applyEdit(
      repo,
      issue,
      { state: 'closed', state_reason: close.reason ?? 'completed' },
      by,
      events,
    );
    await this.deliverOwn(events);
  }

  async personReopen(fullName: string, number: number): Promise<void> {
    const repo = this.repo(fullName);
    const issue = this.existing(repo, number);
    const events: HookEvent[] = [];
    this.applyEdit(repo, issue, { state: 'open' }, this.personUser, events);
    await this.deliverOwn(events);
  }

  /** The person deletes the issue: 410 from now on, and GitHub's `deleted` webhook. */
  async personDeleteIssue(fullName: string, number: number): Promise<void> {
    const repo = this.repo(fullName);
    const issue = this.existing(repo, number);
    const event = this.hook(repo, 'issues', 'deleted', this.personUser, {
      issue: this.webhookIssue(issue),
    });
    this.deleteIssue(fullName, number);
    await this.deliverOwn([event]);
  }

  private createHandlers(): RequestHandler[] {
    const base = this.apiBaseUrl;
    const issues = ['repos/:owner/:repo/issues', 'repositories/:repoId/issues'];
    const get = `${ISSUE_DOCS}#get-an-issue`;
    const update = `${ISSUE_DOCS}#update-an-issue`;
    const addLabels = `${LABEL_DOCS}#add-labels-to-an-issue`;
    const listLabels = `${LABEL_DOCS}#list-labels-for-an-issue`;
    const listComments = `${COMMENT_DOCS}#list-issue-comments`;
    const createComment = `${COMMENT_DOCS}#create-an-issue-comment`;
    const comment = `${base}/repos/:owner/:repo/issues/comments/:commentId`;
    return [
      this.route('GET', `${base}/user`, ctx => this.authenticatedUser(ctx), {
        docs: `${DOCS}/users/users#get-the-authenticated-user`,
      }),
      this.route(
        'GET',
        comment,
        ctx =>
          this.onComment(ctx, 'get-an-issue-comment', found => ({
            status: 200,
            body: found.comment,
          })),
        { docs: `${COMMENT_DOCS}#get-an-issue-comment` },
      ),
      this.route(
        'PATCH',
        comment,
        ctx =>
          this.onComment(ctx, 'update-an-issue-comment', (found, repo) =>
            this.patchComment(ctx, repo, found),
          ),
        {
          write: 'commentEdit',
          docs: `${COMMENT_DOCS}#update-an-issue-comment`,
        },
      ),
      this.route(
        'DELETE',
        comment,
        ctx =>
          this.onComment(ctx, 'delete-an-issue-comment', (found, repo) => {
            this.deleteComment(
              repo,
              found.issue,
              found.comment,
              ctx.caller.user,
              ctx.events,
            );
            return { status: 204, body: null };
          }),
        {
          write: 'commentEdit',
          docs: `${COMMENT_DOCS}#delete-an-issue-comment`,
        },
      ),
      this.route(
        'GET',
        `${base}/app/installations`,
        ctx => this.installations(ctx),
        {
          jwt: true,
          docs: `${APP_DOCS}#list-installations-for-the-authenticated-app`,
        },
      ),
      this.route(
        'POST',
        `${base}/app/installations/:id/access_tokens`,
        ctx => this.accessToken(ctx),
        {
          jwt: true,
          docs: `${APP_DOCS}#create-an-installation-access-token-for-an-app`,
        },
      ),
      this.route(
        'GET',
        `${base}/repos/:owner/:repo`,
        ctx => this.inRepo(ctx, repo => this.repository(repo)),
        { docs: `${DOCS}/repos/repos#get-a-repository` },
      ),
      this.route(
        'POST',
        `${base}/${issues[0]}`,
        ctx => this.inRepo(ctx, repo => this.create(ctx, repo)),
        { write: 'create', docs: `${ISSUE_DOCS}#create-an-issue` },
      ),
      // Link headers point at /repositories/{id}/issues, so both are served.
      ...issues.flatMap(path => [
        this.route(
          'GET',
          `${base}/${path}`,
          ctx => this.inRepo(ctx, repo => this.list(ctx, repo)),
          { docs: `${ISSUE_DOCS}#list-repository-issues` },
        ),
        this.route(
          'GET',
          `${base}/${path}/:number`,
          ctx => this.onIssue(ctx, get, '', i => this.conditional(ctx, i)),
          { docs: get },
        ),
        this.route(
          'PATCH',
          `${base}/${path}/:number`,
          ctx => this.onIssue(ctx, update, '', (i, r) => this.patch(ctx, r, i)),
          { write: 'update', docs: update },
        ),
        this.route(
          'GET',
          `${base}/${path}/:number/labels`,
          ctx =>
            this.onIssue(ctx, listLabels, '/labels', i => ({
              status: 200,
              body: i.labels,
            })),
          { docs: listLabels },
        ),
        this.route(
          'POST',
          `${base}/${path}/:number/labels`,
          ctx =>
            this.onIssue(ctx, addLabels, '/labels', (i, r) =>
              this.addLabels(ctx, r, i),
            ),
          { write: 'labels', docs: addLabels },
        ),
        this.route(
          'GET',
          `${base}/${path}/:number/comments`,
          ctx =>
            this.onIssue(ctx, listComments, '/comments', i =>
              this.listComments(ctx, i),
            ),
          { docs: listComments },
        ),
        this.route(
          'POST',
          `${base}/${path}/:number/comments`,
          ctx =>
            this.onIssue(ctx, createComment, '/comments', (i, r) =>
              this.createComment(ctx, r, i),
            ),
          { write: 'comment', docs: createComment },
        ),
      ]),
    ];
  }

  /** One endpoint, with latency, auth, limits, faults and headers around it. */
  private route(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    operation: (ctx: Ctx) => Answer | Promise<Answer>,
    options: RouteOptions,
  ): RequestHandler {
    const handler = {
      GET: http.get,
      POST: http.post,
      PATCH: http.patch,
      DELETE: http.delete,
    }[method];
    return handler(path, async ({ request, params }) => {
      const at = this.now();
      const url = new URL(request.url);
      const requestId = this.requestId();
      const text = method === 'GET' ? '' : await request.text();
      if (this.options.latencyMs) await delay(this.options.latencyMs);
      let body: unknown = {};
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        body = undefined;
      }

      const caller = this.authenticate(request, options);
      const ctx: Ctx = {
        request,
        url,
        params: params as Record<string, string>,
        body,
        caller: caller ?? this.humanCaller(),
        events: [],
      };
      let answer: Answer;
      if (!caller) {
        answer = this.unauthorized(request, options);
      } else if (body === undefined) {
        answer = this.error(400, 'Problems parsing JSON', options.docs);
      } else {
        answer = await this.limited(ctx, method, requestId, options, operation);
      }

      // msw 2.15 does not follow a redirect for a request with a body (the
      // fetch fails, Octokit reports a 500 'Failed to fetch') and would turn
      // a body-less PATCH into a GET. Node's fetch follows a 301 with the
      // same method and body, except that POST becomes GET: do that here.
      const location = answer.headers?.location;
      const redirected = answer.status >= 300 && answer.status < 400;
      if (
        redirected &&
        location &&
        method !== 'GET' &&
        request.redirect === 'follow'
      ) {
        this.calls.push({
          method,
          path: url.pathname,
          status: answer.status,
          at,
        });
        const headers = new Headers(request.headers);
        headers.delete('content-length');
        if (method === 'POST') headers.delete('content-type');
        return fetch(location, {
          method: method === 'POST' ? 'GET' : method,
          headers,
          body: method === 'POST' ? undefined : text,
        });
      }

      const ifNoneMatch = request.headers.get('if-none-match') ?? undefined;
      this.calls.push({
        method,
        path: url.pathname,
        status: answer.status,
        at,
        ...(ifNoneMatch ? { ifNoneMatch } : {}),
      });
      // A 304 does not count against the primary limit.
      if (answer.status === 304 && caller) {
        this.quota(caller.quotaKey).remaining += 1;
      }
      await this.deliverOwn(ctx.events, false);
      return this.respond(answer, requestId, caller?.quotaKey);
    });
  }

  /** Primary limit, faults and secondary limits, in that order. */
  private async limited(
    ctx: Ctx,
    method: string,
    requestId: string,
    options: RouteOptions,
    operation: (ctx: Ctx) => Answer | Promise<Answer>,
  ): Promise<Answer> {
    const quota = this.quota(ctx.caller.quotaKey);
    if (quota.remaining <= 0) {
      this.limitHits += 1;
      return this.error(403, ctx.caller.limitMessage, RATE_DOCS);
    }
    quota.remaining -= 1;

    const apply = () => this.applyWrite(ctx, requestId, options, operation);
    const fault = this.takeFault(method, ctx.url.pathname);
    if (!fault) return apply();
    if ('secondaryLimit' in fault) {
      this.limitHits += 1;
      return this.secondaryLimit(
        requestId,
        fault.retryAfterSeconds,
        fault.status,
      );
    }
    if ('rateLimit429' in fault) {
      this.limitHits += 1;
      return {
        status: 429,
        body: {
          message: 'API rate limit exceeded',
          documentation_url: RATE_DOCS,
          status: '429',
        },
        headers: { 'retry-after': String(fault.retryAfterSeconds) },
      };
    }
    if ('hangMs' in fault) {
      const applied = fault.afterApplying ? await apply() : undefined;
      await delay(fault.hangMs);
      return applied ?? { status: 502, body: { message: 'Server Error' } };
    }
    if (fault.afterApplying) await apply();
    if (fault.status === 404 || fault.status === 422) {
      const message = fault.status === 404 ? 'Not Found' : 'Validation Failed';
      return this.error(fault.status, message, options.docs);
    }
    return { status: fault.status, body: { message: 'Server Error' } };
  }

  /** A write under the secondary limits: refused over them, counted when made. */
  private async applyWrite(
    ctx: Ctx,
    requestId: string,
    options: RouteOptions,
    operation: (ctx: Ctx) => Answer | Promise<Answer>,
  ): Promise<Answer> {
    const limits = this.options.secondaryLimits;
    const kind = options.write;
    if (!limits || !kind) return operation(ctx);
    const now = this.now();
    const minute = limits.minuteMs ?? 60_000;
    const hour = limits.hourMs ?? 3_600_000;
    const within = (times: number[], windowMs: number) =>
      times.filter(t => t > now - windowMs).length;
    const endpoint = (this.endpointWrites.get(kind) ?? []).filter(
      t => t > now - minute,
    );
    const creates = CONTENT_CREATION.has(kind);
    const over =
      endpoint.length >= limits.writesPerMinutePerEndpoint ||
      (creates &&
        (within(this.creates, minute) >= limits.createsPerMinute ||
          within(this.creates, hour) >= limits.createsPerHour));
    if (over) {
      this.limitHits += 1;
      return this.secondaryLimit(
        requestId,
        Math.max(1, Math.round((60 * minute) / 60_000)),
      );
    }
    // Points are spent by every write that reaches the endpoint; content
    // creation only by an issue or comment actually created.
    this.endpointWrites.set(kind, [...endpoint, now]);
    const answer = await operation(ctx);
    if (creates && answer.status === 201) {
      this.creates.push(now);
      while (this.creates[0] <= now - hour) this.creates.shift();
    }
    return answer;
  }

  private authenticate(
    request: Request,
    options: RouteOptions,
  ): Caller | undefined {
    const header = request.headers.get('authorization') ?? '';
    const credential = /^(?:token|bearer)\s+(\S+)$/i.exec(header)?.[1];
    if (!credential) return undefined;
    const app = this.options.app;
    if (options.jwt) {
      // The signature is not checked; the issuer must be the app.
      const [, payload, signature] = credential.split('.');
      if (!app || !signature) return undefined;
      try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
        if (String(claims.iss) !== String(app.appId)) return undefined;
      } catch {
        return undefined;
      }
      return {
        user: this.botUser(),
        association: 'NONE',
        quotaKey: `jwt:${app.appId}`,
        limitMessage: `API rate limit exceeded for app ID ${app.appId}.`,
      };
    }
    if (this.tokens.has(credential)) {
      return {
        user: this.tokenUser,
        association: 'MEMBER',
        quotaKey: credential,
        limitMessage: `API rate limit exceeded for user ID ${this.tokenUser.id}.`,
      };
    }
    const issued =
      credential === app?.token &&
      this.appTokenExpiresAt !== undefined &&
      this.now() < this.appTokenExpiresAt;
    if (
      app &&
      (issued || this.options.installationTokens?.includes(credential))
    ) {
      return {
        user: this.botUser(),
        association: 'NONE',
        app: this.integration(),
        quotaKey: credential,
        limitMessage: `API rate limit exceeded for installation ID ${app.installations[0]?.id}.`,
      };
    }
    return undefined;
  }

  private unauthorized(request: Request, options: RouteOptions): Answer {
    if (!request.headers.has('authorization')) {
      return this.error(401, 'Requires authentication', options.docs);
    }
    return options.jwt
      ? this.error(401, 'A JSON web token could not be decoded', DOCS)
      : this.error(401, 'Bad credentials', DOCS);
  }

  private quota(key: string) {
    const nowSeconds = Math.floor(this.now() / 1000);
    let quota = this.quotas.get(key);
    if (!quota) {
      quota = {
        ...(this.defaultQuota ?? { remaining: PRIMARY_LIMIT, reset: 0 }),
      };
      this.quotas.set(key, quota);
    }
    if (nowSeconds >= quota.reset) {
      quota.remaining = PRIMARY_LIMIT;
      quota.reset = nowSeconds + 3600;
    }
    return quota;
  }

  private respond(
    answer: Answer,
    requestId: string,
    quotaKey?: string,
  ): Response {
    const quota = quotaKey
      ? this.quota(quotaKey)
      : { remaining: 59, reset: Math.floor(this.now() / 1000) + 3600 };
    const limit = quotaKey ? PRIMARY_LIMIT : 60; // unauthenticated: 60 an hour
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      date: new Date(this.now()).toUTCString(),
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': requestId,
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, quota.remaining)),
      'x-ratelimit-reset': String(quota.reset),
      'x-ratelimit-used': String(limit - Math.max(0, quota.remaining)),
      'x-ratelimit-resource': 'core',
      ...answer.headers,
    };
    // 204 and 304 have no body.
    const empty = answer.status === 204 || answer.status === 304;
    if (empty) delete headers['content-type'];
    return new HttpResponse(empty ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers,
    });
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex(
      entry => entry.method === method && entry.path.test(path),
    );
    if (index < 0) return undefined;
    const entry = this.faults[index];
    entry.times -= 1;
    if (entry.times <= 0) this.faults.splice(index, 1);
    return entry.fault;
  }

  private inRepo(ctx: Ctx, fn: (repo: Repo) => Answer): Answer {
    const { owner, repo: name, repoId } = ctx.params;
    const repo = repoId
      ? this.repos.find(r => String(r.id) === repoId)
      : this.findRepo(owner, name);
    if (!repo || repo.hidden) return this.error(404, 'Not Found', DOCS);
    if (repo.blocked) {
      return {
        status: 451,
        body: {
          message: 'Repository access blocked',
          block: {
            reason: 'dmca',
            created_at: '2026-11-20T16:02:11Z',
            html_url:
              'https://github.com/github/dmca/blob/master/2026/11/2026-11-20-acme.md',
          },
        },
      };
    }
    if (this.samlOrgs.has(repo.owner.toLowerCase()) && !ctx.caller.app) {
      return {
        status: 403,
        body: {
          message:
            'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
          documentation_url:
            'https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/',
          status: '403',
        },
        headers: {
          'x-github-sso': `required; url=${this.webBaseUrl}/orgs/${repo.owner}/sso?authorization_request=A5WNAZDLBD5N6JKPUJQZSXDJCUQHUWLNPVRGS3DPOJSXIZLQMNSW4Y3F`,
        },
      };
    }
    return fn(repo);
  }

  private repository(repo: Repo): Answer {
    const url = this.repoUrl(repo);
    const body: GitHubRepository = {
      id: repo.id,
      node_id: `R_kgDO${b64(String(repo.id))}`,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      private: true,
      visibility: 'private',
      owner: this.user(repo.owner, 'Organization'),
      html_url: this.repoWebUrl(repo),
      description: null,
      fork: false,
      url,
      issues_url: `${url}/issues{/number}`,
      labels_url: `${url}/labels{/name}`,
      default_branch: 'main',
      has_issues: true,
      archived: false,
      disabled: false,
      open_issues_count: [...repo.issues.values()].filter(
        issue => issue.state === 'open',
      ).length,
      created_at: '2024-01-15T08:00:00Z',
      updated_at: iso(this.now()),
      pushed_at: iso(this.now()),
      permissions: {
        admin: false,
        maintain: false,
        push: false,
        triage: true,
        pull: true,
      },
    };
    return { status: 200, body };
  }

  /** The issue of the URL, or GitHub's 404, 410 or 301 for it. */
  private onIssue(
    ctx: Ctx,
    docs: string,
    suffix: string,
    fn: (issue: GitHubIssue, repo: Repo) => Answer,
  ): Answer {
    return this.inRepo(ctx, repo => {
      const number = Number(ctx.params.number);
      const issue = repo.issues.get(number);
      if (issue) return fn(issue, repo);
      const gone = repo.gone.get(number);
      if (gone === 'deleted')
        return this.error(410, 'This issue was deleted', docs);
      if (!isMoved(gone)) return this.error(404, 'Not Found', docs);
      // Moved more than once: GitHub points at where the issue is now.
      let target = gone;
      while (!target.repo.issues.has(target.number)) {
        const next = target.repo.gone.get(target.number);
        if (!isMoved(next)) break;
        target = next;
      }
      const location = `${this.apiBaseUrl}/repositories/${target.repo.id}/issues/${target.number}${suffix}`;
      return {
        status: 301,
        body: {
          message: 'Moved Permanently',
          url: location,
          documentation_url: docs,
        },
        headers: { location },
      };
    });
  }

  private create(ctx: Ctx, repo: Repo): Answer {
    const input = ctx.body as {
      title?: string | number;
      body?: string | null;
      labels?: Array<string | { name: string }>;
      assignees?: string[];
      milestone?: number | null;
    };
    if (input.title === undefined || input.title === '') {
      return this.error(
        422,
        'Invalid request.\n\n"title" wasn\'t supplied.',
        `${ISSUE_DOCS}#create-an-issue`,
      );
    }
    const invalid = this.validate(repo, input, `${ISSUE_DOCS}#create-an-issue`);
    if (invalid) return invalid;
    const issue = this.newIssue(
      repo,
      { title: String(input.title), body: input.body ?? null },
      ctx.caller,
    );
    const labeled: HookEvent[] = [];
    this.applyEdit(
      repo,
      issue,
      { labels: this.names(input.labels), assignees: input.assignees },
      ctx.caller.user,
      labeled,
    );
    if (input.milestone)
      issue.milestone = this.milestoneNumbered(repo, input.milestone)!;
    issue.updated_at = issue.created_at;
    // GitHub sends `opened`, then `labeled` for each label.
    if (this.webhooks) {
      ctx.events.push(
        this.hook(repo, 'issues', 'opened', ctx.caller.user, {
          issue: this.webhookIssue(issue),
        }),
        ...labeled.map(event => ({
          ...event,
          payload: { ...event.payload, issue: this.webhookIssue(issue) },
        })),
      );
    }
    return { status: 201, body: issue, headers: { location: issue.url } };
  }

  private patch(ctx: Ctx, repo: Repo, issue: GitHubIssue): Answer {
    const input = ctx.body as {
      title?: string | number;
      body?: string | null;
      state?: string;
      state_reason?: StateReason;
      labels?: Array<string | { name: string }>;
      assignees?: string[];
      assignee?: string | null;
      milestone?: number | null;
    };
    const docs = `${ISSUE_DOCS}#update-an-issue`;
    const invalid = this.validate(repo, input, docs);
    if (invalid) return invalid;
    if (
      input.state !== undefined &&
      !['open', 'closed'].includes(input.state)
    ) {
      return this.validationFailed(docs, 'state', 'invalid', input.state);
    }
    if (input.milestone !== undefined) {
      issue.milestone =
        input.milestone === null
          ? null
          : this.milestoneNumbered(repo, input.milestone)!;
    }
    let assignees = input.assignees;
    if (assignees === undefined && input.assignee !== undefined) {
      assignees = input.assignee ? [input.assignee] : [];
    }
    this.applyEdit(
      repo,
      issue,
      {
        title: input.title === undefined ? undefined : String(input.title),
        body: input.body ?? undefined,
        state: input.state as 'open' | 'closed' | undefined,
        state_reason: input.state_reason,
        labels: this.names(input.labels),
        assignees,
      },
      ctx.caller.user,
      ctx.events,
    );
    if (input.body === null) issue.body = null;
    return { status: 200, body: issue };
  }

  private addLabels(ctx: Ctx, repo: Repo, issue: GitHubIssue): Answer {
    const names = this.names(
      Array.isArray(ctx.body) ? ctx.body : (ctx.body as { labels?: [] }).labels,
    );
    if (!names?.length) {
      return this.validationFailed(
        `${LABEL_DOCS}#add-labels-to-an-issue`,
        'labels',
        'missing_field',
      );
    }
    const have = new Set(labelNames(issue).map(name => name.toLowerCase()));
    const added = names.filter(name => !have.has(name.toLowerCase()));
    if (added.length) {
      // Adding never removes: the new labels go after the present ones.
      this.applyEdit(
        repo,
        issue,
        { labels: [...labelNames(issue), ...added] },
        ctx.caller.user,
        ctx.events,
      );
    }
    return { status: 200, body: issue.labels };
  }

  /**
   * Title, body, state and label and assignee sets, as GitHub applies
   * them; `events` gets the webhook events of what changed (edited,
   * labeled, unlabeled, closed, reopened), each with the issue as it is
   * after the whole edit.
   */
  private applyEdit(
    repo: Repo,
    issue: GitHubIssue,
    edit: Omit<IssueEdit, 'milestone'>,
    by: SimpleUser,
    events: HookEvent[],
  ): void {
    const now = iso(this.now());
    const before = {
      title: issue.title,
      body: issue.body,
      state: issue.state,
      labels: issue.labels.filter(
        (label): label is GitHubLabel => typeof label !== 'string',
      ),
    };
    if (edit.title !== undefined) issue.title = edit.title;
    if (edit.body !== undefined) issue.body = edit.body;
    // Labels replace the set; names GitHub does not know yet become labels.
    if (edit.labels) {
      const unique = [
        ...new Map(edit.labels.map(n => [n.toLowerCase(), n])).values(),
      ];
      issue.labels = unique.map(name => this.label(repo, name));
    }
    if (edit.assignees) {
      issue.assignees = [...new Set(edit.assignees)].map(login =>
        login === by.login ? by : this.user(login, 'User'),
      );
      issue.assignee = issue.assignees[0] ?? null;
    }
    // The reason is applied only with a change of state.
    if (edit.state && edit.state !== issue.state) {
      issue.state = edit.state;
      if (edit.state === 'closed') {
        issue.state_reason =
          edit.state_reason && edit.state_reason !== 'reopened'
            ? edit.state_reason
            : 'completed';
        issue.closed_at = now;
        issue.closed_by = by;
      } else {
        issue.state_reason = 'reopened';
        issue.closed_at = null;
        issue.closed_by = null;
      }
    }
    issue.updated_at = now;
    for (const milestone of repo.milestones) {
      const members = [...repo.issues.values()].filter(
        i => i.milestone?.number === milestone.number,
      );
      milestone.open_issues = members.filter(i => i.state === 'open').length;
      milestone.closed_issues = members.length - milestone.open_issues;
    }

    // Payloads are made only for a receiver (the benchmark has none).
    if (!this.webhooks) return;
    const after = this.webhookIssue(issue);
    const changes: Record<string, { from: unknown }> = {};
    if (issue.title !== before.title) changes.title = { from: before.title };
    if (issue.body !== before.body) changes.body = { from: before.body };
    if (Object.keys(changes).length) {
      events.push(
        this.hook(repo, 'issues', 'edited', by, { issue: after, changes }),
      );
    }
    const ids = (labels: unknown[]) =>
      new Set(labels.map(label => (label as GitHubLabel).id));
    const had = ids(before.labels);
    const has = ids(issue.labels);
    for (const label of issue.labels as GitHubLabel[]) {
      if (!had.has(label.id)) {
        events.push(
          this.hook(repo, 'issues', 'labeled', by, { issue: after, label }),
        );
      }
    }
    for (const label of before.labels) {
      if (!has.has(label.id)) {
        events.push(
          this.hook(repo, 'issues', 'unlabeled', by, { issue: after, label }),
        );
      }
    }
    if (issue.state !== before.state) {
      const action = issue.state === 'closed' ? 'closed' : 'reopened';
      events.push(this.hook(repo, 'issues', action, by, { issue: after }));
    }
  }

  /** GitHub's 422s for a body over its limit and an unknown milestone. */
  private validate(
    repo: Repo,
    input: { body?: string | null; milestone?: number | null },
    docs: string,
  ): Answer | undefined {
    if (typeof input.body === 'string' && input.body.length > BODY_LIMIT) {
      return {
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'Issue',
              code: 'custom',
              field: 'body',
              message: `body is too long (maximum is ${BODY_LIMIT} characters)`,
            },
          ],
          documentation_url: docs,
          status: '422',
        },
      };
    }
    if (input.milestone && !this.milestoneNumbered(repo, input.milestone)) {
      return this.validationFailed(
        docs,
        'milestone',
        'invalid',
        input.milestone,
      );
    }
    return undefined;
  }

  private list(ctx: Ctx, repo: Repo): Answer {
    const q = ctx.url.searchParams;
    const state = q.get('state') ?? 'open';
    const labels = (q.get('labels') ?? '')
      .split(',')
      .map(name => name.trim().toLowerCase())
      .filter(Boolean);
    // `since` has whole seconds at GitHub, as the timestamps do.
    const sinceMs = Date.parse(q.get('since') ?? '');
    const since = Number.isNaN(sinceMs)
      ? undefined
      : Math.floor(sinceMs / 1000) * 1000;
    const key = q.get('sort') === 'updated' ? 'updated_at' : 'created_at';
    const direction = q.get('direction') === 'asc' ? 1 : -1;
    const matching = [...repo.issues.values()]
      .filter(issue => state === 'all' || issue.state === state)
      .filter(issue => {
        const names = labelNames(issue).map(name => name.toLowerCase());
        return labels.every(name => names.includes(name));
      })
      .filter(
        issue => since === undefined || Date.parse(issue.updated_at) >= since,
      )
      .sort(
        (a, b) =>
          direction *
          (Date.parse(a[key]) - Date.parse(b[key]) || a.number - b.number),
      );
    return this.paginate(
      ctx.url,
      matching,
      `${this.apiBaseUrl}/repositories/${repo.id}/issues`,
    );
  }

  /** A page of items with GitHub's Link header (prev, next, last, first). */
  private paginate(url: URL, items: unknown[], linkBase: string): Answer {
    const perPageParam = Number(url.searchParams.get('per_page') ?? 30);
    const perPage = Math.min(100, Math.max(1, Math.floor(perPageParam) || 30));
    const page = Math.max(
      1,
      Math.floor(Number(url.searchParams.get('page') ?? 1)) || 1,
    );
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const pageUrl = (n: number) => {
      const query = new URLSearchParams(url.searchParams);
      query.delete('page');
      query.append('page', String(n));
      return `${linkBase}?${query}`;
    };
    const links: string[] = [];
    if (page > 1)
      links.push(`<${pageUrl(Math.min(page - 1, last))}>; rel="prev"`);
    if (page < last) {
      links.push(
        `<${pageUrl(page + 1)}>; rel="next"`,
        `<${pageUrl(last)}>; rel="last"`,
      );
    }
    if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`);
    return {
      status: 200,
      body: items.slice((page - 1) * perPage, page * perPage),
      headers: links.length ? { link: links.join(', ') } : undefined,
    };
  }

  private installations(ctx: Ctx): Answer {
    const app = this.options.app!;
    const created = iso(Date.parse('2025-03-04T09:15:00Z'));
    const installations = app.installations.map(
      (installation): Installation => {
        const account = this.user(installation.account, 'Organization');
        return {
          id: installation.id,
          client_id: `Iv23li${b64(String(app.appId)).slice(0, 8)}`,
          account,
          repository_selection: 'all',
          access_tokens_url: `${this.apiBaseUrl}/app/installations/${installation.id}/access_tokens`,
          repositories_url: `${this.apiBaseUrl}/installation/repositories`,
          html_url: `${this.webBaseUrl}/organizations/${installation.account}/settings/installations/${installation.id}`,
          app_id: app.appId,
          app_slug: APP_SLUG,
          target_id: account.id,
          target_type: 'Organization',
          permissions: APP_PERMISSIONS,
          events: ['issues'],
          created_at: created,
          updated_at: created,
          single_file_name: null,
          has_multiple_single_files: false,
          single_file_paths: [],
          suspended_by: null,
          suspended_at: null,
        };
      },
    );
    return this.paginate(
      ctx.url,
      installations,
      `${this.apiBaseUrl}/app/installations`,
    );
  }

  private accessToken(ctx: Ctx): Answer {
    const app = this.options.app!;
    const id = Number(ctx.params.id);
    if (!app.installations.some(installation => installation.id === id)) {
      return this.error(
        404,
        'Not Found',
        `${APP_DOCS}#create-an-installation-access-token-for-an-app`,
      );
    }
    this.appTokenExpiresAt = this.now() + 3_600_000;
    const token: InstallationToken = {
      token: app.token,
      expires_at: iso(this.appTokenExpiresAt),
      permissions: APP_PERMISSIONS,
      repository_selection: 'all',
    };
    return { status: 201, body: token };
  }

  private newIssue(
    repo: Repo,
    input: { title: string; body: string | null },
    caller: Caller,
  ): GitHubIssue {
    const number = repo.nextNumber++;
    const id = 2_600_000_000 + ++this.ids * 37;
    const now = iso(this.now());
    const urls = this.urls(repo, number);
    const issue: GitHubIssue = {
      id,
      node_id: `I_kwDO${b64(`${repo.id}:${id}`).slice(0, 12)}`,
      ...urls,
      number,
      state: 'open',
      state_reason: null,
      title: input.title,
      body: input.body,
      user: caller.user,
      labels: [],
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
      author_association: caller.association,
      performed_via_github_app: caller.app ?? null,
      reactions: {
        url: `${urls.url}/reactions`,
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
    repo.issues.set(number, issue);
    return issue;
  }

  /**
   * GET of an issue with its ETag; with a matching If-None-Match, GitHub's
   * 304 without a body.
   */
  private conditional(ctx: Ctx, issue: GitHubIssue): Answer {
    const etag = etagOf(issue);
    const wanted = ctx.request.headers.get('if-none-match') ?? '';
    const matches = wanted
      .split(',')
      .map(tag => tag.trim())
      .some(tag => tag === '*' || tag === etag);
    return matches
      ? { status: 304, body: null, headers: { etag } }
      : { status: 200, body: issue, headers: { etag } };
  }

  /** GET /user: a token's account; an installation token is refused. */
  private authenticatedUser(ctx: Ctx): Answer {
    if (ctx.caller.app) {
      return this.error(
        403,
        'Resource not accessible by integration',
        `${DOCS}/users/users#get-the-authenticated-user`,
      );
    }
    const user = ctx.caller.user;
    const body: AuthenticatedUser = {
      ...user,
      name: 'Acme Security Bot',
      company: '@acme-corp',
      blog: '',
      location: null,
      email: null,
      hireable: null,
      bio: 'Files issues for security findings from Backstage.',
      twitter_username: null,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: '2024-01-15T08:00:00Z',
      updated_at: '2025-03-04T09:00:00Z',
      private_gists: 0,
      total_private_repos: 0,
      owned_private_repos: 0,
      disk_usage: 0,
      collaborators: 0,
      two_factor_authentication: true,
      plan: {
        name: 'free',
        space: 976_562_499,
        collaborators: 0,
        private_repos: 10_000,
      },
    };
    return { status: 200, body };
  }

  /** The comment of the URL in the URL's repository, or GitHub's 404. */
  private onComment(
    ctx: Ctx,
    anchor: string,
    fn: (
      found: { comment: GitHubComment; issue: GitHubIssue },
      repo: Repo,
    ) => Answer,
  ): Answer {
    return this.inRepo(ctx, repo => {
      const found = this.commentIn(repo, Number(ctx.params.commentId));
      return found
        ? fn(found, repo)
        : this.error(404, 'Not Found', `${COMMENT_DOCS}#${anchor}`);
    });
  }

  private existingComment(repo: Repo, commentId: number) {
    const found = this.commentIn(repo, commentId);
    if (!found) {
      throw new Error(
        `FakeGitHub: no comment ${commentId} in ${repo.owner}/${repo.name}`,
      );
    }
    return found;
  }

  private commentIn(
    repo: Repo,
    commentId: number,
  ): { comment: GitHubComment; issue: GitHubIssue } | undefined {
    const entry = this.commentIndex.get(commentId);
    const issue =
      entry &&
      [...repo.issues.values()].find(
        candidate => candidate.id === entry.issueId,
      );
    return issue && entry ? { comment: entry.comment, issue } : undefined;
  }

  /** The issue's comments, oldest first. */
  private commentsOf(issue: GitHubIssue): GitHubComment[] {
    return [...this.commentIndex.values()]
      .filter(entry => entry.issueId === issue.id)
      .map(entry => entry.comment)
      .sort((a, b) => a.id - b.id);
  }

  private commentUrls(issue: GitHubIssue, id: number) {
    return {
      url: `${issue.repository_url}/issues/comments/${id}`,
      html_url: `${issue.html_url}#issuecomment-${id}`,
      issue_url: issue.url,
    };
  }

  private listComments(ctx: Ctx, issue: GitHubIssue): Answer {
    // `since` has whole seconds at GitHub, as the timestamps do.
    const sinceMs = Date.parse(ctx.url.searchParams.get('since') ?? '');
    const since = Number.isNaN(sinceMs)
      ? undefined
      : Math.floor(sinceMs / 1000) * 1000;
    const comments = this.commentsOf(issue).filter(
      comment => since === undefined || Date.parse(comment.updated_at) >= since,
    );
    return this.paginate(ctx.url, comments, `${issue.url}/comments`);
  }

  private createComment(ctx: Ctx, repo: Repo, issue: GitHubIssue): Answer {
    const docs = `${COMMENT_DOCS}#create-an-issue-comment`;
    const body = (ctx.body as { body?: unknown }).body;
    if (typeof body !== 'string' || body === '') {
      return this.error(
        422,
        'Invalid request.\n\n"body" wasn\'t supplied.',
        docs,
      );
    }
    const invalid = this.commentTooLong(body, docs);
    if (invalid) return invalid;
    const comment = this.addComment(repo, issue, body, ctx.caller, ctx.events);
    return { status: 201, body: comment, headers: { location: comment.url } };
  }

  private patchComment(
    ctx: Ctx,
    repo: Repo,
    found: { comment: GitHubComment; issue: GitHubIssue },
  ): Answer {
    const docs = `${COMMENT_DOCS}#update-an-issue-comment`;
    const body = (ctx.body as { body?: unknown }).body;
    if (typeof body !== 'string' || body === '') {
      return this.error(
        422,
        'Invalid request.\n\n"body" wasn\'t supplied.',
        docs,
      );
    }
    const invalid = this.commentTooLong(body, docs);
    if (invalid) return invalid;
    this.editComment(
      repo,
      found.issue,
      found.comment,
      body,
      ctx.caller.user,
      ctx.events,
    );
    return { status: 200, body: found.comment };
  }

  private commentTooLong(body: string, docs: string): Answer | undefined {
    if (body.length <= BODY_LIMIT) return undefined;
    return {
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [
          {
            resource: 'IssueComment',
            code: 'custom',
            field: 'body',
            message: `body is too long (maximum is ${BODY_LIMIT} characters)`,
          },
        ],
        documentation_url: docs,
        status: '422',
      },
    };
  }

  /** A new comment; commenting bumps the issue's updated_at. */
  private addComment(
    repo: Repo,
    issue: GitHubIssue,
    body: string,
    caller: Caller,
    events: HookEvent[],
  ): GitHubComment {
    const id = 1_900_000_000 + ++this.ids * 17;
    const now = iso(this.now());
    const urls = this.commentUrls(issue, id);
    const comment: GitHubComment = {
      id,
      node_id: `IC_kwDO${b64(`${repo.id}:${id}`).slice(0, 12)}`,
      ...urls,
      body,
      user: caller.user,
      created_at: now,
      updated_at: now,
      author_association: caller.association,
      performed_via_github_app: caller.app ?? null,
      reactions: {
        url: `${urls.url}/reactions`,
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
    this.commentIndex.set(id, { comment, issueId: issue.id });
    issue.comments += 1;
    issue.updated_at = now;
    events.push(
      this.hook(repo, 'issue_comment', 'created', caller.user, {
        issue: this.webhookIssue(issue),
        comment: structuredClone(comment),
      }),
    );
    return comment;
  }

  private editComment(
    repo: Repo,
    issue: GitHubIssue,
    comment: GitHubComment,
    body: string,
    by: SimpleUser,
    events: HookEvent[],
  ): void {
    const from = comment.body;
    comment.body = body;
    comment.updated_at = iso(this.now());
    events.push(
      this.hook(repo, 'issue_comment', 'edited', by, {
        changes: { body: { from } },
        issue: this.webhookIssue(issue),
        comment: structuredClone(comment),
      }),
    );
  }

  private deleteComment(
    repo: Repo,
    issue: GitHubIssue,
    comment: GitHubComment,
    by: SimpleUser,
    events: HookEvent[],
  ): void {
    this.commentIndex.delete(comment.id);
    issue.comments -= 1;
    events.push(
      this.hook(repo, 'issue_comment', 'deleted', by, {
        issue: this.webhookIssue(issue),
        comment: structuredClone(comment),
      }),
    );
  }

  /**
   * A webhook event as GitHub shapes it: the action, what it is about,
   * then repository, organization, sender and (for an app) installation.
   */
  private hook(
    repo: Repo,
    event: HookEvent['event'],
    action: string,
    sender: SimpleUser,
    about: Record<string, unknown>,
  ): HookEvent {
    const installation = this.options.app?.installations[0];
    return {
      event,
      payload: {
        action,
        ...about,
        repository: this.webhookRepository(repo),
        organization: this.webhookOrganization(repo),
        sender: structuredClone(sender),
        ...(installation
          ? {
              installation: {
                id: installation.id,
                node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${b64(
                  String(installation.id),
                )}`,
              },
            }
          : {}),
      },
    };
  }

  /** Webhook payloads carry the issue without `closed_by`. */
  private webhookIssue(issue: GitHubIssue): Record<string, unknown> {
    const { closed_by: _closedBy, ...rest } = structuredClone(issue);
    return rest;
  }

  private webhookRepository(repo: Repo): Record<string, unknown> {
    const rest = this.repository(repo).body as GitHubRepository;
    const web = this.repoWebUrl(repo);
    return {
      ...rest,
      git_url: `${web.replace(/^https?:/, 'git:')}.git`,
      ssh_url: `git@${new URL(web).host}:${repo.owner}/${repo.name}.git`,
      clone_url: `${web}.git`,
      homepage: null,
      size: 2048,
      stargazers_count: 0,
      watchers_count: 0,
      language: 'TypeScript',
      has_projects: false,
      has_downloads: true,
      has_wiki: false,
      has_pages: false,
      has_discussions: false,
      forks_count: 0,
      mirror_url: null,
      license: null,
      forks: 0,
      open_issues: rest.open_issues_count,
      watchers: 0,
      topics: [],
      is_template: false,
      web_commit_signoff_required: false,
      allow_forking: false,
    };
  }

  private webhookOrganization(repo: Repo): Record<string, unknown> {
    const org = this.user(repo.owner, 'Organization');
    const url = `${this.apiBaseUrl}/orgs/${repo.owner}`;
    return {
      login: org.login,
      id: org.id,
      node_id: org.node_id,
      url,
      repos_url: `${url}/repos`,
      events_url: `${url}/events`,
      hooks_url: `${url}/hooks`,
      issues_url: `${url}/issues`,
      members_url: `${url}/members{/member}`,
      public_members_url: `${url}/public_members{/member}`,
      avatar_url: org.avatar_url,
      description: null,
    };
  }

  /**
   * Sends the events of one change to the receiver, one after the other,
   * signed as GitHub signs them (GitHub also sends the legacy SHA-1
   * `x-hub-signature`, which nothing here may accept: left out). Not
   * queued behind other changes' deliveries: a receiver that calls the
   * API while it handles one would wait for itself. A receiver's failure is recorded, as GitHub records
   * a failed delivery; `rethrow` hands it on as well (to a test acting as
   * a person).
   */
  private async deliverOwn(events: HookEvent[], rethrow = true): Promise<void> {
    const webhooks = this.webhooks;
    if (!webhooks) return;
    let failure: unknown = undefined;
    for (const { event, payload } of events) {
      const body = JSON.stringify(payload);
      const repository = payload.repository as { id: number };
      const delivery: GitHubWebhookDelivery = {
        headers: {
          accept: '*/*',
          'content-type': 'application/json',
          'user-agent': 'GitHub-Hookshot/5f4c3b2',
          'x-github-delivery': randomUUID(),
          'x-github-event': event,
          'x-github-hook-id': String(HOOK_ID),
          'x-github-hook-installation-target-id': String(repository.id),
          'x-github-hook-installation-target-type': 'repository',
          'x-hub-signature-256': `sha256=${sha256Hmac(webhooks.secret, body)}`,
        },
        body,
      };
      this.deliveries.push(delivery);
      try {
        await webhooks.deliver(delivery);
      } catch (error) {
        this.failedDeliveries.push({ delivery, error });
        failure ??= error;
      }
    }
    if (failure !== undefined && rethrow) throw failure;
  }

  /** The URLs of an issue, which change when it is transferred. */
  private urls(repo: Repo, number: number) {
    const url = `${this.repoUrl(repo)}/issues/${number}`;
    return {
      url,
      repository_url: this.repoUrl(repo),
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      timeline_url: `${url}/timeline`,
      html_url: `${this.repoWebUrl(repo)}/issues/${number}`,
    };
  }

  private label(
    repo: Repo,
    name: string,
    options: { color?: string; description?: string; isDefault?: boolean } = {},
  ): GitHubLabel {
    let label = repo.labels.get(name.toLowerCase());
    if (!label) {
      const id = 6_100_000_000 + ++this.ids * 13;
      label = {
        id,
        node_id: `LA_kwDO${b64(`${repo.id}:${id}`).slice(0, 12)}`,
        url: `${this.repoUrl(repo)}/labels/${encodeURIComponent(name)}`,
        name,
        // Labels GitHub creates on the fly are grey, without a description.
        color: options.color ?? 'ededed',
        description: options.description ?? null,
        default: options.isDefault ?? false,
      };
      repo.labels.set(name.toLowerCase(), label);
    }
    return label;
  }

  /** A milestone, made on the spot as a person would. */
  private milestoneFor(repo: Repo, ref: number | string): Milestone {
    const found = repo.milestones.find(m =>
      typeof ref === 'number' ? m.number === ref : m.title === ref,
    );
    if (found) return found;
    const number =
      typeof ref === 'number'
        ? ref
        : Math.max(0, ...repo.milestones.map(m => m.number)) + 1;
    const title = typeof ref === 'string' ? ref : `Security hardening ${ref}`;
    const url = `${this.repoUrl(repo)}/milestones/${number}`;
    const now = iso(this.now());
    const milestone: Milestone = {
      url,
      html_url: `${this.repoWebUrl(repo)}/milestone/${number}`,
      labels_url: `${url}/labels`,
      id: 11_000_000 + ++this.ids,
      node_id: `MI_kwDO${b64(`${repo.id}:${number}`).slice(0, 12)}`,
      number,
      state: 'open',
      title,
      description: null,
      creator: this.human,
      open_issues: 0,
      closed_issues: 0,
      created_at: now,
      updated_at: now,
      closed_at: null,
      due_on: null,
    };
    repo.milestones.push(milestone);
    return milestone;
  }

  private milestoneNumbered(repo: Repo, number: number): Milestone | undefined {
    return repo.milestones.find(m => m.number === Number(number));
  }

  private user(
    login: string,
    type: 'User' | 'Bot' | 'Organization',
    id?: number,
  ): SimpleUser {
    const known = this.accounts.get(login.toLowerCase());
    if (known) return known;
    const userId =
      id ??
      90_000_000 +
        [...login].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 9_999_991, 7);
    const url = `${this.apiBaseUrl}/users/${encodeURIComponent(login)}`;
    const prefix = { User: 'U_kgDO', Bot: 'BOT_kgDO', Organization: 'O_kgDO' }[
      type
    ];
    const user: SimpleUser = {
      login,
      id: userId,
      node_id: `${prefix}${b64(String(userId))}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${userId}?v=4`,
      gravatar_id: '',
      url,
      html_url: `${this.webBaseUrl}/${login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type,
      user_view_type: 'public',
      site_admin: false,
    };
    // The fake's named accounts: the same login is always the same user.
    if (id !== undefined) this.accounts.set(login.toLowerCase(), user);
    return user;
  }

  /** The app's bot, author of what an installation token writes. */
  private botUser(): SimpleUser {
    const bot = this.user(
      `${APP_SLUG}[bot]`,
      'Bot',
      211_000_000 + (this.options.app?.appId ?? 0),
    );
    bot.avatar_url = `https://avatars.githubusercontent.com/in/${this.options.app?.appId}?v=4`;
    bot.html_url = `${this.webBaseUrl}/apps/${APP_SLUG}`;
    return bot;
  }

  private integration(): Integration {
    const appId = this.options.app!.appId;
    const owner = this.options.app!.installations[0]?.account ?? 'acme-corp';
    return {
      id: appId,
      slug: APP_SLUG,
      node_id: `A_kwDO${b64(String(appId))}`,
      client_id: `Iv23li${b64(String(appId)).slice(0, 8)}`,
      owner: this.user(owner, 'Organization'),
      name: 'Backstage Security Observations',
      description: 'Syncs security findings from Backstage to issues',
      external_url: 'https://backstage.acme.example',
      html_url: `${this.webBaseUrl}/apps/${APP_SLUG}`,
      created_at: '2025-03-04T09:00:00Z',
      updated_at: '2025-03-04T09:00:00Z',
      permissions: APP_PERMISSIONS,
      events: ['issues'],
    };
  }

  /** Who edits on github.com. */
  private humanCaller(user = this.human): Caller {
    return {
      user,
      association: 'MEMBER',
      quotaKey: 'web',
      limitMessage: '',
    };
  }

  private names(
    labels?: Array<string | { name: string }>,
  ): string[] | undefined {
    return labels?.map(label =>
      typeof label === 'string' ? label : label.name,
    );
  }

  private repoUrl(repo: Repo): string {
    return `${this.apiBaseUrl}/repos/${repo.owner}/${repo.name}`;
  }

  private repoWebUrl(repo: Repo): string {
    return `${this.webBaseUrl}/${repo.owner}/${repo.name}`;
  }

  private findRepo(owner: string, name: string): Repo | undefined {
    // Owner and repository names are case-insensitive on GitHub.
    const fullName = `${owner}/${name}`.toLowerCase();
    return this.repos.find(
      r => `${r.owner}/${r.name}`.toLowerCase() === fullName,
    );
  }

  private repo(fullName: string): Repo {
    const [owner, name] = fullName.split('/');
    const repo = this.findRepo(owner, name);
    if (!repo)
      throw new Error(
        `FakeGitHub: no repository ${fullName}; addRepo it first`,
      );
    return repo;
  }

  private existing(repo: Repo, number: number): GitHubIssue {
    const issue = repo.issues.get(number);
    if (!issue) {
      throw new Error(
        `FakeGitHub: no issue ${repo.owner}/${repo.name}#${number}`,
      );
    }
    return issue;
  }

  /** Like GitHub's, e.g. C0DE:1A2B3C:4D5E6F7:7A8B9C0:67A1B2C3. */
  private requestId(): string {
    const n = ++this.requests;
    const hex = (value: number, width: number) =>
      (value % 16 ** width).toString(16).toUpperCase().padStart(width, '0');
    return [
      hex(0xc0de + n, 4),
      hex(n * 7919, 6),
      hex(n * 104_729, 7),
      hex(n * 1_299_709, 7),
      hex(Math.floor(this.now() / 1000), 8),
    ].join(':');
  }

  private secondaryLimit(
    requestId: string,
    retryAfterSeconds: number | null,
    status: 403 | 429 = 403,
  ): Answer {
    return {
      status,
      body: {
        message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
        documentation_url: SECONDARY_DOCS,
        status: String(status),
      },
      headers:
        retryAfterSeconds === null
          ? {}
          : { 'retry-after': String(retryAfterSeconds) },
    };
  }

  private validationFailed(
    docs: string,
    field: string,
    code: string,
    value?: unknown,
  ): Answer {
    return {
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [{ value, resource: 'Issue', field, code }],
        documentation_url: docs,
        status: '422',
      },
    };
  }

  private error(status: number, message: string, docs: string): Answer {
    return {
      status,
      body: { message, documentation_url: docs, status: String(status) },
    };
  }
}
