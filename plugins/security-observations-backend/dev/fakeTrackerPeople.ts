/*
 * People acting on the fake trackers, and the webhooks the fakes send for
 * it, for trying the two-way sync and for the end-to-end test:
 *
 *   curl -X POST localhost:7788/_people/comment -d '{"issue":"acme-corp/payments-api#1","body":"On it"}'
 *   curl -X POST localhost:7788/_people/close-as-wont-fix -d '{"issue":"acme-corp/payments-api#1"}'
 *
 * Actions: comment, close-as-wont-fix, close-as-false-positive, reopen.
 * Each fake signs its deliveries with FAKE_WEBHOOK_SECRET (the example's
 * `webhookSecret`) and posts them to Backstage's events ingress,
 * FAKE_WEBHOOK_URL/security-observations.<kind> (default
 * http://localhost:7007/api/events/http), one at a time, in order.
 */
import { FakeGitHub } from '../src/sync/trackers/__testUtils__/fakeGitHub';
import { FakeGitLab } from '../src/sync/trackers/__testUtils__/fakeGitLab';
import {
  FakeJira,
  JIRA_PERSON,
} from '../src/sync/trackers/__testUtils__/fakeJira';

/** What a person can do on a fake tracker, by the action's name. */
export type PeopleActions = Record<
  string,
  (request: { issue: string; body?: string }) => Promise<unknown>
>;

export const FAKE_WEBHOOK_SECRET =
  process.env.FAKE_WEBHOOK_SECRET ?? 'fake-webhook-secret-change-me';
const webhookUrl =
  process.env.FAKE_WEBHOOK_URL ?? 'http://localhost:7007/api/events/http';

const splitKey = (key: string) => {
  const match = /^(.+)#(\d+)$/.exec(key);
  if (!match)
    throw new Error(`'${key}' is not an issue key like group/project#12`);
  return [match[1], Number(match[2])] as const;
};

/**
 * Posts a fake's deliveries to Backstage without holding up the fake's
 * answer (Backstage may call the fake back while it handles one), in the
 * order they were sent.
 */
function forwardWebhooks(kind: 'github' | 'gitlab' | 'jira') {
  let queue = Promise.resolve();
  return async (delivery: {
    headers: Record<string, string>;
    body: string;
  }) => {
    queue = queue.then(async () => {
      try {
        const response = await fetch(
          `${webhookUrl}/security-observations.${kind}`,
          { method: 'POST', headers: delivery.headers, body: delivery.body },
        );
        if (!response.ok) {
          process.stdout.write(
            `Fake ${kind}: Backstage answered ${
              response.status
            } to a webhook: ${await response.text()}\n`,
          );
        }
      } catch (error) {
        process.stdout.write(
          `Fake ${kind}: could not deliver a webhook to ${webhookUrl}: ${
            (error as Error).message
          }\n`,
        );
      }
    });
  };
}

export function githubPeople(github: FakeGitHub): PeopleActions {
  github.sendWebhooks(FAKE_WEBHOOK_SECRET, forwardWebhooks('github'));
  return {
    comment: ({ issue, body }) =>
      github.personComment(...splitKey(issue), body ?? ''),
    'close-as-wont-fix': ({ issue }) =>
      github.personClose(...splitKey(issue), { reason: 'not_planned' }),
    'close-as-false-positive': ({ issue }) =>
      github.personClose(...splitKey(issue), { addLabels: ['false positive'] }),
    reopen: ({ issue }) => github.personReopen(...splitKey(issue)),
  };
}

export function gitlabPeople(gitlab: FakeGitLab): PeopleActions {
  gitlab.sendWebhooks(FAKE_WEBHOOK_SECRET, forwardWebhooks('gitlab'));
  return {
    comment: ({ issue, body }) =>
      gitlab.personComments(...splitKey(issue), body ?? ''),
    'close-as-wont-fix': ({ issue }) =>
      gitlab.personCloses(...splitKey(issue), { addLabels: ['wontfix'] }),
    'close-as-false-positive': ({ issue }) =>
      gitlab.personCloses(...splitKey(issue), {
        addLabels: ['false positive'],
      }),
    reopen: ({ issue }) => gitlab.personReopens(...splitKey(issue)),
  };
}

export function jiraPeople(jira: FakeJira): PeopleActions {
  jira.sendWebhooks(FAKE_WEBHOOK_SECRET, forwardWebhooks('jira'));
  const by = JIRA_PERSON.name;
  return {
    comment: ({ issue, body }) => jira.commentAs(by, issue, body ?? ''),
    'close-as-wont-fix': ({ issue }) =>
      jira.transitionAs(by, issue, "Won't Do"),
    'close-as-false-positive': ({ issue }) =>
      jira.transitionAs(by, issue, 'False positive'),
    reopen: ({ issue }) => jira.transitionAs(by, issue, 'To Do'),
  };
}
