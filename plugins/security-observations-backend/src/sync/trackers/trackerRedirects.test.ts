import { ConfigReader } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { DesiredIssue } from './TrackerClient';
import { TrackerError } from './TrackerError';
import {
  GITHUB_DOT_COM_PACING,
  GitHubTrackerClient,
} from './github/GitHubTrackerClient';
import {
  GITLAB_DOT_COM_PACING,
  GitLabTrackerClient,
} from './gitlab/GitLabTrackerClient';

/*
 * A tracker (or a proxy in front of it) that redirects must not take the
 * tracker's credentials elsewhere: fetch drops Authorization on a redirect
 * to another host, but not GitLab's PRIVATE-TOKEN, and GitHub's client
 * follows a moved issue's 301 itself, with the repository's token.
 */

const GITHUB_TOKEN = 'ghp_redirect_test_token';
const GITLAB_TOKEN = 'glpat-redirect-test-token';
const ELSEWHERE = 'https://sso.elsewhere.example';

const issue: DesiredIssue = {
  observationId: '6b1f2d0a-3c4e-4f5a-8b9c-0d1e2f3a4b5c',
  title: '[High] CVE-2024-0001 in openssl (payments-api)',
  body: 'text',
  bodyWithin: () => 'text',
  labels: [],
  state: 'open',
  closeReason: 'fixed',
  observation: {} as never,
  observationUrl: 'https://backstage.acme.example/observations/1',
};

const clock = { now: () => Date.now(), sleep: async () => {} };

describe('tracker redirects', () => {
  const server = setupServer();
  const elsewhere: Request[] = [];
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    elsewhere.length = 0;
  });
  afterAll(() => server.close());
  const recordElsewhere = http.all(`${ELSEWHERE}/*`, ({ request }) => {
    elsewhere.push(request);
    return HttpResponse.json({ ok: true });
  });

  it('GitLab: a redirect is reported with where it pointed, and the token stays home', async () => {
    server.resetHandlers(
      recordElsewhere,
      http.post('https://gitlab.com/api/v4/projects/:project/issues', () =>
        HttpResponse.text('', {
          status: 302,
          headers: { location: `${ELSEWHERE}/users/sign_in` },
        }),
      ),
    );
    const client = new GitLabTrackerClient({
      trackerId: 'gitlab',
      baseUrl: 'https://gitlab.com',
      token: GITLAB_TOKEN,
      confidential: true,
      pacing: GITLAB_DOT_COM_PACING,
      clock,
      retryBaseMs: 1,
      requestTimeoutMs: 5_000,
    });
    const error = await client
      .create(
        { project: 'acme-corp/payments-api', options: {} },
        issue,
        async () => {},
      )
      .catch(e => e);
    expect(error).toBeInstanceOf(TrackerError);
    expect(error.kind).toBe('forbidden');
    expect(error.message).toContain(
      `GitLab answered a redirect to ${ELSEWHERE}/users/sign_in`,
    );
    expect(error.message).not.toContain(GITLAB_TOKEN);
    expect(elsewhere).toHaveLength(0);
  });

  it('GitHub: a moved issue is followed on the same API, never to another host', async () => {
    server.resetHandlers(
      recordElsewhere,
      http.patch(
        'https://api.github.com/repos/acme-corp/payments-api/issues/12',
        () =>
          HttpResponse.json(
            { message: 'Moved Permanently', url: `${ELSEWHERE}/issues/12` },
            { status: 301, headers: { location: `${ELSEWHERE}/issues/12` } },
          ),
      ),
    );
    const client = new GitHubTrackerClient({
      trackerId: 'github',
      host: 'github.com',
      apiBaseUrl: 'https://api.github.com',
      credentials: DefaultGithubCredentialsProvider.fromIntegrations(
        ScmIntegrations.fromConfig(
          new ConfigReader({
            integrations: {
              github: [{ host: 'github.com', token: GITHUB_TOKEN }],
            },
          }),
        ),
      ),
      pacing: GITHUB_DOT_COM_PACING,
      clock,
      retryBaseMs: 1,
      requestTimeoutMs: 5_000,
      log: { debug: () => {}, warn: () => {} },
    });
    const error = await client
      .update('acme-corp/payments-api#12', issue)
      .catch(e => e);
    expect(error).toBeInstanceOf(TrackerError);
    expect(error.message).toContain(
      `redirect to ${ELSEWHERE}, which is not this tracker's API (https://api.github.com)`,
    );
    expect(elsewhere).toHaveLength(0);
  });
});
