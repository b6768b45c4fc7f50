/*
 * Where `yarn fake-trackers` serves the fake GitHub, GitLab and Jira, with
 * the credentials of examples/app-config.fake-trackers.yaml, and how the
 * test reads their issues: the way one would read the real trackers'.
 */
export const FAKE_GITHUB = 'http://localhost:7788';
export const FAKE_GITLAB = 'http://localhost:7789';
export const FAKE_JIRA = 'http://localhost:7790';

async function read<T>(tracker: string, url: string, headers: HeadersInit) {
  const response = await fetch(url, { headers });
  if (!response.ok) {
    throw new Error(`The fake ${tracker} answered ${response.status}`);
  }
  return (await response.json()) as T;
}

/** An issue as GitHub's REST API answers, the fields the test reads. */
export interface GitHubIssue {
  number: number;
  title: string;
  state: 'open' | 'closed';
  state_reason: string | null;
  body: string | null;
  labels: Array<{ name: string }>;
}

export function githubIssues(repo: string): Promise<GitHubIssue[]> {
  return read(
    'GitHub',
    `${FAKE_GITHUB}/repos/${repo}/issues?state=all&per_page=100`,
    {
      authorization: 'token ghp_fake_token',
    },
  );
}

/** An issue as GitLab's REST API answers. */
export interface GitLabIssue {
  iid: number;
  title: string;
  state: 'opened' | 'closed';
  confidential: boolean;
  description: string | null;
  labels: string[];
}

export function gitlabIssues(project: string): Promise<GitLabIssue[]> {
  return read(
    'GitLab',
    `${FAKE_GITLAB}/api/v4/projects/${encodeURIComponent(
      project,
    )}/issues?per_page=100`,
    { 'private-token': 'glpat-fake-token' },
  );
}

/** An issue as Jira Cloud's search answers, the fields the test asks for. */
export interface JiraIssue {
  key: string;
  fields: {
    summary: string;
    labels: string[];
    status: { name: string; statusCategory: { key: string } };
    issuetype: { name: string };
    components: Array<{ name: string }>;
  };
}

export async function jiraIssues(project: string): Promise<JiraIssue[]> {
  const query = new URLSearchParams({
    jql: `project = ${project} ORDER BY key ASC`,
    fields: 'summary,labels,status,issuetype,components',
    maxResults: '100',
  });
  const page = await read<{ issues: JiraIssue[] }>(
    'Jira',
    `${FAKE_JIRA}/rest/api/3/search/jql?${query}`,
    {
      authorization: `Basic ${Buffer.from(
        'jira-bot@acme.example:jira-fake-token',
      ).toString('base64')}`,
    },
  );
  return page.issues;
}

/**
 * A person acts on an issue of a fake tracker (`comment`,
 * `close-as-wont-fix`, `close-as-false-positive`, `reopen`); the fake then
 * posts its signed webhook to the example's events ingress, as the real
 * tracker would.
 */
export async function actOnIssue(
  tracker: string,
  action: string,
  request: { issue: string; body?: string },
): Promise<void> {
  const response = await fetch(`${tracker}/_people/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (!response.ok) {
    throw new Error(
      `The fake tracker answered ${
        response.status
      } to ${action}: ${await response.text()}`,
    );
  }
}
