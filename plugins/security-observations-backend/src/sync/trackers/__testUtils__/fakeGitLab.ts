import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import { delay, http, HttpResponse, RequestHandler } from 'msw';
import {
  FakeCall,
  FaultMatch,
  FaultQueue,
  SlidingWindowLimit,
} from './fakeTrackerParts';

/*
 * A stateful fake of GitLab's REST API v4 for issues, as msw 2 handlers, for
 * the tracker-sync tests and benchmark. Shapes, statuses and headers are
 * GitLab's: the full issue entity with per-project iids, labels created on
 * the fly, moved issues that stay at their old address with `moved_to_id`,
 * offset pagination with x-* and Link headers, `{"message": ...}` and
 * `{"error": ...}` error bodies, Rack::Attack's text/plain 429s with
 * RateLimit-* headers, and the application limits on issue and note
 * creation with their JSON 429s.
 *
 * It sends GitLab's webhooks (`sendWebhooks`) for what the API's callers
 * and people (`personComments`, `personCloses`, ...) do, shaped as GitLab
 * builds them (`Gitlab::DataBuilder::Note`, `Gitlab::HookData::IssueBuilder`)
 * with its delivery headers. The setup helpers (`editIssue`, `addNote`,
 * `moveIssue`, `deleteIssue`) change the state without any.
 */

/** `API::Entities::UserBasic`. */
export interface GitLabUser {
  id: number;
  username: string;
  name: string;
  state: 'active' | 'blocked';
  locked: boolean;
  avatar_url: string;
  web_url: string;
}

/** `API::Entities::Milestone`. */
export interface GitLabMilestone {
  id: number;
  iid: number;
  project_id: number;
  title: string;
  description: string | null;
  state: 'active' | 'closed';
  created_at: string;
  updated_at: string;
  due_date: string | null;
  start_date: string | null;
  expired: boolean;
  web_url: string;
}

/** `API::Entities::Issue` as GET /projects/:id/issues/:iid answers it. */
export interface GitLabIssue {
  id: number;
  iid: number;
  project_id: number;
  title: string;
  description: string | null;
  state: 'opened' | 'closed';
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  closed_by: GitLabUser | null;
  /** Label names, sorted. */
  labels: string[];
  milestone: GitLabMilestone | null;
  assignees: GitLabUser[];
  author: GitLabUser;
  type: 'ISSUE';
  assignee: GitLabUser | null;
  user_notes_count: number;
  merge_requests_count: number;
  upvotes: number;
  downvotes: number;
  due_date: string | null;
  confidential: boolean;
  /** null until someone locks or unlocks the discussion. */
  discussion_locked: boolean | null;
  issue_type: 'issue';
  web_url: string;
  time_stats: {
    time_estimate: number;
    total_time_spent: number;
    human_time_estimate: string | null;
    human_total_time_spent: string | null;
  };
  task_completion_status: { count: number; completed_count: number };
  blocking_issues_count: number;
  has_tasks: boolean;
  /** Only when the description has checklist items. */
  task_status?: string;
  _links: {
    self: string;
    notes: string;
    award_emoji: string;
    project: string;
    closed_as_duplicate_of: string | null;
  };
  references: { short: string; relative: string; full: string };
  severity: 'UNKNOWN';
  /** Not in list answers (GitLab leaves it out there). */
  subscribed?: boolean;
  moved_to_id: number | null;
  imported: boolean;
  imported_from: 'none';
  service_desk_reply_to: string | null;
}

/** `API::Entities::Note` of an issue. */
export interface GitLabNote {
  id: number;
  type: null;
  body: string;
  attachment: null;
  author: GitLabUser;
  created_at: string;
  updated_at: string;
  system: boolean;
  noteable_id: number;
  noteable_type: 'Issue';
  project_id: number;
  resolvable: false;
  confidential: boolean;
  internal: boolean;
  imported: boolean;
  imported_from: 'none';
  noteable_iid: number;
  commands_changes: Record<string, never>;
}

/** `API::Entities::UserPublic`, as GET /user answers for the token's user. */
export interface GitLabCurrentUser extends GitLabUser {
  created_at: string;
  bio: string;
  location: string;
  public_email: string | null;
  linkedin: string;
  twitter: string;
  discord: string;
  website_url: string;
  organization: string;
  job_title: string;
  pronouns: string | null;
  bot: boolean;
  work_information: string | null;
  local_time: string | null;
  last_sign_in_at: string | null;
  confirmed_at: string;
  last_activity_on: string;
  email: string;
  theme_id: number;
  color_scheme_id: number;
  projects_limit: number;
  current_sign_in_at: string | null;
  identities: unknown[];
  can_create_group: boolean;
  can_create_project: boolean;
  two_factor_enabled: boolean;
  external: boolean;
  private_profile: boolean;
  commit_email: string;
}

/** A webhook request as GitLab sends it: header names lower-cased, the JSON body. */
export interface GitLabWebhookDelivery {
  headers: Record<string, string>;
  body: string;
}

/** `API::Entities::CondensedNamespace`. */
export interface GitLabNamespace {
  id: number;
  name: string;
  path: string;
  kind: 'group' | 'user';
  full_path: string;
  parent_id: number | null;
  avatar_url: string | null;
  web_url: string;
}

/** `API::Entities::ProjectWithAccess`, the fields a client reads. */
export interface GitLabProject {
  id: number;
  description: string | null;
  name: string;
  name_with_namespace: string;
  path: string;
  path_with_namespace: string;
  created_at: string;
  default_branch: string;
  tag_list: string[];
  topics: string[];
  ssh_url_to_repo: string;
  http_url_to_repo: string;
  web_url: string;
  readme_url: string;
  forks_count: number;
  avatar_url: string | null;
  star_count: number;
  last_activity_at: string;
  namespace: GitLabNamespace;
  _links: {
    self: string;
    issues: string;
    merge_requests: string;
    repo_branches: string;
    labels: string;
    events: string;
    members: string;
    cluster_agents: string;
  };
  empty_repo: boolean;
  archived: boolean;
  visibility: Visibility;
  issues_enabled: boolean;
  merge_requests_enabled: boolean;
  wiki_enabled: boolean;
  jobs_enabled: boolean;
  snippets_enabled: boolean;
  issues_access_level: 'enabled';
  service_desk_enabled: boolean;
  open_issues_count: number;
  creator_id: number;
  import_status: 'none';
  updated_at: string;
  permissions: {
    project_access: { access_level: number; notification_level: number };
    group_access: null;
  };
}

type Visibility = 'private' | 'internal' | 'public';

export interface FakeGitLabOptions {
  /** Default https://gitlab.com; self-managed e.g. https://gitlab.acme.example. */
  host?: string;
  /** Accepted `PRIVATE-TOKEN` / `Authorization: Bearer` values; default ['glpat-test-token']. */
  tokens?: string[];
  /** Tokens with the `read_api` scope only: accepted, but writes answer 403. */
  readOnlyTokens?: string[];
  /** Delay before every answer. */
  latencyMs?: number;
  /** Clock (ms) for timestamps and limit windows. */
  now?: () => number;
  /**
   * Limits to enforce, in sliding windows; none by default (a self-managed
   * instance's default). Issue creation counts per project (and user),
   * notes and requests per user, as GitLab counts them.
   */
  limits?: {
    /** Application limit `issues_create` (gitlab.com: 200 a minute). */
    createsPerMinute: number;
    /** Rack::Attack `throttle_authenticated_api` (gitlab.com: 2,000 a minute). */
    requestsPerMinute: number;
    /** Application limit `notes_create` (default 300 a minute). */
    notesPerMinute: number;
    /** Window length, default a real minute; a benchmark scales it. */
    minuteMs?: number;
  };
}

/** What the next matching request(s) get instead of the normal answer. */
export type GitLabFault =
  /**
   * GitLab's body for the status (500 `{"message":"500 Internal Server
   * Error"}`, 502 the HTML page of GitLab's front end); with afterApplying
   * the change is made first.
   */
  | { status: 400 | 403 | 404 | 409 | 500 | 502 | 503; afterApplying?: boolean }
  /**
   * Rack::Attack's 429 `Retry later` with RateLimit-* headers, and
   * Retry-After unless it is null; nothing changes.
   */
  | { rateLimit429: true; retryAfterSeconds: number | null }
  /** Waits before answering: the real answer when afterApplying, else a 502 with nothing changed. */
  | { hangMs: number; afterApplying?: boolean };

export type { FakeCall, FaultMatch } from './fakeTrackerParts';

/** Human edits on gitlab.com. */
export interface IssueEdit {
  /** Replaces the labels; new names become project labels. */
  labels?: string[];
  /** Usernames. */
  assignees?: string[];
  /** A milestone by title (created when new), or null to remove it. */
  milestone?: string | null;
  state?: 'opened' | 'closed';
  title?: string;
  description?: string | null;
  confidential?: boolean;
}

interface Project {
  id: number;
  pathWithNamespace: string;
  visibility: Visibility;
  createdAt: number;
  lastActivityAt: number;
  nextIid: number;
  issues: Map<number, IssueRecord>;
  /** Label titles of the project (GitLab matches them exactly). */
  labels: Set<string>;
  milestones: GitLabMilestone[];
  /** The token's user lost access: GitLab answers 404 for all of it. */
  hidden: boolean;
}

