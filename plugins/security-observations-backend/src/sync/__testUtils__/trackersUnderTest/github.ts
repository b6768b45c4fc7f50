import {
  FakeGitHub,
  labelNames,
} from '../../trackers/__testUtils__/fakeGitHub';
import { GITHUB_TOKEN, paymentsApi, REPO } from '../syncHarness';
import {
  fakeFault,
  SeenIssue,
  TrackerUnderTest,
  withFakeMembers,
} from './TrackerUnderTest';

const numberOf = (key: string) => Number(key.split('#')[1]);

/** GitHub Issues behind the fake GitHub, Payments API in acme-corp/payments-api. */
export function githubUnderTest(): TrackerUnderTest {
  let fake = new FakeGitHub();
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
