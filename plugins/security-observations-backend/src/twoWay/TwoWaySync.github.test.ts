import { setupServer } from 'msw/node';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { openssl } from '../sync/__testUtils__/scenarioFindings';
import { paymentsApi, REPO } from '../sync/__testUtils__/syncHarness';
import { WebhookDelivery } from '../sync/__testUtils__/trackersUnderTest/TrackerUnderTest';
import { FakeGitHub } from '../sync/trackers/__testUtils__/fakeGitHub';
import { createTwoWayHarness } from './__testUtils__/twoWayHarness';

jest.setTimeout(60_000);

/*
 * Two GitHub trackers on github.com, each with its own webhook secret
 * (say, two organizations' webhooks): a delivery speaks only for the
 * tracker whose secret signed it.
 */

const PAYMENTS_SECRET = 'whsec-payments-7a41';
const OSS_SECRET = 'whsec-oss-2c9e';

describe('Two-way sync with two GitHub trackers on one host', () => {
  const databases = createTestDatabases();
  const server = setupServer();
  let github: FakeGitHub;

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    github = new FakeGitHub();
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
});
