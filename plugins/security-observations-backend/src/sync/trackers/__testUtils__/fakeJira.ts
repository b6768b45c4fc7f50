import { createHash, createHmac, randomUUID } from 'node:crypto';
import { delay, http, HttpResponse, RequestHandler } from 'msw';
import {
  FakeCall,
  FaultMatch,
  FaultQueue,
  SlidingWindowLimit,
} from './fakeTrackerParts';

/*
 * A stateful fake of Jira's REST API for issues, as msw 2 handlers, for the
 * tracker-sync tests. One class serves both deployments:
 *
 * - Jira Cloud: /rest/api/3 with Atlassian Document Format rich text, and
 *   /rest/api/2 with wiki markup (jira.js sends a string description or
 *   comment there), Basic email:apiToken auth, users with accountId, the
 *   enhanced search /search/jql with nextPageToken, the old /search gone (410).
 * - Jira Data Center: /rest/api/2 only, wiki markup, Bearer personal access
 *   tokens, users with name and key, /search with startAt and total.
 *
 * Shapes, statuses, headers and error bodies are Jira's
 * ({"errorMessages":[],"errors":{"<field>":"<message>"}}); where Jira's
 * exact wording was not known the fake says so next to the message.
 *
 * Webhooks: with `sendWebhooks`, every change (the API's and a person's)
 * sends the delivery an admin webhook with a secret would send:
 * jira:issue_created, jira:issue_updated (with its changelog),
 * jira:issue_deleted, comment_created, comment_updated, comment_deleted,
 * signed in X-Hub-Signature. Issues keep their changelog (`expand=changelog`).
 */

export type JiraDeployment = 'cloud' | 'datacenter';
export type JiraStatusCategory = 'new' | 'indeterminate' | 'done';

/**
 * An Atlassian Document Format document, as Cloud's v3 sends and takes rich
 * text (a type, not an interface, so that it fits jira.js's `Document`).
 */
export type AdfDocument = {
  type: 'doc';
  version: 1;
  content: Array<Record<string, unknown>>;
};

export interface JiraWorkflowStatus {
  /** Jira's status id; default one per status name, shared by all projects. */
  id?: string;
  name: string;
  category: JiraStatusCategory;
  /**
   * False for a status with the property `jira.issue.editable = false`
   * (common on Done and Closed in classic workflows): every field refuses
   * edits there, as on a screen that lacks them.
   */
  editable?: boolean;
}

/** A field on a transition's screen. */
export interface JiraTransitionField {
  required: boolean;
  /** For `resolution`: the names it accepts (default all resolutions). */
  allowedValues?: string[];
}

export interface JiraWorkflowTransition {
  id: string;
  name: string;
  /** Name of the status it moves to. */
  to: string;
  /** Names of the statuses it starts from, or 'any' for a global transition. */
  from: string[] | 'any';
  /** The transition's screen: `resolution` or custom field ids of the project. */
  fields?: Record<string, JiraTransitionField>;
  /**
   * The resolution a post function sets when this moves into a done status
   * and the request names none; without one the issue stays unresolved,
   * as in a company-managed project without that post function.
   */
  defaultResolution?: string;
}

export interface JiraWorkflow {
  /** The first status is where new issues start. */
  statuses: JiraWorkflowStatus[];
  transitions: JiraWorkflowTransition[];
}

const RESOLUTION_NAMES = ['Done', "Won't Do", 'Duplicate', 'Cannot Reproduce'];

/**
 * To Do → In Progress → In Review; Done, Won't Do and False positive (all
 * in the Done category) from anywhere; Reopen back to To Do.
 */
export const standardWorkflow: JiraWorkflow = {
  statuses: [
    { name: 'To Do', category: 'new' },
    { name: 'In Progress', category: 'indeterminate' },
    { name: 'In Review', category: 'indeterminate' },
    { name: 'Done', category: 'done' },
    { name: "Won't Do", category: 'done' },
    { name: 'False positive', category: 'done' },
  ],
  transitions: [
    { id: '11', name: 'Start progress', from: ['To Do'], to: 'In Progress' },
    { id: '21', name: 'Review', from: ['In Progress'], to: 'In Review' },
    {
      id: '31',
      name: 'Done',
      from: 'any',
      to: 'Done',
      defaultResolution: 'Done',
    },
    {
      id: '41',
      name: "Won't do",
      from: 'any',
      to: "Won't Do",
      fields: {
        resolution: {
          required: true,
          allowedValues: ["Won't Do", 'Duplicate', 'Cannot Reproduce'],
        },
      },
    },
    {
      id: '51',
      name: 'Reopen',
      from: ['Done', "Won't Do", 'False positive'],
      to: 'To Do',
    },
    // A security team's status: Jira has no such resolution, so a post
    // function sets Won't Do.
    {
      id: '61',
      name: 'False positive',
      from: 'any',
      to: 'False positive',
      defaultResolution: "Won't Do",
    },
  ],
};

/** Like the standard workflow, but Done has a screen that requires a resolution. */
export const resolutionOnDoneWorkflow: JiraWorkflow = {
  statuses: standardWorkflow.statuses,
  transitions: standardWorkflow.transitions.map(transition =>
    transition.id === '31'
      ? {
          id: '31',
          name: 'Done',
          from: 'any',
          to: 'Done',
          fields: { resolution: { required: true } },
        }
      : transition,
  ),
};

/** Like the standard workflow, but closed issues cannot be edited. */
export const lockedWhenDoneWorkflow: JiraWorkflow = {
  statuses: standardWorkflow.statuses.map(status =>
    status.category === 'done' ? { ...status, editable: false } : status,
  ),
  transitions: standardWorkflow.transitions,
};

/** To Do ↔ In Progress only: no done status can be reached. */
export const noPathToDoneWorkflow: JiraWorkflow = {
  statuses: [
    { name: 'To Do', category: 'new' },
    { name: 'In Progress', category: 'indeterminate' },
  ],
  transitions: [
    { id: '11', name: 'Start progress', from: ['To Do'], to: 'In Progress' },
    { id: '21', name: 'Stop progress', from: ['In Progress'], to: 'To Do' },
  ],
};

export type JiraCustomFieldType =
  | 'string'
  | 'option'
  | 'options'
  | 'user'
  | 'number'
  | 'labels';

export interface JiraCustomField {
  /** e.g. customfield_10010 */
  id: string;
  name: string;
  type: JiraCustomFieldType;
  /** Values of an option or options field. */
  options?: string[];
  requiredOnCreate?: boolean;
}

export interface JiraProjectConfig {
  key: string;
  name?: string;
  /** Default Bug, Task, Story. */
  issueTypes?: string[];
  components?: string[];
  /** Default standardWorkflow. */
  workflow?: JiraWorkflow;
  fields?: JiraCustomField[];
  /** Whether the credentials may administer the project (create components, notifyUsers=false). Default true. */
  canAdminister?: boolean;
}

export interface FakeJiraOptions {
  deployment: JiraDeployment;
  /** Default https://acme-corp.atlassian.net (cloud) or https://jira.acme.example (datacenter). */
  baseUrl?: string;
  /** Cloud: accepted email and API token pairs; default jira-bot@acme.example / jira-test-token. */
  credentials?: Array<{ email: string; apiToken: string }>;
  /** Data Center: accepted personal access tokens; default ['jira-dc-test-pat']. */
  tokens?: string[];
  /** Delay before every answer. */
  latencyMs?: number;
  /** Clock (ms) for timestamps, limit windows and search lag. */
  now?: () => number;
  /**
   * Search index lag: what was created or changed less than this long ago
   * is not yet found by search (created ones are missing, changed ones show
   * their old state). Cloud's reconcileIssues reads those ids live.
   */
  searchLagMs?: number;
  /**
   * The most changelog entries Jira embeds in an answer to
   * `expand=changelog`: Cloud's searches and issue reads, Data Center's
   * searches (its issue read embeds them all). `total` still counts all
   * of them. The newest are kept, as Atlassian's community reports of
   * Cloud say (the docs say only that the changelog is capped); Cloud's
   * `GET /issue/{key}/changelog` pages through all. Default: no cap.
   */
  changelogLimit?: number;
  /** Burst limits on writes, in sliding windows of `secondMs` (default 1000). */
  limits?: {
    /** Per endpoint and method (RateLimit-Reason jira-burst-based). */
    writesPerSecond?: number;
    /** Issue creation (jira-burst-based). */
    createsPerSecond?: number;
    /** Writes to one issue (jira-per-issue-on-write). */
    perIssueWritesPerSecond?: number;
    secondMs?: number;
  };
  /** People besides the API user, for user fields and a person's edits. */
  users?: Array<{
    name: string;
    displayName: string;
    accountId?: string;
    emailAddress?: string;
  }>;
}

/** What the next matching request(s) get instead of the normal answer. */
export type JiraFault =
  /** Jira's error body for the status (or `body`); with afterApplying the change is made first. */
  | {
      status: 400 | 404 | 500 | 502 | 503;
      afterApplying?: boolean;
      body?: unknown;
    }
  /** A burst-limit 429, with Retry-After unless it is null; nothing changes. */
  | { rateLimit429: true; retryAfterSeconds: number | null }
  /** A transient 503, with Retry-After unless it is null; nothing changes. */
  | { unavailable503: true; retryAfterSeconds: number | null }
  /** Waits, then the real answer when afterApplying, else a 504 with nothing changed. */
  | { hangMs: number; afterApplying?: boolean };

/** A person's edit in Jira's UI. */
export interface JiraIssueEdit {
  labels?: string[];
  /** accountId (cloud) or name (datacenter); null unassigns. */
  assignee?: string | null;
  /** A priority name. */
  priority?: string;
  summary?: string;
}

/** An issue as the tests read it: names instead of Jira's objects. */
export interface FakeJiraIssue {
  id: string;
  key: string;
  projectKey: string;
  issueType: string;
  summary: string;
  /** ADF (cloud) or wiki markup (datacenter). */
  description: AdfDocument | string | null;
  labels: string[];
  status: string;
  statusCategory: JiraStatusCategory;
  priority: string | null;
  components: string[];
  /** accountId (cloud) or name (datacenter). */
  assignee: string | null;
  reporter: string;
  resolution: string | null;
  resolutiondate: string | null;
  created: string;
  updated: string;
  /** By field id: text, number, option value(s), user accountId or name, labels. */
  customFields: Record<string, string | number | string[] | null>;
  comments: FakeJiraComment[];
}

export interface FakeJiraComment {
  id: string;
  /** accountId (cloud) or name (datacenter). */
  author: string;
  body: AdfDocument | string;
  created: string;
  updated: string;
  visibility?: JiraCommentVisibility;
}

/** Who may read a comment: a project role or a group, as Jira's editor restricts it. */
export interface JiraCommentVisibility {
  type: 'role' | 'group';
  /** The role's or the group's name, e.g. Administrators, jira-security. */
  value: string;
}

/** A person known to the fake. */
export interface FakeJiraUser {
  accountId: string;
  name: string;
  key: string;
  displayName: string;
  emailAddress: string;
}

/**
 * The person who acts in Jira's UI unless a test names another; the
 * account id is the one Atlassian's documentation shows.
 */
export const JIRA_PERSON = {
  name: 'jane.doe',
  displayName: 'Jane Doe',
  accountId: '5b10a2844c20165700ede21g',
  emailAddress: 'jane.doe@acme.example',
};

/** A webhook delivery as Jira posts it: lower-cased headers and the raw body. */
export interface JiraWebhookDelivery {
  headers: Record<string, string>;
  body: string;
}

/** Where the fake posts its webhook deliveries. */
export type JiraWebhookReceiver = (
  delivery: JiraWebhookDelivery,
) => Promise<void>;

type Rich = AdfDocument | string;
type CustomValue = string | number | string[] | null;

interface FieldDefinition {
  id: string;
  name: string;
  type: JiraCustomFieldType;
  customId: number;
  options: Array<{ id: string; value: string }>;
}

interface StatusRecord {
  id: string;
  name: string;
  category: JiraStatusCategory;
}

interface ComponentRecord {
  id: string;
  name: string;
  description?: string;
}

interface ProjectRecord {
  id: string;
  key: string;
  name: string;
  issueTypeIds: string[];
  components: ComponentRecord[];
  workflow: JiraWorkflow;
  fieldIds: string[];
  requiredOnCreate: Set<string>;
  canAdminister: boolean;
  /** The credentials lost access: Jira answers as if it did not exist. */
  hidden: boolean;
  nextNumber: number;
}

interface CommentRecord {
  id: string;
  authorId: string;
  updateAuthorId: string;
  body: Rich;
  created: number;
  updated: number;
  visibility?: JiraCommentVisibility;
}

/** A change item of the changelog, as Jira lists it. */
interface ChangeItem {
  field: string;
  fieldtype: 'jira' | 'custom';
  /** Cloud names the field's id too. */
  fieldId?: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

/** One entry of an issue's changelog: who changed what, when. */
interface HistoryRecord {
  id: string;
  authorId: string;
  created: number;
  items: ChangeItem[];
}

/** Plain data, so that structuredClone makes the snapshots search reads. */
interface IssueState {
  id: string;
  key: string;
  projectKey: string;
  number: number;
  issueTypeId: string;
  summary: string;
  description: Rich | null;
  labels: string[];
  priorityId: string;
  componentIds: string[];
  status: string;
  resolutionId: string | null;
  resolutiondate: number | null;
  assigneeId: string | null;
  reporterId: string;
  created: number;
  updated: number;
  custom: Record<string, CustomValue>;
  comments: CommentRecord[];
  /** The changelog, oldest first. */
  histories: HistoryRecord[];
}

interface IssueEntry {
  /** null once deleted. */
  live: IssueState | null;
  /** What the search index holds, oldest first (only kept with a search lag). */
  indexed: Array<{ at: number; state: IssueState | null }>;
}

interface ApiVersion {
  version: '2' | '3';
  /** e.g. https://acme-corp.atlassian.net/rest/api/3 */
  root: string;
  /** Rich text is ADF (cloud v3) rather than wiki markup. */
  adf: boolean;
}

interface Ctx {
  url: URL;
  params: Record<string, string>;
  body: any;
  caller: UserRecord;
  api: ApiVersion;
}

interface Answer {
  status: number;
  body?: unknown;
  /** A non-JSON body. */
  text?: string;
  headers?: Record<string, string>;
}

interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Below /rest/api/{version}/, with msw :params. */
  path: string;
  /** Writes count against the burst limits; 'issue' writes also per issue. */
  write?: 'create' | 'issue' | 'other';
  run: (ctx: Ctx) => Answer | Promise<Answer>;
}

type UserRecord = FakeJiraUser & { timeZone: string };

type Errors = Record<string, string>;
/** A value read from a request, or Jira's error message for it. */
type Parsed<T> = { value: T } | { error: string };

const TEXT_LIMIT = 32_767;
const SUMMARY_LIMIT = 255;
const NO_ISSUE =
  'Issue does not exist or you do not have permission to see it.';
const NOT_AUTHENTICATED =
  'You are not authenticated. Authentication required to perform this operation.';
const SEARCH_GONE =
  'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046';
const NOT_ADF =
  'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
const TOO_LONG = `The entered text is too long. It exceeds the allowed limit of ${TEXT_LIMIT.toLocaleString(
  'en-US',
)} characters.`;

/** Jira's status categories (ids 2, 4, 3 as on every site). */
const CATEGORIES: Record<
  JiraStatusCategory,
  { id: number; name: string; colorName: string }
> = {
  new: { id: 2, name: 'To Do', colorName: 'blue-gray' },
  indeterminate: { id: 4, name: 'In Progress', colorName: 'yellow' },
  done: { id: 3, name: 'Done', colorName: 'green' },
};

