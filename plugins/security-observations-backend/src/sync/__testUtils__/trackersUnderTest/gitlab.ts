import {
  FakeGitLab,
  GitLabIssue,
  GitLabUser,
} from '../../trackers/__testUtils__/fakeGitLab';
import { component } from '../syncHarness';
import {
  fakeFault,
  PeopleOnTracker,
  SeenIssue,
  TrackerUnderTest,
  withFakeMembers,
} from './TrackerUnderTest';

/** The example's GitLab project of Checkout Web, here Payments API's. */
export const GITLAB_PROJECT = 'acme-corp/storefront/payments-api';
const GITLAB_TOKEN = 'glpat-test-token';

const iidOf = (key: string) => Number(key.split('#')[1]);
const encoded = encodeURIComponent(GITLAB_PROJECT);
/** As GitLab's payloads name a user: the numeric id, the username. */
const trackerUser = (user: GitLabUser) => ({
  id: String(user.id),
  name: user.username,
});

/**
 * People on the fake GitLab, with its webhooks: the sync's own writes
 * send them too, as the bot. GitLab closes "won't fix" and "false
 * positive" with labels, and sends no webhook when a note or an issue is
 * deleted.
 */
function peopleOn(current: () => FakeGitLab): PeopleOnTracker {
  const closeWith = (key: string, addLabels: string[]) =>
    current().personCloses(GITLAB_PROJECT, iidOf(key), { addLabels });
  return {
    sendWebhooks: (secret, deliver) => current().sendWebhooks(secret, deliver),
    get person() {
      return trackerUser(current().person);
    },
    get bot() {
      return trackerUser(current().bot);
    },
    async comment(key, body) {
      const note = await current().personComments(
        GITLAB_PROJECT,
        iidOf(key),
        body,
      );
      return String(note.id);
    },
    editComment: (key, commentId, body) =>
      current().personEditsNote(
        GITLAB_PROJECT,
        iidOf(key),
        Number(commentId),
        body,
      ),
    deleteComment: (key, commentId) =>
      current().personDeletesNote(
        GITLAB_PROJECT,
        iidOf(key),
        Number(commentId),
      ),
    comments: key =>
      current()
        .notes(GITLAB_PROJECT, iidOf(key))
        .filter(note => !note.system)
        .map(note => ({
          id: String(note.id),
          body: note.body,
          author: note.author.username,
        })),
    closeAsWontFix: key => closeWith(key, ['wontfix']),
    closeAsFalsePositive: key => closeWith(key, ['false positive']),
    closeAsDone: key => closeWith(key, []),
    reopen: key => current().personReopens(GITLAB_PROJECT, iidOf(key)),
    // GitLab has no webhook for a deleted issue.
    deleteWithWebhook: async key =>
      current().deleteIssue(GITLAB_PROJECT, iidOf(key)),
  };
}

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
  return withFakeMembers(
    {
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
        // A new fake sends no webhooks: a test's receiver is its own.
        fake.addProject(GITLAB_PROJECT, { id: 4_211 });
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
      entity: (annotations = {}) =>
        component('payments-api', {
          'gitlab.com/project-slug': GITLAB_PROJECT,
          'security-observations/labels': 'security,payments',
          'security-observations/minimum-severity': 'medium',
          ...annotations,
        }),
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
            ? {
                method: 'POST',
                path: new RegExp(`/projects/${encoded}/issues$`),
              }
            : {
                method: 'PUT',
                path: new RegExp(`/projects/${encoded}/issues/\\d+$`),
              },
          fakeFault(fault),
        );
      },
      people: peopleOn(() => fake),
    },
    () => fake,
  );
}
