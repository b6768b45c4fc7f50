import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jiraWebhook } from './jiraWebhook';
import { WebhookPayloadError } from './TrackerWebhook';

/*
 * Payloads shaped like the examples of Atlassian's webhook documentation
 * (Jira Cloud and Jira Data Center): `timestamp`, `webhookEvent`, `user`,
 * `issue` with its `self` and fields, `changelog.items[]`, `comment`.
 */
function fixture(name: string): any {
  return JSON.parse(
    readFileSync(
      join(__dirname, '__fixtures__', 'jira', `${name}.json`),
      'utf8',
    ),
  );
}

const activitiesOf = (payload: unknown) =>
  jiraWebhook.activitiesOf({}, payload);

const JANE_CLOUD = { id: '5b10a2844c20165700ede21g', name: 'Jane Doe' };
const JANE_DC = { id: 'JIRAUSER10103', name: 'Jane Doe' };
const CLOUD = 'https://acme-corp.atlassian.net';
const DC = 'https://jira.acme.example';

describe('jiraWebhook', () => {
  describe('verify', () => {
    // HMAC-SHA256 test vector of GitHub's documentation: the same digest
    // that Jira puts in X-Hub-Signature.
    const secret = "It's a Secret to Everybody";
    const body = Buffer.from('Hello, World!');
    const digest =
      '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

    it('accepts sha256=<hex of the HMAC of the raw body> in X-Hub-Signature', () => {
      expect(
        jiraWebhook.verify(
          body,
          { 'x-hub-signature': `sha256=${digest}` },
          secret,
        ),
      ).toBe(true);
      expect(
        jiraWebhook.verify(
          body,
          { 'x-hub-signature': `sha256=${digest.toUpperCase()}` },
          secret,
        ),
      ).toBe(true);
    });

    it('refuses another secret, another body, and GitHub’s header name', () => {
      const header = { 'x-hub-signature': `sha256=${digest}` };
      expect(jiraWebhook.verify(body, header, 'another secret')).toBe(false);
      expect(
        jiraWebhook.verify(Buffer.from('Hello, World'), header, secret),
      ).toBe(false);
      expect(
        jiraWebhook.verify(
          body,
          { 'x-hub-signature-256': `sha256=${digest}` },
          secret,
        ),
      ).toBe(false);
    });

    it.each([
      ['no header', undefined],
      ['no method', digest],
      ['another method', `sha1=${digest.slice(0, 40)}`],
      ['a short digest', `sha256=${digest.slice(0, 62)}`],
      ['a digest that is not hex', `sha256=${'z'.repeat(64)}`],
      ['an empty value', ''],
    ])('refuses %s', (_case, value) => {
      expect(
        jiraWebhook.verify(body, { 'x-hub-signature': value }, secret),
      ).toBe(false);
    });

    it('refuses everything when the secret is empty', () => {
      const empty = '';
      const signature = `sha256=${createHmac('sha256', empty)
        .update(body)
        .digest('hex')}`;
      expect(
        jiraWebhook.verify(body, { 'x-hub-signature': signature }, empty),
      ).toBe(false);
    });
  });

  it('de-duplicates on X-Atlassian-Webhook-Identifier', () => {
    expect(jiraWebhook.deliveryIdHeader).toBe('x-atlassian-webhook-identifier');
  });

  it('names the site the payload comes from', () => {
    expect(jiraWebhook.hostOf(fixture('cloud/jira-issue_updated.status'))).toBe(
      'acme-corp.atlassian.net',
    );
    expect(jiraWebhook.hostOf(fixture('datacenter/comment_created'))).toBe(
      'jira.acme.example',
    );
    const { issue: _issue, ...commentOnly } = fixture('cloud/comment_deleted');
    expect(jiraWebhook.hostOf(commentOnly)).toBe('acme-corp.atlassian.net');
    expect(
      jiraWebhook.hostOf({ webhookEvent: 'jira:issue_updated' }),
    ).toBeUndefined();
    expect(jiraWebhook.hostOf('not json')).toBeUndefined();
  });

  describe('jira:issue_updated', () => {
    it('takes a status change from the changelog, with the issue’s status, labels, who and when (Cloud)', () => {
      expect(activitiesOf(fixture('cloud/jira-issue_updated.status'))).toEqual([
        {
          type: 'status',
          issueKey: 'PAY-12',
          status: {
            state: 'closed',
            name: "Won't Do",
            labels: [
              'security',
              'payments',
              'security-observation-3f0c2a9e-7c41-4b9a-9a57-1e8d5b6f2c10',
            ],
          },
          actor: JANE_CLOUD,
          at: new Date('2026-12-01T09:15:12.443Z'),
          url: `${CLOUD}/browse/PAY-12`,
        },
      ]);
    });

    it('names Data Center users by their key, and reads a reopen as open', () => {
      expect(
        activitiesOf(fixture('datacenter/jira-issue_updated.status')),
      ).toEqual([
        expect.objectContaining({
          type: 'status',
          issueKey: 'PAY-12',
          status: {
            state: 'closed',
            name: 'False positive',
            labels: ['security', 'payments'],
          },
          actor: JANE_DC,
          url: `${DC}/browse/PAY-12`,
        }),
      ]);
      expect(
        activitiesOf(fixture('datacenter/jira-issue_updated.reopened')),
      ).toEqual([
        expect.objectContaining({
          status: {
            state: 'open',
            name: 'To Do',
            labels: ['security', 'payments'],
          },
          actor: { id: 'JIRAUSER10100', name: 'Security Sync Bot' },
        }),
      ]);
    });

    it('takes a key change as a moved issue', () => {
      for (const [deployment, site, actor] of [
        ['cloud', CLOUD, JANE_CLOUD],
        ['datacenter', DC, JANE_DC],
      ] as const) {
        expect(
          activitiesOf(fixture(`${deployment}/jira-issue_updated.moved`)),
        ).toEqual([
          {
            type: 'issue_moved',
            issueKey: 'PAY-12',
            newKey: 'SEC-7',
            newUrl: `${site}/browse/SEC-7`,
            actor,
            at: new Date('2026-12-01T10:15:12.443Z'),
          },
        ]);
      }
    });

    it('says nothing of updates that change neither status nor key', () => {
      expect(activitiesOf(fixture('cloud/jira-issue_updated.labels'))).toEqual(
        [],
      );
      const { changelog: _changelog, ...commented } = fixture(
        'cloud/jira-issue_updated.labels',
      );
      expect(
        activitiesOf({
          ...commented,
          issue_event_type_name: 'issue_commented',
        }),
      ).toEqual([]);
    });

    it('throws WebhookPayloadError naming what a status change lacks', () => {
      const payload = fixture('cloud/jira-issue_updated.status');
      delete payload.issue.fields.status;
      expect(() => activitiesOf(payload)).toThrow(WebhookPayloadError);
      expect(() => activitiesOf(payload)).toThrow(
        /issue\.fields\.status\.name/,
      );
      const noKey = fixture('cloud/jira-issue_updated.status');
      delete noKey.issue.key;
      expect(() => activitiesOf(noKey)).toThrow(/issue\.key/);
      const moved = fixture('cloud/jira-issue_updated.moved');
      delete moved.changelog.items[1].fromString;
      expect(() => activitiesOf(moved)).toThrow(
        /changelog\.items\.1\.fromString/,
      );
      const noItems = fixture('cloud/jira-issue_updated.status');
      noItems.changelog = { id: '10315' };
      expect(() => activitiesOf(noItems)).toThrow(/changelog\.items/);
    });
  });

  it('takes jira:issue_deleted as a gone issue', () => {
    expect(activitiesOf(fixture('cloud/jira-issue_deleted'))).toEqual([
      {
        type: 'issue_gone',
        issueKey: 'PAY-12',
        actor: JANE_CLOUD,
        at: new Date('2026-12-01T11:15:12.443Z'),
      },
    ]);
    expect(activitiesOf(fixture('datacenter/jira-issue_deleted'))).toEqual([
      expect.objectContaining({ type: 'issue_gone', actor: JANE_DC }),
    ]);
  });

  describe('comments', () => {
    it('takes comment_created and comment_updated with author, times and the comment’s page', () => {
      expect(activitiesOf(fixture('cloud/comment_created'))).toEqual([
        {
          type: 'comment',
          issueKey: 'PAY-12',
          comment: {
            id: '10108',
            body: 'We only parse certificates from our own CA here, so the *GeneralName* confusion cannot be reached. Accepting the risk until the base image moves to 3.0.8.',
            author: JANE_CLOUD,
            url: `${CLOUD}/browse/PAY-12?focusedCommentId=10108`,
            createdAt: new Date('2026-12-01T09:20:00.000Z'),
            updatedAt: new Date('2026-12-01T09:20:00.000Z'),
            pushedByUs: false,
          },
        },
      ]);
      expect(activitiesOf(fixture('datacenter/comment_updated'))).toEqual([
        {
          type: 'comment',
          issueKey: 'PAY-12',
          comment: expect.objectContaining({
            id: '10108',
            body: 'Confirmed with the payments team: the vulnerable path is not reachable from outside.',
            author: JANE_DC,
            url: `${DC}/browse/PAY-12?focusedCommentId=10108`,
            updatedAt: new Date('2026-12-01T09:35:00.000Z'),
            pushedByUs: false,
          }),
        },
      ]);
    });

    it('reads the text of an ADF body, and knows a comment the sync pushed by its marker', () => {
      const [activity] = activitiesOf(fixture('cloud/comment_created.adf'));
      expect(activity).toMatchObject({
        type: 'comment',
        comment: {
          id: '10109',
          body:
            'Sam Developer on the Security tab:\n\n' +
            'Base image bump is scheduled for 2026-12-08.\nKeeping this open until then.\n\n' +
            'security-observations:comment=8d1f0b52-4c3e-4a7b-9e21-6f5a0c9d3b74',
          pushedByUs: true,
        },
      });
      expect(
        activitiesOf(fixture('datacenter/comment_created.pushed')),
      ).toEqual([
        expect.objectContaining({
          comment: expect.objectContaining({ pushedByUs: true }),
        }),
      ]);
    });

    it('takes in no comment restricted to a role or a group, and removes one an edit restricted', () => {
      const restricted = fixture('cloud/comment_created.restricted');
      expect(restricted.comment.visibility).toEqual({
        type: 'role',
        value: 'Administrators',
        identifier: 'Administrators',
      });
      expect(activitiesOf(restricted)).toEqual([]);
      // The same comment, edited while restricted: it may have been taken
      // in before, while everyone could read it.
      expect(
        activitiesOf({ ...restricted, webhookEvent: 'comment_updated' }),
      ).toEqual([
        {
          type: 'comment_deleted',
          issueKey: 'PAY-12',
          commentId: '10111',
          actor: JANE_CLOUD,
          at: new Date('2026-12-01T09:30:00.000Z'),
        },
      ]);
      // Data Center restricts to a group the same way.
      expect(
        activitiesOf(fixture('datacenter/comment_updated.restricted')),
      ).toEqual([
        {
          type: 'comment_deleted',
          issueKey: 'PAY-12',
          commentId: '10108',
          actor: JANE_DC,
          at: new Date('2026-12-01T09:35:00.000Z'),
        },
      ]);
      // Without its visibility, the same comment is taken in.
      const { visibility: _visibility, ...open } = restricted.comment;
      expect(activitiesOf({ ...restricted, comment: open })).toMatchObject([
        { type: 'comment', comment: { id: '10111' } },
      ]);
    });

    it('takes comment_deleted, which names no user', () => {
      expect(activitiesOf(fixture('cloud/comment_deleted'))).toEqual([
        {
          type: 'comment_deleted',
          issueKey: 'PAY-12',
          commentId: '10108',
          actor: null,
          at: new Date('2026-12-01T09:40:00.000Z'),
        },
      ]);
    });

    it('throws WebhookPayloadError naming what a comment lacks', () => {
      const noAuthor = fixture('cloud/comment_created');
      delete noAuthor.comment.author;
      expect(() => activitiesOf(noAuthor)).toThrow(/comment\.author/);
      const badBody = fixture('datacenter/comment_created');
      badBody.comment.body = 42;
      expect(() => activitiesOf(badBody)).toThrow(/comment\.body/);
      const badDate = fixture('cloud/comment_updated');
      badDate.comment.updated = 'yesterday';
      expect(() => activitiesOf(badDate)).toThrow(/comment\.updated/);
      const noId = fixture('cloud/comment_deleted');
      delete noId.comment.id;
      expect(() => activitiesOf(noId)).toThrow(/comment\.id/);
    });
  });

  it('ignores events it does not use', () => {
    const created = fixture('cloud/jira-issue_updated.labels');
    expect(
      activitiesOf({ ...created, webhookEvent: 'jira:issue_created' }),
    ).toEqual([]);
    expect(
      activitiesOf({ webhookEvent: 'worklog_created', worklog: {} }),
    ).toEqual([]);
    expect(activitiesOf({ not: 'a Jira payload' })).toEqual([]);
  });
});