const PRIORITIES: Array<{ id: string; name: string; color: string }> = [
  { id: '1', name: 'Highest', color: '#d04437' },
  { id: '2', name: 'High', color: '#f15C75' },
  { id: '3', name: 'Medium', color: '#f79232' },
  { id: '4', name: 'Low', color: '#707070' },
  { id: '5', name: 'Lowest', color: '#999999' },
];
const DEFAULT_PRIORITY_ID = '3';

const RESOLUTIONS = RESOLUTION_NAMES.map((name, index) => ({
  id: String(10000 + index),
  name,
  description: {
    Done: 'Work has been completed on this issue.',
    "Won't Do": 'This issue won\u2019t be actioned.',
    Duplicate: 'The problem is a duplicate of an existing issue.',
    'Cannot Reproduce': 'This issue could not be reproduced at this time.',
  }[name]!,
}));

const CUSTOM_TYPES: Record<
  JiraCustomFieldType,
  { type: string; items?: string; custom: string; searcher: string }
> = {
  string: { type: 'string', custom: 'textfield', searcher: 'Short text' },
  option: { type: 'option', custom: 'select', searcher: 'Select List' },
  options: {
    type: 'array',
    items: 'option',
    custom: 'multiselect',
    searcher: 'Multi Select',
  },
  user: { type: 'user', custom: 'userpicker', searcher: 'User Picker' },
  number: { type: 'number', custom: 'float', searcher: 'Number' },
  labels: {
    type: 'array',
    items: 'string',
    custom: 'labels',
    searcher: 'Labels',
  },
};

interface SystemField {
  id: string;
  name: string;
  schema?: { type: string; items?: string; system: string };
  clauseNames: string[];
  orderable: boolean;
  navigable: boolean;
  searchable: boolean;
}

/**
 * The system fields the fake serves, as Jira's /field lists them: id, name,
 * schema type (and item type), JQL clause names, and whether the field is
 * o(rderable), n(avigable) and s(earchable).
 */
const SYSTEM_FIELDS: SystemField[] = (
  [
    ['issuekey', 'Key', '', 'id issue issuekey key', 'n'],
    ['summary', 'Summary', 'string', 'summary', 'ons'],
    ['description', 'Description', 'string', 'description', 'ons'],
    ['issuetype', 'Issue Type', 'issuetype', 'issuetype type', 'ons'],
    ['project', 'Project', 'project', 'project', 'ns'],
    ['status', 'Status', 'status', 'status', 'ns'],
    [
      'statusCategory',
      'Status Category',
      'statusCategory',
      'statusCategory',
      'ns',
    ],
    ['labels', 'Labels', 'array string', 'labels', 'ons'],
    ['priority', 'Priority', 'priority', 'priority', 'ons'],
    ['components', 'Components', 'array component', 'component', 'ons'],
    ['assignee', 'Assignee', 'user', 'assignee', 'ons'],
    ['reporter', 'Reporter', 'user', 'reporter', 'ons'],
    ['resolution', 'Resolution', 'resolution', 'resolution', 'ons'],
    ['resolutiondate', 'Resolved', 'datetime', 'resolutiondate resolved', 'ns'],
    ['created', 'Created', 'datetime', 'created createdDate', 'ns'],
    ['updated', 'Updated', 'datetime', 'updated updatedDate', 'ns'],
    ['comment', 'Comment', 'comments-page', 'comment', 'os'],
  ] as const
).map(([id, name, schema, clauseNames, flags]) => {
  const [type, items] = schema.split(' ');
  return {
    id,
    name,
    ...(type
      ? { schema: { type, ...(items ? { items } : {}), system: id } }
      : {}),
    clauseNames: clauseNames.split(' '),
    orderable: flags.includes('o'),
    navigable: flags.includes('n'),
    searchable: flags.includes('s'),
  };
});

/** Fields an edit may set besides the project's custom fields. */
const SETTABLE = new Set([
  'summary',
  'description',
  'labels',
  'priority',
  'components',
  'assignee',
  'reporter',
  'issuetype',
]);
const ARRAY_FIELDS = new Set(['labels', 'components']);

/** Jira's timestamps: 2026-12-01T10:00:00.000+0000. */
const jiraTime = (ms: number) =>
  new Date(ms).toISOString().replace('Z', '+0000');
const isObject = (value: unknown): value is Record<string, any> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const hex = (text: string, length: number) =>
  createHash('sha256').update(text).digest('hex').slice(0, length);
const jiraErrors = (errorMessages: string[], errors: Errors = {}): Answer => ({
  status: 400,
  body: { errorMessages, errors },
});

const INVALID_JSON = Symbol('invalid JSON');

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return INVALID_JSON;
  }
}

export function isAdfDocument(value: unknown): value is AdfDocument {
  return (
    isObject(value) &&
    value.type === 'doc' &&
    value.version === 1 &&
    Array.isArray(value.content)
  );
}

/**
 * Wiki markup as Cloud keeps it when it arrives through v2: one paragraph
 * per blank-line separated block. Jira also parses the markup; the fake keeps
 * the text as it is.
 */
export function adfFromWiki(text: string): AdfDocument {
  const blocks = text.split(/\n{2,}/).filter(block => block.length > 0);
  return {
    type: 'doc',
    version: 1,
    content: blocks.map(block => ({
      type: 'paragraph',
      content: block
        .split('\n')
        .flatMap((line, index) => [
          ...(index > 0 ? [{ type: 'hardBreak' }] : []),
          ...(line ? [{ type: 'text', text: line }] : []),
        ]),
    })),
  };
}

/** The text of a document: blocks separated by a blank line. */
export function adfText(document: AdfDocument): string {
  const inline = (node: Record<string, any>): string => {
    if (node.type === 'text') return String(node.text ?? '');
    if (node.type === 'hardBreak') return '\n';
    return Array.isArray(node.content) ? node.content.map(inline).join('') : '';
  };
  return document.content.map(inline).join('\n\n');
}

export class FakeJira {
  readonly baseUrl: string;
  readonly deployment: JiraDeployment;
  /** Every answered request, in the order of the answers. */
  readonly calls: FakeCall[] = [];
  /** 429 answers: enforced limits and injected ones. */
  limitHits = 0;
  /** Pass to `setupServer(...fake.handlers)` or `server.use(...)`. */
  readonly handlers: RequestHandler[];

  private readonly now: () => number;
  private readonly cloud: boolean;
  private readonly searchLagMs: number;
  private readonly faults = new FaultQueue<JiraFault>();
  private readonly limitWindows = new Map<string, SlidingWindowLimit>();
  private readonly basicCredentials = new Map<string, UserRecord>();
  private readonly tokens = new Map<string, UserRecord>();
  private readonly users: UserRecord[] = [];
  private readonly projects: ProjectRecord[] = [];
  private readonly statuses = new Map<string, StatusRecord>();
  private readonly issueTypes = new Map<string, string>();
  private readonly fieldDefinitions = new Map<string, FieldDefinition>();
  private readonly entries = new Map<string, IssueEntry>();
  private readonly idsByKey = new Map<string, string>();
  private nextId = 10000;
  private requests = 0;
  private webhook: { secret: string; receive: JiraWebhookReceiver } | undefined;
  /** Deliveries go out one after the other, in the order of the changes. */
  private deliveries: Promise<void> = Promise.resolve();
  private emitted = 0;
  /** Deliveries whose receiver threw (Jira would retry them later). */
  readonly failedDeliveries: Array<{
    delivery: JiraWebhookDelivery;
    error: unknown;
  }> = [];

  constructor(private readonly options: FakeJiraOptions) {
    this.deployment = options.deployment;
    this.cloud = options.deployment === 'cloud';
    this.baseUrl = (
      options.baseUrl ??
      (this.cloud
        ? 'https://acme-corp.atlassian.net'
        : 'https://jira.acme.example')
    ).replace(/\/+$/, '');
    this.now = options.now ?? Date.now;
    this.searchLagMs = options.searchLagMs ?? 0;

    if (this.cloud) {
      for (const { email, apiToken } of options.credentials ?? [
        { email: 'jira-bot@acme.example', apiToken: 'jira-test-token' },
      ]) {
        const user = this.addUser({
          name: email.split('@')[0],
          displayName: 'Security Sync Bot',
          emailAddress: email,
        });
        this.basicCredentials.set(
          Buffer.from(`${email}:${apiToken}`).toString('base64'),
          user,
        );
      }
    } else {
      const bot = this.addUser({
        name: 'svc-security-sync',
        displayName: 'Security Sync Bot',
        emailAddress: 'svc-security-sync@acme.example',
      });
      for (const token of options.tokens ?? ['jira-dc-test-pat']) {
        this.tokens.set(token, bot);
      }
    }
    this.addUser({
      name: 'jane.appsec',
      displayName: 'Jane AppSec',
      emailAddress: 'jane.appsec@acme.example',
    });
    this.addUser({
      name: 'sam.dev',
      displayName: 'Sam Developer',
      emailAddress: 'sam.dev@acme.example',
    });
    this.addUser(JIRA_PERSON);
    for (const user of options.users ?? []) this.addUser(user);
    this.handlers = this.createHandlers();
  }

  /** Adds a project; returns its id and key. */
  addProject(config: JiraProjectConfig): { id: string; key: string } {
    const key = config.key.toUpperCase();
    if (this.findProject(key, true)) {
      throw new Error(`FakeJira: project ${key} exists`);
    }
    const workflow = structuredClone(config.workflow ?? standardWorkflow);
    const statusNames = new Set(workflow.statuses.map(status => status.name));
    for (const status of workflow.statuses) this.registerStatus(status);
    const fields = config.fields ?? [];
    for (const field of fields) this.registerField(field);
    for (const transition of workflow.transitions) {
      const ends = [
        transition.to,
        ...(transition.from === 'any' ? [] : transition.from),
      ];
      const unknown = ends.find(name => !statusNames.has(name));
      if (unknown) {
        throw new Error(
          `FakeJira: transition ${transition.id} names status ${unknown}, which ${key}'s workflow lacks`,
        );
      }
      for (const fieldId of Object.keys(transition.fields ?? {})) {
        if (fieldId !== 'resolution' && !fields.some(f => f.id === fieldId)) {
          throw new Error(
            `FakeJira: transition ${transition.id} has field ${fieldId}, which ${key} does not configure`,
          );
        }
      }
    }
    const project: ProjectRecord = {
      id: String(10000 + this.projects.length),
      key,
      name: config.name ?? `${key} project`,
      issueTypeIds: (config.issueTypes ?? ['Bug', 'Task', 'Story']).map(name =>
        this.issueTypeId(name),
      ),
      components: [],
      workflow,
      fieldIds: fields.map(field => field.id),
      requiredOnCreate: new Set(
        fields.filter(field => field.requiredOnCreate).map(field => field.id),
      ),
      canAdminister: config.canAdminister ?? true,
      hidden: false,
      nextNumber: 1,
    };
    for (const name of config.components ?? []) {
      project.components.push({ id: String(this.nextId++), name });
    }
    this.projects.push(project);
    return { id: project.id, key };
  }

  /** The project's issues by number, with names instead of Jira's objects. */
  issues(projectKey: string): FakeJiraIssue[] {
    const project = this.project(projectKey);
    return [...this.entries.values()]
      .map(entry => entry.live)
      .filter(
        (state): state is IssueState =>
          state !== null && state.projectKey === project.key,
      )
      .sort((a, b) => a.number - b.number)
      .map(state => this.readable(state));
  }

  issue(key: string): FakeJiraIssue | undefined {
    const state = this.liveIssue(key);
    return state && this.readable(state);
  }

  comments(key: string): FakeJiraComment[] {
    return this.existing(key).comments.map(comment =>
      this.readableComment(comment),
    );
  }

  /** The people the fake knows: the API user(s) first. */
  accounts(): FakeJiraUser[] {
    return this.users.map(({ timeZone: _timeZone, ...user }) => ({ ...user }));
  }