/** An issue as stored; `present` renders GitLab's entity from it. */
interface IssueRecord {
  id: number;
  iid: number;
  project: Project;
  title: string;
  description: string | null;
  state: 'opened' | 'closed';
  createdAt: number;
  updatedAt: number;
  /** Who changed it last, as hooks report it (`updated_by_id`). */
  updatedById: number | null;
  closedAt: number | null;
  closedBy: GitLabUser | null;
  labels: string[];
  milestone: GitLabMilestone | null;
  assignees: GitLabUser[];
  author: GitLabUser;
  confidential: boolean;
  discussionLocked: boolean | null;
  movedToId: number | null;
  notes: GitLabNote[];
}

interface Answer {
  status: number;
  /** Sent as JSON unless `text` is given. */
  body?: unknown;
  text?: { content: string; type: string };
  headers?: Record<string, string>;
}

/** Who sent a request: a token's user, or nobody (GitLab serves public projects to anyone). */
type Caller =
  | { kind: 'user'; user: GitLabUser; token: string; readOnly: boolean }
  | { kind: 'anonymous' };

/** A request as it arrived. */
interface Incoming {
  method: string;
  request: Request;
  url: URL;
  text: string;
  params: Record<string, string>;
  /** By the fake's clock. */
  at: number;
}

/** What an endpoint gets. */
interface Ctx {
  url: URL;
  params: Record<string, string>;
  /** Query and body parameters, as Grape merges them (the body wins). */
  input: Record<string, unknown>;
  caller: Caller;
}

type Operation = (ctx: Ctx) => Answer;

interface RouteOptions {
  write?: boolean;
  /** Which of GitLab's 404 bodies the route's resource has. */
  notFound: 'project' | 'issue' | 'note';
}

const TITLE_MAX = 255;
const DESCRIPTION_MAX = 1_048_576;
const NOTE_MAX = 1_000_000;
const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;
/** gitlab.com's authenticated API limit, reported by an injected 429 when no limits are set. */
const GITLAB_COM_REQUESTS_PER_MINUTE = 2000;
const DEVELOPER_ACCESS = 30;
const TOO_MANY_REQUESTS =
  'This endpoint has been requested too many times. Try again later.';
const ISSUE_ORDERS = [
  'created_at',
  'updated_at',
  'priority',
  'due_date',
  'relative_position',
  'label_priority',
  'milestone_due',
  'popularity',
  'weight',
  'title',
];
/** The `at_least_one_of` of PUT /projects/:id/issues/:issue_iid. */
const UPDATE_PARAMS = [
  'title',
  'description',
  'assignee_ids',
  'assignee_id',
  'milestone_id',
  'discussion_locked',
  'labels',
  'add_labels',
  'remove_labels',
  'created_at',
  'due_date',
  'confidential',
  'state_event',
  'issue_type',
  'weight',
  'epic_id',
  'epic_iid',
];
const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};
/** What GitLab's front end serves when the application does not answer. */
const BAD_GATEWAY_PAGE = `<!DOCTYPE html>
<html>
<head>
  <meta content="width=device-width, initial-scale=1, maximum-scale=1" name="viewport">
  <title>GitLab is not responding (502)</title>
</head>
<body>
  <h1>502</h1>
  <div class="container">
    <h3>Whoops, GitLab is taking too much time to respond.</h3>
    <hr />
    <p>Try refreshing the page, or going back and attempting the action again.</p>
    <p>Please contact your GitLab administrator if this problem persists.</p>
  </div>
</body>
</html>
`;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** What gitlab.com's webhooks send as User-Agent. */
const WEBHOOK_USER_AGENT = 'GitLab/18.7.0-pre';
/** Hook attributes a close or reopen changes (`changes` of its hook). */
const STATE_ATTRIBUTES = [
  'state_id',
  'closed_at',
  'updated_at',
  'updated_by_id',
];
/** Hook attributes an edit changes. */
const CONTENT_ATTRIBUTES = [
  'title',
  'description',
  'labels',
  'confidential',
  'discussion_locked',
  'assignee_ids',
  'milestone_id',
  'updated_at',
  'updated_by_id',
];

/** GitLab's timestamps have milliseconds, in UTC. */
const iso = (ms: number) => new Date(ms).toISOString();
/** Hooks carry Ruby's `Time#to_s`, e.g. `2026-12-01 10:00:00 UTC`. */
const hookDate = (ms: number | null) =>
  ms === null
    ? null
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
/** A stable number from a name, for ids GitLab would have assigned. */
const stableNumber = (text: string, range: number) =>
  [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % range, 7);
/** Ruby's String#length counts code points, not UTF-16 units. */
const characters = (text: string) => [...text].length;

/** Checklist items of a description, as GitLab's task list counts them. */
function taskList(description: string | null) {
  const items = [
    ...(description ?? '').matchAll(
      /^[ \t]*(?:[-+*]|\d+[.)])[ \t]+\[([ xX~])\][ \t]/gm,
    ),
  ];
  return {
    count: items.length,
    completed_count: items.filter(item => /[xX]/.test(item[1])).length,
  };
}

/** Grape's CommaSeparatedToArray: "a,b" or ["a", "b,c"], stripped, without blanks and repeats. */
function labelList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).flatMap(part =>
    String(part).split(','),
  );
  return [...new Set(parts.map(part => part.trim()).filter(Boolean))];
}

/** A text parameter that may be null: undefined when absent. */
function nullableText(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return value;
  return String(value);
}

/** The Note model's validation of its body. */
function noteProblem(body: string): string | undefined {
  if (!body.trim()) return "can't be blank";
  if (characters(body) > NOTE_MAX) {
    return `is too long (maximum is ${NOTE_MAX} characters)`;
  }
  return undefined;
}

/** Grape's Boolean coercion; 'invalid' for anything else. */
function booleanParam(value: unknown): boolean | undefined | 'invalid' {
  if (value === undefined || value === null) return undefined;
  if (value === true || value === 'true' || value === '1' || value === 1) {
    return true;
  }
  if (value === false || value === 'false' || value === '0' || value === 0) {
    return false;
  }
  return 'invalid';
}

export class FakeGitLab {
  /** The web host, e.g. https://gitlab.com. */
  readonly host: string;
  /** `${host}/api/v4`. */
  readonly apiBaseUrl: string;
  /** Every answered request, in the order of the answers. */
  readonly calls: FakeCall[] = [];
  /** Limit answers: enforced (requests, creates, notes) or injected 429s. */
  limitHits = 0;
  /** Pass to `setupServer(...fake.handlers)` or `server.use(...)`. */
  readonly handlers: RequestHandler[];

  private readonly now: () => number;
  private readonly minuteMs: number;
  private readonly tokens: Set<string>;
  private readonly readOnlyTokens: Set<string>;
  private readonly projects: Project[] = [];
  private readonly faults = new FaultQueue<GitLabFault>();
  private readonly requestWindow?: SlidingWindowLimit;
  private readonly noteWindow?: SlidingWindowLimit;
  private readonly createWindows = new Map<number, SlidingWindowLimit>();
  private readonly tokenUser: GitLabUser;
  private readonly human: GitLabUser;
  private readonly users = new Map<string, GitLabUser>();
  private nextIssueId = 158_230_001;
  private nextNoteId = 2_210_400_001;
  private nextMilestoneId = 4_870_001;
  private requests = 0;
  private webhooks: {
    secret: string;
    deliver: (delivery: GitLabWebhookDelivery) => Promise<void>;
  } | null = null;
  /** Hooks fired and not yet sent, oldest first. */
  private readonly firedHooks: GitLabWebhookDelivery[] = [];
  /** Deliveries go out one at a time, in the order the hooks fired. */
  private outbox: Promise<void> = Promise.resolve();
  /** Set while a receiver handles a delivery. */
  private readonly delivering = new AsyncLocalStorage<boolean>();
  /** Deliveries the receiver failed (GitLab logs them and carries on). */
  readonly webhookErrors: unknown[] = [];

  constructor(private readonly options: FakeGitLabOptions = {}) {
    this.host = (options.host ?? 'https://gitlab.com').replace(/\/+$/, '');
    this.apiBaseUrl = `${this.host}/api/v4`;
    this.now = options.now ?? Date.now;
    this.readOnlyTokens = new Set(options.readOnlyTokens ?? []);
    this.tokens = new Set([
      ...(options.tokens ?? ['glpat-test-token']),
      ...this.readOnlyTokens,
    ]);
    const limits = options.limits;
    this.minuteMs = limits?.minuteMs ?? 60_000;
    if (limits) {
      this.requestWindow = new SlidingWindowLimit(
        limits.requestsPerMinute,
        this.minuteMs,
      );
      this.noteWindow = new SlidingWindowLimit(
        limits.notesPerMinute,
        this.minuteMs,
      );
    }
    // Every token belongs to one (bot) user, a Developer of every project.
    this.tokenUser = this.userNamed('acme-security-bot', 'Acme Security Bot');
    this.human = this.userNamed('jane.appsec', 'Jane Appsec');
    this.handlers = this.createHandlers();
  }

  /** A project the token's user is a Developer of; answers the project as GET would. */
  addProject(
    pathWithNamespace: string,
    options: { id?: number; visibility?: Visibility } = {},
  ): GitLabProject {
    const existing = this.findProject(pathWithNamespace);
    if (existing) return this.presentProject(existing);
    const id = options.id ?? 61_000_000 + this.projects.length * 7_919 + 42;
    if (this.projects.some(project => project.id === id)) {
      throw new Error(`FakeGitLab: project id ${id} is taken`);
    }
    const project: Project = {
      id,
      pathWithNamespace,
      visibility: options.visibility ?? 'private',
      createdAt: Date.parse('2024-03-11T09:30:12.481Z'),
      lastActivityAt: this.now(),
      nextIid: 1,
      issues: new Map(),
      labels: new Set(),
      milestones: [],
      hidden: false,
    };
    this.projects.push(project);
    return this.presentProject(project);
  }

