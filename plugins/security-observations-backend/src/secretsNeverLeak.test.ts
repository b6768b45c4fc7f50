import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { inspect } from 'node:util';
import { securityObservationsPlugin } from './plugin';
import { FakeGitHub } from './sync/trackers/__testUtils__/fakeGitHub';
import { FakeGitLab } from './sync/trackers/__testUtils__/fakeGitLab';
import { FakeJira, JIRA_PERSON } from './sync/trackers/__testUtils__/fakeJira';
import { securityObservationsEventsModule } from './twoWay/events/securityObservationsEventsModule';

jest.setTimeout(120_000);

/*
 * Every secret the plugin is given or shown, planted with a distinctive
 * value, then the plugin's whole life: uploads, "Sync now" to GitHub,
 * GitLab and Jira (one failure each, for the error paths), webhooks, the
 * reconciliation, every reading route. No planted value may show up in a
 * log line (any level, audit events included), an API answer, a
 * notification, or a request to a tracker, except each tracker's own
 * credential in the header that authenticates to that tracker.
 */

const PLANTED = {
  githubToken: 'ghp_PLANTEDgh0tokenXq7Rw2Lm9Vt4Zs8Kp1NdA',
  gitlabToken: 'glpat-PLANTEDgl0tok3Hj8Qw',
  jiraApiToken: 'ATATT3xFfGF0PLANTEDjira0api0tokenFq2Wm',
  githubWebhookSecret: 'PLANTED-github-webhook-secret-4f1c9e',
  gitlabWebhookSecret: 'PLANTED-gitlab-webhook-secret-8b2d7a',
  jiraWebhookSecret: 'PLANTED-jira-webhook-secret-3e6a0c',
  scannerToken: 'PLANTED-scanner-static-token-5d93b1c7',
  securityBotToken: 'PLANTED-security-bot-token-0a7e44f2',
  /** What Gitleaks found in a commit (its `Secret`). */
  gitleaksSecret: 'AKIAPLANTEDLEAK7QXZ2',
  /** What a SARIF secret scanner put in `region.snippet.text`. */
  sarifSecret: 'sk_live_PLANTEDsarif0secret0Wn4Yb',
};
const JIRA_EMAIL = 'jira-bot@acme.example';

/** The planted values, and the encodings in which they travel. */
const forbidden: Array<[string, string]> = [
  ...Object.entries(PLANTED),
  [
    'jiraApiToken as Basic credentials',
    Buffer.from(`${JIRA_EMAIL}:${PLANTED.jiraApiToken}`).toString('base64'),
  ],
];
const found = (text: string) =>
  forbidden.filter(([, value]) => text.includes(value)).map(([name]) => name);

const GITHUB_REPO = 'acme-corp/payments-api';
const GITLAB_PROJECT = 'acme-corp/storefront/checkout-web';
const JIRA_PROJECT = 'LED';

const component = (
  name: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', owner: 'group:default/team-payments' },
});
const entities = [
  component('payments-api', { 'github.com/project-slug': GITHUB_REPO }),
  component('checkout-web', { 'gitlab.com/project-slug': GITLAB_PROJECT }),
  component('ledger', { 'jira/project-key': JIRA_PROJECT }),
];
const entityRefs = entities.map(
  entity => `component:default/${entity.metadata.name}`,
);

