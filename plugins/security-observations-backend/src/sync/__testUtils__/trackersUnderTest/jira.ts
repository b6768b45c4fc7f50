import {
  adfText,
  FakeJira,
  FakeJiraIssue,
  FakeJiraUser,
  JIRA_PERSON,
  JiraDeployment,
} from '../../trackers/__testUtils__/fakeJira';
import { component } from '../syncHarness';
import {
  fakeFault,
  PeopleOnTracker,
  SeenIssue,
  TrackerUnderTest,
  withFakeMembers,
} from './TrackerUnderTest';

/** The Jira project Payments API files its issues in. */
export const JIRA_PROJECT = 'PAY';
export const JIRA_CLOUD_CREDENTIALS = {
  email: 'jira-bot@acme.example',
  apiToken: 'jira-test-token',
};
export const JIRA_DC_TOKEN = 'jira-dc-test-pat';

/** The tracker settings of a Jira deployment, with its credentials. */
export function jiraTrackerSettings(
  deployment: JiraDeployment,
  baseUrl: string,
  revoked = false,
) {
  return {
    id: 'jira',
    type: 'jira',
    deployment,
    baseUrl,
    ...(deployment === 'cloud'
      ? {
          email: JIRA_CLOUD_CREDENTIALS.email,
          apiToken: revoked
            ? 'jira-revoked-token'
            : JIRA_CLOUD_CREDENTIALS.apiToken,
        }
      : { personalAccessToken: revoked ? 'jira-revoked-pat' : JIRA_DC_TOKEN }),
    labels: ['sec'],
    // The fake's search is current unless a test says otherwise.
    searchLagSeconds: 0,
  };
}

/** Payments API routed to the Jira project PAY, component payments. */
export function jiraPaymentsApi(annotations: Record<string, string> = {}) {
  return component('payments-api', {
    'jira/project-key': JIRA_PROJECT,
    'jira/component': 'payments',
    'security-observations/labels': 'security,payments',
    'security-observations/minimum-severity': 'medium',
    ...annotations,
  });
}

/**
 * A Jira user as the webhook payloads and the client name them: the
 * accountId on Cloud, the user key on Data Center.
 */
function userRef(deployment: JiraDeployment, user: FakeJiraUser) {
  return {
    id: deployment === 'cloud' ? user.accountId : user.key,
    name: user.displayName,
  };
}

/**
 * People in the fake Jira: Jane Doe comments, moves issues through the
 * workflow and deletes them; every change sends Jira's webhooks.
 */
function jiraPeople(
  deployment: JiraDeployment,
  current: () => FakeJira,
): PeopleOnTracker {
  const by = JIRA_PERSON.name;
  const account = (match: (user: FakeJiraUser) => boolean) =>
    current().accounts().find(match)!;
  return {
    sendWebhooks: (secret, deliver) => current().sendWebhooks(secret, deliver),
    get person() {
      return userRef(
        deployment,
        account(user => user.name === by),
      );
    },
    get bot() {
      return userRef(deployment, current().apiUser());
    },
    comment: (key, body) => current().commentAs(by, key, body),
    editComment: (key, commentId, body) =>
      current().editCommentAs(by, key, commentId, body),
    deleteComment: (key, commentId) =>
      current().deleteCommentAs(by, key, commentId),
    comments: key =>
      current()
        .comments(key)
        .map(comment => ({
          id: comment.id,
          body:
            typeof comment.body === 'string'
              ? comment.body
              : adfText(comment.body),
          author: userRef(
            deployment,
            account(
              user =>
                user.accountId === comment.author ||
                user.name === comment.author,
            ),
          ).id,
        })),
    closeAsWontFix: key => current().transitionAs(by, key, "Won't Do"),
    closeAsFalsePositive: key =>
      current().transitionAs(by, key, 'False positive'),
    closeAsDone: key => current().transitionAs(by, key, 'Done'),
    reopen: key => current().transitionAs(by, key, 'To Do'),
    deleteWithWebhook: key => current().deleteIssueAs(by, key),
  };
}

/** Jira Cloud or Data Center behind the fake Jira, project PAY. */
export function jiraUnderTest(deployment: JiraDeployment): TrackerUnderTest {
  let fake = new FakeJira({ deployment });
  const person = () =>
    fake.accounts().find(user => user.name === 'jane.appsec')!;
  const personRef = () =>
    deployment === 'cloud' ? person().accountId : person().name;
  const seen = (issue: FakeJiraIssue): SeenIssue => ({
    key: issue.key,
    url: `${fake.baseUrl}/browse/${issue.key}`,
    title: issue.summary,
    text:
      typeof issue.description === 'string'
        ? issue.description
        : JSON.stringify(issue.description ?? ''),
    labels: issue.labels,
    state: issue.statusCategory === 'done' ? 'closed' : 'open',
    ...(issue.statusCategory === 'done'
      ? {
          closeReason: ["Won't Do", 'False positive'].includes(issue.status)
            ? 'not_planned'
            : 'fixed',
        }
      : {}),
  });
  const issuePath = `/rest/api/${deployment === 'cloud' ? 3 : 2}/issue`;
  return withFakeMembers(
    {
      name: deployment === 'cloud' ? 'Jira Cloud' : 'Jira Data Center',
      trackerId: 'jira',
      projectAnnotations: ['jira/project-key'],
      descriptionLimit: 32_767,
      recordsCloseReason: true,
      reset(options = {}) {
        // A new fake sends no webhooks until a test says where.
        fake = new FakeJira({
          deployment,
          latencyMs: options.latencyMs,
          ...(options.createsPerMinute
            ? {
                limits: {
                  createsPerSecond: options.createsPerMinute,
                  secondMs: 60_000,
                },
              }
            : {}),
        });
        fake.addProject({ key: JIRA_PROJECT, components: ['payments'] });
      },
      harness(extra = {}) {
        return {
          config: {
            trackers: [
              {
                ...jiraTrackerSettings(
                  deployment,
                  fake.baseUrl,
                  extra.credentials === 'revoked',
                ),
                ...extra.tracker,
              },
            ],
          },
        };
      },
      entity: jiraPaymentsApi,
      markerOf: issue =>
        issue.labels
          .find(label => label.startsWith('security-observation-'))
          ?.slice('security-observation-'.length),
      issues: () => fake.issues(JIRA_PROJECT).map(seen),
      issue(key) {
        const issue = fake.issue(key);
        return issue && seen(issue);
      },
      editAsPerson(key) {
        fake.editIssue(key, {
          labels: [...fake.issue(key)!.labels, 'triaged'],
          assignee: personRef(),
          priority: 'Lowest',
        });
      },
      keptPersonEdits(key) {
        const issue = fake.issue(key)!;
        return (
          issue.labels.includes('triaged') &&
          issue.assignee === personRef() &&
          issue.priority === 'Lowest'
        );
      },
      deleteIssue: key => fake.deleteIssue(key),
      setAccess: access => fake.setAccess(JIRA_PROJECT, access),
      people: jiraPeople(deployment, () => fake),
      failNext(operation, fault) {
        fake.failNext(
          operation === 'create'
            ? { method: 'POST', path: new RegExp(`${issuePath}$`) }
            : { method: 'PUT', path: new RegExp(`${issuePath}/[A-Z]+-\\d+$`) },
          fakeFault(fault),
        );
      },
    },
    () => fake,
  );
}
