/**
 * The fake trackers of the tests as real HTTP servers, for trying the
 * tracker sync without accounts on GitHub, GitLab or Jira, and for the
 * end-to-end test:
 *
 *   yarn fake-trackers
 *
 *   GitHub  http://localhost:7788  token ghp_fake_token      repos  FAKE_GITHUB_REPOS
 *   GitLab  http://localhost:7789  token glpat-fake-token    projects FAKE_GITLAB_PROJECTS
 *   Jira    http://localhost:7790  jira-bot@acme.example / jira-fake-token (Jira Cloud)
 *           projects FAKE_JIRA_PROJECTS as KEY:component,component;KEY2:...
 *
 * The defaults are the example's: acme-corp/payments-api on GitHub,
 * acme-corp/storefront/checkout-web on GitLab, LEDG with the component
 * ledger on Jira. Point the example at them with Backstage's environment
 * config (scripts/start-with-fake-trackers does it). They serve the
 * trackers' REST APIs with their shapes, statuses and headers (see
 * src/sync/trackers/__testUtils__), in memory. Read what the sync did as
 * you would on the real ones:
 *
 *   curl -H 'Authorization: token ghp_fake_token' 'http://localhost:7788/repos/acme-corp/payments-api/issues?state=all'
 *   curl -H 'PRIVATE-TOKEN: glpat-fake-token' 'http://localhost:7789/api/v4/projects/acme-corp%2Fstorefront%2Fcheckout-web/issues'
 *   curl -u jira-bot@acme.example:jira-fake-token 'http://localhost:7790/rest/api/3/search/jql?jql=project=LEDG&fields=summary,status,labels'
 *
 * Act on an issue as a person would, which sends the tracker's signed
 * webhook to the example's events ingress (see fakeTrackerPeople.ts):
 *
 *   curl -X POST localhost:7788/_people/close-as-wont-fix -d '{"issue":"acme-corp/payments-api#1"}'
 */
import { FakeGitHub } from '../src/sync/trackers/__testUtils__/fakeGitHub';
import { FakeGitLab } from '../src/sync/trackers/__testUtils__/fakeGitLab';
import { FakeJira } from '../src/sync/trackers/__testUtils__/fakeJira';
import { githubPeople, gitlabPeople, jiraPeople } from './fakeTrackerPeople';
import { serveFakeTracker } from './serveFakeTracker';

const list = (value: string | undefined, fallback: string, separator = ',') =>
  (value ?? fallback)
    .split(separator)
    .map(item => item.trim())
    .filter(Boolean);

const githubPort = Number(process.env.FAKE_GITHUB_PORT ?? 7788);
const githubToken = process.env.FAKE_GITHUB_TOKEN ?? 'ghp_fake_token';
const github = new FakeGitHub({
  apiBaseUrl: `http://localhost:${githubPort}`,
  tokens: [githubToken],
});
const repos = list(process.env.FAKE_GITHUB_REPOS, 'acme-corp/payments-api');
repos.forEach(repo => github.addRepo(repo));
serveFakeTracker({
  name: 'GitHub',
  port: githubPort,
  handlers: github.handlers,
  people: githubPeople(github),
  notFound: {
    message: 'Not Found',
    documentation_url: 'https://docs.github.com/rest',
    status: '404',
  },
  describe: `token ${githubToken}, ${repos.join(', ')}`,
});

const gitlabPort = Number(process.env.FAKE_GITLAB_PORT ?? 7789);
const gitlabToken = process.env.FAKE_GITLAB_TOKEN ?? 'glpat-fake-token';
const gitlab = new FakeGitLab({
  host: `http://localhost:${gitlabPort}`,
  tokens: [gitlabToken],
});
const projects = list(
  process.env.FAKE_GITLAB_PROJECTS,
  'acme-corp/storefront/checkout-web',
);
projects.forEach(project => gitlab.addProject(project));
serveFakeTracker({
  name: 'GitLab',
  port: gitlabPort,
  handlers: gitlab.handlers,
  people: gitlabPeople(gitlab),
  notFound: { error: '404 Not Found' },
  describe: `token ${gitlabToken}, ${projects.join(', ')}`,
});

const jiraPort = Number(process.env.FAKE_JIRA_PORT ?? 7790);
const jiraToken = process.env.FAKE_JIRA_TOKEN ?? 'jira-fake-token';
const jira = new FakeJira({
  deployment: 'cloud',
  baseUrl: `http://localhost:${jiraPort}`,
  credentials: [{ email: 'jira-bot@acme.example', apiToken: jiraToken }],
});
const jiraProjects = list(process.env.FAKE_JIRA_PROJECTS, 'LEDG:ledger', ';');
for (const project of jiraProjects) {
  const [key, components = ''] = project.split(':');
  jira.addProject({ key, components: list(components, '') });
}
serveFakeTracker({
  name: 'Jira Cloud',
  port: jiraPort,
  handlers: jira.handlers,
  people: jiraPeople(jira),
  notFound: { errorMessages: ['Not found'], errors: {} },
  describe: `jira-bot@acme.example / ${jiraToken}, ${jiraProjects.join(', ')}`,
});
