import { randomUUID } from 'node:crypto';
import { setupServer } from 'msw/node';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { openssl, zlib } from '../sync/__testUtils__/scenarioFindings';
import { trackersUnderTest } from '../sync/__testUtils__/trackersUnderTest';
import { WebhookDelivery } from '../sync/__testUtils__/trackersUnderTest/TrackerUnderTest';
import {
  createTwoWayHarness,
  WEBHOOK_SECRET,
} from './__testUtils__/twoWayHarness';

jest.setTimeout(60_000);

const TWO_WAY = {
  twoWay: true,
  webhookSecret: WEBHOOK_SECRET,
  pushComments: true,
};

describe.each(trackersUnderTest())('Two-way sync with %s', (_name, tracker) => {
  const databases = createTestDatabases();
  const server = setupServer();

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    tracker.reset();
    server.resetHandlers(...tracker.handlers);
  });
  afterAll(() => server.close());

  const person = () => tracker.people.person.name;

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    /**
     * Payments API with the openssl finding synced to its one issue, the
     * tracker's webhooks going to the ingress as they happen (the sync's
     * own included), and what every delivery got.
     */
    const synced = async (
      options: {
        tracker?: Record<string, unknown>;
        requireApproval?: boolean;
        webhooks?: boolean;
      } = {},
    ) => {
      const h = await createTwoWayHarness({
        knex: await databases.init(databaseId),
        entities: [tracker.entity()],
        requireApproval: options.requireApproval,
        ...tracker.harness({ tracker: options.tracker ?? TWO_WAY }),
      });
      const answers: Array<{ status: number; delivery: WebhookDelivery }> = [];
      tracker.people.sendWebhooks(
        WEBHOOK_SECRET,
        options.webhooks === false
          ? null
          : async delivery => {
              const answer = await h.post(tracker.trackerId, delivery);
              answers.push({ status: answer.status, delivery });
            },
      );
      await h.importFindings([openssl]);
      await h.sync();
      const [issue] = tracker.issues();
      const observation = await h.observationOf('CVE-2024-1234');
      return { h, issue, observation, answers };
    };

    it('takes a comment written on the issue in, with its origin, author and link, and follows its edits and deletion', async () => {
      const { h, issue, observation } = await synced();

      const commentId = await tracker.people.comment(
        issue.key,
        'Upgrading openssl in the next release.',
      );

      const [comment] = await h.commentsOf(observation.id);
      expect(comment).toMatchObject({
        origin: tracker.trackerId.startsWith('jira')
          ? 'jira'
          : tracker.trackerId,
        author: person(),
        body: expect.stringContaining('Upgrading openssl in the next release.'),
        url: expect.stringMatching(/^https?:\/\//),
      });
      const commented = (await h.eventsOf(observation.id)).find(
        event => event.type === 'commented',
      );
      expect(commented).toMatchObject({
        actorKind: 'tracker',
        actor: `${tracker.trackerId}:${person()}`,
      });

      await tracker.people.editComment(
        issue.key,
        commentId,
        'Upgrading openssl to 3.0.13 on Monday.',
      );
      const after = await h.commentsOf(observation.id);
      expect(after).toHaveLength(1);
      expect(after[0].body).toContain('Upgrading openssl to 3.0.13 on Monday.');
      expect(after[0].updatedAt).not.toBeNull();

      await tracker.people.deleteComment(issue.key, commentId);
      // GitLab sends no webhook when a comment is deleted.
      expect(await h.commentsOf(observation.id)).toHaveLength(
        tracker.name === 'GitLab' ? 1 : 0,
      );
    });

    it("turns a won't-fix close on the tracker into a risk acceptance by the tracker user, audited, and the sync does not undo it", async () => {
      const { h, issue, observation } = await synced();

      await tracker.people.closeAsWontFix(issue.key);

      const assessed = await h.store.getObservation(observation.id);
      expect(assessed).toMatchObject({
        status: 'risk_accepted',
        assessedStatus: 'risk_accepted',
      });
      expect(assessed!.tracker!.live).toMatchObject({
        state: 'closed',
        changedBy: person(),
      });
      const entry = (await h.eventsOf(observation.id)).find(
        event => event.type === 'assessed',
      );
      expect(entry).toMatchObject({
        actor: `${tracker.trackerId}:${person()}`,
        actorKind: 'tracker',
        changes: { status: { from: 'open', to: 'risk_accepted' } },
      });
      expect(entry!.comment).toContain(person());
      expect(h.auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'observation-assess',
          meta: expect.objectContaining({
            status: 'risk_accepted',
            trackerUser: person(),
            origin: 'tracker',
          }),
        }),
      );

      // The assessment queues the issue; the push keeps it closed as it is.
      const before = tracker.issue(issue.key)!;
      await h.sync();
      const pushed = tracker.issue(issue.key)!;
      expect(pushed.state).toBe('closed');
      expect(pushed.closeReason).toBe(before.closeReason);
      expect((await h.store.getObservation(observation.id))!.status).toBe(
        'risk_accepted',
      );
    });

    it('turns a false-positive close into a false positive, and a reopen back into open', async () => {
      const { h, issue, observation } = await synced();

      await tracker.people.closeAsFalsePositive(issue.key);
      expect((await h.store.getObservation(observation.id))!.status).toBe(
        'false_positive',
      );
      await h.sync();

      await tracker.people.reopen(issue.key);
      const reopened = await h.store.getObservation(observation.id);
      expect(reopened!.status).toBe('open');
      expect(reopened!.tracker!.live).toMatchObject({ state: 'open' });
    });

    it('only shows an unmapped change: a plain close leaves the observation open', async () => {
      const { h, issue, observation } = await synced();

      await tracker.people.closeAsDone(issue.key);

      const after = await h.store.getObservation(observation.id);
      expect(after!.status).toBe('open');
      expect(after!.tracker!.live).toMatchObject({
        state: 'closed',
        changedBy: person(),
      });
      expect(
        (await h.eventsOf(observation.id)).filter(e => e.type === 'assessed'),
      ).toEqual([]);
    });

    it("never takes its own changes back: the sync's close of a false positive comes back as a webhook and changes nothing", async () => {
      const { h, issue, observation, answers } = await synced();

      await h.assess([observation.id], 'false_positive');
      await h.sync();
      expect(tracker.issue(issue.key)!.state).toBe('closed');

      // The tracker told us about our own close, and it was accepted...
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.every(answer => answer.status === 202)).toBe(true);
      // ...and changed nothing: no risk acceptance from a "not planned".
      const after = await h.store.getObservation(observation.id);
      expect(after!.status).toBe('false_positive');
      expect(
        (await h.eventsOf(observation.id))
          .filter(event => event.type === 'assessed')
          .map(event => event.actorKind),
      ).toEqual(['user']);
    });

    it('pushes Security-tab comments to the issue, and they never come back as new ones', async () => {
      const { h, issue, observation } = await synced();

      const written = await h.store.addComment({
        observationId: observation.id,
        body: 'Tracked in the Q3 patch window.',
        actor: { ref: 'user:default/alice', kind: 'user' },
        now: new Date(),
        push: true,
      });
      const report = await h.commentPusher.run();
      expect(report).toEqual({ pushed: 1, failed: 0, waiting: 0 });

      const onTracker = tracker.people.comments(issue.key);
      expect(onTracker).toHaveLength(1);
      expect(onTracker[0].body).toContain('Tracked in the Q3 patch window.');
      expect(onTracker[0].body).toContain('user:default/alice');
      const comments = await h.commentsOf(observation.id);
      expect(comments).toEqual([
        expect.objectContaining({
          id: written.id,
          origin: 'backstage',
          push: { state: 'pushed', error: null },
        }),
      ]);
      // A second run has nothing to push.
      expect(await h.commentPusher.run()).toEqual({
        pushed: 0,
        failed: 0,
        waiting: 0,
      });
    });

    it('refuses forged, unsigned and replayed deliveries, which change nothing', async () => {
      const { h, issue, observation } = await synced({ webhooks: false });
      const captured: WebhookDelivery[] = [];
      const capture = async (delivery: WebhookDelivery) => {
        captured.push(delivery);
      };
      // A won't-fix close signed with a secret that is not the tracker's.
      tracker.people.sendWebhooks('not-the-secret', capture);
      await tracker.people.closeAsWontFix(issue.key);
      const wrongSecret = captured[captured.length - 1];
      tracker.people.sendWebhooks(WEBHOOK_SECRET, capture);
      await tracker.people.reopen(issue.key);
      await tracker.people.closeAsWontFix(issue.key);
      const genuine = captured[captured.length - 1];
      const signatureHeaders = Object.keys(genuine.headers).filter(name =>
        ['x-hub-signature-256', 'x-hub-signature', 'x-gitlab-token'].includes(
          name,
        ),
      );
      expect(signatureHeaders).toHaveLength(1);
      const unsigned = { ...genuine, headers: { ...genuine.headers } };
      delete unsigned.headers[signatureHeaders[0]];

      for (const forged of [unsigned, wrongSecret]) {
        const answer = await h.post(tracker.trackerId, forged);
        expect(answer).toEqual({
          status: 401,
          payload: {
            error: {
              message:
                'the delivery is not signed with a webhook secret this Backstage accepts',
            },
          },
        });
      }
      expect((await h.store.getObservation(observation.id))!.status).toBe(
        'open',
      );

      expect((await h.post(tracker.trackerId, genuine)).status).toBe(202);
      expect((await h.store.getObservation(observation.id))!.status).toBe(
        'risk_accepted',
      );
      // The same delivery again: refused.
      expect((await h.post(tracker.trackerId, genuine)).status).toBe(409);
      // Someone reopens the observation on the tab; the close again under
      // a new delivery id (the id is not signed) is accepted, and changes
      // nothing: the issue's status is the one already known.
      await h.assess([observation.id], 'open');
      const idHeader = Object.keys(genuine.headers).find(name =>
        [
          'x-github-delivery',
          'x-gitlab-event-uuid',
          'x-atlassian-webhook-identifier',
        ].includes(name),
      )!;
      const renamed = {
        ...genuine,
        headers: { ...genuine.headers, [idHeader]: randomUUID() },
      };
      expect((await h.post(tracker.trackerId, renamed)).status).toBe(202);
      expect((await h.store.getObservation(observation.id))!.status).toBe(
        'open',
      );
    });

    /** A delivery whose body was changed after it was signed is refused. */
    const refusesTamperedBody = async () => {
      const { h, issue, observation } = await synced({ webhooks: false });
      const captured: WebhookDelivery[] = [];
      tracker.people.sendWebhooks(WEBHOOK_SECRET, async delivery => {
        captured.push(delivery);
      });
      await tracker.people.closeAsWontFix(issue.key);
      const genuine = captured[captured.length - 1];
      const tampered = {
        ...genuine,
        body: genuine.body.replace(/"(not_planned|Won't Do)"/, '"$1 "'),
      };
      expect(tampered.body).not.toBe(genuine.body);

      expect((await h.post(tracker.trackerId, tampered)).status).toBe(401);
      expect((await h.store.getObservation(observation.id))!.status).toBe(
        'open',
      );
    };
    // GitLab sends its secret instead of signing the body: nothing to tamper with.
    (tracker.name === 'GitLab' ? it.skip : it)(
      'refuses a delivery whose body was changed after it was signed',
      refusesTamperedBody,
    );

    it('refuses every delivery when the tracker has no webhook secret', async () => {
      const { h, issue, observation } = await synced({
        tracker: { twoWay: true },
        webhooks: false,
      });
      const captured: WebhookDelivery[] = [];
      tracker.people.sendWebhooks(WEBHOOK_SECRET, async delivery => {
        captured.push(delivery);
      });
      await tracker.people.closeAsWontFix(issue.key);

      const answer = await h.post(tracker.trackerId, captured[0]);
      // The sender learns nothing of what is set up; the log says why.
      expect(answer.status).toBe(401);
      expect(JSON.stringify(answer.payload)).not.toContain('webhookSecret');
      expect((await h.store.getObservation(observation.id))!.status).toBe(
        'open',
      );
    });

    it('acknowledges and ignores a delivery about an issue it does not know', async () => {
      const { h, issue, observation } = await synced({ webhooks: false });
      const captured: WebhookDelivery[] = [];
      tracker.people.sendWebhooks(WEBHOOK_SECRET, async delivery => {
        captured.push(delivery);
      });
      // The issue is unlinked (e.g. its observation was synced elsewhere).
      await h.knex('observations').update({ tracker_issue_key: null });
      await tracker.people.closeAsWontFix(issue.key);

      expect((await h.post(tracker.trackerId, captured[0])).status).toBe(202);
      expect((await h.store.getObservation(observation.id))!.status).toBe(
        'open',
      );
    });

    it('with four-eyes review, a mapped change waits for a Backstage user to approve it', async () => {
      const { h, issue, observation } = await synced({ requireApproval: true });

      await tracker.people.closeAsWontFix(issue.key);

      expect((await h.store.getObservation(observation.id))!.status).toBe(
        'open',
      );
      const [pending] = await h.store.listPendingAssessments(
        observation.entityRef,
      );
      expect(pending).toMatchObject({
        requestedBy: `${tracker.trackerId}:${person()}`,
        assessment: expect.objectContaining({ status: 'risk_accepted' }),
      });
    });

    describe('the reconciliation', () => {
      it('reads live states without webhooks, lists changes in a dry run that changes nothing, then applies them', async () => {
        const { h, issue, observation } = await synced({ webhooks: false });
        await tracker.people.closeAsWontFix(issue.key);
        expect((await h.store.getObservation(observation.id))!.status).toBe(
          'open',
        );

        const dry = await h.reconciler.run({
          entityRef: observation.entityRef,
          dryRun: true,
        });
        expect(dry.problems).toEqual([]);
        expect(dry.checked).toBe(1);
        expect(dry.items).toEqual([
          {
            observationId: observation.id,
            trackerId: tracker.trackerId,
            issueKey: issue.key,
            changes: expect.arrayContaining([
              expect.objectContaining({ kind: 'live_status' }),
              {
                kind: 'status',
                from: 'open',
                to: 'risk_accepted',
                by: expect.any(String),
              },
            ]),
          },
        ]);
        const untouched = await h.store.getObservation(observation.id);
        expect(untouched!.status).toBe('open');
        expect(untouched!.tracker!.live ?? null).toBeNull();

        const applied = await h.reconciler.run();
        expect(applied.items).toHaveLength(1);
        const after = await h.store.getObservation(observation.id);
        expect(after!.status).toBe('risk_accepted');
        expect(after!.tracker!.live).toMatchObject({ state: 'closed' });
        expect(after!.tracker!.live!.seenAt).toEqual(expect.any(String));

        // Nothing changed since: a second run changes nothing.
        expect((await h.reconciler.run()).items).toEqual([]);
      });

      it('finds a deleted issue and the sync creates it again while the finding is open', async () => {
        const { h, issue, observation } = await synced({ webhooks: false });
        tracker.deleteIssue(issue.key);

        const result = await h.reconciler.run();
        expect(result.items).toEqual([
          expect.objectContaining({
            changes: [expect.objectContaining({ kind: 'issue_gone' })],
          }),
        ]);
        expect(
          (await h.store.getObservation(observation.id))!.tracker!.live,
        ).toMatchObject({ state: 'gone' });

        await h.sync();
        const relinked = await h.store.getObservation(observation.id);
        expect(relinked!.tracker!.issueKey).not.toBe(issue.key);
        expect(tracker.issues().filter(i => i.state === 'open')).toHaveLength(
          1,
        );
      });

      it('reads an entity with several issues in one pass and stores each live status', async () => {
        const h = await createTwoWayHarness({
          knex: await databases.init(databaseId),
          entities: [tracker.entity()],
          ...tracker.harness({ tracker: TWO_WAY }),
        });
        await h.importFindings([openssl, zlib]);
        await h.sync();
        const result = await h.reconciler.run();
        expect(result).toMatchObject({ checked: 2, problems: [] });
        for (const observation of await h.observations()) {
          expect(observation.tracker!.live).toMatchObject({ state: 'open' });
        }
      });
    });
  });
});
