import { once } from 'node:events';
import http from 'node:http';
import net, { AddressInfo } from 'node:net';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { http as mswHttp, RequestHandler } from 'msw';
import { serveFakeTracker } from '../../../dev/serveFakeTracker';
import {
  GITHUB_TOKEN,
  paymentsApi,
  REPO,
  SyncHarnessOptions,
} from '../../sync/__testUtils__/syncHarness';
import {
  GITLAB_PROJECT,
  gitlabUnderTest,
} from '../../sync/__testUtils__/trackersUnderTest/gitlab';
import {
  JIRA_PROJECT,
  jiraPaymentsApi,
  jiraTrackerSettings,
} from '../../sync/__testUtils__/trackersUnderTest/jira';
import { FakeGitHub } from '../../sync/trackers/__testUtils__/fakeGitHub';
import { FakeGitLab } from '../../sync/trackers/__testUtils__/fakeGitLab';
import { FakeJira } from '../../sync/trackers/__testUtils__/fakeJira';

const GITLAB_TOKEN = 'glpat-test-token';
const BODY_MARKER = /<!-- security-observations:observation=([\w-]+) -->/;

/**
 * One of the tests' fake trackers served over real HTTP on localhost (as
 * `yarn fake-trackers` serves them), from the test's own process: its
 * issues outlive a sync process that is killed.
 */
export interface TrackerOverHttp {
  name: string;
  /** Payments API, routed to this tracker. */
  entity: Entity;
  /** The backend configuration that points the sync at this fake. */
  config: JsonObject;
  /** The same, as sync harness settings. */
  harness: Partial<SyncHarnessOptions>;
  /** Every issue on the tracker: its key and the observation marker in it. */
  issues(): TrackerIssue[];
  /** Called as each create request arrives, before the fake answers it. */
  onCreate(listener: () => void): void;
  close(): Promise<void>;
}

/** An issue as the sync links it (its key) and the observation it is for. */
export interface TrackerIssue {
  key: string;
  marker: string | undefined;
}

/** How each fake is served: its handlers and where the sync finds it. */
interface Served {
  name: string;
  handlers: RequestHandler[];
  /** The create request's URL pattern (msw syntax). */
  createUrl: string;
  notFound: unknown;
  entity: Entity;
  integrations: { github?: JsonObject[]; gitlab?: JsonObject[] };
  /** The `securityObservations.trackers` entry. */
  tracker: JsonObject;
  issues(): TrackerIssue[];
}

export type TrackerOverHttpFactory = (options: {
  latencyMs: number;
}) => Promise<TrackerOverHttp>;

/** GitHub.com through the integration's apiBaseUrl, as GitHub Enterprise is reached. */
export const githubOverHttp: TrackerOverHttpFactory = ({ latencyMs }) =>
  serve(baseUrl => {
    const fake = new FakeGitHub({ apiBaseUrl: baseUrl, latencyMs });
    fake.addRepo(REPO);
    return {
      name: 'GitHub',
      handlers: fake.handlers,
      createUrl: `${baseUrl}/repos/:owner/:repo/issues`,
      notFound: { message: 'Not Found', status: '404' },
      entity: paymentsApi(),
      integrations: {
        github: [
          { host: 'github.com', apiBaseUrl: baseUrl, token: GITHUB_TOKEN },
        ],
      },
      tracker: { id: 'github', type: 'github', host: 'github.com' },
      issues: () =>
        fake.issues(REPO).map(issue => ({
          key: `${REPO}#${issue.number}`,
          marker: BODY_MARKER.exec(issue.body ?? '')?.[1],
        })),
    };
  });

/** GitLab.com through the integration's apiBaseUrl. */
export const gitlabOverHttp: TrackerOverHttpFactory = ({ latencyMs }) =>
  serve(baseUrl => {
    const fake = new FakeGitLab({
      host: baseUrl,
      tokens: [GITLAB_TOKEN],
      latencyMs,
    });
    fake.addProject(GITLAB_PROJECT, { id: 4_211 });
    return {
      name: 'GitLab',
      handlers: fake.handlers,
      createUrl: `${baseUrl}/api/v4/projects/:id/issues`,
      notFound: { error: '404 Not Found' },
      entity: gitlabUnderTest().entity(),
      integrations: {
        gitlab: [
          {
            host: 'gitlab.com',
            apiBaseUrl: `${baseUrl}/api/v4`,
            token: GITLAB_TOKEN,
          },
        ],
      },
      tracker: { id: 'gitlab', type: 'gitlab', host: 'gitlab.com' },
      issues: () =>
        fake.issues(GITLAB_PROJECT).map(issue => ({
          key: `${GITLAB_PROJECT}#${issue.iid}`,
          marker: BODY_MARKER.exec(issue.description ?? '')?.[1],
        })),
    };
  });

/** Jira Cloud at its base URL, paced faster than Atlassian's default. */
export const jiraOverHttp: TrackerOverHttpFactory = ({ latencyMs }) =>
  serve(baseUrl => {
    const fake = new FakeJira({ deployment: 'cloud', baseUrl, latencyMs });
    fake.addProject({ key: JIRA_PROJECT, components: ['payments'] });
    return {
      name: 'Jira Cloud',
      handlers: fake.handlers,
      createUrl: `${baseUrl}/rest/api/3/issue`,
      notFound: { errorMessages: ['Not found'], errors: {} },
      entity: jiraPaymentsApi(),
      integrations: {},
      tracker: {
        ...jiraTrackerSettings('cloud', baseUrl),
        // 5 creates a second would stretch 40 creates over 8 s.
        pacing: { createsPerMinute: 3_000, requestsPerMinute: 6_000 },
      },
      issues: () =>
        fake.issues(JIRA_PROJECT).map(issue => ({
          key: issue.key,
          marker: issue.labels
            .find(label => label.startsWith('security-observation-'))
            ?.slice('security-observation-'.length),
        })),
    };
  });

async function serve(
  make: (baseUrl: string) => Served,
): Promise<TrackerOverHttp> {
  // The fakes need their URL before they are served: take a free port first.
  const port = await freePort();
  const served = make(`http://localhost:${port}`);
  const listeners: Array<() => void> = [];
  // Answers nothing, so the fake's own handler answers after it.
  const createHook = mswHttp.post(served.createUrl, () => {
    listeners.forEach(listener => listener());
  });
  const server: http.Server = serveFakeTracker({
    name: served.name,
    port,
    handlers: [createHook, ...served.handlers],
    notFound: served.notFound,
    describe: 'for a fault test',
  });
  await once(server, 'listening');
  const { entity, integrations, tracker } = served;
  return {
    name: served.name,
    entity,
    config: {
      app: { baseUrl: 'https://backstage.acme.example' },
      integrations,
      securityObservations: { trackers: [tracker] },
    },
    harness: {
      entities: [entity],
      ...integrations,
      config: { trackers: [tracker] },
    },
    issues: served.issues,
    onCreate: listener => listeners.push(listener),
    close: async () => {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, 'localhost');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise(resolve => probe.close(resolve));
  return port;
}
