/** Where `yarn fake-github` serves GitHub's REST API, and its token. */
export const FAKE_GITHUB = 'http://localhost:7788';
export const FAKE_GITHUB_TOKEN = 'ghp_fake_token';

/** An issue as GitHub's REST API answers, the fields the test reads. */
export interface GitHubIssue {
  number: number;
  title: string;
  state: 'open' | 'closed';
  state_reason: string | null;
  body: string | null;
  labels: Array<{ name: string }>;
}

/** Reads the fake's issues the way one would read GitHub's. */
export async function githubIssues(repo: string): Promise<GitHubIssue[]> {
  const response = await fetch(
    `${FAKE_GITHUB}/repos/${repo}/issues?state=all&per_page=100`,
    { headers: { authorization: `token ${FAKE_GITHUB_TOKEN}` } },
  );
  if (!response.ok) {
    throw new Error(`The fake GitHub answered ${response.status}`);
  }
  return response.json();
}
