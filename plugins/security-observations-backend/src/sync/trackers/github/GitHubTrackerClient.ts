import { GithubCredentialsProvider } from '@backstage/integration';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import { PacingWindow, WritePacer } from '../../WritePacer';
import { answerReason } from '../answerReason';
import { dispatcherFor } from '../caBundle';
import { TrackerUser } from '../../../twoWay/TrackerActivity';
import { bodyMarker, commentMarker } from '../issueMarker';
import {
  CreatedIssue,
  DesiredIssue,
  IssueTarget,
  LiveRead,
  LiveReadRequest,
  MarkerLookup,
  PushedComment,
  TrackerClient,
  TrackerIssue,
} from '../TrackerClient';
import { kindOfStatus, TrackerError } from '../TrackerError';
import { TrackerClientTiming } from '../TrackerType';
import { liveStatusOf } from './githubStatus';
import { mapConcurrently } from './mapConcurrently';

const ThrottledOctokit = Octokit.plugin(throttling, retry);

/** GitHub's documented secondary limits for writes (`docs/benchmarks.md`). */
export interface GitHubPacing {
  /** Content creation: 80 a minute. */
  createsPerMinute: number;
  /** Content creation: 500 an hour. */
  createsPerHour: number;
  /** 900 points a minute per endpoint, 5 per write: 180. */
  writesPerMinutePerEndpoint: number;
}

export const GITHUB_DOT_COM_PACING: GitHubPacing = {
  createsPerMinute: 80,
  createsPerHour: 500,
  writesPerMinutePerEndpoint: 180,
};

/**
 * Share of the request timeout that a limit answer may be sat out inline:
 * the retry shares the request's timeout, so a longer wait would time it
 * out and turn a rate limit into an apparent server error. Longer limits
 * go to the engine, which defers the tracker's work.
 */
const INLINE_WAIT_SHARE = 1 / 3;

/** Bodies over this answer 422. */
export const GITHUB_BODY_LIMIT = 65_536;

/** Clock skew allowed between us and GitHub when looking for an issue. */
const LOOKUP_MARGIN_MS = 10 * 60_000;

/** GitHub's words for why an issue was closed. */
const STATE_REASON = {
  fixed: 'completed',
  not_planned: 'not_planned',
} as const;

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Issue reads under way at once in `readIssues`: well below GitHub's 100
 * concurrent requests, and few enough to leave room for the sync's own.
 */
const READ_CONCURRENCY = 4;

/**
 * How long before GitHub's answer to a closing update its `closed_at` may
 * be for the close to be that update's (GitHub's timestamps have whole
 * seconds): an older one is someone else's close, which the update left
 * as it was.
 */
const OWN_CLOSE_WINDOW_MS = 5_000;

export interface GitHubTrackerOptions extends TrackerClientTiming {
  trackerId: string;
  /** Web host, e.g. github.com; credentials are looked up for it. */
  host: string;
  /** REST base, e.g. https://api.github.com or https://ghe.acme.example/api/v3. */
  apiBaseUrl: string;
  credentials: GithubCredentialsProvider;
  pacing: GitHubPacing;
  /** PEM bundle of a private CA (GitHub Enterprise Server). */
  ca?: string;
  log?: { debug(message: string): void; warn(message: string): void };
}

/** What the client reads of an issue in GitHub's answers. */
interface GitHubIssueFields {
  number: number;
  html_url: string;
  repository_url: string;
  state: string;
}

/** A user as GitHub's answers carry it. */
interface GitHubUserFields {
  id: number;
  login: string;
  /** `User`, `Bot` (a GitHub App's `<slug>[bot]`), `Organization`. */
  type?: string;
}

/** And what a live read reads besides. */
interface GitHubLiveIssueFields extends GitHubIssueFields {
  state_reason?: string | null;
  labels: Array<string | { name?: string }>;
  closed_by?: GitHubUserFields | null;
  closed_at: string | null;
  updated_at: string;
  /** Who created the issue. */
  user?: GitHubUserFields | null;
}

/** An answer's data and headers. */
interface GitHubAnswer {
  data: unknown;
  headers: Record<string, string | number | undefined>;
}

interface Repo {
  owner: string;
  repo: string;
}

function parseTarget(target: IssueTarget): Repo {
  const [owner, repo] = target.project.split('/');
  return { owner, repo };
}

