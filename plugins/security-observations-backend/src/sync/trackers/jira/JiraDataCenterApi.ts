import {
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
import { JiraUserJson } from './jiraLiveIssue';
import { JiraTransport } from './JiraTransport';
import { markdownToJiraWiki } from './markdownToJiraWiki';

const API = '/rest/api/2';

/**
 * Jira Data Center through its REST API v2, over the same transport as the
 * Cloud client. A thin client, not `jira.js`: jira.js 6 speaks Cloud's v3
 * (ADF, `/search/jql`, account ids) and its README says Server and Data
 * Center are not supported. Descriptions and comments are wiki markup;
 * the personal access token goes as a bearer token.
 */
export class JiraDataCenterApi implements JiraApi {
  readonly deployment = 'datacenter' as const;

  constructor(private readonly transport: JiraTransport) {}

  renderDescription(markdown: string) {
    const value = markdownToJiraWiki(markdown);
    return { value, size: value.length };
  }

  async createIssue(fields: Record<string, unknown>) {
    return this.transport.sendRequest<{ id: string; key: string }>({
      url: `${API}/issue`,
      method: 'POST',
      body: { fields },
    });
  }

  async editIssue(key: string, edit: JiraEdit): Promise<JiraIssueState> {
    await this.transport.sendRequest({
      url: `${API}/issue/${encodeURIComponent(key)}`,
      method: 'PUT',
      body: edit,
    });
    // Data Center answers an edit with 204: read the status back.
    return this.getIssueState(key);
  }

  async getIssueState(key: string): Promise<JiraIssueState> {
    const issue = await this.transport.sendRequest<JiraIssueBean>({
      url: `${API}/issue/${encodeURIComponent(key)}`,
      searchParams: { fields: 'status', expand: 'transitions.fields' },
    });
    return issueStateOf(issue);
  }

  async addLabels(key: string, labels: string[]) {
    await this.transport.sendRequest({
      url: `${API}/issue/${encodeURIComponent(key)}`,
      method: 'PUT',
      body: { update: { labels: labels.map(add => ({ add })) } },
    });
  }

  async transitionIssue(
    key: string,
    transitionId: string,
    fields: Record<string, unknown>,
  ) {
    await this.transport.sendRequest({
      url: `${API}/issue/${encodeURIComponent(key)}/transitions`,
      method: 'POST',
      body: {
        transition: { id: transitionId },
        ...(Object.keys(fields).length > 0 ? { fields } : {}),
      },
    });
  }

  async addComment(key: string, markdown: string, trailer?: string) {
    const body = markdownToJiraWiki(markdown);
    const comment = await this.transport.sendRequest<{ id: string }>({
      url: `${API}/issue/${encodeURIComponent(key)}/comment`,
      method: 'POST',
      body: { body: trailer ? `${body}\n\n${trailer}` : body },
    });
    return { id: String(comment.id) };
  }

  async myself(): Promise<JiraUserJson> {
    return this.transport.sendRequest<JiraUserJson>({ url: `${API}/myself` });
  }

  async searchLiveIssues(jql: string, page?: string): Promise<JiraLivePage> {
    // Data Center pages by offset and says the total.
    const startAt = page ? Number(page) : 0;
    const answer = await this.transport.sendRequest<{
      issues?: JiraLiveIssue[];
      total?: number;
    }>({
      url: `${API}/search`,
      method: 'POST',
      body: {
        jql,
        startAt,
        maxResults: LIVE_PAGE_SIZE,
        fields: LIVE_FIELDS,
        expand: ['changelog'],
      },
    });
    const issues = answer.issues ?? [];
    const next = startAt + issues.length;
    return {
      issues,
      ...(issues.length > 0 && next < (answer.total ?? 0)
        ? { next: String(next) }
        : {}),
    };
  }

  async getLiveIssue(key: string): Promise<JiraLiveIssue> {
    return this.transport.sendRequest<JiraLiveIssue>({
      url: `${API}/issue/${encodeURIComponent(key)}`,
      searchParams: { fields: LIVE_FIELDS, expand: 'changelog' },
    });
  }

  async getChangelog(key: string): Promise<JiraChangelogPage> {
    // An issue's own read embeds all of its changelog.
    const issue = await this.getLiveIssue(key);
    const histories = issue.changelog?.histories ?? [];
    return { startAt: 0, total: histories.length, histories };
  }

  async searchIssues(jql: string, maxResults: number) {
    // Data Center's search reads its Lucene index, updated as issues are
    // written on that node.
    const page = await this.transport.sendRequest<{ issues?: JiraIssueBean[] }>(
      {
        url: `${API}/search`,
        method: 'POST',
        body: { jql, maxResults, startAt: 0, fields: ['status'] },
      },
    );
    return (page.issues ?? []).map(issueStateOf);
  }

  async getProject(key: string): Promise<JiraProject> {
    const project = await this.transport.sendRequest<JiraProject>({
      url: `${API}/project/${encodeURIComponent(key)}`,
    });
    return {
      key: project.key,
      issueTypes: project.issueTypes ?? [],
      components: project.components ?? [],
    };
  }

  async createComponent(project: string, name: string) {
    await this.transport.sendRequest({
      url: `${API}/component`,
      method: 'POST',
      body: { project, name },
    });
  }

  async getFields() {
    return this.transport.sendRequest<Array<{ id: string; name: string }>>({
      url: `${API}/field`,
    });
  }
}
