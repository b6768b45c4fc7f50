import { IssueNotes, Issues, Projects, Users } from '@gitbeaker/rest';
import { TrackerUser } from '../../../twoWay/TrackerActivity';
import { WritePacer } from '../../WritePacer';
import { TrackerClientTiming } from '../TrackerType';
import { answerReason } from '../answerReason';
import { dispatcherFor } from '../caBundle';
import { goneOrOutOfReach } from '../issueGone';
import { bodyMarker, commentMarker } from '../issueMarker';
import { PacedRequests } from '../PacedRequests';
import { retryDelayMs } from '../requestPolicy';
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
import { kindOfStatus, TrackerError, TrackerErrorKind } from '../TrackerError';
import {
  ListedIssue,
  LiveReadBatch,
  liveReadBatches,
  liveReadsOf,
  sameForAll,
} from './gitlabLiveReads';
import { GitLabHttpError, singleAttemptRequester } from './gitlabRequester';

/** GitLab's documented limits that the client paces below. */
export interface GitLabPacing {
  /** Issue creation: 200 a minute per user on GitLab.com. */
  createsPerMinute: number;
  /** Authenticated API requests: 2,000 a minute per user on GitLab.com. */
  requestsPerMinute: number;
  /** Notes (comments) created: 60 a minute per user on GitLab.com. */
  notesPerMinute: number;
}

export const GITLAB_DOT_COM_PACING: GitLabPacing = {
  createsPerMinute: 200,
  requestsPerMinute: 2_000,
  notesPerMinute: 60,
};

/** Descriptions over 1,048,576 characters answer 400. */
export const GITLAB_DESCRIPTION_LIMIT = 1_048_576;

/** Clock skew allowed between us and GitLab when comparing our times with its. */
const CLOCK_SKEW_MS = 10 * 60_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface GitLabTrackerOptions extends TrackerClientTiming {
  trackerId: string;
  /** The instance's base, e.g. https://gitlab.com or https://gitlab.acme.example/gitlab. */
  baseUrl: string;
  /** From the `integrations.gitlab` entry of the tracker's host. */
  token: string;
  confidential: boolean;
  pacing: GitLabPacing;
  /** PEM bundle of a private CA. */
  ca?: string;
}

/** What the client reads of GitLab's issue entity. */
interface GitLabIssueFields {
  iid: number;
  state: string;
  web_url: string;
  description?: string | null;
  created_at: string;
  moved_to_id?: number | string | null;
  references: { full: string };
}

/** What the client reads of GitLab's note entity. */
interface GitLabNoteFields {
  id: number;
}

function parseKey(key: string): { project: string; iid: number } {
  const match = /^(.+)#(\d+)$/.exec(key);
  if (!match) {
    throw new TrackerError('invalid', `'${key}' is not a GitLab issue key`);
  }
  return { project: match[1], iid: Number(match[2]) };
}

/** GitLab takes labels as one comma-separated string. */
const labelList = (labels: string[]) =>
  labels.map(label => label.replace(/,/g, ' ')).join(',');

/**
 * GitLab issues through `@gitbeaker/rest`, each request sent once (see
 * `singleAttemptRequester`) and paced below GitLab's documented limits.
 * Issues are created confidential unless the tracker says otherwise:
 * findings describe how to attack the project. Closing and reopening go
 * through `state_event`, labels only through `add_labels`, so what people
 * set on GitLab (other labels, assignees, milestones) stays.
 */
export class GitLabTrackerClient implements TrackerClient {
  readonly descriptionLimit =
    GITLAB_DESCRIPTION_LIMIT - bodyMarker('').length - 40;
  private readonly issues: InstanceType<typeof Issues<false>>;
  private readonly projects: InstanceType<typeof Projects<false>>;
  private readonly notes: InstanceType<typeof IssueNotes<false>>;
  private readonly users: InstanceType<typeof Users<false>>;
  private readonly requests: PacedRequests;
  /** GitLab.com limits note creation on its own, below the request limit. */
  private readonly notePacer: WritePacer;
  private readonly host: string;
  private me?: Promise<TrackerUser>;

  constructor(private readonly options: GitLabTrackerOptions) {
    const minute = 60_000 / (options.windowScale ?? 1);
    this.requests = new PacedRequests({
      createWindows: [
        { limit: options.pacing.createsPerMinute, windowMs: minute },
      ],
      requestWindows: [
        { limit: options.pacing.requestsPerMinute, windowMs: minute },
      ],
      clock: options.clock,
      recentCreations: options.recentCreations,
      retryBaseMs: options.retryBaseMs ?? 1000,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      toError: (error, what) => this.trackerError(error, what),
    });
    this.notePacer = new WritePacer(
      [{ limit: options.pacing.notesPerMinute, windowMs: minute }],
      options.clock,
    );
    this.host = new URL(options.baseUrl).host;
    const resource = {
      host: options.baseUrl.replace(/\/+$/, ''),
      token: options.token,
      requesterFn: singleAttemptRequester,
      queryTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // gitbeaker's own limiter would queue requests in memory; we pace.
      rateLimits: {},
      agent: dispatcherFor(options.ca) as never,
    };
    this.issues = new Issues(resource);
    this.projects = new Projects(resource);
    this.notes = new IssueNotes(resource);
    this.users = new Users(resource);
  }