  /** The project as GET /projects/:id answers it. */
  project(project: string | number): GitLabProject {
    return this.presentProject(this.projectOf(project));
  }

  /** The project's issues (moved ones too), by iid. */
  issues(project: string | number): GitLabIssue[] {
    return [...this.projectOf(project).issues.values()]
      .sort((a, b) => a.iid - b.iid)
      .map(issue => this.present(issue, this.tokenUser));
  }

  issue(project: string | number, iid: number): GitLabIssue | undefined {
    const issue = this.projectOf(project).issues.get(iid);
    return issue && this.present(issue, this.tokenUser);
  }

  /** The issue's notes, system notes too, oldest first. */
  notes(project: string | number, iid: number): GitLabNote[] {
    return this.existing(this.projectOf(project), iid).notes.map(note =>
      structuredClone(note),
    );
  }

  writeCalls(): FakeCall[] {
    return this.calls.filter(call => call.method !== 'GET');
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  /**
   * The next `times` (default 1) requests with this method whose URL path
   * matches get the fault. The path is as sent, with the base path and an
   * encoded project path, e.g. /api/v4/projects/acme-corp%2Fweb/issues.
   */
  failNext(match: FaultMatch, fault: GitLabFault): void {
    this.faults.add(match, fault);
  }

  /** Gives a token only the `read_api` scope (or the full `api` scope back). */
  setReadOnly(token: string, readOnly = true): void {
    this.tokens.add(token);
    if (readOnly) this.readOnlyTokens.add(token);
    else this.readOnlyTokens.delete(token);
  }

  /**
   * The token's user loses (or regains) access to the project, e.g. is
   * removed from its group: GitLab then answers 404 for the project and
   * for all of its issues.
   */
  setAccess(project: string | number, access: boolean): void {
    this.projectOf(project).hidden = !access;
  }

  /** An edit made by a person on gitlab.com, which the client must keep. */
  editIssue(project: string | number, iid: number, edit: IssueEdit): void {
    const found = this.projectOf(project);
    const issue = this.existing(found, iid);
    const now = this.now();
    if (edit.title !== undefined) issue.title = edit.title.trim();
    if (edit.description !== undefined) issue.description = edit.description;
    if (edit.labels) issue.labels = this.labelsFor(found, edit.labels);
    if (edit.assignees) {
      issue.assignees = [...new Set(edit.assignees)].map(username =>
        this.userNamed(username),
      );
    }
    if (edit.milestone !== undefined) {
      issue.milestone =
        edit.milestone === null
          ? null
          : this.milestoneFor(found, edit.milestone);
    }
    if (edit.confidential !== undefined) issue.confidential = edit.confidential;
    if (edit.state) this.setState(issue, edit.state, this.human, now);
    this.touch(issue, now, this.human);
  }

  /** Deleted on gitlab.com (by an Owner): its URLs answer 404 from now on. */
  deleteIssue(project: string | number, iid: number): void {
    const found = this.projectOf(project);
    this.existing(found, iid);
    found.issues.delete(iid);
  }

  /**
   * Moved on gitlab.com: a new issue with the next iid of the other project,
   * with the title, description, confidentiality, assignees and notes, and
   * the labels and milestone that project has by the same title (GitLab
   * creates none on a move). The old issue stays where it was, closed, with
   * `moved_to_id`; both get a system note. Answers the new iid.
   */
  moveIssue(
    project: string | number,
    iid: number,
    toProject: string | number,
  ): number {
    const from = this.projectOf(project);
    const to = this.projectOf(toProject);
    const original = this.existing(from, iid);
    if (original.movedToId !== null) {
      throw new Error(
        `FakeGitLab: ${this.reference(original)} was moved already`,
      );
    }
    const now = this.now();
    const moved = this.newIssue(
      to,
      {
        title: original.title,
        description: original.description,
        confidential: original.confidential,
        labels: original.labels.filter(label => to.labels.has(label)),
      },
      original.author,
    );
    moved.assignees = [...original.assignees];
    const milestone = original.milestone?.title;
    moved.milestone =
      to.milestones.find(candidate => candidate.title === milestone) ?? null;
    // The discussion comes along: every note is copied, with its author and time.
    moved.notes = original.notes.map(note => ({
      ...structuredClone(note),
      id: this.nextNoteId++,
      noteable_id: moved.id,
      noteable_iid: moved.iid,
      project_id: to.id,
    }));
    original.movedToId = moved.id;
    this.setState(original, 'closed', this.human, now);
    this.touch(original, now, this.human);
    this.systemNote(original, `moved to ${this.reference(moved, from)}`);
    this.systemNote(moved, `moved from ${this.reference(original, to)}`);
    return moved.iid;
  }

  /** A comment made by a person on gitlab.com. */
  addNote(project: string | number, iid: number, body: string): GitLabNote {
    const issue = this.existing(this.projectOf(project), iid);
    return structuredClone(this.newNote(issue, body, this.human, false));
  }

  /** The account every token acts as (the sync's), as GitLab names users. */
  get bot(): GitLabUser {
    return structuredClone(this.tokenUser);
  }

  /** The person who acts on gitlab.com in the helpers. */
  get person(): GitLabUser {
    return structuredClone(this.human);
  }

  /**
   * Sends GitLab's webhooks to `deliver` from now on, as a project webhook
   * with `secret` as its token that subscribed to issue and note events,
   * confidential ones too; null stops them. An API call answers once its
   * hooks are delivered, in the order they fired; a delivery the receiver
   * fails is kept in `webhookErrors`, as GitLab logs it and carries on.
   */
  sendWebhooks(
    secret: string,
    deliver: ((delivery: GitLabWebhookDelivery) => Promise<void>) | null,
  ): void {
    this.webhooks = deliver ? { secret, deliver } : null;
  }

  /**
   * A person comments on gitlab.com: a Note Hook; an internal note (for
   * the project's members only) a Confidential Note Hook.
   */
  async personComments(
    project: string | number,
    iid: number,
    body: string,
    options: { internal?: boolean } = {},
  ): Promise<GitLabNote> {
    const issue = this.existing(this.projectOf(project), iid);
    const note = this.newNote(
      issue,
      body,
      this.human,
      options.internal ?? false,
    );
    this.noteHook(issue, note, 'create');
    await this.sendFiredHooks();
    return structuredClone(note);
  }

  /** A person edits their note: a Note Hook with action `update`. */
  async personEditsNote(
    project: string | number,
    iid: number,
    noteId: number,
    body: string,
  ): Promise<void> {
    const issue = this.existing(this.projectOf(project), iid);
    this.editNote(issue, this.existingNote(issue, noteId), body);
    await this.sendFiredHooks();
  }

  /** A person deletes a note: GitLab sends no webhook for it. */
  async personDeletesNote(
    project: string | number,
    iid: number,
    noteId: number,
  ): Promise<void> {
    const issue = this.existing(this.projectOf(project), iid);
    this.removeNote(issue, this.existingNote(issue, noteId));
    await this.sendFiredHooks();
  }

  /**
   * A person closes the issue, after adding `addLabels` (e.g. `wontfix`):
   * a hook for the labels (action `update`), then one for the close.
   */
  async personCloses(
    project: string | number,
    iid: number,
    { addLabels = [] }: { addLabels?: string[] } = {},
  ): Promise<void> {
    const found = this.projectOf(project);
    const issue = this.existing(found, iid);
    if (addLabels.length) {
      const before = this.issueHookAttributes(issue);
      issue.labels = this.labelsFor(found, [...issue.labels, ...addLabels]);
      this.touch(issue, this.now(), this.human);
      this.issueHook(issue, 'update', this.human, before, CONTENT_ATTRIBUTES);
    }
    this.changeState(issue, 'closed', this.human);
    await this.sendFiredHooks();
  }

  /** A person reopens the issue: an Issue Hook with action `reopen`. */
  async personReopens(project: string | number, iid: number): Promise<void> {
    const issue = this.existing(this.projectOf(project), iid);
    this.changeState(issue, 'opened', this.human);
    await this.sendFiredHooks();
  }

  private createHandlers(): RequestHandler[] {
    const project = `${this.apiBaseUrl}/projects/:id`;
    const issues = `${project}/issues`;
    const issue = `${issues}/:issue_iid`;
    const notes = `${issues}/:noteable_id/notes`;
    const note = `${notes}/:note_id`;
    return [
      this.route(
        'GET',
        `${this.apiBaseUrl}/user`,
        ctx => this.currentUser(ctx),
        {
          notFound: 'project',
        },
      ),
      this.route('GET', project, ctx => this.getProject(ctx), {
        notFound: 'project',
      }),
      this.route('GET', issues, ctx => this.list(ctx), { notFound: 'project' }),
      this.route('POST', issues, ctx => this.create(ctx), {
        notFound: 'project',
        write: true,
      }),
      this.route('GET', issue, ctx => this.getIssue(ctx), {
        notFound: 'issue',
      }),
      this.route('PUT', issue, ctx => this.update(ctx), {
        notFound: 'issue',
        write: true,
      }),
      this.route('GET', notes, ctx => this.listNotes(ctx), {
        notFound: 'issue',
      }),
      this.route('POST', notes, ctx => this.createNote(ctx), {
        notFound: 'issue',
        write: true,
      }),
      this.route('GET', note, ctx => this.getNote(ctx), { notFound: 'note' }),
      this.route('PUT', note, ctx => this.updateNote(ctx), {
        notFound: 'note',
        write: true,
      }),
      this.route('DELETE', note, ctx => this.deleteNote(ctx), {
        notFound: 'note',
        write: true,
      }),
    ];
  }

  /** One endpoint, with latency, auth, limits, faults and headers around it. */
  private route(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    operation: Operation,
    options: RouteOptions,
  ): RequestHandler {
    const handler = {
      GET: http.get,
      POST: http.post,
      PUT: http.put,
      DELETE: http.delete,
    }[method];
    return handler(path, async ({ request, params }) => {
      const incoming: Incoming = {
        method,
        request,
        url: new URL(request.url),
        text: method === 'GET' ? '' : await request.text(),
        params: params as Record<string, string>,
        at: this.now(),
      };
      const requestId = this.requestId();
      if (this.options.latencyMs) await delay(this.options.latencyMs);
      const answer = await this.answer(incoming, operation, options);
      this.calls.push({
        method,
        path: incoming.url.pathname,
        status: answer.status,
        at: incoming.at,
      });
      await this.sendFiredHooks();
      return this.respond(answer, requestId);
    });
  }

  /**
   * GitLab's order: an unknown token is refused, Rack::Attack counts the
   * token's user, then (here) injected faults, then the token's scope and
   * the endpoint itself.
   */
  private async answer(
    { method, request, url, text, params, at }: Incoming,
    operation: Operation,
    options: RouteOptions,
  ): Promise<Answer> {
    const caller = this.authenticate(request, url);
    if (!caller) return this.message(401, '401 Unauthorized');

    let quota: Record<string, string> = {};
    if (caller.kind === 'user' && this.requestWindow) {
      const waitMs = this.requestWindow.admit(at);
      if (waitMs > 0) {
        this.limitHits += 1;
        return this.retryLater(
          Math.max(1, Math.ceil(waitMs / 1000)),
          at + waitMs,
          this.requestWindow.limit,
          this.requestWindow.used(at) + 1,
        );
      }
      quota = this.quotaHeaders(at);
    }

    const input = this.parseInput(url, text, request.headers);
    const apply = (): Answer => {
      if (options.write && caller.kind === 'anonymous') {
        return this.message(401, '401 Unauthorized');
      }
      if (options.write && caller.kind === 'user' && caller.readOnly) {
        return this.insufficientScope();
      }
      if (!input) return this.message(400, '400 Bad request');
      return operation({ url, params, input, caller });
    };
    const withQuota = (answer: Answer): Answer => ({
      ...answer,
      headers: { ...quota, ...answer.headers },
    });

    const fault = this.faults.take(method, url.pathname);
    if (!fault) return withQuota(apply());
    if ('rateLimit429' in fault) {
      this.limitHits += 1;
      const limit = this.requestWindow?.limit ?? GITLAB_COM_REQUESTS_PER_MINUTE;
      return this.retryLater(
        fault.retryAfterSeconds,
        at + (fault.retryAfterSeconds ?? this.minuteMs / 1000) * 1000,
        limit,
        limit + 1,
      );
    }
    if ('hangMs' in fault) {
      const applied = fault.afterApplying ? apply() : undefined;
      await delay(fault.hangMs);
      return applied ? withQuota(applied) : this.badGateway();
    }
    if (fault.afterApplying) apply();
    return withQuota(this.faultAnswer(fault.status, options));
  }

  /** `PRIVATE-TOKEN`, `Authorization: Bearer` or `private_token`; undefined for an unknown token. */
  private authenticate(request: Request, url: URL): Caller | undefined {
    const bearer = /^bearer\s+(\S+)$/i.exec(
      request.headers.get('authorization') ?? '',
    )?.[1];
    const token =
      url.searchParams.get('private_token') ||
      url.searchParams.get('access_token') ||
      request.headers.get('private-token') ||
      bearer;
    if (!token) return { kind: 'anonymous' };
    if (!this.tokens.has(token)) return undefined;
    return {
      kind: 'user',
      user: this.tokenUser,
      token,
      readOnly: this.readOnlyTokens.has(token),
    };
  }

  /** Grape's params: the query, then a JSON or form body over it; undefined when the body does not parse. */
  private parseInput(
    url: URL,
    text: string,
    headers: Headers,
  ): Record<string, unknown> | undefined {
    const input: Record<string, unknown> = {};
    const addAll = (entries: URLSearchParams) => {
      for (const [key, value] of entries) {
        if (key.endsWith('[]')) {
          const name = key.slice(0, -2);
          const list = Array.isArray(input[name])
            ? (input[name] as unknown[])
            : [];
          input[name] = [...list, value];
        } else {
          input[key] = value;
        }
      }
    };
    addAll(url.searchParams);
    if (!text) return input;
    const type = headers.get('content-type') ?? '';
    if (type.includes('application/x-www-form-urlencoded')) {
      addAll(new URLSearchParams(text));
      return input;
    }
    try {
      const body = JSON.parse(text);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return undefined;
      }
      return { ...input, ...body };
    } catch {
      return undefined;
    }
  }

