import { randomUUID } from 'node:crypto';
import { setupServer } from 'msw/node';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { lowOne, openssl } from '../sync/__testUtils__/scenarioFindings';
import { paymentsApi, REPO } from '../sync/__testUtils__/syncHarness';
import { WebhookDelivery } from '../sync/__testUtils__/trackersUnderTest/TrackerUnderTest';
import { FakeGitHub } from '../sync/trackers/__testUtils__/fakeGitHub';
import { createTwoWayHarness } from './__testUtils__/twoWayHarness';
import { CommentPusher } from './CommentPusher';

jest.setTimeout(60_000);

/*
 * Two GitHub trackers on github.com, each with its own webhook secret
 * (say, two organizations' webhooks): a delivery speaks only for the
 * tracker whose secret signed it.
 */

const PAYMENTS_SECRET = 'whsec-payments-7a41';
const OSS_SECRET = 'whsec-oss-2c9e';

describe('Two-way sync with GitHub', () => {
  const databases = createTestDatabases();
  const server = setupServer();
  let github: FakeGitHub;
  /** The fake GitHub's clock, for timestamps that differ. */
  let clock: number;

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    clock = Date.parse('2026-12-01T09:00:00Z');
    github = new FakeGitHub({ now: () => clock });
    github.addRepo(REPO);
    server.resetHandlers(...github.handlers);
  });
  afterAll(() => server.close());

  it.each(databases.eachSupportedId())(
    "applies a delivery signed with the issue's own tracker's secret, and not one signed with the other's, on %s",
    async databaseId => {
      const h = await createTwoWayHarness({
        knex: await databases.init(databaseId),
        entities: [paymentsApi({ 'security-observations/tracker': 'github' })],
        config: {
          trackers: [
            {
              id: 'github',
              type: 'github',
              host: 'github.com',
              twoWay: true,
              webhookSecret: PAYMENTS_SECRET,
            },
            {
              id: 'github-oss',
              type: 'github',
              host: 'github.com',
              twoWay: true,
              webhookSecret: OSS_SECRET,
            },
          ],
        },
      });
      await h.importFindings([openssl]);
      await h.sync();
      const [issue] = github.issues(REPO);
      const observation = await h.observationOf('CVE-2024-1234');
      expect(observation.tracker!.trackerId).toBe('github');

      const signedWith = async (secret: string) => {
        const captured: WebhookDelivery[] = [];
        github.sendWebhooks(secret, async delivery => {
          captured.push(delivery);
        });
        await github.personClose(REPO, issue.number, {
          reason: 'not_planned',
        });
        await github.personReopen(REPO, issue.number);
        // The close, not the reopen.
        return captured.find(delivery =>
          delivery.body.includes('"action":"closed"'),
        )!;
      };

      const fromOtherTracker = await signedWith(OSS_SECRET);
      // The other tracker's secret is valid: accepted, but not for this issue.
      expect((await h.post('github', fromOtherTracker)).status).toBe(202);
      expect((await h.store.getObservation(observation.id))!.status).toBe(
        'open',
      );

      const fromItsTracker = await signedWith(PAYMENTS_SECRET);
      expect((await h.post('github', fromItsTracker)).status).toBe(202);
      expect((await h.store.getObservation(observation.id))!.status).toBe(
        'risk_accepted',
      );
    },
  );

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    /** Payments API routed to one two-way GitHub tracker, openssl synced. */
    const synced = async (options: { webhooks?: boolean } = {}) => {
      const h = await createTwoWayHarness({
        knex: await databases.init(databaseId),
        entities: [paymentsApi()],
        config: {
          trackers: [
            {
              id: 'github',
              type: 'github',
              host: 'github.com',
              twoWay: true,
              webhookSecret: PAYMENTS_SECRET,
              pushComments: true,
            },
          ],
        },
      });
      github.sendWebhooks(
        PAYMENTS_SECRET,
        options.webhooks === false
          ? null
          : async delivery => {
              await h.post('github', delivery);
            },
      );
      await h.importFindings([openssl]);
      await h.sync();
      const [issue] = github.issues(REPO);
      const observation = await h.observationOf('CVE-2024-1234');
      return { h, issue, observation };
    };

    it('takes deliveries in the order things happened, not the order they arrive', async () => {
      const { h, issue, observation } = await synced({ webhooks: false });
      const captured: WebhookDelivery[] = [];
      github.sendWebhooks(PAYMENTS_SECRET, async delivery => {
        captured.push(delivery);
      });
      await github.personClose(REPO, issue.number, { reason: 'not_planned' });
      clock += 5_000;
      await github.personReopen(REPO, issue.number);
      const [closed, reopened] = captured;
      expect(closed.body).toContain('"action":"closed"');
      expect(reopened.body).toContain('"action":"reopened"');

      // The reopen overtakes the close.
      expect((await h.post('github', reopened)).status).toBe(202);
      expect((await h.post('github', closed)).status).toBe(202);

      const after = await h.store.getObservation(observation.id);
      expect(after!.status).toBe('open');
      expect(after!.tracker!.live).toMatchObject({ state: 'open' });
    });

    it('applies a change once when two deliveries of it are handled at once', async () => {
      const { h, issue, observation } = await synced({ webhooks: false });
      const captured: WebhookDelivery[] = [];
      github.sendWebhooks(PAYMENTS_SECRET, async delivery => {
        captured.push(delivery);
      });
      await github.personClose(REPO, issue.number, { reason: 'not_planned' });
      const [closed] = captured;
      // The same close under another delivery id: GitHub's "Redeliver".
      const again = {
        ...closed,
        headers: { ...closed.headers, 'x-github-delivery': randomUUID() },
      };

      await Promise.all([h.post('github', closed), h.post('github', again)]);

      const assessed = (await h.eventsOf(observation.id)).filter(
        event => event.type === 'assessed',
      );
      expect(assessed).toHaveLength(1);
      expect((await h.store.getObservation(observation.id))!.status).toBe(
        'risk_accepted',
      );
    });

    it('never takes its own close back while it does not know its account (a GitHub App before its first write, or GET /user failing)', async () => {
      const { h, issue, observation } = await synced();
      const client = (await h.clients.get('github'))!;
      jest.spyOn(client, 'whoAmI').mockResolvedValue(null);

      await h.assess([observation.id], 'false_positive');
      await h.sync();
      expect(github.issue(REPO, issue.number)).toMatchObject({
        state: 'closed',
        state_reason: 'not_planned',
      });

      // The close came back, from the bot's account, and changed nothing.
      const after = await h.store.getObservation(observation.id);
      expect(after!.status).toBe('false_positive');
      expect(after!.tracker!.live).toMatchObject({ state: 'closed' });

      // A person's reopen is still a change: the sync had pushed a close.
      await github.personReopen(REPO, issue.number);
      expect((await h.store.getObservation(observation.id))!.status).toBe(
        'open',
      );
    });

    it('pushes the comments of observations with an issue, however many wait for one', async () => {
      const { h, observation } = await synced();
      // A low finding below the minimum severity: it never gets an issue.
      await h.importFindings([openssl, lowOne]);
      await h.sync();
      const waiting = await h.observationOf('CVE-2022-0001');
      expect(waiting.tracker).toMatchObject({
        issueKey: null,
        syncState: 'not_pushed',
      });
      const write = (observationId: string, body: string) =>
        h.store.addComment({
          observationId,
          body,
          actor: { ref: 'user:default/alice', kind: 'user' },
          now: new Date(),
          push: true,
        });
      for (const n of [1, 2, 3]) await write(waiting.id, `Waiting ${n}`);
      await write(observation.id, 'Patched in the next base image.');

      const pusher = new CommentPusher({
        store: h.store,
        trackers: h.trackers,
        clients: h.clients,
        logger: h.logger,
        batchSize: 2,
      });
      expect(await pusher.run()).toEqual({ pushed: 1, failed: 0, waiting: 0 });
      expect(
        (await h.commentsOf(waiting.id)).map(comment => comment.push),
      ).toEqual(Array(3).fill({ state: 'pending', error: null }));
    });
  });
});
