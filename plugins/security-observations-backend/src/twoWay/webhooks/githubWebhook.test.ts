import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import examples from '@octokit/webhooks-examples';
import { githubWebhook } from './githubWebhook';
import { WebhookPayloadError } from './TrackerWebhook';
import closedAsNotPlanned from './__fixtures__/github/issues.closed.json';

/*
 * Real payloads from @octokit/webhooks-examples (GitHub's own examples,
 * gathered by Octokit). It has no `issues` `closed` example:
 * __fixtures__/github/issues.closed.json is its `reopened` example closed
 * as not planned, as GitHub sends it (state, state_reason, closed_at).
 */

type Payload = Record<string, any>;

const examplesOf = (event: string, defs = examples as any[]): Payload[] =>
  defs.find(def => def.name === event)?.examples ?? [];
const example = (event: string, action: string, index = 0): Payload =>
  structuredClone(
    examplesOf(event).filter(payload => payload.action === action)[index],
  );
const activities = (event: string | undefined, payload: unknown) =>
  githubWebhook.activitiesOf(
    event === undefined ? {} : { 'x-github-event': event },
    payload,
  );

const CODERTOCAT = { id: '21031067', name: 'Codertocat' };
const ISSUE_URL = 'https://github.com/Codertocat/Hello-World/issues/1';

describe('githubWebhook.verify', () => {
  // GitHub's documented example of X-Hub-Signature-256.
  const secret = "It's a Secret to Everybody";
  const body = Buffer.from('Hello, World!');
  const signed =
    'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
  const verify = (signature: unknown, raw = body, key = secret) =>
    githubWebhook.verify(
      raw,
      signature === undefined
        ? {}
        : { 'x-hub-signature-256': signature as string },
      key,
    );

  it('accepts GitHub’s documented test vector', () => {
    expect(verify(signed)).toBe(true);
  });

  it('refuses another secret, another body, and missing or malformed signatures', () => {
    expect(verify(signed, body, 'another secret')).toBe(false);
    expect(verify(signed, Buffer.from('Hello, World?'))).toBe(false);
    expect(verify(signed, body, '')).toBe(false);
    expect(verify(undefined)).toBe(false);
    expect(verify('')).toBe(false);
    expect(verify(signed.replace('sha256=', ''))).toBe(false);
    expect(verify(signed.replace('sha256=', 'sha1='))).toBe(false);
    expect(verify(signed.slice(0, -2))).toBe(false); // 31 bytes
    expect(verify(`${signed}00`)).toBe(false); // 33 bytes
    expect(verify(signed.replace(/.$/, 'g'))).toBe(false); // not hex
    expect(verify([signed, signed])).toBe(false); // a repeated header
  });

  it('accepts any body signed with the secret, as the fake and GitHub sign it', () => {
    const raw = Buffer.from(JSON.stringify(example('issues', 'reopened')));
    const hex = createHmac('sha256', 's3cr3t').update(raw).digest('hex');
    expect(verify(`sha256=${hex}`, raw, 's3cr3t')).toBe(true);
  });

  it('names the delivery id header GitHub de-duplicates by', () => {
    expect(githubWebhook.deliveryIdHeader).toBe('x-github-delivery');
  });
});

describe('githubWebhook.hostOf', () => {
  it('reads the host of the repository, else of the issue', () => {
    expect(githubWebhook.hostOf(example('issues', 'reopened'))).toBe(
      'github.com',
    );
    const ghes = example('issue_comment', 'created');
    ghes.repository.html_url = 'https://ghe.acme.example:8443/acme/api';
    expect(githubWebhook.hostOf(ghes)).toBe('ghe.acme.example:8443');
    delete ghes.repository;
    expect(githubWebhook.hostOf(ghes)).toBe('github.com');
  });

  it('is undefined when the payload names no URL', () => {
    // The ping of an organization webhook has no repository.
    const orgPing = examplesOf('ping').find(payload => !payload.repository);
    expect(githubWebhook.hostOf(orgPing)).toBeUndefined();
    expect(githubWebhook.hostOf({ repository: { html_url: 'nope' } })).toBe(
      undefined,
    );
    expect(githubWebhook.hostOf(null)).toBeUndefined();
  });
});