  private getProject(ctx: Ctx): Answer {
    return this.inProject(ctx, project => ({
      status: 200,
      body: this.presentProject(project),
    }));
  }

  private getIssue(ctx: Ctx): Answer {
    return this.onIssue(ctx, 'issue_iid', issue => ({
      status: 200,
      body: this.present(issue, this.viewer(ctx)),
    }));
  }

  private create(ctx: Ctx): Answer {
    const input = ctx.input;
    const errors: string[] = [];
    if (input.title === undefined || input.title === null) {
      errors.push('title is missing');
    }
    const confidential = booleanParam(input.confidential);
    if (confidential === 'invalid') errors.push('confidential is invalid');
    if (errors.length) return this.grapeError(errors);
    return this.inProject(ctx, project => {
      const limited = this.applicationLimit(this.createWindow(project));
      if (limited) return limited;
      const fields = {
        title: String(input.title).trim(),
        description: nullableText(input.description) ?? null,
      };
      const invalid = this.validateIssue(fields);
      if (invalid) return invalid;
      const issue = this.newIssue(
        project,
        {
          ...fields,
          confidential: confidential === true,
          labels: this.labelsFor(project, labelList(input.labels) ?? []),
        },
        this.viewer(ctx)!,
      );
      this.issueHook(issue, 'open', this.viewer(ctx)!, {});
      return { status: 201, body: this.present(issue, this.viewer(ctx)) };
    });
  }

  /** Issues::UpdateService: labels replaced, then added, then removed; state events last. */
  private update(ctx: Ctx): Answer {
    const input = ctx.input;
    if (!UPDATE_PARAMS.some(name => input[name] !== undefined)) {
      return this.grapeError([
        `${UPDATE_PARAMS.join(
          ', ',
        )} are missing, at least one parameter must be provided`,
      ]);
    }
    const errors: string[] = [];
    const stateEvent = input.state_event;
    if (
      stateEvent !== undefined &&
      stateEvent !== 'close' &&
      stateEvent !== 'reopen'
    ) {
      errors.push('state_event does not have a valid value');
    }
    const confidential = booleanParam(input.confidential);
    if (confidential === 'invalid') errors.push('confidential is invalid');
    const locked = booleanParam(input.discussion_locked);
    if (locked === 'invalid') errors.push('discussion_locked is invalid');
    if (errors.length) return this.grapeError(errors);

    return this.onIssue(ctx, 'issue_iid', (issue, project) => {
      const title =
        input.title === undefined || input.title === null
          ? undefined
          : String(input.title).trim();
      const description = nullableText(input.description);
      const invalid = this.validateIssue({
        title: title ?? issue.title,
        description:
          description === undefined ? issue.description : description,
      });
      if (invalid) return invalid;

      const before = JSON.stringify(this.present(issue, undefined));
      const hookBefore = this.issueHookAttributes(issue);
      const contentBefore = this.contentOf(issue);
      const stateBefore = issue.state;
      const now = this.now();
      if (title !== undefined) issue.title = title;
      if (description !== undefined) issue.description = description;
      const replaced = labelList(input.labels);
      const added = labelList(input.add_labels) ?? [];
      const removed = new Set(labelList(input.remove_labels) ?? []);
      if (replaced || added.length || removed.size) {
        issue.labels = this.labelsFor(project, [
          ...(replaced ?? issue.labels),
          ...added,
        ]).filter(label => !removed.has(label));
      }
      if (typeof confidential === 'boolean') issue.confidential = confidential;
      if (typeof locked === 'boolean') issue.discussionLocked = locked;
      if (stateEvent === 'close' || stateEvent === 'reopen') {
        this.setState(
          issue,
          stateEvent === 'close' ? 'closed' : 'opened',
          this.viewer(ctx)!,
          now,
        );
      }
      // Rails saves (and moves updated_at) only when something changed.
      if (JSON.stringify(this.present(issue, undefined)) !== before) {
        const by = this.viewer(ctx)!;
        this.touch(issue, now, by);
        // The state event's service fires its hook, then the update's.
        if (issue.state !== stateBefore) {
          const action = issue.state === 'closed' ? 'close' : 'reopen';
          this.issueHook(issue, action, by, hookBefore, STATE_ATTRIBUTES);
        }
        if (this.contentOf(issue) !== contentBefore) {
          this.issueHook(issue, 'update', by, hookBefore, CONTENT_ATTRIBUTES);
        }
      }
      return { status: 200, body: this.present(issue, this.viewer(ctx)) };
    });
  }

