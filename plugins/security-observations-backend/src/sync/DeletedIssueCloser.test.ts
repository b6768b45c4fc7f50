import { setupServer } from 'msw/node';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { findings, openssl, zlib } from './__testUtils__/scenarioFindings';
import { createSyncHarness } from './__testUtils__/syncHarness';
import {
  TrackerUnderTest,
  trackersUnderTest,
} from './__testUtils__/trackersUnderTest';

jest.setTimeout(60_000);

describe.each(trackersUnderTest())(
  'Issues of deleted observations, with %s',
  (_name, tracker) => {
    const databases = createTestDatabases();
    const server = setupServer();

    beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
    beforeEach(() => {
      tracker.reset();
      server.resetHandlers(...tracker.handlers);
    });
    afterAll(() => server.close());

    const closedAsNotPlanned = {
      state: 'closed',
      ...(tracker.recordsCloseReason ? { closeReason: 'not_planned' } : {}),
    };

    describe.each(databases.eachSupportedId())('on %s', databaseId => {
      const harness = async (
        extra: Parameters<TrackerUnderTest['harness']>[0] = {},
      ) =>
        createSyncHarness({
          knex: await databases.init(databaseId),
          entities: [tracker.entity()],
          ...tracker.harness(extra),
        });

      /** What the audit log says of an observation, deleted or not. */
      const history = async (
        h: Awaited<ReturnType<typeof harness>>,
        id: string,
      ) =>
        (
          await h
            .knex('observation_events')
            .where({ observation_id: id })
            .orderBy('id')
        ).map(event => [event.type, event.actor, event.comment]);

      const waiting = async (h: Awaited<ReturnType<typeof harness>>) =>
        h.knex('deleted_observation_issues').select('*');

      it('closes the issue of a deleted observation as not planned, saying who deleted it, and leaves the others alone', async () => {
        const h = await harness();
        await h.importFindings([openssl, zlib]);
        await h.sync();
        const deleted = await h.observationOf('CVE-2024-1234');
        const kept = await h.observationOf('CVE-2023-45853');
        const issueKey = deleted.tracker!.issueKey!;

        expect(await h.deleteObservations([deleted.id])).toEqual({
          deleted: 1,
          issuesToClose: 1,
        });
        expect(tracker.issue(issueKey)!.state).toBe('open');
        tracker.resetCalls();

        expect(await h.closer.run()).toEqual({
          closed: 1,
          settled: 0,
          retrying: 0,
        });
        expect(tracker.issue(issueKey)).toMatchObject(closedAsNotPlanned);
        expect(tracker.issue(issueKey)!.text).toContain(
          'the observation was deleted from Backstage by user:default/admin',
        );
        expect(tracker.issue(kept.tracker!.issueKey!)!.state).toBe('open');
        expect(await history(h, deleted.id)).toEqual([
          ['issue_created', 'system', 'Created the tracker issue'],
          [
            'deleted',
            'user:default/admin',
            `Deleted; ${issueKey} is to be closed as not planned`,
          ],
          [
            'issue_closed',
            'system',
            `Closed ${issueKey} as not planned: the observation was deleted`,
          ],
        ]);
        expect(await waiting(h)).toEqual([]);

        // Done for good: neither the closer nor the sync touches it again.
        tracker.resetCalls();
        await h.closer.run();
        await h.makeDue();
        await h.sync();
        expect(tracker.writeCalls()).toEqual([]);
        expect(tracker.issues()).toHaveLength(2);
      });

      it('leaves nothing to close for an observation without an issue', async () => {
        const h = await harness();
        await h.importFindings([openssl]);
        const [observation] = await h.observations();
        expect(await h.deleteObservations([observation.id])).toEqual({
          deleted: 1,
          issuesToClose: 0,
        });
        expect(await h.closer.run()).toEqual({
          closed: 0,
          settled: 0,
          retrying: 0,
        });
        await h.sync();
        expect(tracker.issues()).toEqual([]);
      });

      it('finds and closes the issue that a create interrupted by a crash made', async () => {
        const h = await harness();
        await h.importFindings(findings(1));
        await h.syncAndDieAfterCreate();
        const [created] = tracker.issues();
        const [observation] = await h.observations();
        expect(observation.tracker?.issueKey).toBeNull();

        await h.deleteObservations([observation.id]);
        expect(await h.closer.run()).toMatchObject({ closed: 1 });
        expect(tracker.issues()).toEqual([
          expect.objectContaining({ key: created.key, ...closedAsNotPlanned }),
        ]);
        expect((await history(h, observation.id)).at(-1)).toEqual([
          'issue_closed',
          'system',
          `Closed ${created.key} as not planned: the observation was deleted`,
        ]);
      });

      it('settles an issue that is gone from the tracker', async () => {
        const h = await harness();
        await h.importFindings([openssl]);
        await h.sync();
        const [observation] = await h.observations();
        const issueKey = observation.tracker!.issueKey!;
        tracker.deleteIssue(issueKey);

        await h.deleteObservations([observation.id]);
        expect(await h.closer.run()).toEqual({
          closed: 0,
          settled: 1,
          retrying: 0,
        });
        expect((await history(h, observation.id)).at(-1)).toEqual([
          'issue_gone',
          'system',
          `${issueKey} is gone from the tracker`,
        ]);
        expect(await waiting(h)).toEqual([]);
      });

      it('backs off while the tracker fails, and closes the issue once it answers', async () => {
        const h = await harness();
        await h.importFindings([openssl]);
        await h.sync();
        const [observation] = await h.observations();
        const issueKey = observation.tracker!.issueKey!;
        await h.deleteObservations([observation.id]);

        // The first try and every retry of the request (Octokit's retry
        // plugin tries three more times, the other clients two).
        const tries = tracker.name === 'GitHub' ? 4 : 3;
        for (let i = 0; i < tries; i += 1) {
          tracker.failNext('update', { status: 503 });
        }
        expect(await h.closer.run()).toEqual({
          closed: 0,
          settled: 0,
          retrying: 1,
        });
        const [row] = await waiting(h);
        expect(row.attempts).toBe(1);
        expect(row.last_error).toMatch(/503/);
        expect(new Date(row.next_attempt_at).getTime()).toBeGreaterThan(
          Date.now() + 50_000,
        );
        expect(tracker.issue(issueKey)!.state).toBe('open');

        // Not due yet: a run in between sends nothing.
        tracker.resetCalls();
        expect(await h.closer.run()).toMatchObject({ retrying: 0, closed: 0 });
        expect(tracker.writeCalls()).toEqual([]);

        await h
          .knex('deleted_observation_issues')
          .update({ next_attempt_at: new Date().toISOString() });
        expect(await h.closer.run()).toMatchObject({ closed: 1 });
        expect(tracker.issue(issueKey)).toMatchObject(closedAsNotPlanned);
        expect(await waiting(h)).toEqual([]);
      });
    });
  },
);
