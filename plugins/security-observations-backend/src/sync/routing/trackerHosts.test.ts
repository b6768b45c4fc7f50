import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { securityObservationsPlugin } from '../../plugin';
import { FakeGitHub } from '../trackers/__testUtils__/fakeGitHub';
import { FakeGitLab } from '../trackers/__testUtils__/fakeGitLab';
import { FakeJira } from '../trackers/__testUtils__/fakeJira';

jest.setTimeout(60_000);

/*
 * Where the sync sends requests (and the credentials with them) comes from
 * app-config only: `integrations.github` / `integrations.gitlab` and the
 * Jira tracker's `baseUrl`. Whoever edits an entity's catalog-info.yaml
 * picks a project on a configured tracker, never a host: an annotation
 * that names another host is refused with a problem on the route, and no
 * request leaves for that host. See docs/trust-model.md.
 */

const API = '/api/security-observations';
/** The trackers' web pages, which the tab links to. */
const WEB_HOSTS = ['github.com', 'gitlab.com', 'acme-corp.atlassian.net'];
/** The trackers' APIs, which the sync calls. */
const CONFIGURED_HOSTS = [
  'api.github.com',
  'gitlab.com',
  'acme-corp.atlassian.net',
];

const component = (
  name: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', owner: 'group:default/team-payments' },
});

/** Entities whose annotations try to send the sync somewhere else, and what they are told. */
const hostile: Array<[Entity, unknown]> = [
  [
    component('host-in-slug', {
      'github.com/project-slug': 'github.evil.example/acme-corp/payments-api',
    }),
    "github.com/project-slug is 'github.evil.example/acme-corp/payments-api'; expected owner/repository",
  ],
  [
    component('url-as-slug', {
      'github.com/project-slug':
        'https://github.evil.example/acme-corp/payments-api',
    }),
    "github.com/project-slug is 'https://github.evil.example/acme-corp/payments-api'; expected owner/repository",
  ],
  [
    component('gitlab-port-in-path', {
      'gitlab.com/project-slug':
        'gitlab.evil.example:8443/acme-corp/payments-api',
    }),
    "gitlab.com/project-slug is 'gitlab.evil.example:8443/acme-corp/payments-api'; expected group/project",
  ],
  [
    component('gitlab-userinfo-id', {
      'gitlab.com/project-id': '4211@gitlab.evil.example',
    }),
    "gitlab.com/project-id is '4211@gitlab.evil.example'; expected a number",
  ],
  [
    component('jira-url-as-key', {
      'jira/project-key': 'https://jira.evil.example/browse/PAY',
    }),
    "jira/project-key is 'https://jira.evil.example/browse/PAY'; expected a Jira project key such as PAY",
  ],
  [
    component('unknown-tracker-id', {
      'security-observations/tracker': 'evil',
      'github.com/project-slug': 'acme-corp/payments-api',
    }),
    "security-observations/tracker is 'evil', but no tracker has that id (configured: github, gitlab, jira)",
  ],
  // Another GitLab instance is not the configured tracker's: not routed,
  // and said so.
  [
    component('other-gitlab-instance', {
      'gitlab.com/instance': 'gitlab.evil.example',
      'gitlab.com/project-slug': 'acme-corp/payments-api',
    }),
    "gitlab.com/instance is 'gitlab.evil.example', but no GitLab tracker is configured for that host (configured: gitlab.com)",
  ],
  [
    component('other-gitlab-instance-picked', {
      'security-observations/tracker': 'gitlab',
      'gitlab.com/instance': 'gitlab.evil.example',
      'gitlab.com/project-slug': 'acme-corp/payments-api',
    }),
    "gitlab.com/instance is 'gitlab.evil.example', but no GitLab tracker is configured for that host (configured: gitlab.com)",
  ],
  // Paths that climb out of the project: Octokit would post `../user` to
  // POST /user/issues.
  [
    component('github-dot-dot-owner', {
      'github.com/project-slug': '../user',
    }),
    "github.com/project-slug is '../user'; expected owner/repository",
  ],
  [
    component('github-dot-dot-repo', {
      'github.com/project-slug': 'acme-corp/..',
    }),
    "github.com/project-slug is 'acme-corp/..'; expected owner/repository",
  ],
  [
    component('gitlab-dot-dot', {
      'gitlab.com/project-slug': 'acme-corp/../admin',
    }),
    "gitlab.com/project-slug is 'acme-corp/../admin'; expected group/project",
  ],
];
const legit = component('payments-api', {
  'github.com/project-slug': 'acme-corp/payments-api',
});