  /** GET /projects/:id/issues with IssuesFinder's filters and offset pagination. */
  private list(ctx: Ctx): Answer {
    const input = ctx.input;
    const errors: string[] = [];
    const state = input.state ?? 'all';
    if (!['opened', 'closed', 'all'].includes(String(state))) {
      errors.push('state does not have a valid value');
    }
    const orderBy = String(input.order_by ?? 'created_at');
    if (!ISSUE_ORDERS.includes(orderBy)) {
      errors.push('order_by does not have a valid value');
    }
    const sort = String(input.sort ?? 'desc');
    if (sort !== 'asc' && sort !== 'desc') {
      errors.push('sort does not have a valid value');
    }
    const times: Record<string, number | undefined> = {};
    for (const name of [
      'created_after',
      'created_before',
      'updated_after',
      'updated_before',
    ]) {
      if (input[name] === undefined) continue;
      times[name] = Date.parse(String(input[name]));
      if (Number.isNaN(times[name])) errors.push(`${name} is invalid`);
    }
    const confidential = booleanParam(input.confidential);
    if (confidential === 'invalid') errors.push('confidential is invalid');
    // Grape's Array[Integer]: `iids[]=1&iids[]=2`.
    const iids =
      input.iids === undefined
        ? undefined
        : ([] as unknown[]).concat(input.iids).map(String);
    if (iids?.some(iid => !/^\d+$/.test(iid))) errors.push('iids is invalid');
    const paging = this.paging(input, errors);
    if (errors.length) return this.grapeError(errors);

    return this.inProject(ctx, project => {
      const wanted = labelList(input.labels);
      const search = input.search ? String(input.search).toLowerCase() : '';
      const within = (value: number, after?: number, before?: number) =>
        (after === undefined || value >= after) &&
        (before === undefined || value <= before);
      const matching = [...project.issues.values()]
        .filter(issue => !iids || iids.includes(String(issue.iid)))
        .filter(issue => state === 'all' || issue.state === state)
        .filter(issue => ctx.caller.kind === 'user' || !issue.confidential)
        .filter(
          issue =>
            confidential === undefined || issue.confidential === confidential,
        )
        .filter(issue => {
          if (!wanted) return true;
          if (wanted.length === 1 && wanted[0].toLowerCase() === 'none') {
            return issue.labels.length === 0;
          }
          if (wanted.length === 1 && wanted[0].toLowerCase() === 'any') {
            return issue.labels.length > 0;
          }
          return wanted.every(label => issue.labels.includes(label));
        })
        .filter(
          issue =>
            !search ||
            `${issue.title}\n${issue.description ?? ''}`
              .toLowerCase()
              .includes(search),
        )
        .filter(issue =>
          within(issue.createdAt, times.created_after, times.created_before),
        )
        .filter(issue =>
          within(issue.updatedAt, times.updated_after, times.updated_before),
        )
        .sort((a, b) => {
          const direction = sort === 'asc' ? 1 : -1;
          if (orderBy === 'title') {
            return direction * (a.title.localeCompare(b.title) || a.id - b.id);
          }
          // Orders this fake does not model fall back to creation time.
          const key = orderBy === 'updated_at' ? 'updatedAt' : 'createdAt';
          return direction * (a[key] - b[key] || a.id - b.id);
        })
        .map(issue => this.present(issue, this.viewer(ctx), true));
      return this.paginate(ctx, matching, paging);
    });
  }

  private listNotes(ctx: Ctx): Answer {
    const errors: string[] = [];
    const sort = String(ctx.input.sort ?? 'desc');
    if (sort !== 'asc' && sort !== 'desc') {
      errors.push('sort does not have a valid value');
    }
    const orderBy = String(ctx.input.order_by ?? 'created_at');
    if (orderBy !== 'created_at' && orderBy !== 'updated_at') {
      errors.push('order_by does not have a valid value');
    }
    const paging = this.paging(ctx.input, errors);
    if (errors.length) return this.grapeError(errors);
    return this.onIssue(ctx, 'noteable_id', issue => {
      const key = orderBy === 'updated_at' ? 'updated_at' : 'created_at';
      const notes = [...issue.notes]
        .sort(
          (a, b) =>
            (sort === 'asc' ? 1 : -1) *
            (Date.parse(a[key]) - Date.parse(b[key]) || a.id - b.id),
        )
        .map(note => structuredClone(note));
      return this.paginate(ctx, notes, paging);
    });
  }

  private createNote(ctx: Ctx): Answer {
    const input = ctx.input;
    const errors: string[] = [];
    if (input.body === undefined || input.body === null) {
      errors.push('body is missing');
    }
    const internal = booleanParam(input.internal ?? input.confidential);
    if (internal === 'invalid') errors.push('internal is invalid');
    if (errors.length) return this.grapeError(errors);
    return this.onIssue(ctx, 'noteable_id', issue => {
      const limited = this.applicationLimit(this.noteWindow);
      if (limited) return limited;
      const body = String(input.body);
      const problem = noteProblem(body);
      if (problem) {
        return this.message(
          400,
          `400 Bad request - Note {:note=>["${problem}"]}`,
        );
      }
      const note = this.newNote(
        issue,
        body,
        this.viewer(ctx)!,
        internal === true,
      );
      this.noteHook(issue, note, 'create');
      return { status: 201, body: structuredClone(note) };
    });
  }

  private getNote(ctx: Ctx): Answer {
    return this.onNote(ctx, (_, note) => ({
      status: 200,
      body: structuredClone(note),
    }));
  }

  /** Only its author may edit a note (a Developer cannot edit others'). */
  private updateNote(ctx: Ctx): Answer {
    const body = ctx.input.body;
    if (body === undefined || body === null) {
      return this.grapeError(['body is missing']);
    }
    return this.onNote(ctx, (issue, note) => {
      if (note.author.id !== this.viewer(ctx)?.id) {
        return this.message(403, '403 Forbidden');
      }
      const problem = noteProblem(String(body));
      if (problem) {
        return this.message(
          400,
          `400 Bad request - Note {:note=>["${problem}"]}`,
        );
      }
      this.editNote(issue, note, String(body));
      return { status: 200, body: structuredClone(note) };
    });
  }

  /** A Developer deletes only their own notes; GitLab fires no hook. */
  private deleteNote(ctx: Ctx): Answer {
    return this.onNote(ctx, (issue, note) => {
      if (note.author.id !== this.viewer(ctx)?.id) {
        return this.message(403, '403 Forbidden');
      }
      this.removeNote(issue, note);
      return { status: 204 };
    });
  }

  /** GET /user: the token's user, with the fields only they may see. */
  private currentUser(ctx: Ctx): Answer {
    const user = this.viewer(ctx);
    if (!user) return this.message(401, '401 Unauthorized');
    const since = iso(Date.parse('2024-03-11T09:12:44.108Z'));
    const entity: GitLabCurrentUser = {
      ...user,
      created_at: since,
      bio: '',
      location: '',
      public_email: null,
      linkedin: '',
      twitter: '',
      discord: '',
      website_url: '',
      organization: '',
      job_title: '',
      pronouns: null,
      bot: false,
      work_information: null,
      local_time: null,
      last_sign_in_at: null,
      confirmed_at: since,
      last_activity_on: iso(this.now()).slice(0, 10),
      email: `${user.username}@acme.example`,
      theme_id: 3,
      color_scheme_id: 1,
      projects_limit: 100_000,
      current_sign_in_at: null,
      identities: [],
      can_create_group: false,
      can_create_project: true,
      two_factor_enabled: false,
      external: false,
      private_profile: false,
      commit_email: `${user.username}@acme.example`,
    };
    return { status: 200, body: entity };
  }

  /** `per_page` (default 20, at most 100) and `page`, or Grape's errors for them. */
  private paging(input: Record<string, unknown>, errors: string[]) {
    const integer = (name: string, fallback: number) => {
      const value = input[name];
      if (value === undefined) return fallback;
      if (!/^-?\d+$/.test(String(value))) {
        errors.push(`${name} is invalid`);
        return fallback;
      }
      return Number(value);
    };
    const perPage = integer('per_page', DEFAULT_PER_PAGE);
    return {
      perPage: perPage < 1 ? DEFAULT_PER_PAGE : Math.min(perPage, MAX_PER_PAGE),
      page: Math.max(1, integer('page', 1)),
    };
  }

  /**
   * A page with GitLab's offset-pagination headers. The Link URLs carry
   * the request's parameters plus the route's (`id`, `noteable_id`),
   * sorted by name as Rails' `to_query` writes them.
   */
  private paginate(
    ctx: Ctx,
    items: unknown[],
    { perPage, page }: { perPage: number; page: number },
  ): Answer {
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    const next = page < totalPages ? page + 1 : undefined;
    const prev = page > 1 && page <= totalPages ? page - 1 : undefined;
    const href = (n: number) => {
      const query = new URLSearchParams(ctx.url.searchParams);
      for (const [name, value] of Object.entries(ctx.params)) {
        query.set(name, value);
      }
      query.set('page', String(n));
      query.set('per_page', String(perPage));
      query.sort();
      return `${ctx.url.origin}${ctx.url.pathname}?${query}`;
    };
    const links = [
      ...(prev ? [`<${href(prev)}>; rel="prev"`] : []),
      ...(next ? [`<${href(next)}>; rel="next"`] : []),
      `<${href(1)}>; rel="first"`,
      `<${href(totalPages)}>; rel="last"`,
    ];
    return {
      status: 200,
      body: items.slice((page - 1) * perPage, page * perPage),
      headers: {
        link: links.join(', '),
        'x-page': String(page),
        'x-per-page': String(perPage),
        'x-next-page': next ? String(next) : '',
        'x-prev-page': prev ? String(prev) : '',
        'x-total': String(items.length),
        'x-total-pages': String(totalPages),
      },
    };
  }