/** A Gitleaks 8 report of one leak, with `--redact` off, as CI runs it. */
const gitleaksReport = JSON.stringify([
  {
    RuleID: 'aws-access-token',
    Description:
      'Identified a pattern that may indicate AWS credentials, risking unauthorized cloud resource access and data breaches on AWS platforms.',
    StartLine: 12,
    EndLine: 12,
    StartColumn: 21,
    EndColumn: 40,
    Match: `aws_access_key_id = ${PLANTED.gitleaksSecret}`,
    Secret: PLANTED.gitleaksSecret,
    File: 'deploy/terraform/provider.tf',
    SymlinkFile: '',
    Commit: '4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d',
    Link: 'https://github.com/acme-corp/payments-api/blob/4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d/deploy/terraform/provider.tf#L12',
    Entropy: 3.6841838,
    Author: 'Dana Developer',
    Email: 'dana@acme.example',
    Date: '2024-02-11T09:14:51Z',
    Message: `add terraform provider config with key ${PLANTED.gitleaksSecret}`,
    Tags: [],
    Fingerprint:
      '4d6b2f0e9c1a8b7d3e5f6a7b8c9d0e1f2a3b4c5d:deploy/terraform/provider.tf:aws-access-token:12',
  },
]);

/** SARIF of a secret scanner: the snippet is the secret, the message quotes it. */
const sarifReport = JSON.stringify({
  $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
  version: '2.1.0',
  runs: [
    {
      tool: {
        driver: {
          name: 'Semgrep OSS',
          semanticVersion: '1.69.0',
          rules: [
            {
              id: 'generic.secrets.security.detected-stripe-api-key.detected-stripe-api-key',
              shortDescription: { text: 'Stripe API key detected' },
              defaultConfiguration: { level: 'error' },
              properties: {
                tags: [
                  'CWE-798: Use of Hard-coded Credentials',
                  'secrets',
                  'security',
                ],
              },
            },
          ],
        },
      },
      results: [
        {
          ruleId:
            'generic.secrets.security.detected-stripe-api-key.detected-stripe-api-key',
          message: {
            text: `Stripe API key detected: ${PLANTED.sarifSecret} in src/billing.js`,
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'src/billing.js' },
                region: {
                  startLine: 3,
                  startColumn: 17,
                  endLine: 3,
                  endColumn: 49,
                  snippet: { text: PLANTED.sarifSecret },
                },
              },
            },
          ],
        },
      ],
    },
  ],
});

/** Every log line of every plugin, at every level, as text. */
class CapturedLogs {
  readonly lines: string[] = [];

  logger(fields: Record<string, unknown> = {}): LoggerService {
    const write = (level: string) => (message: string, meta?: Error | object) =>
      this.lines.push(
        `${level} ${message} ${inspect(
          { ...fields, meta },
          { depth: 10, breakLength: Infinity, showHidden: true },
        )}`,
      );
    return {
      error: write('error'),
      warn: write('warn'),
      info: write('info'),
      debug: write('debug'),
      child: more => this.logger({ ...fields, ...more }),
    };
  }
}

interface TrackerRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