  pushedExtras(): string {
    return '';
  }

  createDelayMs(): number {
    return this.requests.createDelayMs();
  }

  seedCreations(times: number[]): void {
    this.requests.seedCreations(times);
  }

  async checkTarget(): Promise<string | null> {
    // An unknown project shows up as the create's 404.
    return null;
  }

  async create(
    target: IssueTarget,
    issue: DesiredIssue,
    beforeSend: () => Promise<void>,
  ): Promise<CreatedIssue> {
    const requestedAt = await this.requests.createSlot(beforeSend);
    const created = await this.requests.send(
      `create an issue in ${target.project}`,
      // Sent again after a limit answer: the intent says when.
      { idempotent: false, paced: true, beforeResend: beforeSend },
      () =>
        this.issues.create(target.project, issue.title, {
          description: descriptionOf(issue),
          labels: labelList(issue.labels),
          confidential: this.options.confidential,
        }),
    );
    return {
      ...this.issueOf(created as GitLabIssueFields),
      requestedAt: new Date(requestedAt),
    };
  }

  async update(key: string, issue: DesiredIssue): Promise<TrackerIssue> {
    const { project, iid } = parseKey(key);
    const updated = await this.write(key, `update ${key}`, () =>
      this.issues.edit(project, iid, {
        title: issue.title,
        description: descriptionOf(issue),
        stateEvent: issue.state === 'closed' ? 'close' : 'reopen',
      }),
    );
    return this.issueOf(updated as GitLabIssueFields);
  }

  async addLabels(key: string, labels: string[]): Promise<void> {
    const { project, iid } = parseKey(key);
    await this.write(key, `add labels to ${key}`, () =>
      this.issues.edit(project, iid, { addLabels: labelList(labels) }),
    );
  }

  async findByMarker(
    target: IssueTarget,
    observationId: string,
    requestedAt: Date,
  ): Promise<MarkerLookup> {
    const marker = bodyMarker(observationId);
    const createdAfter = new Date(requestedAt.getTime() - CLOCK_SKEW_MS);
    // The issue list reads the database, not a search index: a create that
    // GitLab answered is in it.
    for (let page = 1; ; page++) {
      const { data, paginationInfo } = await this.requests.send(
        `list the issues of ${target.project}`,
        { idempotent: true },
        () =>
          this.issues.all({
            projectId: target.project,
            createdAfter: createdAfter.toISOString(),
            orderBy: 'created_at',
            sort: 'desc',
            perPage: 100,
            page,
            showExpanded: true,
          }),
      );
      const found = (data as GitLabIssueFields[]).find(candidate =>
        candidate.description?.includes(marker),
      );
      if (found) return { found: this.issueOf(found) };
      if (!paginationInfo.next) return { found: null };
    }
  }

  /** The token's user (`GET /user`), read once. */
  async whoAmI(): Promise<TrackerUser | null> {
    this.me ??= this.requests
      .send('read the token’s user', { idempotent: true }, () =>
        this.users.showCurrentUser(),
      )
      .then(user => ({ id: String(user.id), name: user.username }));
    try {
      return await this.me;
    } catch (error) {
      // Asked again next time: a failure is not the answer.
      this.me = undefined;
      throw error;
    }
  }

  /**
   * One list request per project and 100 issues (see `liveReadBatches`),
   * sent one after another under the request pacing.
   */
  async readIssues(requests: LiveReadRequest[]): Promise<LiveRead[]> {
    const answers = new Map<LiveReadRequest, LiveRead>();
    for (const batch of liveReadBatches(requests, parseKey, CLOCK_SKEW_MS)) {
      const reads = await this.readBatch(batch);
      batch.requests.forEach(({ request }, i) =>
        answers.set(request, reads[i]),
      );
    }
    return requests.map(request => answers.get(request)!);
  }

  /**
   * Writes the comment as a note, with the comment marker hidden at its
   * end. Not sent again after a 5xx or a timeout: that could make two.
   */
  async addComment(
    key: string,
    body: string,
    commentId: string,
  ): Promise<PushedComment> {
    const { project, iid } = parseKey(key);
    const what = `comment on ${key}`;
    const note = (await this.onExistingIssue(key, what, async () => {
      await this.notePacer.acquire();
      return this.requests.send(what, { idempotent: false }, () =>
        this.notes.create(
          project,
          iid,
          `${body}\n\n<!-- ${commentMarker(commentId)} -->`,
        ),
      );
    })) as GitLabNoteFields;
    // The note's page is its issue's, which the key names by path.
    const base = this.options.baseUrl.replace(/\/+$/, '');
    return {
      id: String(note.id),
      url: `${base}/${project}/-/issues/${iid}#note_${note.id}`,
    };
  }