  /** The project of `:id` (a numeric id or the full path), or GitLab's 404 for it. */
  private inProject(ctx: Ctx, fn: (project: Project) => Answer): Answer {
    const project = this.findProject(ctx.params.id);
    const visible =
      project &&
      !project.hidden &&
      (ctx.caller.kind === 'user' || project.visibility === 'public');
    return visible ? fn(project) : this.message(404, '404 Project Not Found');
  }

  /** The issue of the URL (a moved one too), or GitLab's 400 or 404 for it. */
  private onIssue(
    ctx: Ctx,
    param: 'issue_iid' | 'noteable_id',
    fn: (issue: IssueRecord, project: Project) => Answer,
  ): Answer {
    const iid = ctx.params[param];
    if (!/^\d+$/.test(iid)) return this.grapeError([`${param} is invalid`]);
    return this.inProject(ctx, project => {
      const issue = project.issues.get(Number(iid));
      const visible =
        issue && (ctx.caller.kind === 'user' || !issue.confidential);
      return visible ? fn(issue, project) : this.message(404, '404 Not found');
    });
  }

  /** Issuable's model validations, as `render_validation_error!` answers them. */
  private validateIssue(fields: {
    title: string;
    description: string | null;
  }): Answer | undefined {
    const messages: Record<string, string[]> = {};
    if (!fields.title) messages.title = ["can't be blank"];
    else if (characters(fields.title) > TITLE_MAX) {
      messages.title = [`is too long (maximum is ${TITLE_MAX} characters)`];
    }
    if (
      fields.description &&
      characters(fields.description) > DESCRIPTION_MAX
    ) {
      messages.description = [
        `is too long (maximum is ${DESCRIPTION_MAX} characters)`,
      ];
    }
    return Object.keys(messages).length
      ? { status: 400, body: { message: messages } }
      : undefined;
  }

  /**
   * An application limit (`issues_create`, `notes_create`): counted when
   * the endpoint is reached, answered with a JSON 429 and the limit's
   * interval as Retry-After, without RateLimit-* headers of its own.
   */
  private applicationLimit(window?: SlidingWindowLimit): Answer | undefined {
    if (!window || window.admit(this.now()) === 0) return undefined;
    this.limitHits += 1;
    return {
      status: 429,
      body: { message: { error: TOO_MANY_REQUESTS } },
      headers: {
        'retry-after': String(Math.max(1, Math.ceil(this.minuteMs / 1000))),
      },
    };
  }

  private createWindow(project: Project): SlidingWindowLimit | undefined {
    const limits = this.options.limits;
    if (!limits) return undefined;
    let window = this.createWindows.get(project.id);
    if (!window) {
      window = new SlidingWindowLimit(limits.createsPerMinute, this.minuteMs);
      this.createWindows.set(project.id, window);
    }
    return window;
  }

  /** The RateLimit-* headers GitLab adds to requests Rack::Attack let through. */
  private quotaHeaders(at: number): Record<string, string> {
    const window = this.requestWindow!;
    const observed = window.used(at);
    return {
      'ratelimit-name': 'throttle_authenticated_api',
      'ratelimit-limit': String(window.limit),
      'ratelimit-observed': String(observed),
      'ratelimit-remaining': String(Math.max(0, window.limit - observed)),
      // By then everything counted so far has left the window.
      'ratelimit-reset': String(Math.ceil((at + window.windowMs) / 1000)),
    };
  }

  /** Rack::Attack's throttled answer. */
  private retryLater(
    retryAfterSeconds: number | null,
    resetAt: number,
    limit: number,
    observed: number,
  ): Answer {
    const reset = Math.ceil(resetAt / 1000);
    return {
      status: 429,
      text: { content: 'Retry later\n', type: 'text/plain' },
      headers: {
        'ratelimit-name': 'throttle_authenticated_api',
        'ratelimit-limit': String(limit),
        'ratelimit-observed': String(observed),
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(reset),
        'ratelimit-resettime': new Date(reset * 1000).toUTCString(),
        ...(retryAfterSeconds === null
          ? {}
          : { 'retry-after': String(retryAfterSeconds) }),
      },
    };
  }

  /** A write with a `read_api` token, as GitLab's API guard answers it. */
  private insufficientScope(): Answer {
    return {
      status: 403,
      body: {
        error: 'insufficient_scope',
        error_description:
          'The request requires higher privileges than provided by the access token.',
        scope: 'api',
      },
    };
  }

  private faultAnswer(
    status: 400 | 403 | 404 | 409 | 500 | 502 | 503,
    options: RouteOptions,
  ): Answer {
    switch (status) {
      case 400:
        return this.message(400, '400 Bad request');
      case 403:
        return this.message(403, '403 Forbidden');
      case 404:
        return this.message(
          404,
          {
            project: '404 Project Not Found',
            issue: '404 Not found',
            note: '404 Note Not Found',
          }[options.notFound],
        );
      case 409:
        return this.message(409, '409 Conflict');
      case 502:
        return this.badGateway();
      case 503:
        return this.message(503, '503 Service Unavailable');
      default:
        return this.message(500, '500 Internal Server Error');
    }
  }

  private badGateway(): Answer {
    return {
      status: 502,
      text: { content: BAD_GATEWAY_PAGE, type: 'text/html; charset=utf-8' },
    };
  }

  private message(status: number, message: string): Answer {
    return { status, body: { message } };
  }

  /** Grape's parameter errors, joined as Grape joins them. */
  private grapeError(errors: string[]): Answer {
    return { status: 400, body: { error: errors.join(', ') } };
  }

  private respond(answer: Answer, requestId: string): Response {
    const headers: Record<string, string> = {
      'content-type': answer.text?.type ?? 'application/json',
      date: new Date(this.now()).toUTCString(),
      'cache-control':
        answer.status < 400
          ? 'max-age=0, private, must-revalidate'
          : 'no-cache',
      vary: 'Origin, Accept-Encoding',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'x-request-id': requestId,
      'x-gitlab-meta': JSON.stringify({
        correlation_id: requestId,
        version: '1',
      }),
      ...answer.headers,
    };
    return new HttpResponse(
      answer.text ? answer.text.content : JSON.stringify(answer.body),
      {
        status: answer.status,
        statusText: STATUS_TEXT[answer.status] ?? '',
        headers,
      },
    );
  }

  private newIssue(
    project: Project,
    fields: {
      title: string;
      description: string | null;
      confidential: boolean;
      labels: string[];
    },
    author: GitLabUser,
  ): IssueRecord {
    const now = this.now();
    const issue: IssueRecord = {
      id: this.nextIssueId++,
      iid: project.nextIid++,
      project,
      ...fields,
      state: 'opened',
      createdAt: now,
      updatedAt: now,
      updatedById: null,
      closedAt: null,
      closedBy: null,
      milestone: null,
      assignees: [],
      author,
      discussionLocked: null,
      movedToId: null,
      notes: [],
    };
    project.issues.set(issue.iid, issue);
    project.lastActivityAt = now;
    return issue;
  }

  private newNote(
    issue: IssueRecord,
    body: string,
    author: GitLabUser,
    internal: boolean,
    system = false,
  ): GitLabNote {
    const now = iso(this.now());
    const note: GitLabNote = {
      id: this.nextNoteId++,
      type: null,
      body,
      attachment: null,
      author,
      created_at: now,
      updated_at: now,
      system,
      noteable_id: issue.id,
      noteable_type: 'Issue',
      project_id: issue.project.id,
      resolvable: false,
      confidential: internal,
      internal,
      imported: false,
      imported_from: 'none',
      noteable_iid: issue.iid,
      commands_changes: {},
    };
    issue.notes.push(note);
    // A note touches its issue.
    this.touch(issue, this.now());
    return note;
  }

  private systemNote(issue: IssueRecord, body: string): void {
    this.newNote(issue, body, this.human, false, true);
  }

  private setState(
    issue: IssueRecord,
    state: 'opened' | 'closed',
    by: GitLabUser,
    now: number,
  ): void {
    if (issue.state === state) return;
    issue.state = state;
    issue.closedAt = state === 'closed' ? now : null;
    issue.closedBy = state === 'closed' ? by : null;
  }

  /**
   * Every change moves updated_at on, even within one ms of the fake's
   * clock: GitLab's timestamps have microseconds, and `updated_after`
   * must tell changes apart.
   */
  private touch(issue: IssueRecord, now: number, by?: GitLabUser): void {
    issue.updatedAt = Math.max(now, issue.updatedAt + 1);
    if (by) issue.updatedById = by.id;
    issue.project.lastActivityAt = issue.updatedAt;
  }

  private existingNote(issue: IssueRecord, noteId: number): GitLabNote {
    const note = issue.notes.find(candidate => candidate.id === noteId);
    if (!note) {
      throw new Error(
        `FakeGitLab: no note ${noteId} on ${this.reference(issue)}`,
      );
    }
    return note;
  }