  writeCalls(): FakeCall[] {
    // POST /search and /search/jql only read.
    return this.calls.filter(
      call => call.method !== 'GET' && !/\/search(\/jql)?$/.test(call.path),
    );
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  /**
   * The next `times` (default 1) requests with this method whose URL path
   * (without the query, with the base path) matches get the fault.
   */
  failNext(match: FaultMatch, fault: JiraFault): void {
    this.faults.add(match, fault);
  }

  /**
   * A person's edit in Jira, which the client must keep; `by` (accountId
   * or name) is who edits, by default Jane Doe.
   */
  editIssue(
    key: string,
    edit: JiraIssueEdit,
    by: string = JIRA_PERSON.name,
  ): void {
    const state = structuredClone(this.existing(key));
    if (edit.summary !== undefined) state.summary = edit.summary;
    if (edit.labels !== undefined) state.labels = [...new Set(edit.labels)];
    if (edit.priority !== undefined) {
      const priority = PRIORITIES.find(p => p.name === edit.priority);
      if (!priority) throw new Error(`FakeJira: no priority ${edit.priority}`);
      state.priorityId = priority.id;
    }
    if (edit.assignee !== undefined) {
      state.assigneeId =
        edit.assignee === null ? null : this.userNamed(edit.assignee).accountId;
    }
    this.commit(state, this.userNamed(by));
  }

  /**
   * A person moves the issue to the status through a transition the
   * workflow offers from where it is, choosing `resolution` (default the
   * transition's default or its first allowed one) when the screen asks.
   */
  transitionIssue(
    key: string,
    statusName: string,
    resolution?: string,
    by: string = JIRA_PERSON.name,
  ): void {
    const state = structuredClone(this.existing(key));
    const project = this.project(state.projectKey);
    const transition = this.availableTransitions(project, state).find(
      t => t.to === statusName,
    );
    if (!transition) {
      throw new Error(
        `FakeJira: ${key} in ${state.status} has no transition to ${statusName}`,
      );
    }
    const screen = transition.fields?.resolution;
    const chosen =
      resolution ??
      transition.defaultResolution ??
      (screen ? (screen.allowedValues ?? RESOLUTION_NAMES)[0] : undefined);
    this.moveTo(
      project,
      state,
      transition,
      chosen ? this.resolutionNamed(chosen)?.id : undefined,
    );
    this.commit(state, this.userNamed(by));
  }

  /**
   * Deleted in Jira: the issue's URLs answer 404 from now on. Sends no
   * webhook (a deletion Jira's webhook missed); `deleteIssueAs` sends one.
   */
  deleteIssue(key: string): void {
    const state = this.existing(key);
    const entry = this.entries.get(state.id)!;
    entry.live = null;
    this.index(entry);
  }

  /**
   * The credentials lose (or regain) the project's Browse permission: Jira
   * then answers as if the project and its issues did not exist.
   */
  setAccess(projectKey: string, access: boolean): void {
    this.project(projectKey).hidden = !access;
  }

  // People in Jira's UI, and the webhooks their changes send

  /** The account the API credentials act as (the first one configured). */
  apiUser(): FakeJiraUser {
    return this.accounts()[0];
  }

  /**
   * Where the fake posts a delivery for every change from now on, signed
   * with `secret` as Jira signs an admin webhook that has one
   * (`X-Hub-Signature: sha256=<HMAC-SHA256 of the body>`); null stops
   * them. Deliveries go out in the order of the changes; an API request
   * answers once its own have been received.
   */
  sendWebhooks(secret: string, receive: JiraWebhookReceiver | null): void {
    this.webhook = receive ? { secret, receive } : undefined;
  }

  /**
   * `by` (accountId or name) comments in Jira's editor, for everyone or
   * restricted to `visibility`; resolves with the comment's id.
   */
  commentAs(
    by: string,
    key: string,
    body: string,
    visibility?: JiraCommentVisibility,
  ): Promise<string> {
    return this.delivered(() => {
      const user = this.userNamed(by);
      const state = structuredClone(this.existing(key));
      const comment = this.newComment(user, this.typed(body));
      if (visibility) comment.visibility = { ...visibility };
      state.comments.push(comment);
      this.commit(state, user);
      return comment.id;
    });
  }

  /** `by` edits the comment; `visibility` restricts it, null lifts that. */
  editCommentAs(
    by: string,
    key: string,
    commentId: string,
    body: string,
    visibility?: JiraCommentVisibility | null,
  ): Promise<void> {
    return this.delivered(() => {
      const user = this.userNamed(by);
      const state = structuredClone(this.existing(key));
      const comment = this.commentOf(state, commentId);
      comment.body = this.typed(body);
      if (visibility === null) delete comment.visibility;
      else if (visibility) comment.visibility = { ...visibility };
      comment.updated = this.now();
      comment.updateAuthorId = user.accountId;
      this.commit(state, user);
    });
  }

  deleteCommentAs(by: string, key: string, commentId: string): Promise<void> {
    return this.delivered(() => {
      const state = structuredClone(this.existing(key));
      this.commentOf(state, commentId);
      state.comments = state.comments.filter(c => c.id !== commentId);
      this.commit(state, this.userNamed(by));
    });
  }

  /** `transitionIssue`, resolved once its webhook was received. */
  transitionAs(
    by: string,
    key: string,
    statusName: string,
    resolution?: string,
  ): Promise<void> {
    return this.delivered(() =>
      this.transitionIssue(key, statusName, resolution, by),
    );
  }

  /** `by` deletes the issue; Jira sends jira:issue_deleted. */
  deleteIssueAs(by: string, key: string): Promise<void> {
    return this.delivered(() => {
      const user = this.userNamed(by);
      const state = this.existing(key);
      this.deleteIssue(key);
      this.emitIssueEvent('jira:issue_deleted', 'issue_deleted', state, user);
    });
  }

  /**
   * `by` moves the issue to another project: it gets that project's next
   * key (its changelog records the old one), and Jira still finds it by
   * the old key, in JQL and in URLs. Resolves with the new key.
   */
  moveIssueAs(by: string, key: string, projectKey: string): Promise<string> {
    return this.delivered(() => {
      const state = structuredClone(this.existing(key));
      const target = this.project(projectKey);
      state.projectKey = target.key;
      state.number = target.nextNumber++;
      state.key = `${target.key}-${state.number}`;
      this.idsByKey.set(state.key, state.id);
      if (!target.issueTypeIds.includes(state.issueTypeId)) {
        state.issueTypeId = target.issueTypeIds[0];
      }
      // Jira's move asks for the new project's status when the workflows differ.
      if (!target.workflow.statuses.some(s => s.name === state.status)) {
        state.status = target.workflow.statuses[0].name;
        state.resolutionId = null;
        state.resolutiondate = null;
      }
      state.componentIds = [];
      state.custom = Object.fromEntries(
        target.fieldIds.map(id => [id, state.custom[id] ?? null]),
      );
      this.commit(state, this.userNamed(by));
      return state.key;
    });
  }

  /** Runs a person's change, then waits until its deliveries were received. */
  private async delivered<T>(change: () => T): Promise<T> {
    const emitted = this.emitted;
    const failed = this.failedDeliveries.length;
    const result = change();
    if (this.emitted > emitted) await this.deliveries;
    const failure = this.failedDeliveries[failed];
    if (failure) throw failure.error;
    return result;
  }

  /** Text a person types, as the deployment keeps it. */
  private typed(text: string): Rich {
    return this.cloud ? adfFromWiki(text) : text;
  }

  private commentOf(state: IssueState, commentId: string): CommentRecord {
    const comment = state.comments.find(c => c.id === commentId);
    if (!comment) {
      throw new Error(`FakeJira: ${state.key} has no comment ${commentId}`);
    }
    return comment;
  }

  private createHandlers(): RequestHandler[] {
    const versions: Array<'2' | '3'> = this.cloud ? ['3', '2'] : ['2'];
    return versions.flatMap(version =>
      this.routes().map(route => this.handler(version, route)),
    );
  }

  private routes(): RouteDefinition[] {
    const onIssue =
      (fn: (ctx: Ctx, state: IssueState, project: ProjectRecord) => Answer) =>
      (ctx: Ctx) => {
        const state = this.visibleIssue(ctx.params.issueIdOrKey);
        return state
          ? fn(ctx, state, this.project(state.projectKey))
          : this.notFound(NO_ISSUE);
      };
    const gone = () => ({
      status: 410,
      body: { errorMessages: [SEARCH_GONE], errors: {} },
    });
    return [
      {
        method: 'POST',
        path: 'issue',
        write: 'create',
        run: ctx => this.create(ctx),
      },
      {
        method: 'GET',
        path: 'issue/:issueIdOrKey',
        run: onIssue((c, s, p) => this.getIssue(c, s, p)),
      },
      {
        method: 'PUT',
        path: 'issue/:issueIdOrKey',
        write: 'issue',
        run: onIssue((c, s, p) => this.edit(c, s, p)),
      },
      ...(this.cloud
        ? ([
            {
              method: 'GET',
              path: 'issue/:issueIdOrKey/changelog',
              run: onIssue((c, s) => this.changelogPage(c, s)),
            },
          ] satisfies RouteDefinition[])
        : []),
      {
        method: 'GET',
        path: 'issue/:issueIdOrKey/transitions',
        run: onIssue((c, s, p) => this.getTransitions(c, s, p)),
      },
      {
        method: 'POST',
        path: 'issue/:issueIdOrKey/transitions',
        write: 'issue',
        run: onIssue((c, s, p) => this.transition(c, s, p)),
      },
      {
        method: 'GET',
        path: 'issue/:issueIdOrKey/comment',
        run: onIssue((c, s) => this.listComments(c, s)),
      },
      {
        method: 'POST',
        path: 'issue/:issueIdOrKey/comment',
        write: 'issue',
        run: onIssue((c, s) => this.addComment(c, s)),
      },
      {
        method: 'GET',
        path: 'issue/:issueIdOrKey/comment/:commentId',
        run: onIssue((c, s) => this.getComment(c, s)),
      },
      {
        method: 'PUT',
        path: 'issue/:issueIdOrKey/comment/:commentId',
        write: 'issue',
        run: onIssue((c, s) => this.updateComment(c, s)),
      },
      {
        method: 'DELETE',
        path: 'issue/:issueIdOrKey/comment/:commentId',
        write: 'issue',
        run: onIssue((c, s) => this.deleteComment(c, s)),
      },
      ...(this.cloud
        ? ([
            {
              method: 'GET',
              path: 'search/jql',
              run: ctx => this.searchJql(ctx, this.queryInput(ctx.url)),
            },
            {
              method: 'POST',
              path: 'search/jql',
              run: ctx => this.searchJql(ctx, ctx.body ?? {}),
            },
            { method: 'GET', path: 'search', run: gone },
            { method: 'POST', path: 'search', run: gone },
          ] satisfies RouteDefinition[])
        : ([
            {
              method: 'GET',
              path: 'search',
              run: ctx => this.searchPaged(ctx, this.queryInput(ctx.url)),
            },
            {
              method: 'POST',
              path: 'search',
              run: ctx => this.searchPaged(ctx, ctx.body ?? {}),
            },
          ] satisfies RouteDefinition[])),
      {
        method: 'GET',
        path: 'project/:projectIdOrKey',
        run: ctx => this.getProject(ctx),
      },
      {
        method: 'POST',
        path: 'component',
        write: 'other',
        run: ctx => this.createComponent(ctx),
      },
      {
        method: 'GET',
        path: 'field',
        run: () => ({ status: 200, body: this.fieldList() }),
      },
      {
        method: 'GET',
        path: 'priority',
        run: ctx => ({ status: 200, body: this.priorityList(ctx) }),
      },
      {
        method: 'GET',
        path: 'resolution',
        run: ctx => ({ status: 200, body: this.resolutionList(ctx) }),
      },
      {
        method: 'GET',
        path: 'myself',
        run: ctx => ({ status: 200, body: this.myself(ctx) }),
      },
    ];
  }

  /** One endpoint, with latency, auth, faults, limits and headers around it. */
  private handler(version: '2' | '3', route: RouteDefinition): RequestHandler {
    const register = {
      GET: http.get,
      POST: http.post,
      PUT: http.put,
      DELETE: http.delete,
    }[route.method];
    const root = `${this.baseUrl}/rest/api/${version}`;
    const api: ApiVersion = { version, root, adf: version === '3' };
    return register(`${root}/${route.path}`, async ({ request, params }) => {
      const at = this.now();
      const url = new URL(request.url);
      const text = ['GET', 'DELETE'].includes(route.method)
        ? ''
        : await request.text();
      if (this.options.latencyMs) await delay(this.options.latencyMs);

      const caller = this.authenticate(request);
      let answer: Answer;
      if ('answer' in caller) {
        answer = caller.answer;
      } else {
        const body = parseJson(text);
        if (body === INVALID_JSON) {
          // Jackson's message, without the parser position Jira appends.
          answer = jiraErrors([
            'Unexpected character: was expecting a valid JSON value (the request body is not valid JSON)',
          ]);
        } else {
          const ctx: Ctx = {
            url,
            params: params as Record<string, string>,
            body,
            caller: caller.user,
            api,
          };
          const emitted = this.emitted;
          answer = await this.withFaults(
            ctx,
            route,
            request.method,
            url.pathname,
          );
          // The request's webhooks are received before it answers.
          if (this.emitted > emitted) await this.deliveries;
        }
      }
      this.calls.push({
        method: route.method,
        path: url.pathname,
        status: answer.status,
        at,
      });
      return this.respond(answer, 'user' in caller ? caller.user : undefined);
    });
  }

  /** Injected faults first, then the burst limits, then the operation. */
  private async withFaults(
    ctx: Ctx,
    route: RouteDefinition,
    method: string,
    path: string,
  ): Promise<Answer> {
    const apply = () => this.limited(ctx, route);
    const fault = this.faults.take(method, path);
    if (!fault) return apply();
    if ('rateLimit429' in fault) {
      this.limitHits += 1;
      const limit = this.options.limits?.writesPerSecond ?? 100;
      return this.rateLimited(
        'jira-burst-based',
        limit,
        fault.retryAfterSeconds,
      );
    }
    if ('unavailable503' in fault) {
      return {
        status: 503,
        body: { errorMessages: ['Service Unavailable'], errors: {} },
        headers:
          fault.retryAfterSeconds === null
            ? {}
            : { 'retry-after': String(fault.retryAfterSeconds) },
      };
    }
    if ('hangMs' in fault) {
      const applied = fault.afterApplying ? await apply() : undefined;
      await delay(fault.hangMs);
      return (
        applied ?? {
          status: 504,
          body: { errorMessages: ['Gateway Timeout'], errors: {} },
        }
      );
    }
    if (fault.afterApplying) await apply();
    const defaults: Record<number, unknown> = {
      400: {
        errorMessages: [
          "We can't create this issue for you right now, it could be due to unsupported content you've entered into one or more of the issue fields. If this situation persists, contact your administrator as they'll be able to access more specific information in the log file.",
        ],
        errors: {},
      },
      404: { errorMessages: [NO_ISSUE], errors: {} },
      500: { errorMessages: ['Internal server error'], errors: {} },
      502: { errorMessages: ['Bad Gateway'], errors: {} },
      503: { errorMessages: ['Service Unavailable'], errors: {} },
    };
    return { status: fault.status, body: fault.body ?? defaults[fault.status] };
  }

  /** Writes under the burst limits: refused over them, counted when admitted. */
  private async limited(ctx: Ctx, route: RouteDefinition): Promise<Answer> {
    const limits = this.options.limits;
    if (!limits || !route.write) return route.run(ctx);
    const now = this.now();
    const windowMs = limits.secondMs ?? 1000;
    const window = (key: string, limit: number) => {
      let found = this.limitWindows.get(key);
      if (!found) {
        found = new SlidingWindowLimit(limit, windowMs);
        this.limitWindows.set(key, found);
      }
      return found;
    };
    const applicable: Array<{ limit: SlidingWindowLimit; reason: string }> = [];
    if (limits.writesPerSecond) {
      applicable.push({
        limit: window(
          `endpoint ${route.method} ${route.path}`,
          limits.writesPerSecond,
        ),
        reason: 'jira-burst-based',
      });
    }
    if (route.write === 'create' && limits.createsPerSecond) {
      applicable.push({
        limit: window('creates', limits.createsPerSecond),
        reason: 'jira-burst-based',
      });
    }
    const issue =
      route.write === 'issue'
        ? this.visibleIssue(ctx.params.issueIdOrKey)
        : undefined;
    if (issue && limits.perIssueWritesPerSecond) {
      applicable.push({
        limit: window(`issue ${issue.id}`, limits.perIssueWritesPerSecond),
        reason: 'jira-per-issue-on-write',
      });
    }
    const over = applicable.find(({ limit }) => limit.used(now) >= limit.limit);
    if (over) {
      this.limitHits += 1;
      const waitMs = over.limit.admit(now);
      // Seconds of the limits' clock, so that a benchmark scaling secondMs waits scaled.
      return this.rateLimited(
        over.reason,
        over.limit.limit,
        Math.max(1, Math.ceil(waitMs / windowMs)),
      );
    }
    for (const { limit } of applicable) limit.admit(now);
    return route.run(ctx);
  }

  private rateLimited(
    reason: string,
    limit: number,
    retryAfterSeconds: number | null,
  ): Answer {
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': '0',
    };
    if (retryAfterSeconds !== null) {
      headers['retry-after'] = String(retryAfterSeconds);
    }
    if (this.cloud) {
      headers['ratelimit-reason'] = reason;
      if (retryAfterSeconds !== null) {
        // Atlassian documents the reset as yyyy-MM-ddTHH:mmZ: the request time plus Retry-After.
        headers['x-ratelimit-reset'] = new Date(
          this.now() + retryAfterSeconds * 1000,
        )
          .toISOString()
          .replace(/:\d{2}\.\d{3}Z$/, 'Z');
      }
    } else {
      // Data Center's admin-configured token buckets name their interval and fill rate instead.
      headers['x-ratelimit-interval-seconds'] = '1';
      headers['x-ratelimit-fillrate'] = String(limit);
    }
    return {
      status: 429,
      // Jira's wording of a 429 body is not documented; this keeps its error shape.
      body: { errorMessages: ['Rate limit exceeded.'], errors: {} },
      headers,
    };
  }

  private authenticate(
    request: Request,
  ): { user: UserRecord } | { answer: Answer } {
    const header = request.headers.get('authorization');
    const missing: Answer = {
      status: 401,
      body: { errorMessages: [NOT_AUTHENTICATED], errors: {} },
    };
    if (!header) return { answer: missing };
    if (this.cloud) {
      const credential = /^Basic\s+(\S+)$/i.exec(header)?.[1];
      const user = credential && this.basicCredentials.get(credential);
      if (user) return { user };
      // Cloud's edge answers bad credentials in plain text.
      return {
        answer: {
          status: 401,
          text: 'Client must be authenticated to access this resource.',
          headers: {
            'x-seraph-loginreason': 'AUTHENTICATED_FAILED',
            'www-authenticate': `OAuth realm="${encodeURIComponent(
              this.baseUrl,
            )}"`,
          },
        },
      };
    }
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const user = token && this.tokens.get(token);
    if (user) return { user };
    return {
      answer: {
        ...missing,
        headers: { 'x-seraph-loginreason': 'AUTHENTICATED_FAILED' },
      },
    };
  }