  /**
   * A project's issues of `batch`. A 404 of the list is the project's:
   * its issues are gone when the project can still be read (see
   * `goneOrOutOfReach`); when it cannot, the token lost access (or the
   * project was deleted, which GitLab does not tell apart), the links are
   * kept, and they read as unreadable, saying why, until access is back.
   */
  private async readBatch(batch: LiveReadBatch): Promise<LiveRead[]> {
    const what = `read the issues of ${batch.project}`;
    try {
      const { data } = await this.requests.send(
        what,
        { idempotent: true },
        () =>
          this.issues.all({
            projectId: batch.project,
            iids: [...new Set(batch.requests.map(({ iid }) => iid))],
            ...(batch.updatedAfter
              ? { updatedAfter: batch.updatedAfter.toISOString() }
              : {}),
            perPage: 100,
            page: 1,
            showExpanded: true,
          }),
      );
      return liveReadsOf(batch, data as unknown as ListedIssue[]);
    } catch (error) {
      if (!(error instanceof TrackerError) || error.details.status !== 404) {
        throw error;
      }
      const explained = await this.explainNotFound(batch.project, what, error);
      return sameForAll(
        batch,
        explained.kind === 'gone'
          ? { outcome: 'gone' }
          : { outcome: 'unreadable', problem: explained.message },
      );
    }
  }

  /**
   * A write to an existing issue. A moved issue stays at its old address,
   * closed, with `moved_to_id`: only an administrator can look up where it
   * went, so it counts as gone and the engine creates a new one where the
   * entity routes.
   */
  private async write(
    key: string,
    what: string,
    send: () => Promise<unknown>,
  ): Promise<unknown> {
    const answer = await this.onExistingIssue(key, what, () =>
      this.requests.send(what, { idempotent: true }, send),
    );
    const moved = (answer as GitLabIssueFields | undefined)?.moved_to_id;
    if (moved) {
      throw new TrackerError(
        'gone',
        `GitLab could not ${what}: the issue was moved to another project (issue id ${moved})`,
      );
    }
    return answer;
  }

  /** A request about an existing issue, whose 404 says gone or out of reach. */
  private async onExistingIssue<T>(
    key: string,
    what: string,
    call: () => Promise<T>,
  ): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof TrackerError && error.details.status === 404) {
        throw await this.explainNotFound(parseKey(key).project, what, error);
      }
      throw error;
    }
  }

  /** A request answered 404: gone, or out of reach (see `goneOrOutOfReach`). */
  private explainNotFound(
    project: string,
    what: string,
    notFound: TrackerError,
  ): Promise<TrackerError> {
    return goneOrOutOfReach({
      notFound,
      readProject: () =>
        this.requests.send(`read ${project}`, { idempotent: true }, () =>
          this.projects.show(project),
        ),
      gone: `GitLab could not ${what}: the issue is gone (404)`,
    });
  }

  private issueOf(issue: GitLabIssueFields): TrackerIssue {
    return {
      key: issue.references.full,
      url: issue.web_url,
      state: issue.state === 'closed' ? 'closed' : 'open',
    };
  }

  private trackerError(error: unknown, what: string): TrackerError {
    if (error instanceof TrackerError) return error;
    const said = `GitLab could not ${what}`;
    if (!(error instanceof GitLabHttpError)) {
      const failure = error as { name?: string; message?: string };
      const timedOut = ['TimeoutError', 'AbortError', 'GitbeakerTimeoutError'];
      return new TrackerError(
        'unavailable',
        timedOut.includes(failure.name ?? '')
          ? `${said}: no answer in time`
          : `${said}: ${(failure.message ?? String(error)).slice(0, 300)}`,
      );
    }
    const { status } = error;
    const retryAfterMs = retryDelayMs(
      error.headers,
      this.options.clock.now(),
      this.options.retryBaseMs ?? 1000,
    );
    if (status === 429) {
      return new TrackerError('rate_limited', `${said}: rate limited (429)`, {
        status,
        retryAfterMs: retryAfterMs ?? 60 * (this.options.retryBaseMs ?? 1000),
      });
    }
    if (status >= 300 && status < 400) {
      // Not applied, and not followed (see gitlabRequester): configuration.
      return new TrackerError('forbidden', `${said}: ${error.description}`, {
        status,
      });
    }
    const kind = kindOfStatus(status);
    const hint: Partial<Record<TrackerErrorKind, string>> = {
      unauthorized: `the token for ${this.host} was rejected`,
      forbidden: 'the token may not write issues there',
      not_found: 'the project does not exist or the token cannot see it',
    };
    return new TrackerError(
      kind,
      `${said}: ${status} ${
        hint[kind] ?? answerReason(status, error.description)
      }`,
      { status, retryAfterMs },
    );
  }
}

/** The marker first: a description cut by hand or by a bot keeps it. */
function descriptionOf(issue: DesiredIssue): string {
  return `${bodyMarker(issue.observationId)}\n\n${issue.body}`;
}