  /** The note of the URL on its issue, or GitLab's 404 for it. */
  private onNote(
    ctx: Ctx,
    fn: (issue: IssueRecord, note: GitLabNote) => Answer,
  ): Answer {
    if (!/^\d+$/.test(ctx.params.note_id)) {
      return this.grapeError(['note_id is invalid']);
    }
    return this.onIssue(ctx, 'noteable_id', issue => {
      const note = issue.notes.find(
        candidate => candidate.id === Number(ctx.params.note_id),
      );
      return note ? fn(issue, note) : this.message(404, '404 Note Not Found');
    });
  }

  /** A note's new body, with its hook when the body changed. */
  private editNote(issue: IssueRecord, note: GitLabNote, body: string): void {
    if (note.body === body) return;
    note.body = body;
    note.updated_at = iso(
      Math.max(this.now(), Date.parse(note.updated_at) + 1),
    );
    this.touch(issue, this.now());
    this.noteHook(issue, note, 'update');
  }

  private removeNote(issue: IssueRecord, note: GitLabNote): void {
    issue.notes = issue.notes.filter(candidate => candidate !== note);
    this.touch(issue, this.now());
  }

  /** Closes or reopens, with the hook of the state event. */
  private changeState(
    issue: IssueRecord,
    state: 'opened' | 'closed',
    by: GitLabUser,
  ): void {
    if (issue.state === state) return;
    const before = this.issueHookAttributes(issue);
    const now = this.now();
    this.setState(issue, state, by, now);
    this.touch(issue, now, by);
    const action = state === 'closed' ? 'close' : 'reopen';
    this.issueHook(issue, action, by, before, STATE_ATTRIBUTES);
  }

  /** What an `update` hook reports a change of. */
  private contentOf(issue: IssueRecord): string {
    return JSON.stringify([
      issue.title,
      issue.description,
      [...issue.labels].sort(),
      issue.confidential,
      issue.discussionLocked,
      issue.assignees.map(user => user.id),
      issue.milestone?.id ?? null,
    ]);
  }

  /** `user.hook_attrs`. */
  private userHookAttributes(user: GitLabUser) {
    return {
      id: user.id,
      name: user.name,
      username: user.username,
      avatar_url: user.avatar_url,
      // Users without a public email, as GitLab redacts it.
      email: '[REDACTED]',
    };
  }

  /** `project.hook_attrs`. */
  private projectHookAttributes(project: Project) {
    const segments = project.pathWithNamespace.split('/');
    const webUrl = this.projectWebUrl(project);
    const sshUrl = `git@${new URL(this.host).hostname}:${
      project.pathWithNamespace
    }.git`;
    return {
      id: project.id,
      name: segments[segments.length - 1],
      description: null,
      web_url: webUrl,
      avatar_url: null,
      git_ssh_url: sshUrl,
      git_http_url: `${webUrl}.git`,
      namespace: segments[segments.length - 2],
      visibility_level: { private: 0, internal: 10, public: 20 }[
        project.visibility
      ],
      path_with_namespace: project.pathWithNamespace,
      default_branch: 'main',
      ci_config_path: null,
      homepage: webUrl,
      url: sshUrl,
      ssh_url: sshUrl,
      http_url: `${webUrl}.git`,
    };
  }

  /** `label.hook_attrs` of a project label. */
  private labelHookAttributes(project: Project, title: string) {
    return {
      id: 41_000_000 + stableNumber(`${project.id}/${title}`, 900_000),
      title,
      color: '#6699cc',
      project_id: project.id,
      created_at: hookDate(project.createdAt),
      updated_at: hookDate(project.createdAt),
      template: false,
      description: null,
      type: 'ProjectLabel',
      group_id: null,
    };
  }

  /** `Gitlab::HookData::IssueBuilder#build`. */
  private issueHookAttributes(issue: IssueRecord): Record<string, unknown> {
    const assigneeIds = issue.assignees.map(user => user.id);
    return {
      author_id: issue.author.id,
      closed_at: hookDate(issue.closedAt),
      confidential: issue.confidential,
      created_at: hookDate(issue.createdAt),
      description: issue.description,
      discussion_locked: issue.discussionLocked,
      due_date: null,
      id: issue.id,
      iid: issue.iid,
      last_edited_at: null,
      last_edited_by_id: null,
      milestone_id: issue.milestone?.id ?? null,
      moved_to_id: issue.movedToId,
      duplicated_to_id: null,
      project_id: issue.project.id,
      relative_position: null,
      state_id: issue.state === 'opened' ? 1 : 2,
      time_estimate: 0,
      title: issue.title,
      updated_at: hookDate(issue.updatedAt),
      updated_by_id: issue.updatedById,
      type: 'Issue',
      url: `${this.projectWebUrl(issue.project)}/-/issues/${issue.iid}`,
      total_time_spent: 0,
      time_change: 0,
      human_total_time_spent: null,
      human_time_change: null,
      human_time_estimate: null,
      assignee_ids: assigneeIds,
      assignee_id: assigneeIds[0] ?? null,
      labels: [...issue.labels]
        .sort()
        .map(title => this.labelHookAttributes(issue.project, title)),
      state: issue.state,
      severity: 'unknown',
      customer_relations_contacts: [],
    };
  }

  /**
   * An Issue Hook (`Confidential Issue Hook` for a confidential issue),
   * with `changes` of the `attributes` that differ from `before`.
   */
  private issueHook(
    issue: IssueRecord,
    action: 'open' | 'close' | 'reopen' | 'update',
    by: GitLabUser,
    before: Record<string, unknown>,
    attributes?: string[],
  ): void {
    const now = this.issueHookAttributes(issue);
    const changes = Object.fromEntries(
      (attributes ?? Object.keys(now))
        .filter(
          name =>
            JSON.stringify(before[name] ?? null) !==
            JSON.stringify(now[name] ?? null),
        )
        .map(name => [
          name,
          { previous: before[name] ?? null, current: now[name] },
        ]),
    );
    const project = this.projectHookAttributes(issue.project);
    this.fire(issue.confidential ? 'Confidential Issue Hook' : 'Issue Hook', {
      object_kind: 'issue',
      event_type: issue.confidential ? 'confidential_issue' : 'issue',
      user: this.userHookAttributes(by),
      project,
      object_attributes: { ...now, action },
      labels: now.labels,
      changes,
      repository: {
        name: project.name,
        url: project.url,
        description: project.description,
        homepage: project.homepage,
      },
      ...(issue.assignees.length
        ? {
            assignees: issue.assignees.map(user =>
              this.userHookAttributes(user),
            ),
          }
        : {}),
    });
  }

  /**
   * `Gitlab::DataBuilder::Note.build(note, note.author, action)`: a Note
   * Hook, or `Confidential Note Hook` for an internal note or one on a
   * confidential issue.
   */
  private noteHook(
    issue: IssueRecord,
    note: GitLabNote,
    action: 'create' | 'update',
  ): void {
    const confidential = note.internal || issue.confidential;
    const project = this.projectHookAttributes(issue.project);
    const edited = note.updated_at !== note.created_at;
    this.fire(confidential ? 'Confidential Note Hook' : 'Note Hook', {
      object_kind: 'note',
      event_type: confidential ? 'confidential_note' : 'note',
      user: this.userHookAttributes(note.author),
      project_id: issue.project.id,
      project,
      object_attributes: {
        attachment: null,
        author_id: note.author.id,
        change_position: null,
        commit_id: null,
        created_at: hookDate(Date.parse(note.created_at)),
        discussion_id: createHash('sha1')
          .update(`note-${note.id}`)
          .digest('hex'),
        id: note.id,
        line_code: null,
        note: note.body,
        noteable_id: issue.id,
        noteable_type: 'Issue',
        original_position: null,
        position: null,
        project_id: issue.project.id,
        resolved_at: null,
        resolved_by_id: null,
        resolved_by_push: null,
        st_diff: null,
        system: note.system,
        type: null,
        updated_at: hookDate(Date.parse(note.updated_at)),
        updated_by_id: edited ? note.author.id : null,
        internal: note.internal,
        confidential: note.internal,
        description: note.body,
        url: `${this.projectWebUrl(issue.project)}/-/issues/${issue.iid}#note_${
          note.id
        }`,
        action,
      },
      repository: {
        name: project.name,
        url: project.url,
        description: project.description,
        homepage: project.homepage,
      },
      issue: this.issueHookAttributes(issue),
    });
  }

  /** A hook fired now, with GitLab's delivery headers; sent by `sendFiredHooks`. */
  private fire(event: string, payload: unknown): void {
    if (!this.webhooks) return;
    this.firedHooks.push({
      headers: {
        'content-type': 'application/json',
        'user-agent': WEBHOOK_USER_AGENT,
        'idempotency-key': randomUUID(),
        'x-gitlab-event': event,
        'x-gitlab-event-uuid': randomUUID(),
        'x-gitlab-instance': this.host,
        'x-gitlab-token': this.webhooks.secret,
        'x-gitlab-webhook-uuid': randomUUID(),
      },
      body: JSON.stringify(payload),
    });
  }

  /**
   * Sends the hooks fired so far, after those of earlier calls, and
   * resolves when they are delivered. A request that a receiver makes
   * while it handles a delivery (GitLab sends hooks from a background job,
   * so the receiver may call its API) does not wait: its hooks follow the
   * one being handled.
   */
  private sendFiredHooks(): Promise<void> {
    const fired = this.firedHooks.splice(0);
    if (fired.length === 0) return Promise.resolve();
    this.outbox = this.outbox.then(async () => {
      for (const delivery of fired) {
        try {
          await this.delivering.run(true, async () =>
            this.webhooks?.deliver(delivery),
          );
        } catch (error) {
          this.webhookErrors.push(error);
        }
      }
    });
    return this.delivering.getStore() ? Promise.resolve() : this.outbox;
  }