  private respond(answer: Answer, caller: UserRecord | undefined): Response {
    const n = ++this.requests;
    const headers: Record<string, string> = {
      date: new Date(this.now()).toUTCString(),
      'x-content-type-options': 'nosniff',
    };
    if (this.cloud) {
      headers['x-arequestid'] = hex(`request ${n}`, 32);
      headers['atl-traceid'] = hex(`trace ${n}`, 16);
      if (caller) headers['x-aaccountid'] = caller.accountId;
    } else {
      const minute = Math.floor((this.now() % 86_400_000) / 60_000);
      headers['x-arequestid'] = `${minute}x${n}x1`;
      if (caller) headers['x-ausername'] = caller.name;
    }
    if (caller) headers['x-seraph-loginreason'] = 'OK';
    Object.assign(headers, answer.headers);
    if (answer.status === 204)
      return new HttpResponse(null, { status: 204, headers });
    if (answer.text !== undefined) {
      headers['content-type'] = 'text/plain;charset=UTF-8';
      return new HttpResponse(answer.text, { status: answer.status, headers });
    }
    headers['content-type'] = 'application/json;charset=UTF-8';
    return new HttpResponse(JSON.stringify(answer.body ?? {}), {
      status: answer.status,
      headers,
    });
  }

  // Issues

  private create(ctx: Ctx): Answer {
    const input = isObject(ctx.body) ? ctx.body : {};
    const fields = isObject(input.fields) ? input.fields : {};
    const update = isObject(input.update) ? input.update : {};
    const project = this.projectByReference(fields.project);
    if (!project) {
      // Data Center words it its own way.
      let message = 'Specify a valid project ID or key';
      if (!this.cloud) {
        message =
          fields.project === undefined
            ? 'project is required'
            : 'valid project is required';
      }
      return jiraErrors([], { project: message });
    }
    const issueTypeId = this.issueTypeByReference(project, fields.issuetype);
    if (typeof issueTypeId !== 'string') {
      return jiraErrors([], { issuetype: issueTypeId.error });
    }
    const now = this.now();
    const draft: IssueState = {
      id: '',
      key: '',
      projectKey: project.key,
      number: 0,
      issueTypeId,
      summary: '',
      description: null,
      labels: [],
      priorityId: DEFAULT_PRIORITY_ID,
      componentIds: [],
      status: project.workflow.statuses[0].name,
      resolutionId: null,
      resolutiondate: null,
      assigneeId: null,
      reporterId: ctx.caller.accountId,
      created: now,
      updated: now,
      custom: Object.fromEntries(project.fieldIds.map(id => [id, null])),
      comments: [],
      histories: [],
    };
    const errors: Errors = {};
    const { project: _project, issuetype: _issuetype, ...rest } = fields;
    const comments = this.applyInput(ctx, project, draft, rest, update, errors);
    if (!('summary' in errors) && !draft.summary.trim()) {
      errors.summary = 'You must specify a summary of the issue.';
    }
    for (const fieldId of project.requiredOnCreate) {
      const value = draft.custom[fieldId];
      if (
        !(fieldId in errors) &&
        (value === null || (Array.isArray(value) && !value.length))
      ) {
        errors[fieldId] = `${
          this.fieldDefinitions.get(fieldId)!.name
        } is required.`;
      }
    }
    if (Object.keys(errors).length) return jiraErrors([], errors);

    draft.number = project.nextNumber++;
    draft.id = String(this.nextId++);
    draft.key = `${project.key}-${draft.number}`;
    this.idsByKey.set(draft.key, draft.id);
    for (const body of comments)
      draft.comments.push(this.newComment(ctx.caller, body));
    const entry: IssueEntry = { live: draft, indexed: [] };
    this.entries.set(draft.id, entry);
    this.index(entry);
    this.emitIssueEvent(
      'jira:issue_created',
      'issue_created',
      draft,
      ctx.caller,
    );
    for (const comment of draft.comments) {
      this.emitCommentEvent('comment_created', draft, comment);
    }
    return {
      status: 201,
      body: {
        id: draft.id,
        key: draft.key,
        self: `${ctx.api.root}/issue/${draft.id}`,
      },
    };
  }

  private getIssue(
    ctx: Ctx,
    state: IssueState,
    project: ProjectRecord,
  ): Answer {
    const query = ctx.url.searchParams;
    return {
      status: 200,
      body: this.issueJson(ctx, state, project, {
        fields: this.listParam(query, 'fields'),
        defaultFields: '*all',
        expand: this.listParam(query, 'expand'),
        capChangelog: this.cloud,
      }),
    };
  }

  private edit(ctx: Ctx, live: IssueState, project: ProjectRecord): Answer {
    const query = ctx.url.searchParams;
    if (
      this.cloud &&
      query.get('notifyUsers') === 'false' &&
      !project.canAdminister
    ) {
      return {
        status: 403,
        body: {
          errorMessages: [
            'To discard the user notification either admin or project admin permissions are required.',
          ],
          errors: {},
        },
      };
    }
    const input = isObject(ctx.body) ? ctx.body : {};
    const fields = isObject(input.fields) ? { ...input.fields } : {};
    const update = isObject(input.update) ? input.update : {};
    const errors: Errors = {};
    if ('project' in fields) {
      // Naming the issue's own project is harmless; moving it is not an edit.
      if (this.projectByReference(fields.project)?.key !== project.key) {
        errors.project = this.cannotSet('project');
      }
      delete fields.project;
    }
    const status = project.workflow.statuses.find(
      candidate => candidate.name === live.status,
    );
    if (status?.editable === false) {
      for (const field of [...Object.keys(fields), ...Object.keys(update)]) {
        errors[field] = this.cannotSet(field);
      }
      if (Object.keys(errors).length) return jiraErrors([], errors);
    }
    const draft = structuredClone(live);
    const comments = this.applyInput(
      ctx,
      project,
      draft,
      fields,
      update,
      errors,
    );
    if (Object.keys(errors).length) return jiraErrors([], errors);
    for (const body of comments)
      draft.comments.push(this.newComment(ctx.caller, body));
    this.commit(draft, ctx.caller);
    if (this.cloud && query.get('returnIssue') === 'true') {
      return {
        status: 200,
        body: this.issueJson(ctx, draft, project, {
          fields: undefined,
          defaultFields: '*all',
          expand: this.listParam(query, 'expand'),
        }),
      };
    }
    return { status: 204 };
  }

  private getTransitions(
    ctx: Ctx,
    state: IssueState,
    project: ProjectRecord,
  ): Answer {
    const query = ctx.url.searchParams;
    const expand = this.listParam(query, 'expand') ?? [];
    const only = query.get('transitionId');
    const transitions = this.transitionsJson(
      ctx,
      project,
      state,
      expand.includes('transitions.fields'),
    ).filter(transition => !only || transition.id === only);
    return { status: 200, body: { expand: 'transitions', transitions } };
  }

  private transition(
    ctx: Ctx,
    live: IssueState,
    project: ProjectRecord,
  ): Answer {
    const input = isObject(ctx.body) ? ctx.body : {};
    const id = isObject(input.transition) ? input.transition.id : undefined;
    if (id === undefined || id === null || id === '') {
      // Jira's wording here is unverified.
      return jiraErrors(["Missing 'transition' identifier"]);
    }
    const transition = this.availableTransitions(project, live).find(
      t => t.id === String(id),
    );
    if (!transition) {
      return jiraErrors([`Transition id '${id}' is not valid for this issue.`]);
    }
    const screen = transition.fields ?? {};
    const fields = isObject(input.fields) ? { ...input.fields } : {};
    const update = isObject(input.update) ? { ...input.update } : {};
    const errors: Errors = {};
    let resolutionId: string | undefined;
    if ('resolution' in fields && screen.resolution) {
      const allowed = screen.resolution.allowedValues ?? RESOLUTION_NAMES;
      const chosen = this.resolutionByReference(fields.resolution);
      if (!chosen || !allowed.includes(chosen.name)) {
        // Jira's wording for a resolution the screen does not offer is a guess.
        errors.resolution = 'The resolution selected is invalid.';
      } else {
        resolutionId = chosen.id;
      }
      delete fields.resolution;
    }
    for (const fieldId of [...Object.keys(fields), ...Object.keys(update)]) {
      if (fieldId !== 'comment' && !(fieldId in screen)) {
        errors[fieldId] = this.cannotSet(fieldId);
        delete fields[fieldId];
        delete update[fieldId];
      }
    }
    const status = project.workflow.statuses.find(
      candidate => candidate.name === live.status,
    );
    if (status?.editable === false) {
      for (const field of [...Object.keys(fields), ...Object.keys(update)]) {
        errors[field] = this.cannotSet(field);
      }
      if (Object.keys(errors).length) return jiraErrors([], errors);
    }
    const draft = structuredClone(live);
    const comments = this.applyInput(
      ctx,
      project,
      draft,
      fields,
      update,
      errors,
    );
    for (const [fieldId, field] of Object.entries(screen)) {
      const given =
        fieldId === 'resolution'
          ? resolutionId !== undefined
          : fieldId in fields || fieldId in update;
      if (field.required && !given && !(fieldId in errors)) {
        const name =
          fieldId === 'resolution'
            ? 'Resolution'
            : this.fieldDefinitions.get(fieldId)!.name;
        errors[fieldId] = `${name} is required.`;
      }
    }
    if (Object.keys(errors).length) return jiraErrors([], errors);
    this.moveTo(project, draft, transition, resolutionId);
    for (const body of comments)
      draft.comments.push(this.newComment(ctx.caller, body));
    this.commit(draft, ctx.caller);
    return { status: 204 };
  }

  private listComments(ctx: Ctx, state: IssueState): Answer {
    const query = ctx.url.searchParams;
    const startAt = Math.max(0, Number(query.get('startAt') ?? 0) || 0);
    const maxResults = Math.max(
      0,
      Number(query.get('maxResults') ?? 5000) || 0,
    );
    const ordered =
      query.get('orderBy') === '-created'
        ? [...state.comments].reverse()
        : state.comments;
    const rendered = (this.listParam(query, 'expand') ?? []).includes(
      'renderedBody',
    );
    return {
      status: 200,
      body: {
        startAt,
        maxResults,
        total: state.comments.length,
        comments: ordered
          .slice(startAt, startAt + maxResults)
          .map(comment => this.commentJson(ctx, state, comment, rendered)),
      },
    };
  }

  private getComment(ctx: Ctx, state: IssueState): Answer {
    const comment = state.comments.find(c => c.id === ctx.params.commentId);
    if (!comment) return this.noComment(ctx.params.commentId);
    const rendered = (
      this.listParam(ctx.url.searchParams, 'expand') ?? []
    ).includes('renderedBody');
    return {
      status: 200,
      body: this.commentJson(ctx, state, comment, rendered),
    };
  }

  private addComment(ctx: Ctx, live: IssueState): Answer {
    const input = isObject(ctx.body) ? ctx.body : {};
    const body = this.commentBody(ctx, input.body);
    if ('error' in body) return jiraErrors([], { comment: body.error });
    const draft = structuredClone(live);
    const comment = this.newComment(ctx.caller, body.value);
    draft.comments.push(comment);
    this.commit(draft, ctx.caller);
    return { status: 201, body: this.commentJson(ctx, draft, comment, false) };
  }

  private updateComment(ctx: Ctx, live: IssueState): Answer {
    const draft = structuredClone(live);
    const comment = draft.comments.find(c => c.id === ctx.params.commentId);
    if (!comment) return this.noComment(ctx.params.commentId);
    const input = isObject(ctx.body) ? ctx.body : {};
    const body = this.commentBody(ctx, input.body);
    if ('error' in body) return jiraErrors([], { comment: body.error });
    comment.body = body.value;
    comment.updated = this.now();
    comment.updateAuthorId = ctx.caller.accountId;
    this.commit(draft, ctx.caller);
    return { status: 200, body: this.commentJson(ctx, draft, comment, false) };
  }

  private deleteComment(ctx: Ctx, live: IssueState): Answer {
    if (!live.comments.some(c => c.id === ctx.params.commentId)) {
      return this.noComment(ctx.params.commentId);
    }
    const draft = structuredClone(live);
    draft.comments = draft.comments.filter(c => c.id !== ctx.params.commentId);
    this.commit(draft, ctx.caller);
    return { status: 204 };
  }

  private noComment(commentId: string): Answer {
    return this.notFound(`Can not find a comment for the id: ${commentId}.`);
  }

  /**
   * Applies `fields` and `update` to the draft as Jira validates them,
   * collecting every field's error; returns the comment bodies that
   * `update.comment` adds.
   */
  private applyInput(
    ctx: Ctx,
    project: ProjectRecord,
    draft: IssueState,
    fields: Record<string, unknown>,
    update: Record<string, unknown>,
    errors: Errors,
  ): Rich[] {
    const set = (fieldId: string, value: unknown) => {
      const error = this.setField(ctx, project, draft, fieldId, value);
      if (error) errors[fieldId] = error;
    };
    for (const [fieldId, value] of Object.entries(fields)) set(fieldId, value);
    const comments: Rich[] = [];
    for (const [fieldId, operations] of Object.entries(update)) {
      if (!Array.isArray(operations)) {
        errors[fieldId] = 'data was not an array';
        continue;
      }
      for (const operation of operations) {
        const [verb, value] = isObject(operation)
          ? Object.entries(operation)[0] ?? []
          : [];
        const multiple =
          ARRAY_FIELDS.has(fieldId) ||
          ['options', 'labels'].includes(
            this.fieldDefinitions.get(fieldId)?.type ?? '',
          );
        if (fieldId === 'comment' && verb === 'add') {
          const body = this.commentBody(
            ctx,
            isObject(value) ? value.body : undefined,
          );
          if ('error' in body) errors.comment = body.error;
          else comments.push(body.value);
        } else if (verb === 'set') {
          set(fieldId, value);
        } else if (multiple && (verb === 'add' || verb === 'remove')) {
          const current = this.currentInput(draft, fieldId);
          set(
            fieldId,
            verb === 'add'
              ? [...current, value]
              : current.filter(
                  item => !this.sameValue(project, fieldId, item, value),
                ),
          );
        } else {
          // Jira's wording for an unsupported operation is a guess.
          errors[
            fieldId
          ] = `Field '${fieldId}' does not support the operation '${verb}'.`;
        }
      }
    }
    return comments;
  }

  /** Sets one field of the draft from Jira's input format; returns Jira's error for it. */
  private setField(
    ctx: Ctx,
    project: ProjectRecord,
    draft: IssueState,
    fieldId: string,
    value: any,
  ): string | undefined {
    if (!SETTABLE.has(fieldId) && !project.fieldIds.includes(fieldId)) {
      return this.cannotSet(fieldId);
    }
    switch (fieldId) {
      case 'summary':
        if (typeof value !== 'string')
          return 'Operation value must be a string';
        if (!value.trim()) return 'You must specify a summary of the issue.';
        if (value.length > SUMMARY_LIMIT) {
          return this.cloud
            ? "Summary can't exceed 255 characters."
            : 'Summary must be less than 255 characters.';
        }
        draft.summary = value;
        return undefined;
      case 'description': {
        const text =
          value === null ? { value: null } : this.richText(ctx, value);
        if ('error' in text) return text.error;
        draft.description = text.value;
        return undefined;
      }
      case 'labels': {
        const labels = this.labelsInput(value);
        if ('error' in labels) return labels.error;
        draft.labels = labels.value;
        return undefined;
      }
      case 'priority': {
        const priority = isObject(value)
          ? PRIORITIES.find(
              p => p.id === String(value.id) || p.name === value.name,
            )
          : undefined;
        if (!priority) return 'The priority selected is invalid.';
        draft.priorityId = priority.id;
        return undefined;
      }
      case 'components': {
        if (!Array.isArray(value)) return 'data was not an array';
        const ids: string[] = [];
        for (const reference of value) {
          const component = this.componentByReference(project, reference);
          if (!component) {
            if (isObject(reference) && reference.id !== undefined) {
              return `Component with id '${reference.id}' does not exist.`;
            }
            const name = isObject(reference) ? reference.name ?? '' : reference;
            return `Component name '${name}' is not valid`;
          }
          if (!ids.includes(component.id)) ids.push(component.id);
        }
        draft.componentIds = ids;
        return undefined;
      }
      case 'assignee':
      case 'reporter': {
        if (value === null && fieldId === 'assignee') {
          draft.assigneeId = null;
          return undefined;
        }
        const user = this.userByReference(value);
        if (!user) return this.unknownUser(value);
        if (fieldId === 'assignee') draft.assigneeId = user.accountId;
        else draft.reporterId = user.accountId;
        return undefined;
      }
      case 'issuetype': {
        const issueTypeId = this.issueTypeByReference(project, value);
        if (typeof issueTypeId !== 'string') return issueTypeId.error;
        draft.issueTypeId = issueTypeId;
        return undefined;
      }
      default:
        return this.setCustomField(
          draft,
          this.fieldDefinitions.get(fieldId)!,
          value,
        );
    }
  }

