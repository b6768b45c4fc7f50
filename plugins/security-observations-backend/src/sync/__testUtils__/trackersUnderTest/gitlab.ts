import { Entity } from '@backstage/catalog-model';
import {
  FakeGitLab,
  GitLabIssue,
} from '../../trackers/__testUtils__/fakeGitLab';
import { TestFault, TrackerUnderTest, SeenIssue } from './TrackerUnderTest';

/** The example's GitLab project of Checkout Web, here Payments API's. */
export const GITLAB_PROJECT = 'acme-corp/storefront/payments-api';
const GITLAB_TOKEN = 'glpat-test-token';

const iidOf = (key: string) => Number(key.split('#')[1]);
const encoded = encodeURIComponent(GITLAB_PROJECT);

/** GitLab issues behind the fake GitLab. */
export function gitlabUnderTest(): TrackerUnderTest {
  let fake = new FakeGitLab();
  const seen = (issue: GitLabIssue): SeenIssue => ({
    key: `${GITLAB_PROJECT}#${issue.iid}`,
    url: issue.web_url,
    title: issue.title,
    text: issue.description ?? '',
    labels: issue.labels,
    state: issue.state === 'closed' ? 'closed' : 'open',
  });
  const faultOf = (fault: TestFault) =>
    'rateLimitSeconds' in fault
      ? ({
          rateLimit429: true,
          retryAfterSeconds: fault.rateLimitSeconds,
        } as const)
      : fault;
  return {
    name: 'GitLab',
    trackerId: 'gitlab',
    projectAnnotations: ['gitlab.com/project-slug'],
    descriptionLimit: 1_048_576,
    recordsCloseReason: false,
    reset(options = {}) {
      fake = new FakeGitLab({
        latencyMs: options.latencyMs,
        ...(options.createsPerMinute
          ? {
              limits: {
                createsPerMinute: options.createsPerMinute,
                requestsPerMinute: 2_000,
                notesPerMinute: 300,
              },
            }
          : {}),
      });
      fake.addProject(GITLAB_PROJECT, { id: 4_211 });
    },
    get handlers() {
      return fake.handlers;
    },
    harness(extra = {}) {
      return {
        gitlab: [
          {
            host: 'gitlab.com',
            token:
              extra.credentials === 'revoked'
                ? 'glpat-revoked-token'
                : GITLAB_TOKEN,
          },
        ],
        config: {
          trackers: [
            {
              id: 'gitlab',
              type: 'gitlab',
              host: 'gitlab.com',
              labels: ['sec'],
              ...extra.tracker,
            },
          ],
        },
      };
    },
    entity(annotations = {}): Entity {
      return {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'payments-api',
          namespace: 'default',
          annotations: {
            'gitlab.com/project-slug': GITLAB_PROJECT,
            'security-observations/labels': 'security,payments',
            'security-observations/minimum-severity': 'medium',
            ...annotations,
          },
        },
        spec: { type: 'service', owner: 'group:default/team-payments' },
      };
    },
    markerOf: issue =>
      /<!-- security-observations:observation=([\w-]+) -->/.exec(
        issue.text,
      )?.[1],
    issues: () => fake.issues(GITLAB_PROJECT).map(seen),
    issue(key) {
      const issue = fake.issue(GITLAB_PROJECT, iidOf(key));
      return issue && seen(issue);
    },
    editAsPerson(key) {
      const issue = fake.issue(GITLAB_PROJECT, iidOf(key))!;
      fake.editIssue(GITLAB_PROJECT, issue.iid, {
        labels: [...issue.labels, 'triaged'],
        assignees: ['jane-appsec'],
        milestone: '2026.12',
      });
    },
    keptPersonEdits(key) {
      const issue = fake.issue(GITLAB_PROJECT, iidOf(key))!;
      return (
        issue.labels.includes('triaged') &&
        issue.assignees.some(user => user.username === 'jane-appsec') &&
        issue.milestone?.title === '2026.12'
      );
    },
    deleteIssue: key => fake.deleteIssue(GITLAB_PROJECT, iidOf(key)),
    setAccess: access => fake.setAccess(GITLAB_PROJECT, access),
    failNext(operation, fault) {
      fake.failNext(
        operation === 'create'
          ? { method: 'POST', path: new RegExp(`/projects/${encoded}/issues$`) }
          : {
              method: 'PUT',
              path: new RegExp(`/projects/${encoded}/issues/\\d+$`),
            },
        faultOf(fault),
      );
    },
    get calls() {
      return fake.calls;
    },
    writeCalls: () => fake.writeCalls(),
    resetCalls: () => fake.resetCalls(),
    get limitHits() {
      return fake.limitHits;
    },
  };
}