describe('planted secrets', () => {
  const msw = setupServer();
  const trackerRequests: Array<Promise<TrackerRequest>> = [];

  beforeAll(() => {
    msw.listen({
      onUnhandledRequest: (req, print) => {
        const { hostname } = new URL(req.url);
        if (hostname !== 'localhost' && hostname !== '127.0.0.1') {
          print.error();
        }
      },
    });
    msw.events.on('request:start', ({ request: req }) => {
      const { hostname } = new URL(req.url);
      if (hostname === 'localhost' || hostname === '127.0.0.1') return;
      trackerRequests.push(
        req
          .clone()
          .text()
          .then(body => ({
            method: req.method,
            url: req.url,
            headers: Object.fromEntries(req.headers),
            body,
          })),
      );
    });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => msw.close());

  it('never show up in logs, API answers, notifications or tracker requests', async () => {
    const github = new FakeGitHub({ tokens: [PLANTED.githubToken] });
    github.addRepo(GITHUB_REPO);
    const gitlab = new FakeGitLab({ tokens: [PLANTED.gitlabToken] });
    gitlab.addProject(GITLAB_PROJECT);
    const jira = new FakeJira({
      deployment: 'cloud',
      credentials: [{ email: JIRA_EMAIL, apiToken: PLANTED.jiraApiToken }],
    });
    jira.addProject({ key: JIRA_PROJECT });
    msw.resetHandlers(...github.handlers, ...gitlab.handlers, ...jira.handlers);

    const logs = new CapturedLogs();
    const consoleLines: string[] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest
        .spyOn(console, method)
        .mockImplementation((...args) =>
          consoleLines.push(args.map(arg => inspect(arg)).join(' ')),
        );
    }
    const notifications: NotificationSendOptions[] = [];

    const { server } = await startTestBackend({
      features: [
        securityObservationsPlugin,
        // A static require: Jest runs without ES module support.
        require('@backstage/plugin-events-backend').default,
        securityObservationsEventsModule,
        // One events service for all plugins, as in a real backend.
        eventsServiceFactory,
        authServiceFactory,
        httpAuthServiceFactory,
        permissionsServiceFactory,
        createServiceFactory({
          service: coreServices.rootLogger,
          deps: {},
          factory: () => logs.logger(),
        }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({
            send: async (notification: NotificationSendOptions) => {
              notifications.push(notification);
            },
          }),
        }),
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'https://backstage.acme.example' },
            // One backend: no event bus to poll (and wait for on shutdown).
            events: { useEventBus: 'never' },
            backend: {
              auth: {
                externalAccess: [
                  {
                    type: 'static',
                    options: {
                      token: PLANTED.scannerToken,
                      subject: 'ci-scanner',
                    },
                    accessRestrictions: [
                      {
                        plugin: 'security-observations',
                        permission: 'security-observations.import.create',
                      },
                    ],
                  },
                  {
                    type: 'static',
                    options: {
                      token: PLANTED.securityBotToken,
                      subject: 'security-bot',
                    },
                    accessRestrictions: [
                      {
                        plugin: 'security-observations',
                        permission: [
                          'security-observations.observation.read',
                          'security-observations.observation.assess',
                        ],
                      },
                    ],
                  },
                ],
              },
            },
            integrations: {
              github: [{ host: 'github.com', token: PLANTED.githubToken }],
              gitlab: [{ host: 'gitlab.com', token: PLANTED.gitlabToken }],
            },
            securityObservations: {
              trackers: [
                {
                  id: 'github',
                  type: 'github',
                  host: 'github.com',
                  twoWay: true,
                  webhookSecret: PLANTED.githubWebhookSecret,
                  pushComments: true,
                },
                {
                  id: 'gitlab',
                  type: 'gitlab',
                  host: 'gitlab.com',
                  twoWay: true,
                  webhookSecret: PLANTED.gitlabWebhookSecret,
                },
                {
                  id: 'jira',
                  type: 'jira',
                  deployment: 'cloud',
                  baseUrl: jira.baseUrl,
                  email: JIRA_EMAIL,
                  apiToken: PLANTED.jiraApiToken,
                  twoWay: true,
                  webhookSecret: PLANTED.jiraWebhookSecret,
                  searchLagSeconds: 0,
                },
              ],
            },
          },
        }),
      ],
    });

    const answers: Array<{ what: string; body: unknown }> = [];
    const call = async (
      what: string,
      req: request.Test,
      expectedStatus: number,
    ) => {
      const res = await req;
      expect({ what, status: res.status }).toEqual({
        what,
        status: expectedStatus,
      });
      answers.push({ what, body: res.body });
      return res.body;
    };
    const API = '/api/security-observations';
    const asBot = (req: request.Test) =>
      req.set('Authorization', `Bearer ${PLANTED.securityBotToken}`);
    const entityPath = (ref: string) =>
      `${API}/v1/entities/${encodeURIComponent(ref)}`;

    // Uploads with the scanner's token; one of them is refused.
    for (const entityRef of entityRefs) {
      for (const [scanner, report] of [
        ['gitleaks', gitleaksReport],
        ['semgrep', sarifReport],
      ]) {
        await call(
          `import to ${entityRef}`,
          request(server)
            .post(`${API}/v1/imports`)
            .query({ entityRef, scanner })
            .set('Authorization', `Bearer ${PLANTED.scannerToken}`)
            .set('Content-Type', 'application/json')
            .send(report),
          201,
        );
      }
    }
    await call(
      'a report no parser reads',
      request(server)
        .post(`${API}/v1/imports`)
        .query({ entityRef: entityRefs[0] })
        .set('Authorization', `Bearer ${PLANTED.scannerToken}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ token: PLANTED.sarifSecret })),
      400,
    );

    // Webhooks of people's changes reach the plugin through the events
    // backend's ingress, signed as each tracker signs them.
    const deliverTo =
      (kind: string) =>
      async (delivery: { headers: Record<string, string>; body: string }) => {
        await call(
          `${kind} webhook`,
          request(server)
            .post(`/api/events/http/security-observations.${kind}`)
            .set(delivery.headers)
            .set('content-type', 'application/json')
            .send(delivery.body),
          202,
        );
      };
    github.sendWebhooks(PLANTED.githubWebhookSecret, deliverTo('github'));
    gitlab.sendWebhooks(PLANTED.gitlabWebhookSecret, deliverTo('gitlab'));
    jira.sendWebhooks(PLANTED.jiraWebhookSecret, deliverTo('jira'));

    // "Sync now", where each tracker refuses one create: the error path
    // (the observation's last error, the owners' notification, the log).
    github.failNext({ method: 'POST', path: /\/issues$/ }, { status: 404 });
    gitlab.failNext({ method: 'POST', path: /\/issues$/ }, { status: 404 });
    jira.failNext({ method: 'POST', path: /\/issue$/ }, { status: 404 });
    // A run stops an entity at its first failure: the second takes the rest.
    for (const round of ['first', 'second']) {
      for (const entityRef of entityRefs) {
        await call(
          `${round} sync of ${entityRef}`,
          asBot(request(server).post(`${entityPath(entityRef)}/sync`)),
          202,
        );
      }
    }
    const [githubIssue] = github.issues(GITHUB_REPO);
    const [gitlabIssue] = gitlab.issues(GITLAB_PROJECT);
    const [jiraIssue] = jira.issues(JIRA_PROJECT);
    expect([githubIssue, gitlabIssue, jiraIssue]).not.toContain(undefined);

    // People answer on the trackers; a comment goes back from the tab.
    await github.personComment(
      GITHUB_REPO,
      githubIssue.number,
      'Rotated the key in AWS this morning.',
    );
    await github.personClose(GITHUB_REPO, githubIssue.number, {
      reason: 'not_planned',
    });
    await gitlab.personComments(
      GITLAB_PROJECT,
      gitlabIssue.iid,
      'Revoked in the Stripe dashboard.',
    );
    await jira.commentAs(
      JIRA_PERSON.name,
      jiraIssue.key,
      'Ledger keys are vaulted now.',
    );

    // Every reading route, and the reconciliation, for every entity.
    for (const entityRef of entityRefs) {
      const list = await call(
        `list ${entityRef}`,
        asBot(request(server).get(`${API}/v1/observations`)).query({
          entityRef,
        }),
        200,
      );
      expect(list.items).toHaveLength(2);
      for (const { id } of list.items as Array<{ id: string }>) {
        await call(
          `detail ${id}`,
          asBot(request(server).get(`${API}/v1/observations/${id}`)),
          200,
        );
        await call(
          `events ${id}`,
          asBot(request(server).get(`${API}/v1/observations/${id}/events`)),
          200,
        );
        await call(
          `comments ${id}`,
          asBot(request(server).get(`${API}/v1/observations/${id}/comments`)),
          200,
        );
      }
      const linked = list.items.find(
        (item: { tracker: { issueKey: string | null } }) =>
          item.tracker.issueKey,
      );
      await call(
        `comment on ${entityRef}`,
        asBot(
          request(server).post(`${API}/v1/observations/${linked.id}/comments`),
        ).send({ comment: 'Tracked in the quarterly key rotation.' }),
        201,
      );
      await call(
        `summary ${entityRef}`,
        asBot(request(server).get(`${entityPath(entityRef)}/summary`)),
        200,
      );
      await call(
        `trend ${entityRef}`,
        asBot(request(server).get(`${entityPath(entityRef)}/trend`)).query({
          days: 7,
        }),
        200,
      );
      await call(
        `reconcile ${entityRef}`,
        asBot(request(server).post(`${entityPath(entityRef)}/reconcile`)),
        200,
      );
    }
    // The comments wait for the next run of the sync to be pushed.
    await call(
      'the last sync',
      asBot(request(server).post(`${entityPath(entityRefs[0])}/sync`)),
      202,
    );
    // A delivery with a wrong secret is refused, and the refusal logged.
    await call(
      'a GitLab delivery with a wrong token',
      request(server)
        .post('/api/events/http/security-observations.gitlab')
        .set({
          'x-gitlab-event': 'Note Hook',
          'x-gitlab-token': `${PLANTED.gitlabWebhookSecret}-but-not-quite`,
          'content-type': 'application/json',
        })
        .send(JSON.stringify({ object_kind: 'note' })),
      401,
    );

    // The paths the test meant to take were taken.
    const comments = answers
      .filter(answer => answer.what.startsWith('comments '))
      .flatMap(answer => (answer.body as { items: any[] }).items);
    expect(
      comments.filter(comment => comment.origin !== 'backstage'),
    ).toHaveLength(3);
    expect(
      github
        .issues(GITHUB_REPO)
        .flatMap(issue => github.comments(GITHUB_REPO, issue.number))
        .map(comment => comment.body),
    ).toContainEqual(
      expect.stringContaining('Tracked in the quarterly key rotation.'),
    );
    const observations = answers
      .filter(answer => answer.what.startsWith('detail '))
      .map(answer => answer.body as any);
    expect(
      observations.filter(observation => observation.tracker.issueKey),
    ).toHaveLength(6);
    for (const fake of [github, gitlab, jira]) {
      expect(fake.calls.filter(({ status }) => status === 404)).toHaveLength(1);
    }
    expect(notifications).toHaveLength(3);
    expect(logs.lines.some(line => line.includes('Refused a gitlab'))).toBe(
      true,
    );

    // Nothing planted anywhere.
    for (const line of [...logs.lines, ...consoleLines]) {
      expect({ line: line.slice(0, 300), found: found(line) }).toEqual({
        line: line.slice(0, 300),
        found: [],
      });
    }
    for (const { what, body } of answers) {
      expect({ what, found: found(JSON.stringify(body)) }).toEqual({
        what,
        found: [],
      });
    }
    expect(found(JSON.stringify(notifications))).toEqual([]);

    const ownCredential: Record<string, string> = {
      'api.github.com': PLANTED.githubToken,
      'gitlab.com': PLANTED.gitlabToken,
      [new URL(jira.baseUrl).host]: forbidden.at(-1)![1],
    };
    const sent = await Promise.all(trackerRequests);
    // Every request the fakes answered was captured.
    expect(sent.length).toBe(
      github.calls.length + gitlab.calls.length + jira.calls.length,
    );
    for (const { method, url, headers, body } of sent) {
      const { host } = new URL(url);
      const credentialHeaders = ['authorization', 'private-token'];
      for (const name of credentialHeaders) {
        const value = headers[name];
        if (value === undefined) continue;
        // Its own tracker's credential, and nothing else.
        expect({ url, name, own: value.includes(ownCredential[host]) }).toEqual(
          { url, name, own: true },
        );
      }
      const rest = JSON.stringify({
        url,
        body,
        headers: Object.fromEntries(
          Object.entries(headers).filter(
            ([name]) => !credentialHeaders.includes(name),
          ),
        ),
      });
      expect({ method, url, found: found(rest) }).toEqual({
        method,
        url,
        found: [],
      });
    }
  });
});