function parseKey(key: string): Repo & { issue_number: number } {
  const match = /^([^/]+)\/([^#]+)#(\d+)$/.exec(key);
  if (!match) {
    throw new TrackerError('invalid', `'${key}' is not a GitHub issue key`);
  }
  return { owner: match[1], repo: match[2], issue_number: Number(match[3]) };
}

/**
 * Why one issue cannot be read, when GitHub refused it alone (a 4xx: a
 * 403 of SAML enforcement or of an app's missing access, a 451 of a
 * repository taken down) or its key is not GitHub's; undefined for
 * failures of the tracker as a whole (limits, rejected credentials, 5xx,
 * timeouts), which stop the read.
 */
function unreadableBecause(error: unknown): string | undefined {
  if (!(error instanceof TrackerError)) return undefined;
  const status = error.details.status;
  const refused =
    status === undefined
      ? error.kind === 'invalid'
      : status >= 400 &&
        status < 500 &&
        error.kind !== 'rate_limited' &&
        error.kind !== 'unauthorized';
  return refused ? error.message : undefined;
}

/** The marker first: a body cut by hand or by a bot keeps it. */
function bodyWithMarker(issue: DesiredIssue): string {
  return `${bodyMarker(issue.observationId)}\n\n${issue.body}`;
}

/** Bottleneck groups that do not pace: the `WritePacer`s do. */
function unpacedGroup(id: string) {
  return new Bottleneck.Group({ id, maxConcurrent: null, minTime: 0 });
}

/**
 * GitHub Issues through `@octokit/rest` with the throttling and retry
 * plugins. Writes are paced below GitHub's secondary limits before they are
 * sent; limit answers that still come are sat out when short (Retry-After,
 * x-ratelimit-reset) or handed to the engine as `rate_limited` when long.
 * Issue creation is never retried blindly: a 5xx or timeout may have
 * created the issue, which the engine then finds by its marker.
 */
export class GitHubTrackerClient implements TrackerClient {
  /** Room for the body next to the marker. */
  readonly descriptionLimit = GITHUB_BODY_LIMIT - bodyMarker('').length - 40;
  private readonly octokit: InstanceType<typeof ThrottledOctokit>;
  private readonly createPacer: WritePacer;
  private readonly updatePacer: WritePacer;
  private readonly labelPacer: WritePacer;
  /** The answer of `GET /user`, once it came (null for an app's token). */
  private me?: Promise<TrackerUser | null>;
  /**
   * The account GitHub named as the author of the client's own writes: a
   * GitHub App's bot, which `GET /user` does not know.
   */
  private ownAccount?: TrackerUser;

  constructor(private readonly options: GitHubTrackerOptions) {
    const retryBaseMs = options.retryBaseMs ?? 1000;
    const scale = options.windowScale ?? 1;
    const minute = 60_000 / scale;
    const writes: PacingWindow = {
      limit: options.pacing.writesPerMinutePerEndpoint,
      windowMs: minute,
    };
    this.createPacer = new WritePacer(
      [
        { limit: options.pacing.createsPerMinute, windowMs: minute },
        { limit: options.pacing.createsPerHour, windowMs: 60 * minute },
        writes,
      ],
      options.clock,
      options.recentCreations,
    );
    this.updatePacer = new WritePacer([writes], options.clock);
    this.labelPacer = new WritePacer([writes], options.clock);

    const maxInlineWaitMs =
      (options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) *
      INLINE_WAIT_SHARE;
    // Once per request, and only when short (retryAfter is in seconds).
    const sitOut = (
      retryAfter: number,
      _options: unknown,
      _o: unknown,
      retryCount: number,
    ) => retryCount === 0 && retryAfter * retryBaseMs <= maxInlineWaitMs;
    const dispatcher = dispatcherFor(options.ca);
    this.octokit = new ThrottledOctokit({
      baseUrl: options.apiBaseUrl,
      userAgent: 'backstage-plugin-security-observations',
      ...(dispatcher
        ? {
            request: {
              fetch: (url: string, init: RequestInit) =>
                fetch(url, { ...init, dispatcher } as RequestInit),
            },
          }
        : {}),
      log: {
        debug: () => {},
        info: () => {},
        warn: message => options.log?.warn(message),
        // Every failed request, including an expected 410 or a limit that
        // is sat out: the engine records what matters per observation.
        error: message => options.log?.debug(message),
      },
      throttle: {
        id: `security-observations-${options.trackerId}`,
        onRateLimit: sitOut,
        onSecondaryRateLimit: sitOut,
        retryAfterBaseValue: retryBaseMs,
        write: unpacedGroup(`so-${options.trackerId}-write`),
        notifications: unpacedGroup(`so-${options.trackerId}-notifications`),
      },
      retry: {
        retryAfterBaseValue: retryBaseMs,
        // 429 too: the retry plugin would ignore its Retry-After.
        doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
      },
    });
    // Credentials per repository owner: a token, or a GitHub App's
    // installation token, refreshed by the integration's provider.
    this.octokit.hook.before('request', async request => {
      // Set by the caller where the URL does not name the repository.
      if (request.headers.authorization) return;
      const params = request as {
        owner?: string;
        repo?: string;
        request?: { credentialsFor?: string };
      };
      const repository =
        params.request?.credentialsFor ?? `${params.owner}/${params.repo}`;
      const { headers } = await options.credentials.getCredentials({
        url: `https://${options.host}/${repository}`,
      });
      Object.assign(request.headers, headers);
    });
  }

  pushedExtras(): string {
    return '';
  }

  async checkTarget(): Promise<string | null> {
    // A repository GitHub refuses shows up as the create's 404.
    return null;
  }

  async create(
    target: IssueTarget,
    issue: DesiredIssue,
    beforeSend: () => Promise<void>,
  ): Promise<CreatedIssue> {
    const repo = parseTarget(target);
    const requestedAt = await this.createPacer.acquire(undefined, beforeSend);
    const where = target.project;
    const created = await this.call(`create an issue in ${where}`, signal =>
      this.octokit.rest.issues.create({
        ...repo,
        title: issue.title,
        body: bodyWithMarker(issue),
        labels: issue.labels,
        // A retried create could be a second issue: never retry it here.
        request: { retries: 0, signal },
      }),
    );
    // GitHub names the author: the token's account, or the app's bot.
    this.learnOwnAccount(created.data.user);
    return {
      ...this.issueOf(created.data),
      requestedAt: new Date(requestedAt),
    };
  }

  createDelayMs(): number {
    return this.createPacer.delay();
  }

  seedCreations(times: number[]): void {
    this.createPacer.reseed(times);
  }

  async update(key: string, issue: DesiredIssue): Promise<TrackerIssue> {
    const ref = parseKey(key);
    await this.updatePacer.acquire();
    const updated = await this.writeFollowingMoves(
      `update ${key}`,
      'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
      ref,
      {
        title: issue.title,
        body: bodyWithMarker(issue),
        state: issue.state,
        // GitHub applies a reason only when the state changes.
        state_reason:
          issue.state === 'closed'
            ? STATE_REASON[issue.closeReason]
            : 'reopened',
      },
    );
    const answer = updated.data as GitHubLiveIssueFields;
    if (answer.state === 'closed' && this.closedNow(answer, updated.headers)) {
      this.learnOwnAccount(answer.closed_by);
    }
    return this.issueOf(answer);
  }

  /**
   * Whether the issue of a closing update's answer was closed by that
   * update: its `closed_at` is within a few seconds of GitHub's answer
   * (its `date`). An issue closed before by someone else keeps their
   * `closed_by`, which must not be taken for the sync's.
   */
  private closedNow(
    issue: GitHubLiveIssueFields,
    headers: GitHubAnswer['headers'],
  ): boolean {
    const answeredAt = Date.parse(String(headers.date ?? ''));
    const closedAt = Date.parse(issue.closed_at ?? '');
    if (Number.isNaN(answeredAt) || Number.isNaN(closedAt)) return false;
    return answeredAt - closedAt <= OWN_CLOSE_WINDOW_MS;
  }

  /**
   * Keeps the account GitHub names as the author of one of the client's
   * own writes. Only a bot: a token's account is `GET /user`'s, and a
   * person's name there would have the sync take their changes for its
   * own.
   */
  private learnOwnAccount(user: GitHubUserFields | null | undefined): void {
    if (user?.type !== 'Bot') return;
    this.ownAccount = { id: String(user.id), name: user.login };
  }

  async addLabels(key: string, labels: string[]): Promise<void> {
    const ref = parseKey(key);
    await this.labelPacer.acquire();
    await this.writeFollowingMoves(
      `add labels to ${key}`,
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
      ref,
      { labels },
    );
  }

  /**
   * A write to an issue that may have been transferred: GitHub answers 301
   * with the issue's new address, which is followed here, with the same
   * method and fields (fetch would have to replay the body itself).
   */
  private async writeFollowingMoves(
    what: string,
    route: string,
    ref: Repo & { issue_number: number },
    fields: Record<string, unknown>,
    /** More request options, e.g. `retries: 0` for content creation. */
    options: { retries?: number } = {},
  ): Promise<GitHubAnswer> {
    try {
      return await this.call(what, async signal => {
        const first = await this.octokit.request(route, {
          ...ref,
          ...fields,
          request: { ...options, signal, redirect: 'manual' },
        });
        if (![301, 307, 308].includes(first.status)) return first;
        const location = new URL(
          String(
            first.headers.location ?? (first.data as { url?: string }).url,
          ),
          this.options.apiBaseUrl,
        );
        // The repository's credentials go to this tracker's API only.
        if (location.origin !== new URL(this.options.apiBaseUrl).origin) {
          throw new TrackerError(
            'invalid',
            `GitHub answered ${what} with a redirect to ${location.origin}, which is not this tracker's API (${this.options.apiBaseUrl}); not followed with its credentials`,
            { status: first.status },
          );
        }
        const moved = await this.octokit.request({
          method: route.split(' ')[0],
          url: location.toString(),
          ...fields,
          request: {
            ...options,
            signal,
            redirect: 'manual',
            credentialsFor: `${ref.owner}/${ref.repo}`,
          },
        });
        return moved;
      });
    } catch (error) {
      if (error instanceof TrackerError && error.details.status === 404) {
        throw await this.explainNotFound(what, ref, error);
      }
      throw error;
    }
  }

  /**
   * A write answered 404. GitHub says so for an issue deleted or moved out
   * of reach, but also when the credentials cannot (or can no longer) see
   * the repository, or may read the issue but not change it. Only the
   * first means "recreate"; the others keep the link and fail visibly.
   */
  private async explainNotFound(
    what: string,
    ref: Repo & { issue_number: number },
    notFound: TrackerError,
  ): Promise<TrackerError> {
    const said = `GitHub could not ${what}`;
    const key = `${ref.owner}/${ref.repo}#${ref.issue_number}`;
    const issue = await this.readStatus(`read ${key}`, signal =>
      this.octokit.rest.issues.get({ ...ref, request: { signal } }),
    );
    if (issue === 200) {
      return new TrackerError(
        'forbidden',
        `${said}: 404, although the issue can be read: the credentials may not change it`,
        notFound.details,
      );
    }
    // 410: deleted. 404 with a readable repository: deleted or moved out
    // of reach. 404 for the repository too: the credentials lost it.
    const gone =
      issue === 410 ||
      (await this.readStatus(`read ${ref.owner}/${ref.repo}`, signal =>
        this.octokit.rest.repos.get({
          owner: ref.owner,
          repo: ref.repo,
          request: { signal },
        }),
      )) === 200;
    return gone
      ? new TrackerError(
          'gone',
          `${said}: the issue is gone (${issue})`,
          notFound.details,
        )
      : notFound;
  }

  /** 200, or the 404 or 410 GitHub answered a read with; else throws. */
  private async readStatus(
    what: string,
    send: (signal: AbortSignal) => Promise<unknown>,
  ): Promise<number> {
    try {
      await this.call(what, send, 'read');
      return 200;
    } catch (error) {
      const status = (error as TrackerError).details?.status;
      if (status === 404 || status === 410) return status;
      throw error;
    }
  }

  async findByMarker(
    target: IssueTarget,
    observationId: string,
    requestedAt: Date,
  ): Promise<MarkerLookup> {
    const repo = parseTarget(target);
    const marker = bodyMarker(observationId);
    const since = new Date(requestedAt.getTime() - LOOKUP_MARGIN_MS);
    // Later pages are /repositories/{id}/issues URLs that do not name the
    // owner the credentials are for: they carry the first page's headers.
    const { headers } = await this.options.credentials.getCredentials({
      url: `https://${this.options.host}/${target.project}`,
    });
    // The list reads current data; the search API lags behind writes.
    const pages = this.octokit.paginate.iterator(
      this.octokit.rest.issues.listForRepo,
      {
        ...repo,
        headers,
        state: 'all',
        since: since.toISOString(),
        sort: 'created',
        direction: 'desc',
        per_page: 100,
      },
    );
    try {
      for await (const page of pages) {
        for (const issue of page.data) {
          if (!issue.pull_request && issue.body?.includes(marker)) {
            return { found: this.issueOf(issue) };
          }
        }
        const last = page.data[page.data.length - 1];
        if (!last || new Date(last.created_at) < since) return { found: null };
      }
    } catch (error) {
      throw this.trackerError(error, `list the issues of ${target.project}`);
    }
    return { found: null };
  }

  async whoAmI(): Promise<TrackerUser | null> {
    if (this.ownAccount) return this.ownAccount;
    // A failure is not kept: the next call asks again.
    this.me ??= this.readAuthenticatedUser().catch(error => {
      this.me = undefined;
      throw error;
    });
    // An app's bot is known once the client has written something.
    return (await this.me) ?? this.ownAccount ?? null;
  }

  private async readAuthenticatedUser(): Promise<TrackerUser | null> {
    // No repository in the URL: a token's credentials, or a GitHub App's.
    const credentials = await this.options.credentials.getCredentials({
      url: `https://${this.options.host}`,
    });
    // An app writes as its bot through installation tokens, which GET
    // /user refuses: the bot is learned from the client's writes.
    if (credentials.type === 'app') return null;
    try {
      const { data } = await this.call('read the authenticated user', signal =>
        this.octokit.request('GET /user', {
          headers: credentials.headers ?? {},
          request: { signal },
        }),
      );
      return { id: String(data.id), name: data.login };
    } catch (error) {
      // An installation token configured as a plain token (GITHUB_TOKEN):
      // 403 Resource not accessible by integration.
      if (
        error instanceof TrackerError &&
        error.kind === 'forbidden' &&
        error.details.status === 403
      ) {
        return null;
      }
      throw error;
    }
  }

  async readIssues(requests: LiveReadRequest[]): Promise<LiveRead[]> {
    // Whether a repository can be read, asked once per call for the
    // repositories of issues that answer 404.
    const repositories = new Map<string, Promise<number>>();
    const readable = (ref: Repo) => {
      const name = `${ref.owner}/${ref.repo}`;
      let status = repositories.get(name);
      if (!status) {
        status = this.readStatus(`read ${name}`, signal =>
          this.octokit.rest.repos.get({ ...ref, request: { signal } }),
        );
        repositories.set(name, status);
      }
      return status.then(answer => answer === 200);
    };
    return mapConcurrently(
      requests,
      READ_CONCURRENCY,
      async (request): Promise<LiveRead> => {
        try {
          return await this.readIssue(request, readable);
        } catch (error) {
          const problem = unreadableBecause(error);
          if (problem === undefined) throw error;
          return { key: request.key, outcome: 'unreadable', problem };
        }
      },
    );
  }

  /**
   * One conditional GET: a 304 (which GitHub does not count against the
   * rate limit) means unchanged since the ETag; fetch follows the 301 of
   * a transferred issue to where it is now.
   */
  private async readIssue(
    request: LiveReadRequest,
    readable: (ref: Repo) => Promise<boolean>,
  ): Promise<LiveRead> {
    const { key } = request;
    const ref = parseKey(key);
    let answer;
    try {
      answer = await this.call(
        `read ${key}`,
        async signal => {
          try {
            return await this.octokit.rest.issues.get({
              ...ref,
              headers: request.etag ? { 'if-none-match': request.etag } : {},
              request: { signal },
            });
          } catch (error) {
            // Octokit throws for a 304, which neither plugin retries.
            if ((error as { status?: number }).status === 304) return null;
            throw error;
          }
        },
        'read',
      );
    } catch (error) {
      const status = (error as TrackerError).details?.status;
      if (status === 410) return { key, outcome: 'gone' };
      if (status === 404) {
        if (await readable(ref)) return { key, outcome: 'gone' };
        // The credentials lost the repository: the issue may well be
        // there. Nothing is known of it, and the sync's writes to it will
        // fail visibly.
        return {
          key,
          outcome: 'unreadable',
          problem: `GitHub could not read ${key}: 404 the repository ${ref.owner}/${ref.repo} does not exist or the credentials cannot see it`,
        };
      }
      throw error;
    }
    if (answer === null) return { key, outcome: 'unchanged' };
    const issue = answer.data as GitHubLiveIssueFields;
    const closed = issue.state === 'closed';
    const closedBy = closed ? issue.closed_by : null;
    return {
      key,
      outcome: 'found',
      currentKey: this.issueOf(issue).key,
      url: issue.html_url,
      status: liveStatusOf(issue),
      changedBy: closedBy
        ? { id: String(closedBy.id), name: closedBy.login }
        : null,
      changedAt: new Date((closed && issue.closed_at) || issue.updated_at),
      etag: answer.headers.etag ?? null,
    };
  }

  async addComment(
    key: string,
    body: string,
    commentId: string,
  ): Promise<PushedComment> {
    const ref = parseKey(key);
    // Comments are content creation: the same 80 a minute and 500 an
    // hour as issues.
    await this.createPacer.acquire();
    const comment = (
      await this.writeFollowingMoves(
        `comment on ${key}`,
        'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
        ref,
        { body: `${body}\n\n<!-- ${commentMarker(commentId)} -->` },
        // A retried comment could be a second one.
        { retries: 0 },
      )
    ).data as { id: number; html_url: string; user?: GitHubUserFields };
    this.learnOwnAccount(comment.user);
    return { id: String(comment.id), url: comment.html_url };
  }

  /** The key of an issue from its own URLs, so a moved issue is followed. */
  private issueOf(issue: GitHubIssueFields): TrackerIssue {
    const repository = /\/repos\/([^/]+\/[^/]+)$/.exec(issue.repository_url);
    return {
      key: `${repository?.[1]}#${issue.number}`,
      url: issue.html_url,
      state: issue.state === 'closed' ? 'closed' : 'open',
    };
  }

  private async call<T>(
    what: string,
    send: (signal: AbortSignal) => Promise<T>,
    /** A read: a refusal says GitHub's own reason, not a write's. */
    access: 'read' | 'write' = 'write',
  ): Promise<T> {
    const signal = AbortSignal.timeout(
      this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    );
    try {
      return await send(signal);
    } catch (error) {
      throw this.trackerError(error, what, access);
    }
  }

  private trackerError(
    error: unknown,
    what: string,
    access: 'read' | 'write' = 'write',
  ): TrackerError {
    if (error instanceof TrackerError) return error;
    const failure = error as {
      name?: string;
      status?: number;
      message?: string;
      cause?: { name?: string };
      response?: { headers?: Record<string, string | undefined> };
    };
    const status =
      typeof failure.status === 'number' ? failure.status : undefined;
    const headers = failure.response?.headers ?? {};
    const said = `GitHub could not ${what}`;
    const message = (failure.message ?? String(error)).slice(0, 300);
    // @octokit/request reports a fetch that timed out as a 500 whose cause
    // is the TimeoutError; no answer came from GitHub.
    const timedOut = [failure.name, failure.cause?.name].some(
      name => name === 'TimeoutError' || name === 'AbortError',
    );
    if (timedOut || (/aborted|timeout/i.test(message) && !status)) {
      return new TrackerError('unavailable', `${said}: no answer in time`);
    }
    // No answer at all (refused, reset, DNS): Octokit reports it as a 500
    // without a response, which GitHub never sent.
    if (!status || !failure.response) {
      return new TrackerError('unavailable', `${said}: ${message}`);
    }
    const retryAfterMs = this.retryAfterMs(headers);
    const limited =
      status === 429 ||
      (status === 403 &&
        (headers['x-ratelimit-remaining'] === '0' ||
          /rate limit/i.test(message)));
    const details = { status, retryAfterMs };
    if (limited) {
      return new TrackerError(
        'rate_limited',
        `${said}: rate limited (${status})`,
        {
          status,
          retryAfterMs: retryAfterMs ?? 60 * (this.options.retryBaseMs ?? 1000),
        },
      );
    }
    if (status === 410) {
      return new TrackerError(
        'gone',
        `${said}: the issue is gone (${status})`,
        details,
      );
    }
    const kind = kindOfStatus(status);
    const hint: Record<string, string> = {
      unauthorized: 'the credentials were rejected',
      not_found:
        'the repository does not exist or the credentials cannot see it',
      // A read refused says GitHub's reason (SAML enforcement, an app's
      // missing permission).
      ...(access === 'write'
        ? { forbidden: 'the credentials may not write issues there' }
        : {}),
    };
    // Without the link to GitHub's documentation that Octokit appends.
    const reason = (failure.message ?? '')
      .replace(/ - https:\/\/\S+$/, '')
      .slice(0, 300);
    return new TrackerError(
      kind,
      `${said}: ${status} ${hint[kind] ?? answerReason(status, reason)}`,
      details,
    );
  }

  private retryAfterMs(headers: Record<string, string | undefined>) {
    const base = this.options.retryBaseMs ?? 1000;
    const retryAfter = Number(headers['retry-after']);
    if (retryAfter > 0) return retryAfter * base;
    if (headers['x-ratelimit-remaining'] === '0') {
      const reset = Number(headers['x-ratelimit-reset']) * 1000;
      if (reset > 0)
        return Math.max(0, reset - this.options.clock.now()) + base;
    }
    return undefined;
  }
}