  private setCustomField(
    draft: IssueState,
    field: FieldDefinition,
    value: any,
  ): string | undefined {
    if (value === null) {
      draft.custom[field.id] = null;
      return undefined;
    }
    const option = (reference: unknown): Parsed<string> => {
      if (
        !isObject(reference) ||
        (reference.id === undefined && reference.value === undefined)
      ) {
        return {
          error:
            "Could not find valid 'id' or 'value' in the Parent Option object.",
        };
      }
      const found = field.options.find(o =>
        reference.id !== undefined
          ? o.id === String(reference.id)
          : o.value === reference.value,
      );
      if (found) return { value: found.id };
      return {
        error:
          reference.id !== undefined
            ? `Option id '${reference.id}' is not valid`
            : `Option value '${reference.value}' is not valid`,
      };
    };
    let parsed: Parsed<CustomValue>;
    switch (field.type) {
      case 'string':
        if (typeof value !== 'string')
          return 'Operation value must be a string';
        // A single-line text field holds 255 characters.
        if (value.length > SUMMARY_LIMIT) {
          return 'Please make sure the field is 255 characters or fewer.';
        }
        parsed = { value };
        break;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          return 'Operation value must be a number';
        }
        parsed = { value };
        break;
      case 'option':
        parsed = option(value);
        break;
      case 'options': {
        if (!Array.isArray(value)) return 'data was not an array';
        const ids: string[] = [];
        for (const reference of value) {
          const id = option(reference);
          if ('error' in id) return id.error;
          if (!ids.includes(id.value)) ids.push(id.value);
        }
        parsed = { value: ids };
        break;
      }
      case 'user': {
        const user = this.userByReference(value);
        if (!user) return this.unknownUser(value);
        parsed = { value: user.accountId };
        break;
      }
      case 'labels':
        parsed = this.labelsInput(value);
        break;
      default:
        throw new Error(`FakeJira: unknown field type ${field.type}`);
    }
    if ('error' in parsed) return parsed.error;
    draft.custom[field.id] = parsed.value;
    return undefined;
  }

  private labelsInput(value: unknown): Parsed<string[]> {
    if (!Array.isArray(value)) return { error: 'data was not an array' };
    for (const label of value) {
      if (typeof label !== 'string') {
        return { error: 'Operation value must be a string' };
      }
      if (/\s/.test(label)) {
        return {
          error: this.cloud
            ? `The label '${label}' can't contain spaces.`
            : `The label '${label}' contains spaces which is invalid.`,
        };
      }
    }
    // Jira keeps labels as given, once each.
    return { value: [...new Set(value as string[])] };
  }

  /** Rich text in the request's format, as the deployment keeps it. */
  private richText(ctx: Ctx, value: unknown): Parsed<Rich> {
    let length: number;
    if (ctx.api.adf) {
      if (!isAdfDocument(value)) return { error: NOT_ADF };
      // The fake's assumption: Cloud's limit counts the serialized document.
      length = JSON.stringify(value).length;
    } else {
      if (typeof value !== 'string') {
        return { error: 'Operation value must be a string' };
      }
      length = value.length;
    }
    if (length > TEXT_LIMIT) return { error: TOO_LONG };
    if (this.cloud && !ctx.api.adf)
      return { value: adfFromWiki(value as string) };
    return { value: structuredClone(value as Rich) };
  }

  private commentBody(ctx: Ctx, value: unknown): Parsed<Rich> {
    const empty =
      value === undefined ||
      value === null ||
      (typeof value === 'string' && !value.trim()) ||
      (isAdfDocument(value) && value.content.length === 0);
    if (empty) return { error: 'Comment body can not be empty!' };
    return this.richText(ctx, value);
  }

  /** An array field's value in Jira's input format, for add and remove. */
  private currentInput(draft: IssueState, fieldId: string): unknown[] {
    if (fieldId === 'labels') return [...draft.labels];
    if (fieldId === 'components') return draft.componentIds.map(id => ({ id }));
    const value = draft.custom[fieldId];
    if (!Array.isArray(value)) return [];
    return this.fieldDefinitions.get(fieldId)!.type === 'options'
      ? value.map(id => ({ id }))
      : [...value];
  }

  private sameValue(
    project: ProjectRecord,
    fieldId: string,
    item: unknown,
    value: unknown,
  ): boolean {
    if (typeof item === 'string' || typeof value === 'string')
      return item === value;
    if (fieldId === 'components') {
      const a = this.componentByReference(project, item);
      return a !== undefined && a === this.componentByReference(project, value);
    }
    const options = this.fieldDefinitions.get(fieldId)?.options ?? [];
    const find = (reference: unknown) =>
      isObject(reference)
        ? options.find(
            o => o.id === String(reference.id) || o.value === reference.value,
          )
        : undefined;
    const a = find(item);
    return a !== undefined && a === find(value);
  }

  /** Moves the draft along the transition; done statuses carry a resolution. */
  private moveTo(
    project: ProjectRecord,
    draft: IssueState,
    transition: JiraWorkflowTransition,
    resolutionId: string | undefined,
  ): void {
    draft.status = transition.to;
    if (this.categoryOf(project, transition.to) === 'done') {
      const chosen =
        resolutionId ??
        (transition.defaultResolution
          ? this.resolutionNamed(transition.defaultResolution)?.id
          : undefined);
      draft.resolutionId = chosen ?? null;
      draft.resolutiondate = chosen ? this.now() : null;
    } else {
      draft.resolutionId = null;
      draft.resolutiondate = null;
    }
  }

  /**
   * Makes the draft the issue's state when anything changed, indexes it,
   * records the change in the changelog (by `actor`) and sends its webhooks.
   */
  private commit(draft: IssueState, actor: UserRecord): void {
    const entry = this.entries.get(draft.id)!;
    const live = entry.live!;
    const { updated: _before, ...before } = live;
    const { updated: _after, ...after } = draft;
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    const now = this.now();
    draft.updated = now;
    const items = this.changeItems(live, draft);
    const history: HistoryRecord | undefined = items.length
      ? {
          id: String(this.nextId++),
          authorId: actor.accountId,
          created: now,
          items,
        }
      : undefined;
    if (history) draft.histories.push(history);
    entry.live = draft;
    this.index(entry);
    this.emitChanges(live, draft, actor, history);
  }

  /** The changelog items of a change, as Jira records them. */
  private changeItems(before: IssueState, after: IssueState): ChangeItem[] {
    const items: ChangeItem[] = [];
    const item = (
      field: string,
      from: string | null,
      fromString: string | null,
      to: string | null,
      toString: string | null,
    ) =>
      items.push({
        field,
        fieldtype: 'jira',
        ...(this.cloud ? { fieldId: field } : {}),
        from,
        fromString,
        to,
        toString,
      });
    const text = (value: Rich | null) => {
      if (value === null) return null;
      return typeof value === 'string' ? value : adfText(value);
    };
    /** Cloud names users by accountId, Data Center by name. */
    const person = (accountId: string | null) => {
      if (accountId === null) return null;
      const user = this.userById(accountId);
      return this.cloud ? user.accountId : user.name;
    };
    if (before.projectKey !== after.projectKey) {
      const [from, to] = [before, after].map(s => this.project(s.projectKey));
      item('project', from.id, from.name, to.id, to.name);
      // The key's item has no field id, on Cloud either.
      items.push({
        field: 'Key',
        fieldtype: 'jira',
        from: null,
        fromString: before.key,
        to: null,
        toString: after.key,
      });
    }
    if (before.summary !== after.summary) {
      item('summary', null, before.summary, null, after.summary);
    }
    if (
      JSON.stringify(before.description) !== JSON.stringify(after.description)
    ) {
      item(
        'description',
        null,
        text(before.description),
        null,
        text(after.description),
      );
    }
    if (before.labels.join(' ') !== after.labels.join(' ')) {
      // Jira lists labels separated by spaces.
      item(
        'labels',
        null,
        before.labels.join(' '),
        null,
        after.labels.join(' '),
      );
    }
    if (before.priorityId !== after.priorityId) {
      const name = (id: string) => PRIORITIES.find(p => p.id === id)!.name;
      item(
        'priority',
        before.priorityId,
        name(before.priorityId),
        after.priorityId,
        name(after.priorityId),
      );
    }
    if (before.assigneeId !== after.assigneeId) {
      const name = (id: string | null) =>
        id === null ? null : this.userById(id).displayName;
      item(
        'assignee',
        person(before.assigneeId),
        name(before.assigneeId),
        person(after.assigneeId),
        name(after.assigneeId),
      );
    }
    if (before.resolutionId !== after.resolutionId) {
      const name = (id: string | null) =>
        RESOLUTIONS.find(r => r.id === id)?.name ?? null;
      item(
        'resolution',
        before.resolutionId,
        name(before.resolutionId),
        after.resolutionId,
        name(after.resolutionId),
      );
    }
    if (before.status !== after.status) {
      const [from, to] = [before, after].map(s => this.statuses.get(s.status)!);
      item('status', from.id, from.name, to.id, to.name);
    }
    return items;
  }

  private index(entry: IssueEntry): void {
    if (this.searchLagMs <= 0) return;
    entry.indexed.push({
      at: this.now(),
      state: entry.live && structuredClone(entry.live),
    });
  }

  private newComment(author: UserRecord, body: Rich): CommentRecord {
    const now = this.now();
    return {
      id: String(this.nextId++),
      authorId: author.accountId,
      updateAuthorId: author.accountId,
      body,
      created: now,
      updated: now,
    };
  }

  // Webhooks

  /**
   * The deliveries of a committed change: jira:issue_updated (with the
   * changelog, or for a comment alone), then comment_created,
   * comment_updated and comment_deleted for each comment it touched.
   */
  private emitChanges(
    before: IssueState,
    after: IssueState,
    actor: UserRecord,
    history: HistoryRecord | undefined,
  ): void {
    const known = (list: CommentRecord[], comment: CommentRecord) =>
      list.find(c => c.id === comment.id);
    const added = after.comments.filter(c => !known(before.comments, c));
    const removed = before.comments.filter(c => !known(after.comments, c));
    const edited = after.comments.filter(c => {
      const old = known(before.comments, c);
      return old && JSON.stringify(old) !== JSON.stringify(c);
    });
    let typeName: string | undefined;
    if (history) {
      if (before.key !== after.key) typeName = 'issue_moved';
      else if (before.status !== after.status) typeName = 'issue_generic';
      else typeName = 'issue_updated';
    } else if (added.length) typeName = 'issue_commented';
    else if (edited.length) typeName = 'issue_comment_edited';
    else if (removed.length) typeName = 'issue_comment_deleted';
    if (typeName) {
      this.emitIssueEvent('jira:issue_updated', typeName, after, actor, {
        history,
        comment: added[0] ?? edited[0],
      });
    }
    for (const comment of added) {
      this.emitCommentEvent('comment_created', after, comment);
    }
    for (const comment of edited) {
      this.emitCommentEvent('comment_updated', after, comment);
    }
    for (const comment of removed) {
      this.emitCommentEvent('comment_deleted', after, comment);
    }
  }

  /** jira:issue_created, jira:issue_updated or jira:issue_deleted, as Jira sends them. */
  private emitIssueEvent(
    webhookEvent: string,
    typeName: string,
    state: IssueState,
    actor: UserRecord,
    extra: { history?: HistoryRecord; comment?: CommentRecord } = {},
  ): void {
    this.emit(() => {
      const ctx = this.webhookContext(actor);
      const { expand: _expand, ...issue } = this.issueJson(
        ctx,
        state,
        this.project(state.projectKey),
        { fields: undefined, defaultFields: '*navigable', expand: undefined },
      );
      return {
        webhookEvent,
        issue_event_type_name: typeName,
        user: this.userJson(ctx, actor),
        issue,
        ...(extra.history
          ? {
              changelog: {
                id: extra.history.id,
                items: structuredClone(extra.history.items),
              },
            }
          : {}),
        ...(extra.comment
          ? { comment: this.commentJson(ctx, state, extra.comment, false) }
          : {}),
      };
    });
  }

  /**
   * comment_created, comment_updated or comment_deleted: the comment, and
   * the issue with a few of its fields. They name no user: the comment's
   * author and updateAuthor say who.
   */
  private emitCommentEvent(
    webhookEvent: string,
    state: IssueState,
    comment: CommentRecord,
  ): void {
    this.emit(() => {
      const ctx = this.webhookContext(this.userById(comment.updateAuthorId));
      const { expand: _expand, ...issue } = this.issueJson(
        ctx,
        state,
        this.project(state.projectKey),
        {
          fields: [
            'summary',
            'issuetype',
            'project',
            'assignee',
            'priority',
            'status',
          ],
          defaultFields: '*navigable',
          expand: undefined,
        },
      );
      return {
        webhookEvent,
        comment: this.commentJson(ctx, state, comment, false),
        issue,
      };
    });
  }

  /**
   * One delivery to the receiver, signed with the secret, after those
   * before it. Payloads are REST v2's: Cloud's rich text arrives as a
   * string of wiki markup.
   */
  private emit(payload: () => Record<string, unknown>): void {
    const webhook = this.webhook;
    if (!webhook) return;
    const body = JSON.stringify({ timestamp: this.now(), ...payload() });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-atlassian-webhook-identifier': randomUUID(),
    };
    if (this.cloud) headers['x-atlassian-webhook-flow'] = 'Primary';
    if (webhook.secret) {
      headers['x-hub-signature'] = `sha256=${createHmac(
        'sha256',
        webhook.secret,
      )
        .update(body)
        .digest('hex')}`;
    }
    const delivery: JiraWebhookDelivery = { headers, body };
    this.emitted += 1;
    this.deliveries = this.deliveries
      .then(() => webhook.receive(delivery))
      .catch(error => {
        this.failedDeliveries.push({ delivery, error });
      });
  }

  /** What webhook payloads are rendered with: REST v2 of the site. */
  private webhookContext(caller: UserRecord): Ctx {
    return {
      url: new URL(this.baseUrl),
      params: {},
      body: undefined,
      caller,
      api: { version: '2', root: `${this.baseUrl}/rest/api/2`, adf: false },
    };
  }

  // Search

  /** Cloud's enhanced search: token pages, ids only unless fields are asked for. */
  private searchJql(ctx: Ctx, input: Record<string, any>): Answer {
    const maxResults =
      input.maxResults === undefined ? 50 : Number(input.maxResults);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 5000) {
      return jiraErrors([
        'The max results parameter has to be between 1 and 5,000.',
      ]);
    }
    const jql = typeof input.jql === 'string' ? input.jql : '';
    const query = parseJql(jql);
    if ('error' in query) return jiraErrors([query.error]);
    if (query.clauses.length === 0) {
      return jiraErrors([
        'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
      ]);
    }
    const fields = this.listInput(input.fields);
    const idsOnly = !fields || fields.every(field => field === 'id');
    let offset = 0;
    const fingerprint = hex(`${jql}|${(fields ?? []).join(',')}`, 12);
    if (input.nextPageToken !== undefined) {
      const token = decodePageToken(String(input.nextPageToken));
      if (!token || token.query !== fingerprint) {
        // Jira's wording for a token of another query is a guess.
        return jiraErrors([
          'The provided next page token is invalid or expired.',
        ]);
      }
      offset = token.offset;
    }
    const reconcile = new Set(
      (this.listInput(input.reconcileIssues) ?? []).map(id => String(id)),
    );
    const found = this.runJql(query, reconcile);
    if ('error' in found) return jiraErrors(found.errors ?? [found.error]);
    // Jira pages fewer issues when it returns fields (the fake's assumption: 100).
    const pageSize = Math.min(maxResults, idsOnly ? 5000 : 100);
    const page = found.slice(offset, offset + pageSize);
    const isLast = offset + page.length >= found.length;
    const expand = this.listInput(input.expand);
    return {
      status: 200,
      body: {
        issues: page.map(state =>
          idsOnly
            ? { id: state.id }
            : this.issueJson(ctx, state, this.project(state.projectKey), {
                fields,
                defaultFields: '*navigable',
                expand,
                capChangelog: true,
              }),
        ),
        ...(isLast
          ? {}
          : {
              nextPageToken: encodePageToken(offset + page.length, fingerprint),
            }),
        isLast,
      },
    };
  }

  /** Data Center's search: startAt pages with a total, navigable fields by default. */
  private searchPaged(ctx: Ctx, input: Record<string, any>): Answer {
    const startAt = Math.max(0, Number(input.startAt ?? 0) || 0);
    const requested =
      input.maxResults === undefined ? 50 : Number(input.maxResults);
    // Data Center caps a page at jira.search.views.default.max, 1000 by default.
    const maxResults = Math.min(
      1000,
      Math.max(0, Number.isFinite(requested) ? requested : 50),
    );
    const query = parseJql(typeof input.jql === 'string' ? input.jql : '');
    if ('error' in query) return jiraErrors([query.error]);
    const found = this.runJql(query, new Set());
    if ('error' in found) return jiraErrors(found.errors ?? [found.error]);
    const fields = this.listInput(input.fields);
    const expand = this.listInput(input.expand);
    return {
      status: 200,
      body: {
        expand: 'schema,names',
        startAt,
        maxResults,
        total: found.length,
        issues: found.slice(startAt, startAt + maxResults).map(state =>
          this.issueJson(ctx, state, this.project(state.projectKey), {
            fields,
            defaultFields: '*navigable',
            expand,
            capChangelog: true,
          }),
        ),
      },
    };
  }

  /** The issues the index finds for the query, in its order. */
  private runJql(
    query: JqlQuery,
    reconcile: Set<string>,
  ): IssueState[] | { error: string; errors?: string[] } {
    const now = this.now();
    const tests: Array<(state: IssueState) => boolean> = [];
    for (const clause of query.clauses) {
      const test = this.clauseTest(clause, now);
      if ('error' in test) return test;
      tests.push(test.test);
    }
    const found: IssueState[] = [];
    for (const entry of this.entries.values()) {
      const state = this.indexedState(entry, now, reconcile);
      if (!state || this.project(state.projectKey).hidden) continue;
      if (tests.every(test => test(state))) found.push(state);
    }
    const order = query.orderBy.length
      ? query.orderBy
      : [{ field: 'created' as const, direction: 'desc' as const }];
    return found.sort((a, b) => {
      for (const { field, direction } of order) {
        const sign = direction === 'asc' ? 1 : -1;
        const difference =
          field === 'key'
            ? a.projectKey.localeCompare(b.projectKey) || a.number - b.number
            : a[field] - b[field];
        if (difference) return sign * difference;
      }
      return Number(b.id) - Number(a.id);
    });
  }

  /** What search sees of the issue: the live state when reconciled or without lag. */
  private indexedState(
    entry: IssueEntry,
    now: number,
    reconcile: Set<string>,
  ): IssueState | null {
    const id = entry.live?.id ?? entry.indexed[0]?.state?.id;
    if (this.searchLagMs <= 0 || (id && reconcile.has(id))) return entry.live;
    const cutoff = now - this.searchLagMs;
    let state: IssueState | null = null;
    for (const version of entry.indexed) {
      if (version.at > cutoff) break;
      state = version.state;
    }
    return state;
  }

  private clauseTest(
    clause: JqlClause,
    now: number,
  ):
    | { test: (state: IssueState) => boolean }
    | { error: string; errors?: string[] } {
    const negated = clause.operator === '!=' || clause.operator === 'not in';
    const anyOf = (matches: (state: IssueState, value: string) => boolean) => ({
      test: (state: IssueState) =>
        clause.values.some(value => matches(state, value)) !== negated,
    });
    const doesNotExist = (value: string) => ({
      error: `The value '${value}' does not exist for the field '${clause.name}'.`,
    });
    switch (clause.field) {
      case 'project': {
        const keys: string[] = [];
        for (const value of clause.values) {
          const project = this.projects.find(
            p =>
              !p.hidden &&
              (p.key === value.toUpperCase() ||
                p.id === value ||
                p.name.toLowerCase() === value.toLowerCase()),
          );
          if (!project) return doesNotExist(value);
          keys.push(project.key);
        }
        return { test: state => keys.includes(state.projectKey) !== negated };
      }
      case 'labels':
        // As in Jira, != and NOT IN do not find issues without labels.
        return {
          test: state =>
            state.labels.length > 0 &&
            clause.values.some(value => state.labels.includes(value)) !==
              negated,
        };
      case 'key': {
        // Jira names every key it does not know (or may not show), one message each.
        const ids: string[] = [];
        const errors: string[] = [];
        for (const value of clause.values) {
          const state = this.visibleIssue(value);
          if (state) ids.push(state.id);
          else {
            errors.push(
              `An issue with key '${value.toUpperCase()}' does not exist for field '${
                clause.name
              }'.`,
            );
          }
        }
        if (errors.length) return { error: errors[0], errors };
        return { test: state => ids.includes(state.id) !== negated };
      }
      case 'status': {
        for (const value of clause.values) {
          if (!this.statusByValue(value)) return doesNotExist(value);
        }
        return anyOf(
          (state, value) => this.statusByValue(value)!.name === state.status,
        );
      }
      case 'statusCategory': {
        const categories: JiraStatusCategory[] = [];
        for (const value of clause.values) {
          const category = (
            Object.keys(CATEGORIES) as JiraStatusCategory[]
          ).find(
            key =>
              key === value.toLowerCase() ||
              String(CATEGORIES[key].id) === value ||
              CATEGORIES[key].name.toLowerCase() === value.toLowerCase(),
          );
          if (!category) return doesNotExist(value);
          categories.push(category);
        }
        return {
          test: state =>
            categories.includes(
              this.categoryOf(this.project(state.projectKey), state.status),
            ) !== negated,
        };
      }
      default: {
        const field = clause.field;
        const at = jqlDate(clause.values[0], now);
        if (at === undefined) {
          return {
            error: `Date value '${clause.values[0]}' for field '${clause.name}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
          };
        }
        const compare: Record<string, (value: number) => boolean> = {
          '=': value => value === at,
          '!=': value => value !== at,
          '>': value => value > at,
          '>=': value => value >= at,
          '<': value => value < at,
          '<=': value => value <= at,
        };
        return { test: state => compare[clause.operator](state[field]) };
      }
    }
  }

  // Projects, fields and the rest

  private getProject(ctx: Ctx): Answer {
    const reference = ctx.params.projectIdOrKey;
    const project = this.findProject(reference);
    if (!project) return this.noProject(reference);
    const api = ctx.api.root;
    const body: Record<string, unknown> = {
      expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
      self: `${api}/project/${project.id}`,
      id: project.id,
      key: project.key,
      description: '',
      lead: this.userJson(ctx, this.users[0]),
      components: project.components.map(c =>
        this.componentJson(ctx, project, c),
      ),
      issueTypes: project.issueTypeIds.map(id => this.issueTypeJson(ctx, id)),
      assigneeType: 'UNASSIGNED',
      versions: [],
      name: project.name,
      roles: {},
      avatarUrls: this.projectAvatars(ctx),
      projectTypeKey: 'software',
      archived: false,
    };
    if (this.cloud) {
      Object.assign(body, {
        simplified: false,
        style: 'classic',
        isPrivate: false,
        properties: {},
      });
    }
    return { status: 200, body };
  }

  private createComponent(ctx: Ctx): Answer {
    const input = isObject(ctx.body) ? ctx.body : {};
    const reference =
      input.project !== undefined
        ? String(input.project)
        : String(input.projectId ?? '');
    const project = this.findProject(reference);
    if (!project) return this.noProject(reference);
    if (!project.canAdminister) {
      return {
        status: 403,
        body: {
          errorMessages: ['You cannot edit the configuration of this project.'],
          errors: {},
        },
      };
    }
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name) {
      return jiraErrors([], {
        name: 'The component name specified is invalid - cannot be empty.',
      });
    }
    if (
      project.components.some(c => c.name.toLowerCase() === name.toLowerCase())
    ) {
      return jiraErrors([], {
        name: `A component with the name ${name} already exists in this project.`,
      });
    }
    const component: ComponentRecord = {
      id: String(this.nextId++),
      name,
      ...(typeof input.description === 'string'
        ? { description: input.description }
        : {}),
    };
    project.components.push(component);
    return { status: 201, body: this.componentJson(ctx, project, component) };
  }

  private fieldList(): unknown[] {
    const system = SYSTEM_FIELDS.map(field => ({
      id: field.id,
      key: field.id,
      name: field.name,
      custom: false,
      orderable: field.orderable,
      navigable: field.navigable,
      searchable: field.searchable,
      clauseNames: field.clauseNames,
      ...(field.schema ? { schema: field.schema } : {}),
    }));
    const custom = [...this.fieldDefinitions.values()].map(field => ({
      id: field.id,
      key: field.id,
      name: field.name,
      ...(this.cloud ? { untranslatedName: field.name } : {}),
      custom: true,
      orderable: true,
      navigable: true,
      searchable: true,
      clauseNames: [
        `cf[${field.customId}]`,
        field.name,
        `${field.name}[${CUSTOM_TYPES[field.type].searcher}]`,
      ],
      schema: this.customSchema(field),
    }));
    return [...system, ...custom];
  }

  private priorityList(ctx: Ctx): unknown[] {
    return PRIORITIES.map(priority => ({
      self: `${ctx.api.root}/priority/${priority.id}`,
      statusColor: priority.color,
      description: `${priority.name} priority`,
      iconUrl: this.priorityIcon(priority.name),
      name: priority.name,
      id: priority.id,
      ...(this.cloud ? { isDefault: priority.id === DEFAULT_PRIORITY_ID } : {}),
    }));
  }

  private resolutionList(ctx: Ctx): unknown[] {
    return RESOLUTIONS.map(resolution =>
      this.resolutionJson(ctx, resolution.id),
    );
  }

  private myself(ctx: Ctx): Record<string, unknown> {
    return {
      ...this.userJson(ctx, ctx.caller),
      locale: 'en_US',
      groups: { size: 1, items: [] },
      applicationRoles: { size: 1, items: [] },
      expand: 'groups,applicationRoles',
    };
  }

  // JSON as Jira sends it

  private issueJson(
    ctx: Ctx,
    state: IssueState,
    project: ProjectRecord,
    options: {
      fields: string[] | undefined;
      defaultFields: '*all' | '*navigable';
      expand: string[] | undefined;
      /** Embed at most `changelogLimit` changelog entries. */
      capChangelog?: boolean;
    },
  ): Record<string, unknown> {
    const all = [
      // The key is top-level; the status category is inside the status.
      ...SYSTEM_FIELDS.map(field => field.id).filter(
        id => id !== 'issuekey' && id !== 'statusCategory',
      ),
      ...project.fieldIds,
    ];
    const navigable = all.filter(id => id !== 'comment');
    const requested = options.fields?.length
      ? options.fields
      : [options.defaultFields];
    const selected = new Set<string>();
    for (const item of requested) {
      if (item === '*all') all.forEach(id => selected.add(id));
      else if (item === '*navigable') navigable.forEach(id => selected.add(id));
      else if (!item.startsWith('-') && all.includes(item)) selected.add(item);
    }
    if (requested.every(item => item.startsWith('-')))
      navigable.forEach(id => selected.add(id));
    for (const item of requested)
      if (item.startsWith('-')) selected.delete(item.slice(1));

    const fields: Record<string, unknown> = {};
    for (const id of all)
      if (selected.has(id))
        fields[id] = this.fieldJson(ctx, state, project, id);
    const expand = options.expand ?? [];
    const json: Record<string, unknown> = {
      expand:
        'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
      id: state.id,
      self: `${ctx.api.root}/issue/${state.id}`,
      key: state.key,
      fields,
    };
    if (expand.includes('renderedFields')) {
      json.renderedFields = Object.fromEntries(
        Object.keys(fields).map(id => [
          id,
          id === 'description'
            ? state.description && this.html(state.description)
            : null,
        ]),
      );
    }
    if (expand.includes('names')) {
      json.names = Object.fromEntries(
        Object.keys(fields).map(id => [id, this.fieldName(id)]),
      );
    }
    if (expand.includes('schema')) {
      json.schema = Object.fromEntries(
        Object.keys(fields).map(id => [id, this.fieldSchema(id)]),
      );
    }
    if (expand.includes('changelog')) {
      const limit = options.capChangelog
        ? this.options.changelogLimit ?? Infinity
        : Infinity;
      const kept = state.histories.slice(
        Math.max(0, state.histories.length - limit),
      );
      json.changelog = {
        // What Jira says of startAt when it kept the newest is not known.
        startAt: 0,
        maxResults: kept.length,
        total: state.histories.length,
        histories: kept.map(history => this.historyJson(ctx, history)),
      };
    }
    if (
      expand.includes('transitions') ||
      expand.includes('transitions.fields')
    ) {
      json.transitions = this.transitionsJson(
        ctx,
        project,
        state,
        expand.includes('transitions.fields'),
      );
    }
    return json;
  }

  private historyJson(
    ctx: Ctx,
    history: HistoryRecord,
  ): Record<string, unknown> {
    return {
      id: history.id,
      author: this.userJson(ctx, this.userById(history.authorId)),
      created: jiraTime(history.created),
      items: structuredClone(history.items),
    };
  }

  /**
   * Cloud's `GET /issue/{key}/changelog`: the changelog oldest first, in
   * pages of at most 100 entries by `startAt`.
   */
  private changelogPage(ctx: Ctx, state: IssueState): Answer {
    const query = ctx.url.searchParams;
    const startAt = Math.max(
      0,
      Math.floor(Number(query.get('startAt') ?? 0)) || 0,
    );
    const asked = Math.floor(Number(query.get('maxResults') ?? 100)) || 100;
    const maxResults = Math.min(100, Math.max(1, asked));
    const total = state.histories.length;
    const values = state.histories
      .slice(startAt, startAt + maxResults)
      .map(history => this.historyJson(ctx, history));
    const isLast = startAt + values.length >= total;
    const page = (at: number) =>
      `${ctx.api.root}/issue/${state.id}/changelog?maxResults=${maxResults}&startAt=${at}`;
    return {
      status: 200,
      body: {
        self: page(startAt),
        ...(isLast ? {} : { nextPage: page(startAt + values.length) }),
        maxResults,
        startAt,
        total,
        isLast,
        values,
      },
    };
  }

  private fieldJson(
    ctx: Ctx,
    state: IssueState,
    project: ProjectRecord,
    id: string,
  ): unknown {
    switch (id) {
      case 'summary':
        return state.summary;
      case 'description':
        return state.description && this.richOut(ctx, state.description);
      case 'issuetype':
        return this.issueTypeJson(ctx, state.issueTypeId);
      case 'project':
        return {
          self: `${ctx.api.root}/project/${project.id}`,
          id: project.id,
          key: project.key,
          name: project.name,
          projectTypeKey: 'software',
          ...(this.cloud ? { simplified: false } : {}),
          avatarUrls: this.projectAvatars(ctx),
        };
      case 'status':
        return this.statusJson(ctx, state.status);
      case 'labels':
        return [...state.labels];
      case 'priority': {
        const priority = PRIORITIES.find(p => p.id === state.priorityId)!;
        return {
          self: `${ctx.api.root}/priority/${priority.id}`,
          iconUrl: this.priorityIcon(priority.name),
          name: priority.name,
          id: priority.id,
        };
      }
      case 'components':
        return state.componentIds
          .map(
            componentId => project.components.find(c => c.id === componentId)!,
          )
          .map(component => ({
            self: `${ctx.api.root}/component/${component.id}`,
            id: component.id,
            name: component.name,
            ...(component.description
              ? { description: component.description }
              : {}),
          }));
      case 'assignee':
        return (
          state.assigneeId &&
          this.userJson(ctx, this.userById(state.assigneeId))
        );
      case 'reporter':
        return this.userJson(ctx, this.userById(state.reporterId));
      case 'resolution':
        return (
          state.resolutionId && this.resolutionJson(ctx, state.resolutionId)
        );
      case 'resolutiondate':
        return state.resolutiondate === null
          ? null
          : jiraTime(state.resolutiondate);
      case 'created':
        return jiraTime(state.created);
      case 'updated':
        return jiraTime(state.updated);
      case 'comment':
        return {
          comments: state.comments.map(comment =>
            this.commentJson(ctx, state, comment, false),
          ),
          self: `${ctx.api.root}/issue/${state.id}/comment`,
          maxResults: state.comments.length,
          total: state.comments.length,
          startAt: 0,
        };
      default:
        return this.customJson(
          ctx,
          this.fieldDefinitions.get(id)!,
          state.custom[id] ?? null,
        );
    }
  }

  private customJson(
    ctx: Ctx,
    field: FieldDefinition,
    value: CustomValue,
  ): unknown {
    if (value === null) return null;
    const option = (id: string) => ({
      self: `${ctx.api.root}/customFieldOption/${id}`,
      value: field.options.find(o => o.id === id)!.value,
      id,
    });
    switch (field.type) {
      case 'option':
        return option(value as string);
      case 'options':
        return (value as string[]).map(option);
      case 'user':
        return this.userJson(ctx, this.userById(value as string));
      case 'labels':
        return [...(value as string[])];
      default:
        return value;
    }
  }

  private transitionsJson(
    ctx: Ctx,
    project: ProjectRecord,
    state: IssueState,
    withFields: boolean,
  ): Array<Record<string, unknown> & { id: string }> {
    return this.availableTransitions(project, state).map(transition => {
      const screen = Object.entries(transition.fields ?? {});
      const json: Record<string, unknown> & { id: string } = {
        id: transition.id,
        name: transition.name,
        to: this.statusJson(ctx, transition.to),
      };
      if (this.cloud) {
        Object.assign(json, {
          hasScreen: screen.length > 0,
          isGlobal: transition.from === 'any',
          isInitial: false,
          isAvailable: true,
          isConditional: false,
          isLooped: false,
        });
      }
      if (withFields) {
        json.fields = Object.fromEntries(
          screen.map(([fieldId, field]) => {
            const base = {
              required: field.required,
              hasDefaultValue: false,
              operations: ['set'],
              key: fieldId,
            };
            if (fieldId === 'resolution') {
              const allowed = field.allowedValues ?? RESOLUTION_NAMES;
              return [
                fieldId,
                {
                  ...base,
                  schema: { type: 'resolution', system: 'resolution' },
                  name: 'Resolution',
                  allowedValues: RESOLUTIONS.filter(r =>
                    allowed.includes(r.name),
                  ).map(r => this.resolutionJson(ctx, r.id)),
                },
              ];
            }
            const definition = this.fieldDefinitions.get(fieldId)!;
            return [
              fieldId,
              {
                ...base,
                schema: this.customSchema(definition),
                name: definition.name,
                ...(definition.options.length
                  ? {
                      allowedValues: definition.options.map(o => ({
                        self: `${ctx.api.root}/customFieldOption/${o.id}`,
                        value: o.value,
                        id: o.id,
                      })),
                    }
                  : {}),
              },
            ];
          }),
        );
      }
      return json;
    });
  }

  private commentJson(
    ctx: Ctx,
    state: IssueState,
    comment: CommentRecord,
    rendered: boolean,
  ): Record<string, unknown> {
    return {
      self: `${ctx.api.root}/issue/${state.id}/comment/${comment.id}`,
      id: comment.id,
      author: this.userJson(ctx, this.userById(comment.authorId)),
      body: this.richOut(ctx, comment.body),
      ...(rendered ? { renderedBody: this.html(comment.body) } : {}),
      updateAuthor: this.userJson(ctx, this.userById(comment.updateAuthorId)),
      created: jiraTime(comment.created),
      updated: jiraTime(comment.updated),
      ...(comment.visibility
        ? { visibility: this.visibilityJson(comment.visibility) }
        : {}),
      ...(this.cloud ? { jsdPublic: true } : {}),
    };
  }

  /**
   * A comment's restriction as Jira answers it; Cloud adds an
   * `identifier`: the role's name, or the group's id.
   */
  private visibilityJson(
    visibility: JiraCommentVisibility,
  ): Record<string, unknown> {
    if (!this.cloud) return { ...visibility };
    const identifier =
      visibility.type === 'role'
        ? visibility.value
        : hex(`group:${visibility.value}`, 32).replace(
            /^(.{8})(.{4})(.{4})(.{4})(.{12})$/,
            '$1-$2-$3-$4-$5',
          );
    return { ...visibility, identifier };
  }

  private userJson(ctx: Ctx, user: UserRecord): Record<string, unknown> {
    const avatar = (size: number) =>
      this.cloud
        ? `https://secure.gravatar.com/avatar/${hex(
            user.emailAddress,
            32,
          )}?d=mm&s=${size}`
        : `${
            this.baseUrl
          }/secure/useravatar?size=${size}&ownerId=${encodeURIComponent(
            user.name,
          )}`;
    const common = {
      emailAddress: user.emailAddress,
      avatarUrls: {
        '48x48': avatar(48),
        '24x24': avatar(24),
        '16x16': avatar(16),
        '32x32': avatar(32),
      },
      displayName: user.displayName,
      active: true,
      timeZone: user.timeZone,
    };
    return this.cloud
      ? {
          self: `${ctx.api.root}/user?accountId=${user.accountId}`,
          accountId: user.accountId,
          ...common,
          accountType: 'atlassian',
        }
      : {
          self: `${ctx.api.root}/user?username=${encodeURIComponent(
            user.name,
          )}`,
          name: user.name,
          key: user.key,
          ...common,
        };
  }

  private statusJson(ctx: Ctx, name: string): Record<string, unknown> {
    const status = this.statuses.get(name)!;
    return {
      self: `${ctx.api.root}/status/${status.id}`,
      description: '',
      iconUrl: this.cloud
        ? `${this.baseUrl}/`
        : `${this.baseUrl}/images/icons/statuses/generic.png`,
      name: status.name,
      id: status.id,
      statusCategory: this.categoryJson(ctx, status.category),
    };
  }

  private categoryJson(
    ctx: Ctx,
    category: JiraStatusCategory,
  ): Record<string, unknown> {
    const { id, name, colorName } = CATEGORIES[category];
    return {
      self: `${ctx.api.root}/statuscategory/${id}`,
      id,
      key: category,
      colorName,
      name,
    };
  }

  private issueTypeJson(ctx: Ctx, id: string): Record<string, unknown> {
    const name = [...this.issueTypes].find(([, typeId]) => typeId === id)![0];
    const avatarId = 10300 + (Number(id) % 100);
    return {
      self: `${ctx.api.root}/issuetype/${id}`,
      id,
      description: `A ${name.toLowerCase()}.`,
      iconUrl: this.cloud
        ? `${this.baseUrl}/rest/api/2/universal_avatar/view/type/issuetype/avatar/${avatarId}?size=medium`
        : `${this.baseUrl}/secure/viewavatar?size=xsmall&avatarId=${avatarId}&avatarType=issuetype`,
      name,
      subtask: false,
      avatarId,
      ...(this.cloud ? { hierarchyLevel: 0 } : {}),
    };
  }

  private componentJson(
    ctx: Ctx,
    project: ProjectRecord,
    component: ComponentRecord,
  ): Record<string, unknown> {
    return {
      self: `${ctx.api.root}/component/${component.id}`,
      id: component.id,
      name: component.name,
      ...(component.description ? { description: component.description } : {}),
      assigneeType: 'PROJECT_DEFAULT',
      realAssigneeType: 'PROJECT_DEFAULT',
      isAssigneeTypeValid: false,
      project: project.key,
      projectId: Number(project.id),
    };
  }

  private resolutionJson(ctx: Ctx, id: string): Record<string, unknown> {
    const resolution = RESOLUTIONS.find(r => r.id === id)!;
    return {
      self: `${ctx.api.root}/resolution/${resolution.id}`,
      id: resolution.id,
      description: resolution.description,
      name: resolution.name,
    };
  }

  private customSchema(field: FieldDefinition): Record<string, unknown> {
    const type = CUSTOM_TYPES[field.type];
    return {
      type: type.type,
      ...(type.items ? { items: type.items } : {}),
      custom: `com.atlassian.jira.plugin.system.customfieldtypes:${type.custom}`,
      customId: field.customId,
    };
  }

  private fieldName(id: string): string {
    return (
      SYSTEM_FIELDS.find(field => field.id === id)?.name ??
      this.fieldDefinitions.get(id)!.name
    );
  }

  private fieldSchema(id: string): unknown {
    const system = SYSTEM_FIELDS.find(field => field.id === id);
    return system
      ? system.schema
      : this.customSchema(this.fieldDefinitions.get(id)!);
  }

  private projectAvatars(ctx: Ctx): Record<string, string> {
    const url = this.cloud
      ? `${this.baseUrl}/rest/api/${ctx.api.version}/universal_avatar/view/type/project/avatar/10424?`
      : `${this.baseUrl}/secure/projectavatar?avatarId=10324&`;
    const sizes = { 48: 'large', 24: 'small', 16: 'xsmall', 32: 'medium' };
    return Object.fromEntries(
      Object.entries(sizes).map(([pixels, size]) => [
        `${pixels}x${pixels}`,
        `${url}size=${size}`,
      ]),
    );
  }

  private priorityIcon(name: string): string {
    return `${this.baseUrl}/images/icons/priorities/${name.toLowerCase()}.svg`;
  }

  /** Rich text in the request's format. */
  private richOut(ctx: Ctx, text: Rich): Rich {
    if (typeof text === 'string') return text;
    return ctx.api.adf ? structuredClone(text) : adfText(text);
  }

  private html(text: Rich): string {
    const plain = typeof text === 'string' ? text : adfText(text);
    const escaped = plain
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;');
    return escaped
      .split(/\n{2,}/)
      .map(block => `<p>${block.replace(/\n/g, '<br/>\n')}</p>`)
      .join('\n');
  }

  // Readable forms for the tests

  private readable(state: IssueState): FakeJiraIssue {
    const project = this.project(state.projectKey);
    const person = (accountId: string) => {
      const user = this.userById(accountId);
      return this.cloud ? user.accountId : user.name;
    };
    return {
      id: state.id,
      key: state.key,
      projectKey: state.projectKey,
      issueType: [...this.issueTypes].find(
        ([, id]) => id === state.issueTypeId,
      )![0],
      summary: state.summary,
      description: state.description && structuredClone(state.description),
      labels: [...state.labels],
      status: state.status,
      statusCategory: this.categoryOf(project, state.status),
      priority: PRIORITIES.find(p => p.id === state.priorityId)?.name ?? null,
      components: state.componentIds.map(
        id => project.components.find(c => c.id === id)!.name,
      ),
      assignee: state.assigneeId && person(state.assigneeId),
      reporter: person(state.reporterId),
      resolution:
        RESOLUTIONS.find(r => r.id === state.resolutionId)?.name ?? null,
      resolutiondate:
        state.resolutiondate === null ? null : jiraTime(state.resolutiondate),
      created: jiraTime(state.created),
      updated: jiraTime(state.updated),
      customFields: Object.fromEntries(
        project.fieldIds.map(id => {
          const field = this.fieldDefinitions.get(id)!;
          const value = state.custom[id] ?? null;
          const optionValue = (optionId: string) =>
            field.options.find(o => o.id === optionId)!.value;
          if (value === null) return [id, null];
          if (field.type === 'option')
            return [id, optionValue(value as string)];
          if (field.type === 'options')
            return [id, (value as string[]).map(optionValue)];
          if (field.type === 'user') return [id, person(value as string)];
          return [id, Array.isArray(value) ? [...value] : value];
        }),
      ),
      comments: state.comments.map(comment => this.readableComment(comment)),
    };
  }

  private readableComment(comment: CommentRecord): FakeJiraComment {
    const author = this.userById(comment.authorId);
    return {
      id: comment.id,
      author: this.cloud ? author.accountId : author.name,
      body: structuredClone(comment.body),
      created: jiraTime(comment.created),
      updated: jiraTime(comment.updated),
      ...(comment.visibility ? { visibility: { ...comment.visibility } } : {}),
    };
  }

  // Lookups

  private addUser(seed: {
    name: string;
    displayName: string;
    accountId?: string;
    emailAddress?: string;
  }): UserRecord {
    const user: UserRecord = {
      // Cloud account ids look like 5b10ac8d82e05b22cc7d4ef5.
      accountId: seed.accountId ?? `5b${hex(`account ${seed.name}`, 22)}`,
      name: seed.name,
      key: `JIRAUSER${10100 + this.users.length}`,
      displayName: seed.displayName,
      emailAddress: seed.emailAddress ?? `${seed.name}@acme.example`,
      timeZone: 'Europe/Berlin',
    };
    this.users.push(user);
    return user;
  }

  private userById(accountId: string): UserRecord {
    return this.users.find(user => user.accountId === accountId)!;
  }

  private userNamed(reference: string): UserRecord {
    const user = this.users.find(
      u => u.accountId === reference || u.name === reference,
    );
    if (!user) throw new Error(`FakeJira: no user ${reference}`);
    return user;
  }

  /** Cloud names users by accountId (or id), Data Center by name (or key). */
  private userByReference(reference: unknown): UserRecord | undefined {
    if (!isObject(reference)) return undefined;
    return this.users.find(user =>
      this.cloud
        ? user.accountId === (reference.accountId ?? reference.id)
        : user.name === reference.name || user.key === reference.key,
    );
  }

  private unknownUser(reference: unknown): string {
    // Jira's wording here is the fake's best knowledge, not checked against a site.
    if (this.cloud)
      return 'Specified user does not exist or you do not have required permissions';
    const name = isObject(reference)
      ? reference.name ?? reference.key
      : reference;
    return `User '${name}' does not exist.`;
  }

  private registerStatus(status: JiraWorkflowStatus): void {
    const known = this.statuses.get(status.name);
    if (known) {
      if (
        known.category !== status.category ||
        (status.id && status.id !== known.id)
      ) {
        throw new Error(
          `FakeJira: status ${status.name} is defined twice differently`,
        );
      }
      return;
    }
    this.statuses.set(status.name, {
      id: status.id ?? String(10000 + this.statuses.size),
      name: status.name,
      category: status.category,
    });
  }

  private registerField(field: JiraCustomField): void {
    const customId = Number(/^customfield_(\d+)$/.exec(field.id)?.[1]);
    if (!customId)
      throw new Error(`FakeJira: ${field.id} is not a customfield_NNNNN id`);
    const known = this.fieldDefinitions.get(field.id);
    if (known && (known.type !== field.type || known.name !== field.name)) {
      throw new Error(
        `FakeJira: field ${field.id} is defined twice differently`,
      );
    }
    const definition = known ?? {
      id: field.id,
      name: field.name,
      type: field.type,
      customId,
      options: [],
    };
    for (const value of field.options ?? []) {
      if (!definition.options.some(o => o.value === value)) {
        definition.options.push({ id: String(this.nextId++), value });
      }
    }
    this.fieldDefinitions.set(field.id, definition);
  }

  private issueTypeId(name: string): string {
    let id = this.issueTypes.get(name);
    if (!id) {
      id = String(10001 + this.issueTypes.size);
      this.issueTypes.set(name, id);
    }
    return id;
  }

  private issueTypeByReference(
    project: ProjectRecord,
    reference: unknown,
  ): string | { error: string } {
    if (
      !isObject(reference) ||
      (reference.id === undefined && reference.name === undefined)
    ) {
      return {
        error: this.cloud ? 'Specify an issue type' : 'issue type is required',
      };
    }
    const id =
      reference.id !== undefined
        ? String(reference.id)
        : this.issueTypes.get(reference.name);
    if (!id || ![...this.issueTypes.values()].includes(id)) {
      return {
        error: this.cloud
          ? 'Specify a valid issue type'
          : 'valid issue type is required',
      };
    }
    if (!project.issueTypeIds.includes(id)) {
      return { error: 'The issue type selected is invalid.' };
    }
    return id;
  }

  private componentByReference(
    project: ProjectRecord,
    reference: unknown,
  ): ComponentRecord | undefined {
    if (!isObject(reference)) return undefined;
    return project.components.find(c =>
      reference.id !== undefined
        ? c.id === String(reference.id)
        : c.name === reference.name,
    );
  }

  private resolutionByReference(reference: unknown) {
    if (!isObject(reference)) return undefined;
    return RESOLUTIONS.find(r =>
      reference.id !== undefined
        ? r.id === String(reference.id)
        : r.name === reference.name,
    );
  }

  private resolutionNamed(name: string) {
    return RESOLUTIONS.find(r => r.name === name);
  }

  private statusByValue(value: string): StatusRecord | undefined {
    return [...this.statuses.values()].find(
      s => s.id === value || s.name.toLowerCase() === value.toLowerCase(),
    );
  }

  private categoryOf(
    project: ProjectRecord,
    statusName: string,
  ): JiraStatusCategory {
    return project.workflow.statuses.find(s => s.name === statusName)!.category;
  }

  private availableTransitions(
    project: ProjectRecord,
    state: IssueState,
  ): JiraWorkflowTransition[] {
    // A global transition is offered from every status, its own included, as in Jira.
    return project.workflow.transitions.filter(
      t => t.from === 'any' || t.from.includes(state.status),
    );
  }

  private findProject(
    reference: string,
    includeHidden = false,
  ): ProjectRecord | undefined {
    return this.projects.find(
      p =>
        (includeHidden || !p.hidden) &&
        (p.key === reference.toUpperCase() || p.id === reference),
    );
  }

  private projectByReference(reference: unknown): ProjectRecord | undefined {
    if (!isObject(reference)) return undefined;
    const value = reference.id ?? reference.key;
    return value === undefined ? undefined : this.findProject(String(value));
  }

  private project(key: string): ProjectRecord {
    const project = this.findProject(key, true);
    if (!project)
      throw new Error(`FakeJira: no project ${key}; addProject it first`);
    return project;
  }

  /** The live issue by id or key (keys are case-insensitive), hidden or not. */
  private liveIssue(idOrKey: string): IssueState | undefined {
    const id = /^\d+$/.test(idOrKey)
      ? idOrKey
      : this.idsByKey.get(idOrKey.toUpperCase());
    return (id && this.entries.get(id)?.live) || undefined;
  }

  private visibleIssue(idOrKey: string): IssueState | undefined {
    const state = this.liveIssue(idOrKey);
    return state && !this.project(state.projectKey).hidden ? state : undefined;
  }

  private existing(key: string): IssueState {
    const state = this.liveIssue(key);
    if (!state) throw new Error(`FakeJira: no issue ${key}`);
    return state;
  }

  private notFound(message: string): Answer {
    return { status: 404, body: { errorMessages: [message], errors: {} } };
  }

  private noProject(reference: string): Answer {
    const by = /^\d+$/.test(reference) ? 'id' : 'key';
    return this.notFound(
      `No project could be found with ${by} '${reference}'.`,
    );
  }

  private cannotSet(fieldId: string): string {
    return `Field '${fieldId}' cannot be set. It is not on the appropriate screen, or unknown.`;
  }

  /** A list query parameter, given repeated or comma-separated. */
  private listParam(
    query: URLSearchParams,
    name: string,
  ): string[] | undefined {
    const values = query.getAll(name).flatMap(value => value.split(','));
    const trimmed = values.map(value => value.trim()).filter(Boolean);
    return trimmed.length ? trimmed : undefined;
  }

  /** A list from a POST body (array or comma-separated string). */
  private listInput(value: unknown): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    const items = Array.isArray(value)
      ? value.map(String)
      : String(value).split(',');
    const trimmed = items.map(item => item.trim()).filter(Boolean);
    return trimmed.length ? trimmed : undefined;
  }

  /** A GET search's query parameters in the POST body's form. */
  private queryInput(url: URL): Record<string, unknown> {
    const query = url.searchParams;
    const number = (name: string) =>
      query.has(name) ? Number(query.get(name)) : undefined;
    return {
      jql: query.get('jql') ?? undefined,
      nextPageToken: query.get('nextPageToken') ?? undefined,
      startAt: number('startAt'),
      maxResults: number('maxResults'),
      fields: this.listParam(query, 'fields'),
      expand: this.listParam(query, 'expand'),
      reconcileIssues: this.listParam(query, 'reconcileIssues'),
    };
  }
}

// The JQL the fake understands: what a sync client needs, joined with AND.

type JqlField =
  | 'project'
  | 'labels'
  | 'key'
  | 'created'
  | 'updated'
  | 'status'
  | 'statusCategory';
type JqlOperator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'in' | 'not in';

interface JqlClause {
  field: JqlField;
  /** As the query spelled it, for messages. */
  name: string;
  operator: JqlOperator;
  values: string[];
}

interface JqlQuery {
  clauses: JqlClause[];
  orderBy: Array<{
    field: 'created' | 'updated' | 'key';
    direction: 'asc' | 'desc';
  }>;
}

const JQL_FIELDS: Record<string, JqlField> = {
  project: 'project',
  labels: 'labels',
  key: 'key',
  issuekey: 'key',
  issue: 'key',
  created: 'created',
  createddate: 'created',
  updated: 'updated',
  updateddate: 'updated',
  status: 'status',
  statuscategory: 'statusCategory',
};

const JQL_OPERATORS: Record<JqlField, JqlOperator[]> = {
  project: ['=', '!=', 'in', 'not in'],
  labels: ['=', '!=', 'in', 'not in'],
  key: ['=', '!=', 'in', 'not in'],
  status: ['=', '!=', 'in', 'not in'],
  statusCategory: ['=', '!=', 'in', 'not in'],
  created: ['=', '!=', '>', '>=', '<', '<='],
  updated: ['=', '!=', '>', '>=', '<', '<='],
};

const JQL_ORDER_FIELDS: Record<
  string,
  'created' | 'updated' | 'key' | undefined
> = {
  created: 'created',
  updated: 'updated',
  key: 'key',
  issuekey: 'key',
};

/** Jira fields that are real but that the fake's JQL does not support. */
const UNSUPPORTED_JQL_FIELDS = new Set(
  SYSTEM_FIELDS.flatMap(field =>
    field.clauseNames.map(name => name.toLowerCase()),
  ).concat(['text', 'resolved', 'component', 'fixversion', 'sprint', 'parent']),
);

interface JqlToken {
  kind: 'word' | 'string' | 'operator' | '(' | ')' | ',';
  text: string;
  position: number;
}

function tokenizeJql(text: string): JqlToken[] | { error: string } {
  const tokens: JqlToken[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '"' || char === "'") {
      let value = '';
      let j = i + 1;
      while (j < text.length && text[j] !== char) {
        if (text[j] === '\\' && j + 1 < text.length) j += 1;
        value += text[j];
        j += 1;
      }
      if (j >= text.length) {
        return {
          error: `Error in the JQL Query: The quoted string '${value}' has not been completed. (line 1, character ${
            i + 1
          })`,
        };
      }
      tokens.push({ kind: 'string', text: value, position: i });
      i = j + 1;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: char, text: char, position: i });
      i += 1;
    } else {
      const operator = /^(>=|<=|!=|!~|=|>|<|~)/.exec(text.slice(i))?.[0];
      if (operator) {
        tokens.push({ kind: 'operator', text: operator, position: i });
        i += operator.length;
      } else {
        const word = /^[^\s()",'=!<>~]+/.exec(text.slice(i))?.[0];
        if (!word) {
          return {
            error: `Error in the JQL Query: The character '${char}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${char
              .charCodeAt(0)
              .toString(16)
              .padStart(4, '0')}' instead. (line 1, character ${i + 1})`,
          };
        }
        tokens.push({ kind: 'word', text: word, position: i });
        i += word.length;
      }
    }
  }
  return tokens;
}

