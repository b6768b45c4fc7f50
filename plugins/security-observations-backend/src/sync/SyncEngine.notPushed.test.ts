import { setupServer } from 'msw/node';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { findings, lowOne, openssl } from './__testUtils__/scenarioFindings';
import { createSyncHarness } from './__testUtils__/syncHarness';
import { githubUnderTest } from './__testUtils__/trackersUnderTest/github';
import { gitlabUnderTest } from './__testUtils__/trackersUnderTest/gitlab';

jest.setTimeout(60_000);

/*
 * Observations the sync will not push say why, and are no failures:
 * `off` when the entity's tracker cannot sync by configuration (the
 * example app's GitLab tracker without a token), `not_pushed` when the
 * rules want no issue. Nobody is notified about either.
 */

describe('SyncEngine, for observations it will not push', () => {
  const databases = createTestDatabases();
  const server = setupServer();
  const gitlab = gitlabUnderTest();
  const github = githubUnderTest();

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    it('shows the sync of an entity whose tracker has no credentials as off, not failed, and tells nobody; it syncs once a token is configured', async () => {
      gitlab.reset();
      server.resetHandlers(...gitlab.handlers);
      const knex = await databases.init(databaseId);
      const settings = gitlab.harness();
      // As app-config.yaml has it while GITLAB_TOKEN is unset.
      const h = await createSyncHarness({
        knex,
        entities: [gitlab.entity()],
        ...settings,
        gitlab: [{ host: 'gitlab.com' }],
      });
      await h.importFindings(findings(2));
      const [raised, dismissed] = await h.observations();
      await h.assess([raised.id], 'open', { severity: 'critical' });
      await h.assess([dismissed.id], 'false_positive');

      expect(await h.sync()).toMatchObject({ failed: 0, notPushed: 1 });
      expect((await h.observations()).map(o => [o.id, o.tracker])).toEqual(
        expect.arrayContaining([
          [
            raised.id,
            expect.objectContaining({
              issueKey: null,
              syncState: 'off',
              syncAttempts: 0,
              nextAttemptAt: null,
              lastError: null,
              notPushedReason:
                "the tracker 'gitlab' has no credentials: the integrations.gitlab entry for gitlab.com has no token",
            }),
          ],
          // Its entity's rows were never queued: nothing to say.
          [dismissed.id, null],
        ]),
      );
      expect(h.notifications.sent).toEqual([]);
      expect(gitlab.calls).toEqual([]);

      // Another run changes nothing and still tells nobody.
      await h.makeDue();
      expect(await h.sync()).toMatchObject({ claimed: 0 });
      expect(h.notifications.sent).toEqual([]);

      // The token is configured: the entity's route changed, and the
      // observation that was off gets its issue.
      const fixed = await createSyncHarness({
        knex,
        entities: [gitlab.entity()],
        ...settings,
        migrated: true,
      });
      expect(await fixed.sync()).toMatchObject({ created: 1, failed: 0 });
      expect(gitlab.issues()).toHaveLength(1);
      expect((await fixed.observations()).map(o => o.tracker)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            issueKey: gitlab.issues()[0].key,
            syncState: 'synced',
            notPushedReason: null,
          }),
        ]),
      );
    });

    it('settles a false positive without an issue as not pushed at once, instead of pending, and says why', async () => {
      github.reset();
      server.resetHandlers(...github.handlers);
      const h = await createSyncHarness({
        knex: await databases.init(databaseId),
        entities: [github.entity()],
        ...github.harness(),
      });
      await h.importFindings([openssl, ...findings(1)]);
      const dismissed = await h.observationOf('CVE-2024-1234');
      await h.assess([dismissed.id], 'false_positive');

      // Before any sync: no "pending" for an issue that never comes.
      expect((await h.observationOf('CVE-2024-1234')).tracker).toMatchObject({
        issueKey: null,
        syncState: 'not_pushed',
        nextAttemptAt: null,
        lastError: null,
        notPushedReason: 'assessed as false positive, so no issue is opened',
      });
      expect((await h.observationOf('CVE-2024-1000')).tracker).toMatchObject({
        syncState: 'pending',
      });

      // The first run looks at the entity's route, and at what says why it
      // is not pushed: still a false positive, and no tracker call for it.
      expect(await h.sync()).toMatchObject({
        created: 1,
        notPushed: 1,
        failed: 0,
      });
      expect(github.issues().map(issue => github.markerOf(issue))).toEqual([
        (await h.observationOf('CVE-2024-1000')).id,
      ]);
      expect((await h.observationOf('CVE-2024-1234')).tracker?.syncState).toBe(
        'not_pushed',
      );
      expect(h.notifications.sent).toEqual([]);

      // Open again: it is queued, and gets its issue.
      await h.assess([dismissed.id], 'open');
      expect((await h.observationOf('CVE-2024-1234')).tracker).toMatchObject({
        syncState: 'pending',
        notPushedReason: null,
      });
      expect(await h.sync()).toMatchObject({ created: 1 });
      expect(github.issues()).toHaveLength(2);
    });

    it('says why an observation below the minimum severity gets no issue', async () => {
      github.reset();
      server.resetHandlers(...github.handlers);
      const h = await createSyncHarness({
        knex: await databases.init(databaseId),
        entities: [github.entity()],
        ...github.harness(),
      });
      await h.importFindings([lowOne]);
      expect(await h.sync()).toMatchObject({ notPushed: 1, failed: 0 });
      expect((await h.observationOf('CVE-2022-0001')).tracker).toMatchObject({
        issueKey: null,
        syncState: 'not_pushed',
        notPushedReason:
          'below the minimum severity medium, so no issue is opened',
      });
      expect(github.calls).toEqual([]);
    });
  });
});
