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
  addComment(key: string, markdown: string): Promise<void>;
  /** Issues matching the JQL (first page), with their status. */
  searchIssues(jql: string, maxResults: number): Promise<JiraIssueState[]>;
  getProject(key: string): Promise<JiraProject>;
  createComponent(project: string, name: string): Promise<void>;
  getFields(): Promise<JiraField[]>;
}
