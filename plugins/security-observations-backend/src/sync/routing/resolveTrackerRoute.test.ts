import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { readTrackersConfig, TrackerConfig } from './TrackerConfig';
import { resolveTrackerRoute } from './resolveTrackerRoute';

function component(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default', annotations },
    spec: { type: 'service', owner: 'group:default/team-payments' },
  };
}

/** The example app's trackers, with credentials for all but GitLab. */
const trackers: TrackerConfig[] = readTrackersConfig(
  new ConfigReader({
    integrations: {
      github: [{ host: 'github.com', token: 'ghp_exampletoken' }],
      gitlab: [{ host: 'gitlab.com' }],
    },
    securityObservations: {
      trackers: [
        { id: 'github', type: 'github', host: 'github.com', labels: ['sec'] },
        { id: 'gitlab', type: 'gitlab', host: 'gitlab.com' },
        {
          id: 'jira',
          type: 'jira',
          deployment: 'cloud',
          baseUrl: 'https://acme-corp.atlassian.net/',
          email: 'secops@acme-corp.example',
          apiToken: 'jira-api-token',
        },
      ],
    },
  }),
);

describe('resolveTrackerRoute', () => {
  it('picks the only tracker that matches the project annotation', () => {
    const route = resolveTrackerRoute(
      component({
        'github.com/project-slug': 'acme-corp/payments-api',
        'security-observations/labels': 'security, payments',
        'security-observations/minimum-severity': 'Medium',
      }),
      trackers,
    );
    expect(route).toEqual({
      tracker: expect.objectContaining({ id: 'github' }),
      target: 'acme-corp/payments-api',
      url: 'https://github.com/acme-corp/payments-api/issues',
      labels: ['sec', 'security', 'payments'],
      minimumSeverity: 'medium',
      defaultBranch: 'main',
      problem: null,
    });
  });

  it('follows the tracker annotation where several would match', () => {
    const route = resolveTrackerRoute(
      component({
        'github.com/project-slug': 'acme-corp/ledger-service',
        'jira/project-key': 'LEDG',
        'jira/component': 'ledger',
        'security-observations/tracker': 'jira',
        'security-observations/jira-issue-type': 'Bug',
        'security-observations/default-branch': 'develop',
      }),
      trackers,
    );
    expect(route).toMatchObject({
      tracker: { id: 'jira', type: 'jira' },
      target: 'LEDG',
      url: 'https://acme-corp.atlassian.net/jira/software/projects/LEDG/issues',
      jira: { component: 'ledger', issueType: 'Bug' },
      defaultBranch: 'develop',
      problem: null,
    });
  });

  it('has no tracker and no problem for an entity without project annotations', () => {
    expect(resolveTrackerRoute(component({}), trackers)).toMatchObject({
      tracker: null,
      problem: null,
    });
  });

  it.each([
    [
      'an unknown tracker id',
      { 'security-observations/tracker': 'githb' },
      "security-observations/tracker is 'githb', but no tracker has that id (configured: github, gitlab, jira)",
    ],
    [
      'a tracker without its project annotation',
      {
        'security-observations/tracker': 'jira',
        'github.com/project-slug': 'acme-corp/payments-api',
      },
      "the tracker 'jira' needs the jira/project-key annotation",
    ],
    [
      'an ambiguous match',
      {
        'github.com/project-slug': 'acme-corp/payments-api',
        'jira/project-key': 'PAY',
      },
      "the trackers 'github' and 'jira' all match this entity's annotations; set security-observations/tracker to one of them",
    ],
    [
      'a bad minimum severity',
      {
        'github.com/project-slug': 'acme-corp/payments-api',
        'security-observations/minimum-severity': 'urgent',
      },
      "security-observations/minimum-severity is 'urgent'; expected one of critical, high, medium, low, none, unknown",
    ],
    [
      'a malformed project slug',
      { 'github.com/project-slug': 'https://github.com/acme-corp/payments' },
      "github.com/project-slug is 'https://github.com/acme-corp/payments'; expected owner/repository",
    ],
    [
      'a tracker without credentials',
      {
        'gitlab.com/project-slug': 'acme-corp/storefront/checkout-web',
        'security-observations/tracker': 'gitlab',
      },
      "the tracker 'gitlab' has no credentials: the integrations.gitlab entry for gitlab.com has no token",
    ],
  ])('says what to fix for %s', (_case, annotations, problem) => {
    expect(resolveTrackerRoute(component(annotations), trackers).problem).toBe(
      problem,
    );
  });

  it('never puts a credential into the route', () => {
    const route = resolveTrackerRoute(
      component({ 'jira/project-key': 'PAY' }),
      trackers,
    );
    expect(JSON.stringify(route)).not.toMatch(/jira-api-token|ghp_/);
  });
});

describe('readTrackersConfig', () => {
  it.each([
    [
      [
        { id: 'github', type: 'github' },
        { id: 'github', type: 'gitlab' },
      ],
      "securityObservations.trackers[1].id: the id 'github' is used twice",
    ],
    [
      [{ id: 'azure', type: 'azure-devops' }],
      "securityObservations.trackers[0].type: 'azure-devops' is not one of github, gitlab, jira",
    ],
    [
      [{ id: 'github', type: 'github', labels: ['security', 'x'.repeat(51)] }],
      'securityObservations.trackers[0].labels[1]: a label must have 1 to 50 characters',
    ],
    [
      [{ id: 'github', type: 'github', labels: [' '] }],
      'securityObservations.trackers[0].labels[0]: a label must have 1 to 50 characters',
    ],
  ])('refuses a broken list at start-up', (list, message) => {
    expect(() =>
      readTrackersConfig(
        new ConfigReader({ securityObservations: { trackers: list } }),
      ),
    ).toThrow(message);
  });
});

describe('the credentials of a GitHub Enterprise tracker', () => {
  const trackerOf = (integration: Record<string, string>) =>
    readTrackersConfig(
      new ConfigReader({
        integrations: { github: [integration] },
        securityObservations: {
          trackers: [{ id: 'ghe', type: 'github', host: 'ghe.acme.example' }],
        },
      }),
    )[0];

  it('are never sent to GitHub.com: without apiBaseUrl the tracker cannot sync', () => {
    expect(
      trackerOf({ host: 'ghe.acme.example', token: 'ghp_enterprise' })
        .credentialsProblem,
    ).toBe(
      "the tracker 'ghe' cannot reach ghe.acme.example: the integrations.github entry for ghe.acme.example has no apiBaseUrl (for GitHub Enterprise Server: https://ghe.acme.example/api/v3)",
    );
  });

  it('work with the integration’s apiBaseUrl', () => {
    expect(
      trackerOf({
        host: 'ghe.acme.example',
        apiBaseUrl: 'https://ghe.acme.example/api/v3',
        token: 'ghp_enterprise',
      }).credentialsProblem,
    ).toBeNull();
  });
});
