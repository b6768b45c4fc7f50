import knexFactory from 'knex';
import { setupServer } from 'msw/node';
import { findings } from './__testUtils__/scenarioFindings';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { createSyncHarness } from './__testUtils__/syncHarness';
import {
  TrackerUnderTest,
  trackersUnderTest,
} from './__testUtils__/trackersUnderTest';

jest.setTimeout(60_000);

/** Every marker on the tracker exactly once: no observation has two issues. */
function expectNoDuplicates(tracker: TrackerUnderTest, expected: number) {
  const markers = tracker.issues().map(issue => tracker.markerOf(issue));
  expect(markers).toHaveLength(expected);
  expect(new Set(markers).size).toBe(expected);
}

describe.each(trackersUnderTest())(
  'SyncEngine under failures, with %s',
  (_name, tracker) => {
    const databases = createTestDatabases();
    const server = setupServer();

    beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
    afterEach(() => jest.restoreAllMocks());
    afterAll(() => server.close());

    const useFake = (options?: Parameters<TrackerUnderTest['reset']>[0]) => {
      tracker.reset(options);
      server.resetHandlers(...tracker.handlers);
    };
    beforeEach(() => useFake());

    /** Settings for the harness, with the tracker's own and extra ones. */
    const settings = (
      options: Partial<Parameters<typeof createSyncHarness>[0]> = {},
      extra: Parameters<TrackerUnderTest['harness']>[0] = {},
    ) => ({
      entities: [tracker.entity()],
      ...tracker.harness(extra),
      ...options,
    });

    /** The observation is linked to the one issue, found by its marker. */
    async function expectLinkedToTheOneIssueFound(
      h: Awaited<ReturnType<typeof createSyncHarness>>,
    ) {
      expectNoDuplicates(tracker, 1);
      const [observation] = await h.observations();
      expect(observation.tracker?.issueKey).toBe(tracker.issues()[0].key);
      expect((await h.store.listEvents(observation.id)).at(-1)).toMatchObject({
        type: 'issue_found',
      });
    }

    describe.each(databases.eachSupportedId())('on %s', databaseId => {
      const harness = async (
        options: Partial<Parameters<typeof createSyncHarness>[0]> = {},
        extra: Parameters<TrackerUnderTest['harness']>[0] = {},
      ) =>
        createSyncHarness({
          knex: await databases.init(databaseId),
          ...settings(options, extra),
        });

      it('sits out a short Retry-After within the run and creates each issue once', async () => {
        const h = await harness({ engine: { concurrency: 1 } });
        await h.importFindings(findings(3));
        tracker.failNext('create', { rateLimitSeconds: 20 });
        const run = await h.sync();
        expect(run).toMatchObject({ created: 3, failed: 0 });
        expect(tracker.calls.filter(call => call.status === 429)).toHaveLength(
          1,
        );
        expectNoDuplicates(tracker, 3);
      });

      it('defers the tracker on a long Retry-After and converges later', async () => {
        // Long: more than the run waits for what it deferred.
        const h = await harness({
          engine: { concurrency: 1, maxPacingWaitMs: 100 },
        });
        await h.importFindings(findings(3));
        tracker.failNext('create', { rateLimitSeconds: 600 });
        const first = await h.sync();
        expect(first.deferred).toBe(3);
        expect(tracker.writeCalls()).toHaveLength(1);
        // The limited one says why; all three wait until the tracker allows more.
        const waiting = (await h.observations()).map(o => o.tracker!);
        const limited = waiting.find(state => state.lastError);
        expect(limited).toMatchObject({ syncState: 'failed', syncAttempts: 0 });
        expect(limited!.lastError).toMatch(/rate limited \(429\)/);
        for (const state of waiting) {
          expect(new Date(state.nextAttemptAt!).getTime()).toBeGreaterThan(
            Date.now(),
          );
        }

        await h.makeDue();
        expect(await h.sync()).toMatchObject({ created: 3, failed: 0 });
        expectNoDuplicates(tracker, 3);
      });

      it('retries a 502 on an update', async () => {
        const h = await harness();
        await h.importFindings(findings(1));
        await h.sync();
        tracker.failNext('update', { status: 502 });
        tracker.failNext('update', { status: 502 });
        await h.importFindings([{ ...findings(1)[0], severity: 'critical' }]);
        expect(await h.sync()).toMatchObject({ updated: 1, failed: 0 });
        expect(tracker.issues()[0].title).toMatch(/^\[Critical\]/);
      });

      it.each([
        ['a 500 that created nothing', { status: 500 } as const],
        [
          'a 500 after the tracker created the issue',
          { status: 500, afterApplying: true } as const,
        ],
        [
          'a timeout after the tracker created the issue',
          { hangMs: 1_500, afterApplying: true } as const,
        ],
      ])(
        'converges after %s on create, with one issue',
        async (_fault, fault) => {
          const h = await harness({ requestTimeoutMs: 500 });
          await h.importFindings(findings(1));
          tracker.failNext('create', fault);
          const first = await h.sync();
          expect(first.failed).toBe(1);
          const failed = (await h.observations())[0].tracker!;
          expect(failed).toMatchObject({
            syncState: 'failed',
            syncAttempts: 1,
          });
          expect(failed.lastError).toMatch(/could not create an issue/);

          await h.makeDue();
          const second = await h.sync();
          expect(second.failed).toBe(0);
          expectNoDuplicates(tracker, 1);
          const [observation] = await h.observations();
          expect(observation.tracker).toMatchObject({
            syncState: 'synced',
            issueKey: tracker.issues()[0].key,
          });
        },
      );

      it('never creates a second issue when the process dies between create and storing the link', async () => {
        const h = await harness();
        await h.importFindings(findings(1));
        await h.syncAndDieAfterCreate();
        expect(tracker.issues()).toHaveLength(1);

        // Another run once the lease ran out.
        await h.sync();
        await expectLinkedToTheOneIssueFound(h);
      });

      it('sends no create once its lease ran out while it waited for the pacer', async () => {
        const h = await harness();
        await h.importFindings(findings(1));
        // Another worker took the row over: the intent finds it not ours.
        jest.spyOn(h.store, 'recordCreateIntent').mockResolvedValueOnce(false);
        expect(await h.sync()).toMatchObject({ created: 0, deferred: 1 });
        expect(tracker.writeCalls()).toEqual([]);
      });

      it('keeps a create in doubt on record while the entity routes nowhere, and links that issue when it routes again', async () => {
        const h = await harness({ requestTimeoutMs: 500 });
        await h.importFindings(findings(1));
        tracker.failNext('create', { hangMs: 1_500, afterApplying: true });
        expect(await h.sync()).toMatchObject({ failed: 1 });

        // The team drops the project annotation for a while.
        const unrouted = tracker.entity();
        for (const name of tracker.projectAnnotations) {
          delete unrouted.metadata.annotations![name];
        }
        h.setEntity(unrouted);
        await h.makeDue();
        await h.sync();

        h.setEntity(tracker.entity());
        expect(await h.sync()).toMatchObject({ created: 0, failed: 0 });
        await expectLinkedToTheOneIssueFound(h);
      });

      it('closes the issues of observations that an import resolves while a run is creating them', async () => {
        const h = await harness({ engine: { concurrency: 1 } });
        await h.importFindings(findings(4));
        // The run claims all four, creates the first issue, and before it
        // stores that link a scan finds none of them any more: the other
        // three are then synced from what the run read before the import.
        const recordSynced = h.store.recordSynced.bind(h.store);
        let scan: Promise<unknown> | undefined;
        jest
          .spyOn(h.store, 'recordSynced')
          .mockImplementation(async (...args) => {
            scan ??= h.importFindings([]);
            await scan;
            return recordSynced(...args);
          });
        expect(await h.sync()).toMatchObject({ created: 4 });
        jest.restoreAllMocks();
        await h.sync();

        expectNoDuplicates(tracker, 4);
        expect(tracker.issues().map(issue => issue.state)).toEqual(
          Array(4).fill('closed'),
        );
        for (const observation of await h.observations()) {
          expect(observation.status).toBe('resolved');
          expect(observation.tracker?.syncState).toBe('synced');
        }
      });

      it('syncs an entity again that left the catalog and came back', async () => {
        const h = await harness();
        await h.importFindings(findings(1));
        await h.sync();
        await h.importFindings(findings(2));
        h.removeEntity();
        expect(await h.sync()).toMatchObject({ failed: 1 });
        const missing = (await h.observations()).find(
          o => !o.tracker?.issueKey,
        );
        expect(missing!.tracker!.lastError).toBe(
          'the entity component:default/payments-api is not in the catalog',
        );

        h.setEntity(tracker.entity());
        expect(await h.sync()).toMatchObject({ created: 1, failed: 0 });
        expectNoDuplicates(tracker, 2);
      });

      it('fails the attempt, not the run, when the tracker client cannot be prepared', async () => {
        const h = await harness();
        await h.importFindings(findings(1));
        jest
          .spyOn(h.store, 'issueCreationTimes')
          .mockRejectedValueOnce(new Error('Connection terminated'));
        expect(await h.sync()).toMatchObject({ failed: 1 });
        const [observation] = await h.observations();
        expect(observation.tracker!.lastError).toMatch(/Connection terminated/);

        await h.makeDue();
        expect(await h.sync()).toMatchObject({ created: 1 });
      });

      it('tells the owners about rejected credentials once, through notifications, without the credentials', async () => {
        const h = await harness({}, { credentials: 'revoked' });
        await h.importFindings(findings(2));
        await h.sync();
        expect(h.notifications.sent).toHaveLength(1);
        expect(h.notifications.sent[0]).toEqual({
          recipients: {
            type: 'entity',
            entityRef: 'component:default/payments-api',
          },
          payload: expect.objectContaining({
            title:
              'Security issues of payments-api are not reaching the tracker',
            description: expect.stringMatching(
              /^2 observations failed to sync: (GitHub|GitLab|Jira) could not (create an issue in|read the project) \S+: 401 the (credentials|token)( for \S+)? (were|was) rejected/,
            ),
            link: '/catalog/default/component/payments-api/security',
            scope:
              'security-observations:sync:component:default/payments-api:unauthorized',
          }),
        });
        const [observation] = await h.observations();
        expect(observation.tracker?.lastError).toMatch(/401/);
        expect(
          JSON.stringify([await h.observations(), h.notifications.sent]),
        ).not.toMatch(/revoked/);

        await h.makeDue();
        await h.sync();
        expect(h.notifications.sent).toHaveLength(1);
      });

      it('does not tell the owners again while another observation of the entity syncs', async () => {
        const h = await harness();
        await h.importFindings(findings(2));
        const refuse = () => tracker.failNext('create', { status: 404 });
        refuse();
        expect(await h.sync()).toMatchObject({ created: 1, failed: 1 });
        expect(h.notifications.sent).toHaveLength(1);

        // A new finding syncs while the failed one waits for its next attempt.
        await h.importFindings(findings(3));
        expect(await h.sync()).toMatchObject({ created: 1, failed: 0 });
        refuse();
        await h.makeDue();
        expect(await h.sync()).toMatchObject({ failed: 1 });
        expect(h.notifications.sent).toHaveLength(1);
      });

      it('tells the owners at once when the entity’s route stops working', async () => {
        const h = await harness();
        await h.importFindings(findings(1));
        await h.sync();
        h.setEntity(
          tracker.entity({
            'security-observations/minimum-severity': 'urgent',
          }),
        );
        const [observation] = await h.observations();
        await h.assess([observation.id], 'risk_accepted');
        expect(await h.sync()).toMatchObject({ failed: 1 });
        expect(h.notifications.sent).toEqual([
          expect.objectContaining({
            payload: expect.objectContaining({
              description:
                "1 observation failed to sync: security-observations/minimum-severity is 'urgent'; expected one of critical, high, medium, low, none, unknown",
              scope:
                'security-observations:sync:component:default/payments-api:routing',
            }),
          }),
        ]);
      });

      it('defers a recreate that would wait for the pacer, keeping the old link until it can go', async () => {
        const h = await harness(
          { engine: { maxPacingWaitMs: 100 } },
          { tracker: { pacing: { createsPerMinute: 1 } } },
        );
        await h.importFindings(findings(1));
        expect(await h.sync()).toMatchObject({ created: 1 });
        const [issue] = tracker.issues();
        tracker.deleteIssue(issue.key);

        await h.importFindings([{ ...findings(1)[0], severity: 'critical' }]);
        expect(await h.sync()).toMatchObject({ deferred: 1, created: 0 });
        const [observation] = await h.observations();
        expect(observation.tracker).toMatchObject({
          issueKey: issue.key,
          syncState: 'pending',
        });
        expect(
          tracker.writeCalls().filter(call => call.method === 'POST'),
        ).toHaveLength(1);
      });

      it('clears a routing failure once the route is fixed, also for observations that need no issue any more', async () => {
        const h = await harness();
        await h.importFindings(findings(1));
        h.setEntity(
          tracker.entity({
            'security-observations/minimum-severity': 'urgent',
          }),
        );
        expect(await h.sync()).toMatchObject({ failed: 1 });
        await h.importFindings([]); // the next scan no longer finds it

        h.setEntity(tracker.entity());
        await h.sync();
        const [observation] = await h.observations();
        expect(observation.status).toBe('resolved');
        expect(observation.tracker).toMatchObject({
          issueKey: null,
          syncState: 'not_pushed',
          lastError: null,
          notPushedReason:
            'not found in the latest scan, so no issue is opened',
        });
        expect(tracker.issues()).toHaveLength(0);
      });
    });

    it.each(databases.eachSupportedId())(
      'paces creates below the limit across backends that take turns on one %s database',
      async databaseId => {
        useFake({ createsPerMinute: 3 });
        const knex = await databases.init(databaseId);
        const paced = settings(
          // Long enough for a pacer that spreads a minute over its seconds.
          { engine: { maxPacingWaitMs: 3_000 } },
          { tracker: { pacing: { createsPerMinute: 3 } } },
        );
        const first = await createSyncHarness({ knex, ...paced });
        const second = await createSyncHarness({
          knex,
          ...paced,
          migrated: true,
        });
        await first.importFindings(findings(1));
        expect(await first.sync()).toMatchObject({ created: 1 });
        await first.importFindings(findings(3));
        expect(await second.sync()).toMatchObject({ created: 2 });

        // The first backend's turn again: the minute is used up by both.
        await first.importFindings(findings(5));
        expect(await first.sync()).toMatchObject({ created: 0, deferred: 2 });
        expect(tracker.limitHits).toBe(0);
        expectNoDuplicates(tracker, 3);
      },
    );

    // On Postgres two connection pools, as two backend replicas have; on
    // SQLite, whose test database is one connection, the two engines
    // interleave at every await on it.
    it.each(databases.eachSupportedId())(
      'creates each issue exactly once when two backends sync one %s database at the same time',
      async databaseId => {
        useFake({ latencyMs: 25 });
        const knex = await databases.init(databaseId);
        const postgres = databaseId.startsWith('POSTGRES');
        const otherKnex = postgres ? knexFactory(knex.client.config) : knex;
        try {
          // One issue at a time, so that a run of 30 outlasts the other
          // engine's start-up, however loaded the machine.
          const engine = { batchSize: 5, concurrency: 1 };
          const first = await createSyncHarness({
            knex,
            ...settings({ engine }),
          });
          const second = await createSyncHarness({
            knex: otherKnex,
            ...settings({ engine }),
            migrated: true,
          });
          await first.importFindings(findings(30));
          // The second backend starts while the first holds a claimed batch
          // and has more to claim: they overlap, whichever starts faster.
          const firstRun = first.sync();
          while (tracker.issues().length === 0) {
            await new Promise(resolve => setTimeout(resolve, 5));
          }
          const [a, b] = await Promise.all([firstRun, second.sync()]);
          expect(a.created + b.created).toBe(30);
          expect(a.created).toBeGreaterThan(0);
          expect(b.created).toBeGreaterThan(0);
          expectNoDuplicates(tracker, 30);
          expect(
            (await first.observations()).every(
              observation => observation.tracker?.syncState === 'synced',
            ),
          ).toBe(true);
        } finally {
          if (postgres) await otherKnex.destroy();
        }
      },
    );
  },
);