  /** Label titles for an issue; titles the project lacks become project labels. */
  private labelsFor(project: Project, titles: string[]): string[] {
    const unique = [
      ...new Set(titles.map(title => title.trim()).filter(Boolean)),
    ];
    unique.forEach(title => project.labels.add(title));
    return unique;
  }

  private milestoneFor(project: Project, title: string): GitLabMilestone {
    const found = project.milestones.find(m => m.title === title);
    if (found) return found;
    const iid = project.milestones.length + 1;
    const now = iso(this.now());
    const milestone: GitLabMilestone = {
      id: this.nextMilestoneId++,
      iid,
      project_id: project.id,
      title,
      description: null,
      state: 'active',
      created_at: now,
      updated_at: now,
      due_date: null,
      start_date: null,
      expired: false,
      web_url: `${this.projectWebUrl(project)}/-/milestones/${iid}`,
    };
    project.milestones.push(milestone);
    return milestone;
  }

  /** GitLab's `API::Entities::Issue` of the record, as `viewer` sees it. */
  private present(
    issue: IssueRecord,
    viewer: GitLabUser | undefined,
    inList = false,
  ): GitLabIssue {
    const project = issue.project;
    const self = `${this.apiBaseUrl}/projects/${project.id}/issues/${issue.iid}`;
    const tasks = taskList(issue.description);
    const subscribed =
      viewer !== undefined &&
      (issue.author.id === viewer.id ||
        issue.assignees.some(user => user.id === viewer.id) ||
        issue.notes.some(note => note.author.id === viewer.id));
    const entity: GitLabIssue = {
      id: issue.id,
      iid: issue.iid,
      project_id: project.id,
      title: issue.title,
      description: issue.description,
      state: issue.state,
      created_at: iso(issue.createdAt),
      updated_at: iso(issue.updatedAt),
      closed_at: isoOrNull(issue.closedAt),
      closed_by: issue.closedBy,
      labels: [...issue.labels].sort(),
      milestone: issue.milestone,
      assignees: issue.assignees,
      author: issue.author,
      type: 'ISSUE',
      assignee: issue.assignees[0] ?? null,
      user_notes_count: issue.notes.filter(note => !note.system).length,
      merge_requests_count: 0,
      upvotes: 0,
      downvotes: 0,
      due_date: null,
      confidential: issue.confidential,
      discussion_locked: issue.discussionLocked,
      issue_type: 'issue',
      web_url: `${this.projectWebUrl(project)}/-/issues/${issue.iid}`,
      time_stats: {
        time_estimate: 0,
        total_time_spent: 0,
        human_time_estimate: null,
        human_total_time_spent: null,
      },
      task_completion_status: tasks,
      blocking_issues_count: 0,
      has_tasks: tasks.count > 0,
      ...(tasks.count > 0
        ? {
            task_status: `${tasks.completed_count} of ${
              tasks.count
            } checklist item${tasks.count === 1 ? '' : 's'} completed`,
          }
        : {}),
      _links: {
        self,
        notes: `${self}/notes`,
        award_emoji: `${self}/award_emoji`,
        project: `${this.apiBaseUrl}/projects/${project.id}`,
        closed_as_duplicate_of: null,
      },
      references: {
        short: `#${issue.iid}`,
        relative: `#${issue.iid}`,
        full: `${project.pathWithNamespace}#${issue.iid}`,
      },
      severity: 'UNKNOWN',
      ...(inList ? {} : { subscribed }),
      moved_to_id: issue.movedToId,
      imported: false,
      imported_from: 'none',
      service_desk_reply_to: null,
    };
    return structuredClone(entity);
  }

  private presentProject(project: Project): GitLabProject {
    const segments = project.pathWithNamespace.split('/');
    const path = segments[segments.length - 1];
    const namespacePath = segments.slice(0, -1).join('/');
    const webUrl = this.projectWebUrl(project);
    const api = `${this.apiBaseUrl}/projects/${project.id}`;
    return {
      id: project.id,
      description: null,
      name: path,
      name_with_namespace: segments.join(' / '),
      path,
      path_with_namespace: project.pathWithNamespace,
      created_at: iso(project.createdAt),
      default_branch: 'main',
      tag_list: [],
      topics: [],
      ssh_url_to_repo: `git@${new URL(this.host).hostname}:${
        project.pathWithNamespace
      }.git`,
      http_url_to_repo: `${webUrl}.git`,
      web_url: webUrl,
      readme_url: `${webUrl}/-/blob/main/README.md`,
      forks_count: 0,
      avatar_url: null,
      star_count: 0,
      last_activity_at: iso(project.lastActivityAt),
      namespace: this.namespace(namespacePath),
      _links: {
        self: api,
        issues: `${api}/issues`,
        merge_requests: `${api}/merge_requests`,
        repo_branches: `${api}/repository/branches`,
        labels: `${api}/labels`,
        events: `${api}/events`,
        members: `${api}/members`,
        cluster_agents: `${api}/cluster_agents`,
      },
      empty_repo: false,
      archived: false,
      visibility: project.visibility,
      issues_enabled: true,
      merge_requests_enabled: true,
      wiki_enabled: true,
      jobs_enabled: true,
      snippets_enabled: true,
      issues_access_level: 'enabled',
      service_desk_enabled: false,
      open_issues_count: [...project.issues.values()].filter(
        issue => issue.state === 'opened',
      ).length,
      creator_id: this.human.id,
      import_status: 'none',
      updated_at: iso(project.lastActivityAt),
      permissions: {
        project_access: {
          access_level: DEVELOPER_ACCESS,
          notification_level: 3,
        },
        group_access: null,
      },
    };
  }

  private namespace(fullPath: string): GitLabNamespace {
    const segments = fullPath.split('/');
    const parent = segments.slice(0, -1).join('/');
    return {
      id: 9_000_000 + stableNumber(fullPath, 900_000),
      name: segments[segments.length - 1],
      path: segments[segments.length - 1],
      kind: 'group',
      full_path: fullPath,
      parent_id: parent ? 9_000_000 + stableNumber(parent, 900_000) : null,
      avatar_url: null,
      web_url: `${this.host}/groups/${fullPath}`,
    };
  }

  /** How an issue of another project is referenced from `from`, e.g. in a system note. */
  private reference(issue: IssueRecord, from?: Project): string {
    const target = issue.project.pathWithNamespace;
    if (from === issue.project) return `#${issue.iid}`;
    const namespace = (path: string) => path.split('/').slice(0, -1).join('/');
    // Within one namespace GitLab writes the project's path only.
    if (from && namespace(from.pathWithNamespace) === namespace(target)) {
      return `${target.split('/').pop()}#${issue.iid}`;
    }
    return `${target}#${issue.iid}`;
  }

  private viewer(ctx: Ctx): GitLabUser | undefined {
    return ctx.caller.kind === 'user' ? ctx.caller.user : undefined;
  }

  private userNamed(username: string, name?: string): GitLabUser {
    let user = this.users.get(username);
    if (!user) {
      const hash = createHash('sha256')
        .update(`${username}@acme.example`)
        .digest('hex');
      user = {
        id: 20_000_000 + stableNumber(username, 9_000_000),
        username,
        name:
          name ??
          username
            .split(/[._-]/)
            .map(part => part.charAt(0).toUpperCase() + part.slice(1))
            .join(' '),
        state: 'active',
        locked: false,
        avatar_url: `https://secure.gravatar.com/avatar/${hash}?s=80&d=identicon`,
        web_url: `${this.host}/${username}`,
      };
      this.users.set(username, user);
    }
    return user;
  }

  private projectWebUrl(project: Project): string {
    return `${this.host}/${project.pathWithNamespace}`;
  }

  /** By numeric id, or by full path (case-insensitive, as GitLab's routes are). */
  private findProject(ref: string | number): Project | undefined {
    const text = String(ref);
    if (/^\d+$/.test(text)) {
      return this.projects.find(project => project.id === Number(text));
    }
    return this.projects.find(
      project => project.pathWithNamespace.toLowerCase() === text.toLowerCase(),
    );
  }

  private projectOf(ref: string | number): Project {
    const project = this.findProject(ref);
    if (!project) {
      throw new Error(`FakeGitLab: no project ${ref}; addProject it first`);
    }
    return project;
  }

  private existing(project: Project, iid: number): IssueRecord {
    const issue = project.issues.get(iid);
    if (!issue) {
      throw new Error(
        `FakeGitLab: no issue ${project.pathWithNamespace}#${iid}`,
      );
    }
    return issue;
  }

  /** Like gitlab.com's X-Request-Id: a ULID, e.g. 01JEB2T4S9Q7W1X3Z5C8V0N2M4. */
  private requestId(): string {
    const n = ++this.requests;
    const encode = (value: number, width: number) => {
      let out = '';
      let rest = Math.floor(value);
      for (let i = 0; i < width; i++) {
        out = CROCKFORD[rest % 32] + out;
        rest = Math.floor(rest / 32);
      }
      return out;
    };
    return (
      encode(this.now(), 10) +
      encode((n * 2_654_435_761) % 2 ** 40, 8) +
      encode((n * 40_503 + 12_345) % 2 ** 40, 8)
    );
  }
}
