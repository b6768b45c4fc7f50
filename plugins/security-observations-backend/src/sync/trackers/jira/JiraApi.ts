import { JiraHistoryJson, JiraUserJson } from './jiraLiveIssue';
import { JiraStatus, JiraTransition } from './jiraWorkflow';

/** An issue as the client reads it back. */
export interface JiraIssueState {
  id: string;
  key: string;
  status: JiraStatus;
  /** Only when read with `transitions.fields`. */
  transitions?: JiraTransition[];
}

/** What the clients read of an issue in Jira's answers. */
export interface JiraIssueBean {
  id: string;
  key: string;
  fields?: { status?: JiraStatus };
  transitions?: JiraTransition[];
}

/** An issue's state from Jira's answer. */
export function issueStateOf(issue: JiraIssueBean): JiraIssueState {
  return {
    id: issue.id,
    key: issue.key,
    status: issue.fields?.status ?? { name: 'Unknown' },
    ...(issue.transitions ? { transitions: issue.transitions } : {}),
  };
}

/** An issue as the reconciliation reads it: status, labels and changelog. */
export interface JiraLiveIssue {
  id: string;
  /** The key now: a moved issue answers under its new key. */
  key: string;
  fields?: { status?: JiraStatus; labels?: string[] };
  /**
   * The changelog as Jira embeds it (`expand=changelog`): searches and
   * issue reads on Cloud, searches on Data Center, may cap it, and then
   * say so by a `total` above the number of `histories`.
   */
  changelog?: {
    startAt?: number;
    maxResults?: number;
    total?: number;
    histories?: JiraHistoryJson[];
  };
}

/** A part of an issue's changelog, oldest first, from `startAt` of `total` entries. */
export interface JiraChangelogPage {
  startAt: number;
  total: number;
  histories: JiraHistoryJson[];
}

/** Changelog entries per page of `getChangelog` on Cloud: Jira's most. */
export const CHANGELOG_PAGE_SIZE = 100;

/** What the reconciliation reads of an issue. */
export const LIVE_FIELDS = ['status', 'labels', 'updated'];
/** Issues per page of the reconciliation's searches, and keys per search. */
export const LIVE_PAGE_SIZE = 50;

/** One page of a search, and where the next one starts (none after the last). */
export interface JiraLivePage {
  issues: JiraLiveIssue[];
  next?: string;
}

/** An edit: fields to set, and operations such as label additions. */
export interface JiraEdit {
  fields?: Record<string, unknown>;
  update?: Record<string, unknown>;
}

/** A project with what a create needs to be checked against. */
export interface JiraProject {
  key: string;
  issueTypes: Array<{ name: string; subtask?: boolean }>;
  components: Array<{ name: string }>;
}

/** A field's id, name and type, for messages about a refused create. */
export interface JiraField {
  id: string;
  name: string;
}

/**
 * The Jira calls the sync makes, in one shape for both deployments: Jira
 * Cloud through `jira.js` (REST v3, descriptions in ADF) and Jira Data
 * Center through a thin client (REST v2, wiki markup). Rich text goes in
 * as markdown; each implementation renders it in its format.
 */
export interface JiraApi {
  readonly deployment: 'cloud' | 'datacenter';
  /** The description in the deployment's format, and its size as Jira counts it. */
  renderDescription(markdown: string): { value: unknown; size: number };
  createIssue(
    fields: Record<string, unknown>,
  ): Promise<{ id: string; key: string }>;
  /**
   * Writes fields (and label additions), then reads the issue back with
   * its status and transitions: on Cloud in the same request
   * (`returnIssue`), on Data Center with a second one.
   */
  editIssue(key: string, edit: JiraEdit): Promise<JiraIssueState>;
  /** The issue's status and the transitions it offers (`transitions.fields`). */
  getIssueState(key: string): Promise<JiraIssueState>;
  /** Adds labels without reading the issue back. */
  addLabels(key: string, labels: string[]): Promise<void>;
  transitionIssue(
    key: string,
    transitionId: string,
    fields: Record<string, unknown>,
  ): Promise<void>;
  /**
   * Adds a comment; `trailer` is a last line of plain text, added as it
   * is after the markdown was rendered (no escaping, no markup).
   */
  addComment(
    key: string,
    markdown: string,
    trailer?: string,
  ): Promise<{ id: string }>;
  /** Issues matching the JQL (first page), with their status. */
  searchIssues(jql: string, maxResults: number): Promise<JiraIssueState[]>;
  /** The account the credentials act as (`/myself`). */
  myself(): Promise<JiraUserJson>;
  /**
   * A page of the issues matching the JQL with status, labels and
   * changelog; `page` is the last page's `next`.
   */
  searchLiveIssues(jql: string, page?: string): Promise<JiraLivePage>;
  /** One issue with status, labels and changelog, by its key or a former one. */
  getLiveIssue(key: string): Promise<JiraLiveIssue>;
  /**
   * The issue's changelog from entry `startAt` (oldest first): on Cloud a
   * page of `CHANGELOG_PAGE_SIZE` entries of `GET /issue/{key}/changelog`;
   * on Data Center, which has no such endpoint, the whole changelog of
   * the issue's read (`expand=changelog`), whatever `startAt`.
   */
  getChangelog(key: string, startAt: number): Promise<JiraChangelogPage>;
  getProject(key: string): Promise<JiraProject>;
  createComponent(project: string, name: string): Promise<void>;
  getFields(): Promise<JiraField[]>;
}
