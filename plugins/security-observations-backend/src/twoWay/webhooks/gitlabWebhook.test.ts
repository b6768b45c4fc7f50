import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commentMarker } from '../../sync/trackers/issueMarker';
import { gitlabWebhook, parseGitLabHookDate } from './gitlabWebhook';
import { WebhookPayloadError } from './TrackerWebhook';

/*
 * Payloads as GitLab's webhook events documentation shows them
 * (`issue-hook_open`, `note-hook_issue`, `note-hook_merge-request` are its
 * examples), and as GitLab.com sends them for a confidential issue of ours.
 */
const fixture = (name: string): any =>
  JSON.parse(
    readFileSync(
      join(__dirname, '__fixtures__', 'gitlab', `${name}.json`),
      'utf8',
    ),
  );
const event = (name: string) => ({
  'x-gitlab-event': name,
  'x-gitlab-event-uuid': '13792a34-cac6-4fda-95a8-c58e00a3954e',
  'content-type': 'application/json',
});
const SECRET = 'whsec-gitlab-6f1d0c83a2';

describe('gitlabWebhook', () => {
  describe('verify', () => {
    const body = Buffer.from('{"object_kind":"issue"}');
    const withToken = (token?: string | string[]) => ({
      ...event('Issue Hook'),
      ...(token === undefined ? {} : { 'x-gitlab-token': token }),
    });

    it('accepts the secret GitLab sends in X-Gitlab-Token', () => {
      expect(gitlabWebhook.verify(body, withToken(SECRET), SECRET)).toBe(true);
    });

    it('refuses another token, a longer or shorter one, none, or an empty secret', () => {
      for (const token of [
        'whsec-gitlab-6f1d0c83a3',
        `${SECRET}x`,
        SECRET.slice(0, -1),
        '',
        [SECRET],
      ]) {
        expect(gitlabWebhook.verify(body, withToken(token), SECRET)).toBe(
          false,
        );
      }
      expect(gitlabWebhook.verify(body, withToken(), SECRET)).toBe(false);
      expect(gitlabWebhook.verify(body, withToken(''), '')).toBe(false);
    });
  });

  it('identifies deliveries by X-Gitlab-Event-UUID', () => {
    expect(gitlabWebhook.deliveryIdHeader).toBe('x-gitlab-event-uuid');
  });

  it('reads the host from the issue’s or the project’s URL', () => {
    expect(gitlabWebhook.hostOf(fixture('issue-hook_open'))).toBe(
      'example.com',
    );
    expect(gitlabWebhook.hostOf(fixture('confidential-note-hook_edited'))).toBe(
      'gitlab.com',
    );
    const { object_attributes: _, ...withoutIssue } = fixture(
      'confidential-issue-hook_close-wontfix',
    );
    expect(gitlabWebhook.hostOf(withoutIssue)).toBe('gitlab.com');
    const selfManaged = fixture('issue-hook_open');
    selfManaged.object_attributes.url =
      'https://gitlab.acme.example:8443/gitlab/platform/api/-/issues/7';
    expect(gitlabWebhook.hostOf(selfManaged)).toBe('gitlab.acme.example:8443');
    expect(gitlabWebhook.hostOf({ object_kind: 'push' })).toBeUndefined();
    expect(gitlabWebhook.hostOf(null)).toBeUndefined();
  });

  describe('issue hooks', () => {
    it('reads the documented example as the issue’s status', () => {
      expect(
        gitlabWebhook.activitiesOf(
          event('Issue Hook'),
          fixture('issue-hook_open'),
        ),
      ).toEqual([
        {
          type: 'status',
          issueKey: 'gitlabhq/gitlab-test#23',
          status: { state: 'open', name: 'Open', labels: ['API'] },
          actor: { id: '1', name: 'root' },
          at: new Date('2013-12-03T17:15:43Z'),
          url: 'http://example.com/diaspora/issues/23',
        },
      ]);
    });

    it('reads a confidential issue closed with wontfix, with GitLab’s UTC dates', () => {
      expect(
        gitlabWebhook.activitiesOf(
          event('Confidential Issue Hook'),
          fixture('confidential-issue-hook_close-wontfix'),
        ),
      ).toEqual([
        {
          type: 'status',
          issueKey: 'acme-corp/storefront/payments-api#12',
          status: {
            state: 'closed',
            name: 'Closed',
            labels: ['payments', 'sec', 'security', 'wontfix'],
          },
          actor: { id: '20417733', name: 'jane.appsec' },
          at: new Date('2026-12-01T10:15:02Z'),
          url: 'https://gitlab.com/acme-corp/storefront/payments-api/-/issues/12',
        },
      ]);
    });

    it('reads reopen and update the same way, and labels from object_attributes when the top level has none', () => {
      const payload = fixture('confidential-issue-hook_close-wontfix');
      payload.object_attributes.state = 'opened';
      for (const action of ['reopen', 'update']) {
        payload.object_attributes.action = action;
        delete payload.labels;
        payload.object_attributes.labels = [{ id: 1, title: 'triaged' }];
        expect(
          gitlabWebhook.activitiesOf(event('Confidential Issue Hook'), payload),
        ).toMatchObject([
          {
            type: 'status',
            status: { state: 'open', name: 'Open', labels: ['triaged'] },
          },
        ]);
      }
    });

    it('reads a moved issue as gone', () => {
      expect(
        gitlabWebhook.activitiesOf(
          event('Confidential Issue Hook'),
          fixture('confidential-issue-hook_moved'),
        ),
      ).toEqual([
        {
          type: 'issue_gone',
          issueKey: 'acme-corp/storefront/payments-api#12',
          actor: { id: '20417733', name: 'jane.appsec' },
          at: new Date('2026-12-02T14:40:27Z'),
        },
      ]);
    });

    it('ignores other work items', () => {
      const task = fixture('issue-hook_open');
      task.object_kind = 'work_item';
      task.object_attributes.type = 'Task';
      expect(gitlabWebhook.activitiesOf(event('Issue Hook'), task)).toEqual([]);
    });

    it('names what a malformed payload lacks', () => {
      const cases: Array<[string, (payload: any) => void]> = [
        ['project.path_with_namespace', p => delete p.project],
        ['object_attributes.iid', p => (p.object_attributes.iid = '23')],
        ['user.id', p => delete p.user.id],
        [
          'object_attributes.updated_at',
          p => (p.object_attributes.updated_at = 'yesterday'),
        ],
        [
          'object_attributes.state',
          p => (p.object_attributes.state = 'locked'),
        ],
        ['labels.0.title', p => (p.labels = [{ id: 206 }])],
        ['object_attributes.url', p => delete p.object_attributes.url],
        ['object_kind', p => delete p.object_kind],
      ];
      for (const [path, breakIt] of cases) {
        const payload = fixture('issue-hook_open');
        breakIt(payload);
        expect(() =>
          gitlabWebhook.activitiesOf(event('Issue Hook'), payload),
        ).toThrow(`payload lacks ${path} (`);
      }
      expect(() =>
        gitlabWebhook.activitiesOf(event('Issue Hook'), null),
      ).toThrow(WebhookPayloadError);
    });
  });

  describe('note hooks', () => {
    it('reads the documented comment on an issue', () => {
      expect(
        gitlabWebhook.activitiesOf(
          event('Note Hook'),
          fixture('note-hook_issue'),
        ),
      ).toEqual([
        {
          type: 'comment',
          issueKey: 'gitlab-org/gitlab-test#17',
          comment: {
            id: '1241',
            body: 'Hello world',
            author: { id: '1', name: 'root' },
            url: 'http://example.com/gitlab-org/gitlab-test/issues/17#note_1241',
            createdAt: new Date('2015-05-17T17:06:40Z'),
            updatedAt: new Date('2015-05-17T17:06:40Z'),
            pushedByUs: false,
          },
        },
      ]);
    });

    it('reads an edited note on a confidential issue as the comment as it is now', () => {
      const [activity] = gitlabWebhook.activitiesOf(
        event('Confidential Note Hook'),
        fixture('confidential-note-hook_edited'),
      );
      expect(activity).toEqual({
        type: 'comment',
        issueKey: 'acme-corp/storefront/payments-api#12',
        comment: {
          id: '2210400107',
          body: expect.stringMatching(/Edit: it is not/),
          author: { id: '20417733', name: 'jane.appsec' },
          url: 'https://gitlab.com/acme-corp/storefront/payments-api/-/issues/12#note_2210400107',
          createdAt: new Date('2026-12-01T10:20:05Z'),
          updatedAt: new Date('2026-12-01T10:31:44Z'),
          pushedByUs: false,
        },
      });

      // Before GitLab 16.11 an edit has no action, only a later updated_at.
      const older = fixture('confidential-note-hook_edited');
      delete older.object_attributes.action;
      expect(
        gitlabWebhook.activitiesOf(event('Confidential Note Hook'), older),
      ).toEqual([activity]);
    });

    it('takes in no internal note, nor a confidential one of older GitLab', () => {
      const internal = fixture('confidential-note-hook_internal');
      expect(internal.object_attributes).toMatchObject({
        internal: true,
        confidential: true,
      });
      expect(
        gitlabWebhook.activitiesOf(event('Confidential Note Hook'), internal),
      ).toEqual([]);
      // Before internal notes were named so, only `confidential` said it.
      const older = fixture('confidential-note-hook_internal');
      delete older.object_attributes.internal;
      expect(
        gitlabWebhook.activitiesOf(event('Confidential Note Hook'), older),
      ).toEqual([]);
      // A public note on the same confidential issue is taken in.
      const open = fixture('confidential-note-hook_internal');
      open.object_attributes.internal = false;
      open.object_attributes.confidential = false;
      expect(
        gitlabWebhook.activitiesOf(event('Confidential Note Hook'), open),
      ).toMatchObject([{ type: 'comment', comment: { id: '2210400212' } }]);
    });

    it('marks a note carrying our comment marker as pushed by us', () => {
      const payload = fixture('confidential-note-hook_edited');
      payload.object_attributes.note = `**Jane Doe** on the Security tab:\n\nAccepted until Q1.\n\n<!-- ${commentMarker(
        '0f8a4f8e-4a57-4c1b-9a5e-3c2d1b0a9f87',
      )} -->`;
      expect(
        gitlabWebhook.activitiesOf(event('Confidential Note Hook'), payload),
      ).toMatchObject([{ type: 'comment', comment: { pushedByUs: true } }]);
    });

    it('ignores comments on merge requests and GitLab’s system notes', () => {
      expect(
        gitlabWebhook.activitiesOf(
          event('Note Hook'),
          fixture('note-hook_merge-request'),
        ),
      ).toEqual([]);
      const system = fixture('note-hook_issue');
      system.object_attributes.system = true;
      system.object_attributes.note = 'closed';
      expect(gitlabWebhook.activitiesOf(event('Note Hook'), system)).toEqual(
        [],
      );
    });

    it('names what a malformed payload lacks', () => {
      const payload = fixture('note-hook_issue');
      delete payload.issue;
      expect(() =>
        gitlabWebhook.activitiesOf(event('Note Hook'), payload),
      ).toThrow(
        new WebhookPayloadError(
          "GitLab's Note Hook payload lacks issue.iid (an integer)",
        ),
      );
      const noType = fixture('note-hook_issue');
      delete noType.object_attributes.noteable_type;
      expect(() =>
        gitlabWebhook.activitiesOf(event('Note Hook'), noType),
      ).toThrow('lacks object_attributes.noteable_type (a string)');
    });
  });

  it('gives nothing for events it does not use, or without an event header', () => {
    expect(
      gitlabWebhook.activitiesOf(event('Push Hook'), { object_kind: 'push' }),
    ).toEqual([]);
    expect(
      gitlabWebhook.activitiesOf(
        event('Merge Request Hook'),
        fixture('issue-hook_open'),
      ),
    ).toEqual([]);
    expect(
      gitlabWebhook.activitiesOf(
        { 'x-gitlab-token': SECRET },
        fixture('issue-hook_open'),
      ),
    ).toEqual([]);
  });

  it('parses GitLab’s hook dates in both of its formats', () => {
    expect(parseGitLabHookDate('2015-05-17 17:06:40 UTC')).toEqual(
      new Date('2015-05-17T17:06:40Z'),
    );
    expect(parseGitLabHookDate('2013-12-03T17:15:43Z')).toEqual(
      new Date('2013-12-03T17:15:43Z'),
    );
    expect(parseGitLabHookDate('2019-06-05T14:32:20.211Z')).toEqual(
      new Date('2019-06-05T14:32:20.211Z'),
    );
    expect(parseGitLabHookDate('2015-04-08 21:00:25 -0700')).toEqual(
      new Date('2015-04-09T04:00:25Z'),
    );
    expect(parseGitLabHookDate('2015-05-17')).toBeUndefined();
    expect(parseGitLabHookDate('soon')).toBeUndefined();
  });
});