function parseJql(text: string): JqlQuery | { error: string } {
  const tokens = tokenizeJql(text);
  if ('error' in tokens) return tokens;
  const query: JqlQuery = { clauses: [], orderBy: [] };
  let i = 0;
  const at = (token: JqlToken | undefined) =>
    `(line 1, character ${(token?.position ?? text.length) + 1})`;
  const keyword = (token: JqlToken | undefined, word: string) =>
    token?.kind === 'word' && token.text.toLowerCase() === word;
  const unsupported = (what: string, token: JqlToken | undefined) => ({
    error: `Error in the JQL Query: ${what} is not supported by FakeJira, which takes clauses on project, labels, key, created, updated, status and statusCategory joined with AND. ${at(
      token,
    )}`,
  });
  const value = (): string | { error: string } => {
    const token = tokens[i];
    if (token?.kind !== 'word' && token?.kind !== 'string') {
      return {
        error: `Error in the JQL Query: Expecting either a value, list or function but got '${
          token?.text ?? 'EOF'
        }'. ${at(token)}`,
      };
    }
    i += 1;
    return token.text;
  };

  while (i < tokens.length && !keyword(tokens[i], 'order')) {
    if (query.clauses.length > 0) {
      if (keyword(tokens[i], 'or')) return unsupported('OR', tokens[i]);
      if (!keyword(tokens[i], 'and')) {
        return {
          error: `Error in the JQL Query: Expecting either 'OR' or 'AND' but got '${
            tokens[i].text
          }'. ${at(tokens[i])}`,
        };
      }
      i += 1;
    }
    const fieldToken = tokens[i];
    if (fieldToken?.kind === '(')
      return unsupported('A parenthesised clause', fieldToken);
    if (keyword(fieldToken, 'not')) return unsupported('NOT', fieldToken);
    if (fieldToken?.kind !== 'word' && fieldToken?.kind !== 'string') {
      return {
        error: `Error in the JQL Query: Expecting a field name but got '${
          fieldToken?.text ?? 'EOF'
        }'. ${at(fieldToken)}`,
      };
    }
    i += 1;
    const field = JQL_FIELDS[fieldToken.text.toLowerCase()];
    if (!field) {
      if (
        UNSUPPORTED_JQL_FIELDS.has(fieldToken.text.toLowerCase()) ||
        /^cf\[\d+\]$/i.test(fieldToken.text)
      ) {
        return unsupported(`The field '${fieldToken.text}'`, fieldToken);
      }
      return {
        error: `Field '${fieldToken.text}' does not exist or you do not have permission to view it.`,
      };
    }
    let operator: string;
    const operatorToken = tokens[i];
    if (operatorToken?.kind === 'operator') {
      operator = operatorToken.text;
      i += 1;
    } else if (keyword(operatorToken, 'in')) {
      operator = 'in';
      i += 1;
    } else if (keyword(operatorToken, 'not') && keyword(tokens[i + 1], 'in')) {
      operator = 'not in';
      i += 2;
    } else if (keyword(operatorToken, 'is')) {
      return unsupported('IS', operatorToken);
    } else {
      return {
        error: `Error in the JQL Query: Expecting operator but got '${
          operatorToken?.text ?? 'EOF'
        }'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. ${at(
          operatorToken,
        )}`,
      };
    }
    if (!JQL_OPERATORS[field].includes(operator as JqlOperator)) {
      return {
        error: `The operator '${operator.toUpperCase()}' is not supported by the '${
          fieldToken.text
        }' field.`,
      };
    }
    const values: string[] = [];
    if (operator === 'in' || operator === 'not in') {
      if (tokens[i]?.kind !== '(') {
        return {
          error: `Error in the JQL Query: Expecting '(' but got '${
            tokens[i]?.text ?? 'EOF'
          }'. ${at(tokens[i])}`,
        };
      }
      i += 1;
      for (;;) {
        const item = value();
        if (typeof item !== 'string') return item;
        values.push(item);
        if (tokens[i]?.kind === ',') {
          i += 1;
        } else if (tokens[i]?.kind === ')') {
          i += 1;
          break;
        } else {
          return {
            error: `Error in the JQL Query: Expecting ')' but got '${
              tokens[i]?.text ?? 'EOF'
            }'. ${at(tokens[i])}`,
          };
        }
      }
    } else {
      const item = value();
      if (typeof item !== 'string') return item;
      values.push(item);
    }
    query.clauses.push({
      field,
      name: fieldToken.text,
      operator: operator as JqlOperator,
      values,
    });
  }

  if (i < tokens.length) {
    if (!keyword(tokens[i + 1], 'by')) {
      return {
        error: `Error in the JQL Query: Expecting 'BY' but got '${
          tokens[i + 1]?.text ?? 'EOF'
        }'. ${at(tokens[i + 1])}`,
      };
    }
    i += 2;
    for (;;) {
      const token = tokens[i];
      const name = token?.text.toLowerCase() ?? '';
      const field = JQL_ORDER_FIELDS[name];
      if (!field) {
        return unsupported(`Ordering by '${token?.text ?? 'EOF'}'`, token);
      }
      i += 1;
      let direction: 'asc' | 'desc' = field === 'key' ? 'asc' : 'desc';
      if (keyword(tokens[i], 'asc') || keyword(tokens[i], 'desc')) {
        direction = tokens[i].text.toLowerCase() as 'asc' | 'desc';
        i += 1;
      }
      query.orderBy.push({ field, direction });
      if (tokens[i]?.kind !== ',') break;
      i += 1;
    }
    if (i < tokens.length) {
      return {
        error: `Error in the JQL Query: Expecting ',' but got '${
          tokens[i].text
        }'. ${at(tokens[i])}`,
      };
    }
  }
  return query;
}

/**
 * A JQL date: 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', ... or a period such as
 * -15m, -2h, -1d, -1w from now. The fake reads absolute dates as UTC; Jira
 * reads them in the user's time zone.
 */
function jqlDate(text: string, now: number): number | undefined {
  const period = /^([-+]?)(\d+)([mhdw])$/.exec(text.trim());
  if (period) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[
      period[3] as 'm'
    ];
    return now + (period[1] === '-' ? -1 : 1) * Number(period[2]) * unit;
  }
  const date =
    /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(
      text.trim(),
    );
  if (!date) return undefined;
  const [, year, month, day, hour = '0', minute = '0'] = date;
  return Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
  );
}

/** Opaque to clients; the fake keeps the offset and which query it pages. */
function encodePageToken(offset: number, query: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q: query })).toString(
    'base64url',
  );
}

function decodePageToken(
  token: string,
): { offset: number; query: string } | undefined {
  try {
    const { o, q } = JSON.parse(Buffer.from(token, 'base64url').toString());
    return Number.isInteger(o) && typeof q === 'string'
      ? { offset: o, query: q }
      : undefined;
  } catch {
    return undefined;
  }
}
