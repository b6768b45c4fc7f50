import { createHmac } from 'node:crypto';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  EventParams,
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import request from 'supertest';
import { securityObservationsEventsModule } from './securityObservationsEventsModule';

jest.setTimeout(60_000);

// A real delivery: GitHub's example of `issues.reopened`, closed as not planned.
const closedIssue = require('../webhooks/__fixtures__/github/issues.closed.json');

const GITHUB_SECRET = 'gh-webhook-secret-7d1c';
const GITLAB_SECRET = 'gl-webhook-secret-92ab';

const trackersConfig = (secrets: { github?: string; gitlab?: string }) => ({
  integrations: {
    github: [{ host: 'github.com', token: 'ghp_test' }],
    gitlab: [{ host: 'gitlab.com', token: 'glpat-test' }],
  },
  securityObservations: {
    trackers: [
      {
        id: 'github',
        type: 'github',
        twoWay: true,
        ...(secrets.github ? { webhookSecret: secrets.github } : {}),
      },
      {
        id: 'gitlab',
        type: 'gitlab',
        twoWay: true,
        ...(secrets.gitlab ? { webhookSecret: secrets.gitlab } : {}),
      },
    ],
  },
});

/** What reached subscribers of the topics, as the plugin would see it. */
function recordingSubscriber(received: EventParams[]) {
  return createBackendPlugin({
    pluginId: 'recorder',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef, logger: coreServices.logger },
        async init({ events }) {
          await events.subscribe({
            id: 'recorder',
            topics: [
              'security-observations.github',
              'security-observations.gitlab',
              'security-observations.jira',
            ],
            async onEvent(params) {
              received.push(params);
            },
          });
        },
      });
    },
  });
}

async function startEventsBackend(
  secrets: {
    github?: string;
    gitlab?: string;
  },
  securityObservations: Record<string, unknown> = {},
) {
  const received: EventParams[] = [];
  const { server } = await startTestBackend({
    features: [
      // A static require: Jest runs without ES module support.
      require('@backstage/plugin-events-backend').default,
      securityObservationsEventsModule,
      recordingSubscriber(received),
      // One events service for all plugins, as in a real backend (the test
      // backend's default mock gives each plugin its own).
      eventsServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          ...trackersConfig(secrets),
          // One process: without this, the events backend polls its event
          // bus in the database for every subscriber, which only slows the
          // test down (about 75 s instead of 10).
          events: { useEventBus: 'never' },
          securityObservations: {
            ...trackersConfig(secrets).securityObservations,
            ...securityObservations,
          },
        },
      }),
    ],
  });
  return { server, received };
}