describe('tracker hosts', () => {
  const msw = setupServer();
  const hostsCalled = new Set<string>();

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
      if (hostname !== 'localhost' && hostname !== '127.0.0.1') {
        hostsCalled.add(hostname);
      }
    });
  });
  afterAll(() => msw.close());

  it('come from configuration only: annotations naming another host are refused, and nothing is sent there', async () => {
    const github = new FakeGitHub();
    github.addRepo('acme-corp/payments-api');
    const gitlab = new FakeGitLab();
    const jira = new FakeJira({ deployment: 'cloud' });
    msw.resetHandlers(...github.handlers, ...gitlab.handlers, ...jira.handlers);

    const entities = [legit, ...hostile.map(([entity]) => entity)];
    const { server } = await startTestBackend({
      features: [
        securityObservationsPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [{ host: 'github.com', token: 'ghp_test_token' }],
              gitlab: [{ host: 'gitlab.com', token: 'glpat-test-token' }],
            },
            securityObservations: {
              trackers: [
                { id: 'github', type: 'github', host: 'github.com' },
                { id: 'gitlab', type: 'gitlab', host: 'gitlab.com' },
                {
                  id: 'jira',
                  type: 'jira',
                  deployment: 'cloud',
                  baseUrl: jira.baseUrl,
                  email: 'jira-bot@acme.example',
                  apiToken: 'jira-test-token',
                },
              ],
            },
          },
        }),
      ],
    });
    const report = JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: 'acme/payments-api:1.4.2',
      ArtifactType: 'container_image',
      Results: [
        {
          Target: 'acme/payments-api:1.4.2 (debian 12.5)',
          Class: 'os-pkgs',
          Type: 'debian',
          Vulnerabilities: [
            {
              VulnerabilityID: 'CVE-2024-2511',
              PkgName: 'openssl',
              InstalledVersion: '3.0.11-1~deb12u2',
              FixedVersion: '3.0.13-1~deb12u1',
              Severity: 'HIGH',
              Title:
                'openssl: Unbounded memory growth with session handling in TLSv1.3',
            },
          ],
        },
      ],
    });

    const syncNow = (entity: Entity) =>
      request(server)
        .post(
          `${API}/v1/entities/${encodeURIComponent(
            `component:default/${entity.metadata.name}`,
          )}/sync`,
        )
        .set('Authorization', mockCredentials.user.header());
    for (const entity of entities) {
      const imported = await request(server)
        .post(`${API}/v1/imports`)
        .query({ entityRef: `component:default/${entity.metadata.name}` })
        .set('Authorization', mockCredentials.service.header())
        .set('Content-Type', 'application/json')
        .send(report);
      expect(imported.status).toBe(201);
    }

    for (const [entity, problem] of hostile) {
      const ref = `component:default/${entity.metadata.name}`;
      const refused = await syncNow(entity);
      expect({ ref, status: refused.status }).toEqual({ ref, status: 409 });
      const message: string = refused.body.error.message;
      expect(message.startsWith(`Cannot sync ${ref}: `)).toBe(true);
      expect(message.slice(`Cannot sync ${ref}: `.length)).toEqual(problem);
      // The tab links to the configured tracker's host, or nowhere.
      const summary = await request(server)
        .get(`${API}/v1/entities/${encodeURIComponent(ref)}/summary`)
        .set('Authorization', mockCredentials.user.header());
      const url: string | null = summary.body.tracker?.url ?? null;
      expect([null, ...WEB_HOSTS]).toContain(url && new URL(url).host);
    }
    expect((await syncNow(legit)).status).toBe(202);

    expect(github.issues('acme-corp/payments-api')).toHaveLength(1);
    expect(
      [...hostsCalled].filter(host => !CONFIGURED_HOSTS.includes(host)),
    ).toEqual([]);
    expect(hostsCalled.has('api.github.com')).toBe(true);
  });
});