describe('githubWebhook.activitiesOf', () => {
  it('reads a close as not planned as that status, by its sender, at closed_at', () => {
    expect(activities('issues', closedAsNotPlanned)).toEqual([
      {
        type: 'status',
        issueKey: 'Codertocat/Hello-World#1',
        status: {
          state: 'closed',
          name: 'Closed as not planned',
          reason: 'not_planned',
          labels: ['bug'],
        },
        actor: CODERTOCAT,
        at: new Date('2021-10-11T16:40:56Z'),
        url: ISSUE_URL,
      },
    ]);
  });

  it('names a close by its reason, and one without a reason as completed', () => {
    const nameOf = (reason: string | null | undefined) => {
      const payload = structuredClone(closedAsNotPlanned) as Payload;
      if (reason === undefined) delete payload.issue.state_reason;
      else payload.issue.state_reason = reason;
      const [activity] = activities('issues', payload);
      return activity.type === 'status' ? activity.status.name : undefined;
    };
    expect(nameOf('completed')).toBe('Closed as completed');
    expect(nameOf('duplicate')).toBe('Closed as duplicate');
    expect(nameOf(null)).toBe('Closed as completed');
    expect(nameOf(undefined)).toBe('Closed as completed');
  });

  it.each(['reopened', 'edited', 'labeled', 'unlabeled'])(
    'reads the open status after %s, at updated_at',
    action => {
      const payload = example('issues', action);
      expect(activities('issues', payload)).toEqual([
        {
          type: 'status',
          issueKey: 'Codertocat/Hello-World#1',
          status: { state: 'open', name: 'Open', labels: ['bug'] },
          actor: CODERTOCAT,
          at: new Date(payload.issue.updated_at),
          url: ISSUE_URL,
        },
      ]);
    },
  );

  it('reads a reopen’s reason and an issue without labels', () => {
    const payload = example('issues', 'reopened');
    payload.issue.state_reason = 'reopened';
    delete payload.issue.labels;
    expect(activities('issues', payload)[0]).toMatchObject({
      status: { state: 'open', name: 'Open', reason: 'reopened', labels: [] },
    });
  });

  it('reads a deleted issue as gone, by its sender', () => {
    expect(activities('issues', example('issues', 'deleted'))).toEqual([
      {
        type: 'issue_gone',
        issueKey: 'Codertocat/Hello-World#1',
        actor: CODERTOCAT,
        at: null,
      },
    ]);
  });

  it('reads a transfer as a move from the old repository to the new issue', () => {
    const payload = example('issues', 'transferred');
    expect(activities('issues', payload)).toEqual([
      {
        type: 'issue_moved',
        issueKey: 'octo-org/octo-repo#1',
        newKey: 'Codertocat/Hello-World#1',
        newUrl: ISSUE_URL,
        actor: CODERTOCAT,
        at: new Date(payload.changes.new_issue.updated_at),
      },
    ]);
  });

  it('ignores the issues actions that change no status', () => {
    const ignored = examplesOf('issues').filter(
      payload =>
        ![
          'closed',
          'reopened',
          'edited',
          'labeled',
          'unlabeled',
          'deleted',
          'transferred',
        ].includes(payload.action),
    );
    expect(new Set(ignored.map(payload => payload.action))).toEqual(
      new Set([
        'assigned',
        'demilestoned',
        'locked',
        'milestoned',
        'opened',
        'pinned',
        'unassigned',
        'unlocked',
        'unpinned',
      ]),
    );
    for (const payload of ignored) {
      expect(activities('issues', payload)).toEqual([]);
    }
  });

  it('ignores issues events of pull requests', () => {
    // The milestoned example is of pull request #2.
    const payload = example('issues', 'milestoned');
    expect(payload.issue.pull_request).toBeDefined();
    payload.action = 'labeled';
    expect(activities('issues', payload)).toEqual([]);
  });

  it('reads a new comment with its author, times and address', () => {
    expect(
      activities('issue_comment', example('issue_comment', 'created')),
    ).toEqual([
      {
        type: 'comment',
        issueKey: 'Codertocat/Hello-World#1',
        comment: {
          id: '492700400',
          body: "You are totally right! I'll get this fixed right away.",
          author: CODERTOCAT,
          url: `${ISSUE_URL}#issuecomment-492700400`,
          createdAt: new Date('2019-05-15T15:20:21Z'),
          updatedAt: new Date('2019-05-15T15:20:21Z'),
          pushedByUs: false,
        },
      },
    ]);
  });

  it('reads an edited comment’s new body', () => {
    const [activity] = activities(
      'issue_comment',
      example('issue_comment', 'edited'),
    );
    expect(activity).toMatchObject({
      type: 'comment',
      comment: {
        id: '492700400',
        body: "You are totally right! I'll get this fixed today.",
        updatedAt: new Date('2019-05-15T15:20:22Z'),
      },
    });
  });

  it('marks a comment that carries our comment marker as pushed by us', () => {
    const payload = example('issue_comment', 'created');
    payload.comment.body =
      '**Jane Doe** on the Security tab:\n\nAccepted until the next release.\n\n' +
      '<!-- security-observations:comment=5f0c6f1e-8a0e-4d5e-9b7a-2f9d3c1a7b64 -->';
    const [activity] = activities('issue_comment', payload);
    expect(activity).toMatchObject({ comment: { pushedByUs: true } });
  });

  it('takes the sender as author of a comment whose account is gone', () => {
    const payload = example('issue_comment', 'created');
    payload.comment.user = null;
    payload.sender = { ...payload.sender, id: 10137, login: 'ghost' };
    const [activity] = activities('issue_comment', payload);
    expect(activity).toMatchObject({
      comment: { author: { id: '10137', name: 'ghost' } },
    });
  });

  it('reads a deleted comment by its id and sender', () => {
    expect(
      activities('issue_comment', example('issue_comment', 'deleted')),
    ).toEqual([
      {
        type: 'comment_deleted',
        issueKey: 'Codertocat/Hello-World#1',
        commentId: '492700400',
        actor: CODERTOCAT,
        at: null,
      },
    ]);
  });

  it('ignores comments on pull requests', () => {
    const pullRequest = example('issues', 'milestoned').issue;
    for (const action of ['created', 'edited', 'deleted']) {
      const payload = example('issue_comment', action);
      payload.issue = pullRequest;
      expect(activities('issue_comment', payload)).toEqual([]);
    }
  });

  it('ignores pings, other events and deliveries without an event', () => {
    for (const ping of examplesOf('ping')) {
      expect(activities('ping', ping)).toEqual([]);
    }
    expect(activities('push', { ref: 'refs/heads/main' })).toEqual([]);
    expect(activities(undefined, closedAsNotPlanned)).toEqual([]);
  });

  it('reads every issues and issue_comment example of github.com and GitHub Enterprise Server', () => {
    const enterprise = ['ghes-31', 'ghes-32', 'ghes-33', 'ghes-34', 'ghes-35']
      .map(version =>
        JSON.parse(
          readFileSync(
            require.resolve(`@octokit/webhooks-examples/${version}/index.json`),
            'utf8',
          ),
        ),
      )
      .flat();
    const all = [...(examples as any[]), ...enterprise];
    const read = ['issues', 'issue_comment'].flatMap(event =>
      examplesOf(event, all).flatMap(payload => activities(event, payload)),
    );
    expect(new Set(read.map(activity => activity.type))).toEqual(
      new Set([
        'status',
        'issue_gone',
        'issue_moved',
        'comment',
        'comment_deleted',
      ]),
    );
  });

  describe('a payload of a used event without what GitHub documents', () => {
    const without = (payload: Payload, path: string) => {
      const copy = structuredClone(payload);
      const parts = path.split('.');
      const last = parts.pop()!;
      delete parts.reduce((value, part) => value[part], copy)[last];
      return copy;
    };

    it.each(
      [
        { event: 'issues', payload: closedAsNotPlanned, path: 'action' },
        {
          event: 'issues',
          payload: closedAsNotPlanned,
          path: 'repository.full_name',
        },
        { event: 'issues', payload: closedAsNotPlanned, path: 'issue.number' },
        { event: 'issues', payload: closedAsNotPlanned, path: 'issue.state' },
        {
          event: 'issues',
          payload: closedAsNotPlanned,
          path: 'issue.closed_at',
        },
        {
          event: 'issues',
          payload: closedAsNotPlanned,
          path: 'issue.html_url',
        },
        { event: 'issues', payload: closedAsNotPlanned, path: 'sender.id' },
        {
          event: 'issues',
          payload: example('issues', 'reopened'),
          path: 'issue.updated_at',
        },
        {
          event: 'issues',
          payload: example('issues', 'deleted'),
          path: 'sender.login',
        },
        {
          event: 'issues',
          payload: example('issues', 'transferred'),
          path: 'changes.new_issue',
        },
        {
          event: 'issues',
          payload: example('issues', 'transferred'),
          path: 'changes.new_repository',
        },
        {
          event: 'issue_comment',
          payload: example('issue_comment', 'created'),
          path: 'comment.body',
        },
        {
          event: 'issue_comment',
          payload: example('issue_comment', 'edited'),
          path: 'comment.id',
        },
        {
          event: 'issue_comment',
          payload: example('issue_comment', 'created'),
          path: 'comment.created_at',
        },
        {
          event: 'issue_comment',
          payload: example('issue_comment', 'deleted'),
          path: 'issue.number',
        },
      ].map(row => ({ ...row, action: row.payload.action })),
    )(
      '$event $action without $path is refused, naming it',
      ({ event, payload, path }) => {
        const call = () => activities(event, without(payload, path));
        expect(call).toThrow(WebhookPayloadError);
        expect(call).toThrow(
          new RegExp(`without ${path.replace(/\./g, '\\.')}(\\.|$)`),
        );
      },
    );

    it('refuses labels that are not a list and dates that are not dates', () => {
      const labels = structuredClone(closedAsNotPlanned) as Payload;
      labels.issue.labels = 'bug';
      expect(() => activities('issues', labels)).toThrow(
        /without issue\.labels/,
      );
      const date = example('issue_comment', 'created');
      date.comment.updated_at = 'yesterday';
      expect(() => activities('issue_comment', date)).toThrow(
        /without comment\.updated_at/,
      );
      expect(() => activities('issues', null)).toThrow(WebhookPayloadError);
    });
  });
});
