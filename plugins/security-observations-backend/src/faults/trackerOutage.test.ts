import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { findings } from '../sync/__testUtils__/scenarioFindings';
import { createSyncHarness } from '../sync/__testUtils__/syncHarness';
import { trackersUnderTest } from '../sync/__testUtils__/trackersUnderTest';
import { Clock } from '../sync/WritePacer';

jest.setTimeout(60_000);

const MINUTE = 60_000;
/** The default schedule: a run every 5 minutes. */
const SCHEDULE_MINUTES = 5;

/** The engine's clock, moved by the test from one scheduled run to the next. */
function scheduleClock(): Clock & { advance(ms: number): void } {
  let now = Date.now();
  return {
    now: () => now,
    advance: ms => {
      now += ms;
    },
    sleep: async ms => {
      now += ms;
    },
  };
}

/**
 * How a tracker that is down answers every request, and how the owners
 * read it: the status without the page's markup, or no status at all
 * when nothing answered.
 */
const outages = [
  [
    'a load balancer’s 503 page',
    () =>
      new HttpResponse(
        '<html><body><h1>503 Service Unavailable</h1></body></html>',
        { status: 503, headers: { 'content-type': 'text/html' } },
      ),
    /: 503 Service Unavailable \(an HTML page, not an API answer\)$/,
  ],
  ['refused connections', () => HttpResponse.error(), /: Failed to fetch$/],
] as const;

/*
 * The tracker is down for 25 minutes (five scheduled runs) and back before
 * the run at minute 30. The engine's clock is the test's: each run is the
 * scheduler's next one, five minutes later.
 */
describe.each(trackersUnderTest())('a %s outage', (_name, tracker) => {
  const databases = createTestDatabases();
  const server = setupServer();
  let requests = 0;
  server.events.on('request:start', () => {
    requests += 1;
  });

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  beforeEach(() => {
    tracker.reset();
    server.resetHandlers(...tracker.handlers);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    /** Payments API with `count` observations queued for the tracker. */
    const queued = async (count: number) => {
      const clock = scheduleClock();
      const h = await createSyncHarness({
        knex: await databases.init(databaseId),
        entities: [tracker.entity()],
        ...tracker.harness(),
        engine: { clock },
      });
      await h.importFindings(findings(count));
      /** The scheduler's next run: requests it sent, what it did. */
      const scheduledRun = async () => {
        requests = 0;
        const report = await h.sync();
        const sent = requests;
        clock.advance(SCHEDULE_MINUTES * MINUTE);
        return { ...report, requests: sent };
      };
      return { h, clock, scheduledRun };
    };

    it.each(outages)(
      'answered with %s: backs off, tells the owners once, and creates each issue once when it is back',
      async (_how, answer, reads) => {
        const { h, clock, scheduledRun } = await queued(10);
        server.use(http.all('*', answer));

        const runs = [];
        /** Minutes from each failed attempt to the next one it was given. */
        const waits: number[] = [];
        for (let minute = 0; minute < 30; minute += SCHEDULE_MINUTES) {
          const attemptedAt = clock.now();
          const run = await scheduledRun();
          runs.push(run);
          if (run.failed > 0) {
            const next = (await h.observations())[0].tracker!.nextAttemptAt!;
            waits.push((Date.parse(next) - attemptedAt) / MINUTE);
          }
        }
        // Minutes 0, 5 and 10 try all ten, each attempt waiting longer for
        // the next; minutes 15 to 25 leave the tracker alone.
        expect(runs.map(run => run.failed)).toEqual([10, 10, 10, 0, 0, 0]);
        expect(runs.slice(3).map(run => run.requests)).toEqual([0, 0, 0]);
        expect(waits).toHaveLength(3);
        expect(waits[1]).toBeGreaterThan(waits[0]);
        expect(waits[2]).toBeGreaterThan(waits[1]);
        for (const observation of await h.observations()) {
          expect(observation.tracker).toMatchObject({
            syncState: 'failed',
            syncAttempts: 3,
          });
        }
        // Once, for the entity, naming all ten: not per run or observation.
        expect(h.notifications.sent).toEqual([
          expect.objectContaining({
            recipients: {
              type: 'entity',
              entityRef: 'component:default/payments-api',
            },
            payload: expect.objectContaining({
              title:
                'Security issues of payments-api are not reaching the tracker',
              description: expect.stringMatching(
                /^10 observations failed to sync: /,
              ),
            }),
          }),
        ]);

        expect(h.notifications.sent[0].payload.description).toMatch(reads);

        // Back before the run at minute 30, which is due for all ten.
        server.resetHandlers(...tracker.handlers);
        expect(await scheduledRun()).toMatchObject({ created: 10, failed: 0 });
        const markers = tracker.issues().map(issue => tracker.markerOf(issue));
        expect(new Set(markers).size).toBe(10);
        expect(markers).toHaveLength(10);
        for (const observation of await h.observations()) {
          expect(observation.tracker).toMatchObject({
            syncState: 'synced',
            lastError: null,
          });
        }
        // Drained: the next runs have nothing to send, and nobody is told
        // anything more.
        expect(await scheduledRun()).toMatchObject({ claimed: 0, requests: 0 });
        expect(h.notifications.sent).toHaveLength(1);
      },
    );

    it('stops calling a tracker that is down for the rest of the run', async () => {
      const waiting = 60;
      const { scheduledRun } = await queued(waiting);
      server.use(http.all('*', outages[0][1]));
      // Every observation's attempt fails and backs off, but only the first
      // few reach the tracker: calling it for each would send a request
      // per observation (creates), or three (lookups of what those may
      // have created, with retries), every run of the outage.
      for (let run = 0; run < 3; run++) {
        const { failed, requests: sent } = await scheduledRun();
        expect(failed).toBe(waiting);
        expect(sent).toBeLessThan(waiting / 2);
      }
    });
  });
});
