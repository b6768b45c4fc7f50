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
      options: {},
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
      options: { component: 'ledger', issueType: 'Bug' },
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

describe('routing to one of several GitLab instances', () => {
  const gitlabs = readTrackersConfig(
    new ConfigReader({
      integrations: {
        gitlab: [
          { host: 'gitlab.com', token: 'glpat-cloud' },
          {
            host: 'gitlab.acme.example',
            apiBaseUrl: 'https://gitlab.acme.example/api/v4',
            token: 'glpat-internal',
          },
        ],
      },
      securityObservations: {
        trackers: [
          { id: 'gitlab', type: 'gitlab', host: 'gitlab.com' },
          { id: 'internal', type: 'gitlab', host: 'gitlab.acme.example' },
        ],
      },
    }),
  );

  it('picks the instance that gitlab.com/instance names', () => {
    const route = resolveTrackerRoute(
      component({
        'gitlab.com/project-slug': 'payments/payments-api',
        'gitlab.com/instance': 'gitlab.acme.example',
      }),
      gitlabs,
    );
    expect(route).toMatchObject({
      tracker: { id: 'internal' },
      target: 'payments/payments-api',
      url: 'https://gitlab.acme.example/payments/payments-api/-/issues',
      problem: null,
    });
  });

  it('asks for gitlab.com/instance or the tracker annotation when both could apply', () => {
    expect(
      resolveTrackerRoute(
        component({ 'gitlab.com/project-slug': 'payments/payments-api' }),
        gitlabs,
      ).problem,
    ).toBe(
      "the trackers 'gitlab' and 'internal' all match this entity's annotations; set security-observations/tracker to one of them",
    );
  });
});

describe('routing to Jira', () => {
  const jira = readTrackersConfig(
    new ConfigReader({
      securityObservations: {
        trackers: [
          {
            id: 'jira',
            type: 'jira',
            deployment: 'datacenter',
            baseUrl: 'https://jira.acme.example',
            personalAccessToken: 'jira-pat',
            issueType: 'Vulnerability',
          },
        ],
      },
    }),
  );

  it('takes the tracker’s issue type unless the entity names one, and reads jira.com/project-key too', () => {
    expect(
      resolveTrackerRoute(component({ 'jira.com/project-key': 'PAY' }), jira),
    ).toMatchObject({
      target: 'PAY',
      options: { issueType: 'Vulnerability' },
      url: 'https://jira.acme.example/projects/PAY/issues',
      problem: null,
    });
    expect(
      resolveTrackerRoute(
        component({
          'jira/project-key': 'PAY',
          'security-observations/jira-issue-type': 'Bug',
        }),
        jira,
      ).options,
    ).toEqual({ issueType: 'Bug' });
  });

  it('refuses a tracker setting that cannot work at start-up', () => {
    const read = (tracker: Record<string, unknown>) => () =>
      readTrackersConfig(
        new ConfigReader({
          securityObservations: {
            trackers: [
              {
                id: 'jira',
                type: 'jira',
                baseUrl: 'https://acme.atlassian.net',
                ...tracker,
              },
            ],
          },
        }),
      );
    expect(read({ deployment: 'server' })).toThrow(
      "securityObservations.trackers[0].deployment: 'server' is not one of cloud, datacenter",
    );
    expect(read({ priorities: { urgent: 'Highest' } })).toThrow(
      'securityObservations.trackers[0].priorities.urgent: not a severity (critical, high, medium, low, none, unknown)',
    );
    expect(read({ fields: { customfield_10010: { from: 'cvss' } } })).toThrow(
      "securityObservations.trackers[0].fields.customfield_10010.from: 'cvss' is not one of",
    );
    expect(
      read({ fields: { customfield_10010: { from: 'cve', value: 'x' } } }),
    ).toThrow(
      'securityObservations.trackers[0].fields.customfield_10010: set either from or value',
    );
  });
});
