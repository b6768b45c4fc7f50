import {
  FakeGitHub,
  labelNames,
} from '../../trackers/__testUtils__/fakeGitHub';
import { GITHUB_TOKEN, paymentsApi, REPO } from '../syncHarness';
import {
  fakeFault,
  PeopleOnTracker,
  SeenIssue,
  TrackerUnderTest,
  WebhookDelivery,
  withFakeMembers,
} from './TrackerUnderTest';

const numberOf = (key: string) => Number(key.split('#')[1]);
/** `owner/repo#12`: the repository and the number. */
const refOf = (key: string): [string, number] => {
  const [fullName, number] = key.split('#');
  return [fullName, Number(number)];
};

/** GitHub Issues behind the fake GitHub, Payments API in acme-corp/payments-api. */
export function githubUnderTest(): TrackerUnderTest {
  let fake = new FakeGitHub();
  // Kept here, so that a new fake (reset) sends webhooks as the last one did.
  let webhooks: Parameters<PeopleOnTracker['sendWebhooks']> = ['', null];
  const people: PeopleOnTracker = {
    sendWebhooks(
      secret: string,
      deliver: ((delivery: WebhookDelivery) => Promise<void>) | null,
    ) {
      webhooks = [secret, deliver];
      fake.sendWebhooks(secret, deliver);
    },
    get person() {
      return { id: String(fake.person.id), name: fake.person.login };
    },
    get bot() {
      const account = fake.tokenAccount;
      return { id: String(account.id), name: account.login };
    },
    async comment(key, body) {
      const comment = await fake.personComment(...refOf(key), body);
      return String(comment.id);
    },
    editComment: (key, commentId, body) =>
      fake.personEditComment(refOf(key)[0], Number(commentId), body),
    deleteComment: (key, commentId) =>
      fake.personDeleteComment(refOf(key)[0], Number(commentId)),
    comments: key =>
      fake.comments(...refOf(key)).map(comment => ({
        id: String(comment.id),
        body: comment.body ?? '',
        author: comment.user?.login ?? '',
      })),
    closeAsWontFix: key =>
      fake.personClose(...refOf(key), { reason: 'not_planned' }),
    closeAsFalsePositive: key =>
      fake.personClose(...refOf(key), { addLabels: ['false positive'] }),
    closeAsDone: key => fake.personClose(...refOf(key)),
    reopen: key => fake.personReopen(...refOf(key)),
    deleteWithWebhook: key => fake.personDeleteIssue(...refOf(key)),
  };
  const seen = (
    issue: ReturnType<FakeGitHub['issues']>[number],
  ): SeenIssue => ({
    key: `${REPO}#${issue.number}`,
    url: issue.html_url,
    title: issue.title,
    text: issue.body ?? '',
    labels: labelNames(issue),
    state: issue.state === 'closed' ? 'closed' : 'open',
    ...(issue.state === 'closed'
      ? {
          closeReason:
            issue.state_reason === 'not_planned' ? 'not_planned' : 'fixed',
        }
      : {}),
  });
  return withFakeMembers(
    {
      name: 'GitHub',
      trackerId: 'github',
      projectAnnotations: ['github.com/project-slug'],
      descriptionLimit: 65_536,
      recordsCloseReason: true,
      reset(options = {}) {
        fake = new FakeGitHub({
          latencyMs: options.latencyMs,
          ...(options.createsPerMinute
            ? {
                secondaryLimits: {
                  createsPerMinute: options.createsPerMinute,
                  createsPerHour: 500,
                  writesPerMinutePerEndpoint: 180,
                },
              }
            : {}),
        });
        fake.addRepo(REPO);
        fake.sendWebhooks(...webhooks);
      },
      harness(extra = {}) {
        return {
          github: [
            {
              host: 'github.com',
              token:
                extra.credentials === 'revoked'
                  ? 'ghp_revoked_token'
                  : GITHUB_TOKEN,
            },
          ],
          config: {
            trackers: [
              {
                id: 'github',
                type: 'github',
                host: 'github.com',
                labels: ['sec'],
                ...extra.tracker,
              },
            ],
          },
        };
      },
      entity: paymentsApi,
      markerOf: issue =>
        /<!-- security-observations:observation=([\w-]+) -->/.exec(
          issue.text,
        )?.[1],
      issues: () => fake.issues(REPO).map(seen),
      issue(key) {
        const issue = fake.issue(REPO, numberOf(key));
        return issue && seen(issue);
      },
      editAsPerson(key) {
        const issue = fake.issue(REPO, numberOf(key))!;
        fake.editIssue(REPO, issue.number, {
          labels: [...labelNames(issue), 'triaged'],
          assignees: ['octocat'],
          milestone: 1,
        });
      },
      keptPersonEdits(key) {
        const issue = fake.issue(REPO, numberOf(key))!;
        return (
          labelNames(issue).includes('triaged') &&
          issue.assignees?.some(user => user.login === 'octocat') === true &&
          issue.milestone?.number === 1
        );
      },
      deleteIssue: key => fake.deleteIssue(REPO, numberOf(key)),
      setAccess: access => fake.setAccess(REPO, access),
      people,
      failNext(operation, fault) {
        fake.failNext(
          operation === 'create'
            ? { method: 'POST', path: /\/issues$/ }
            : { method: 'PATCH', path: /\/issues\/\d+$/ },
          fakeFault(fault),
        );
      },
    },
    () => fake,
  );
}
