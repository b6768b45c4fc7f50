import {
  CHANGELOG_PAGE_SIZE,
  issueStateOf,
  JiraApi,
  JiraChangelogPage,
  JiraEdit,
  JiraIssueBean,
  JiraIssueState,
  JiraLiveIssue,
  JiraLivePage,
  JiraProject,
  LIVE_FIELDS,
  LIVE_PAGE_SIZE,
} from './JiraApi';
import { JiraHistoryJson, JiraUserJson } from './jiraLiveIssue';
import { JiraTransport } from './JiraTransport';
import { loadJiraCloud } from './loadJiraCloud';
import { markdownToAdf } from './markdownToAdf';

/** The fields read back after a write or a search. */
const STATE_FIELDS = ['status'];

/**
 * Jira Cloud through `jira.js` 6 (REST v3): its typed endpoint functions
 * and response schemas over our transport. Descriptions and comments are
 * Atlassian Document Format.
 */
export class JiraCloudApi implements JiraApi {
  readonly deployment = 'cloud' as const;
  private readonly jira = loadJiraCloud();

  constructor(private readonly transport: JiraTransport) {}

  renderDescription(markdown: string) {
    const value = markdownToAdf(markdown);
    return { value, size: JSON.stringify(value).length };
  }

  async createIssue(fields: Record<string, unknown>) {
    const created = await this.jira.createIssue(this.transport, { fields });
    return { id: String(created.id), key: String(created.key) };
  }

  async editIssue(key: string, edit: JiraEdit): Promise<JiraIssueState> {
    // returnIssue: the issue as edited, with its status and transitions, in
    // the same request (Cloud only).
    const issue = (await this.jira.editIssue(this.transport, {
      issueIdOrKey: key,
      fields: edit.fields,
      update: edit.update as never,
      returnIssue: true,
      expand: 'transitions.fields',
    })) as unknown as JiraIssueBean;
    return issueStateOf(issue);
  }

  async getIssueState(key: string): Promise<JiraIssueState> {
    const issue = (await this.jira.getIssue(this.transport, {
      issueIdOrKey: key,
      fields: STATE_FIELDS,
      expand: 'transitions.fields',
    })) as unknown as JiraIssueBean;
    return issueStateOf(issue);
  }

  async addLabels(key: string, labels: string[]) {
    await this.jira.editIssue(this.transport, {
      issueIdOrKey: key,
      update: { labels: labels.map(add => ({ add })) },
    });
  }

  async transitionIssue(
    key: string,
    transitionId: string,
    fields: Record<string, unknown>,
  ) {
    await this.jira.doTransition(this.transport, {
      issueIdOrKey: key,
      transition: { id: transitionId },
      ...(Object.keys(fields).length > 0 ? { fields } : {}),
    });
  }

  async addComment(key: string, markdown: string, trailer?: string) {
    const body = markdownToAdf(markdown);
    if (trailer) {
      body.content.push({
        type: 'paragraph',
        content: [{ type: 'text', text: trailer }],
      });
    }
    const comment = await this.jira.addComment(this.transport, {
      issueIdOrKey: key,
      body: body as never,
    });
    return { id: String(comment.id) };
  }

  async myself(): Promise<JiraUserJson> {
    return this.jira.getCurrentUser(this.transport);
  }

  async searchLiveIssues(jql: string, page?: string): Promise<JiraLivePage> {
    const answer = await this.jira.searchAndReconsileIssuesUsingJqlPost(
      this.transport,
      {
        jql,
        maxResults: LIVE_PAGE_SIZE,
        fields: LIVE_FIELDS,
        expand: 'changelog',
        ...(page ? { nextPageToken: page } : {}),
      },
    );
    return {
      issues: (answer.issues ?? []) as unknown as JiraLiveIssue[],
      ...(!answer.isLast && answer.nextPageToken
        ? { next: answer.nextPageToken }
        : {}),
    };
  }

  async getLiveIssue(key: string): Promise<JiraLiveIssue> {
    const issue = await this.jira.getIssue(this.transport, {
      issueIdOrKey: key,
      fields: LIVE_FIELDS,
      expand: 'changelog',
    });
    return issue as unknown as JiraLiveIssue;
  }

  async getChangelog(key: string, startAt: number): Promise<JiraChangelogPage> {
    const page = await this.jira.getChangeLogs(this.transport, {
      issueIdOrKey: key,
      startAt,
      maxResults: CHANGELOG_PAGE_SIZE,
    });
    return {
      startAt: page.startAt,
      total: page.total,
      histories: page.values as unknown as JiraHistoryJson[],
    };
  }

  async searchIssues(jql: string, maxResults: number) {
    const page = await this.jira.searchAndReconsileIssuesUsingJqlPost(
      this.transport,
      {
        jql,
        maxResults,
        fields: STATE_FIELDS,
      },
    );
    return ((page.issues ?? []) as unknown as JiraIssueBean[]).map(
      issueStateOf,
    );
  }

  async getProject(key: string): Promise<JiraProject> {
    const project = await this.jira.getProject(this.transport, {
      projectIdOrKey: key,
      expand: 'issueTypes',
    });
    return {
      key: String(project.key),
      issueTypes: (project.issueTypes ?? []).map(type => ({
        name: String(type.name),
        subtask: Boolean(type.subtask),
      })),
      components: (project.components ?? []).map(component => ({
        name: String(component.name),
      })),
    };
  }

  async createComponent(project: string, name: string) {
    await this.jira.createComponent(this.transport, { project, name });
  }

  async getFields() {
    const fields = await this.jira.getFields(this.transport);
    return fields.map(field => ({
      id: String(field.id),
      name: String(field.name),
    }));
  }
}