const body = JSON.stringify(closedIssue);
const signed = (payload: string, secret: string) =>
  `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;

const postGitHub = (
  server: Parameters<typeof request>[0],
  headers: Record<string, string>,
  payload = body,
) =>
  request(server)
    .post('/api/events/http/security-observations.github')
    .set('content-type', 'application/json')
    .set('x-github-event', 'issues')
    .set(headers)
    .send(payload);

describe('securityObservationsEventsModule', () => {
  afterEach(() => jest.restoreAllMocks());

  it('accepts a delivery signed with the tracker secret once, and refuses its replay', async () => {
    const { server, received } = await startEventsBackend({
      github: GITHUB_SECRET,
    });
    const headers = {
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-hub-signature-256': signed(body, GITHUB_SECRET),
      // A sender cannot say which trackers verified it.
      'x-security-observations-trackers': 'gitlab',
    };

    const first = await postGitHub(server, headers);
    expect(first.status).toBe(202);
    expect(received).toHaveLength(1);
    expect(received[0].eventPayload).toEqual(closedIssue);
    expect(received[0].metadata?.['x-security-observations-trackers']).toBe(
      'github',
    );
    // A signature in a debug log would be a replay kit.
    expect(received[0].metadata).not.toHaveProperty('x-hub-signature-256');

    const replay = await postGitHub(server, headers);
    expect(replay.status).toBe(409);
    expect(replay.body.error.message).toContain(
      '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    );
    expect(received).toHaveLength(1);
  });

  it('refuses forged and unsigned deliveries, and one without a delivery id', async () => {
    const { server, received } = await startEventsBackend({
      github: GITHUB_SECRET,
    });
    const id = { 'x-github-delivery': 'a1b2c3d4-0000-4000-8000-000000000001' };

    const unsigned = await postGitHub(server, id);
    const wrongSecret = await postGitHub(server, {
      ...id,
      'x-hub-signature-256': signed(body, 'guessed-secret'),
    });
    const tampered = await postGitHub(
      server,
      { ...id, 'x-hub-signature-256': signed(body, GITHUB_SECRET) },
      body.replace('"closed"', '"reopened"'),
    );
    const noId = await postGitHub(server, {
      'x-hub-signature-256': signed(body, GITHUB_SECRET),
    });

    expect(unsigned.status).toBe(401);
    expect(wrongSecret.status).toBe(401);
    expect(tampered.status).toBe(401);
    expect(noId.status).toBe(400);
    expect(noId.body.error.message).toContain('x-github-delivery');
    expect(received).toEqual([]);
  });

  it('refuses every delivery of a tracker kind without a configured secret', async () => {
    const { server, received } = await startEventsBackend({});

    const answer = await postGitHub(server, {
      'x-github-delivery': 'a1b2c3d4-0000-4000-8000-000000000002',
      'x-hub-signature-256': signed(body, ''),
    });

    expect(answer.status).toBe(401);
    // Nothing of which trackers or hosts are set up.
    expect(answer.body.error.message).toBe(
      'the delivery is not signed with a webhook secret this Backstage accepts',
    );
    expect(received).toEqual([]);
  });

  it("checks GitLab's token and keeps it from subscribers and logs", async () => {
    const { server, received } = await startEventsBackend({
      gitlab: GITLAB_SECRET,
    });
    const payload = JSON.stringify({
      object_kind: 'note',
      event_type: 'note',
      user: { id: 1, username: 'root', name: 'Administrator' },
      project: {
        id: 5,
        path_with_namespace: 'gitlab-org/gitlab-test',
        web_url: 'https://gitlab.com/gitlab-org/gitlab-test',
      },
      object_attributes: {
        id: 1241,
        note: 'Hello world',
        noteable_type: 'Issue',
        system: false,
        created_at: '2015-05-17 17:06:40 UTC',
        updated_at: '2015-05-17 17:06:40 UTC',
        url: 'https://gitlab.com/gitlab-org/gitlab-test/-/issues/17#note_1241',
      },
      issue: { id: 92, iid: 17, title: 'test' },
    });
    const post = (token: string, uuid: string) =>
      request(server)
        .post('/api/events/http/security-observations.gitlab')
        .set('content-type', 'application/json')
        .set('x-gitlab-event', 'Note Hook')
        .set('x-gitlab-event-uuid', uuid)
        .set('x-gitlab-token', token)
        .send(payload);

    expect(
      (await post('not-it', 'b7c1e1a8-1111-4000-8000-000000000001')).status,
    ).toBe(401);
    expect(
      (await post(GITLAB_SECRET, 'b7c1e1a8-1111-4000-8000-000000000002'))
        .status,
    ).toBe(202);

    expect(received).toHaveLength(1);
    expect(received[0].metadata?.['x-gitlab-event-uuid']).toBe(
      'b7c1e1a8-1111-4000-8000-000000000002',
    );
    expect(received[0].metadata).not.toHaveProperty('x-gitlab-token');
  });
  it('limits the deliveries of one tracker type from one address, with 429 and Retry-After, until the next minute', async () => {
    const { server, received } = await startEventsBackend(
      { github: GITHUB_SECRET, gitlab: GITLAB_SECRET },
      { rateLimits: { webhooks: { requestsPerMinute: 2 } } },
    );
    const deliver = (n: number) =>
      postGitHub(server, {
        'x-github-delivery': `c0ffee00-0000-4000-8000-00000000000${n}`,
        'x-hub-signature-256': signed(body, GITHUB_SECRET),
      });
    const start = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(start);

    expect((await deliver(1)).status).toBe(202);
    expect((await deliver(2)).status).toBe(202);
    const refused = await deliver(3);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.body.error).toEqual({
      name: 'TooManyRequestsError',
      message: expect.stringMatching(
        /^Too many webhook deliveries: github webhooks from \S+ may make 2 a minute; try again in 60 s$/,
      ),
    });
    // Not even an unsigned delivery gets through to the signature check.
    expect((await postGitHub(server, {})).status).toBe(429);
    expect(received).toHaveLength(2);

    // Another tracker type's topic counts on its own.
    const gitlabNote = await request(server)
      .post('/api/events/http/security-observations.gitlab')
      .set('content-type', 'application/json')
      .set('x-gitlab-event', 'Note Hook')
      .set('x-gitlab-token', 'not-it')
      .send('{}');
    expect(gitlabNote.status).toBe(401);

    jest.spyOn(Date, 'now').mockReturnValue(start + 60_000);
    expect((await deliver(3)).status).toBe(202);
    expect(received).toHaveLength(3);
  });
});
