import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { findings } from '../sync/__testUtils__/scenarioFindings';
import { createSyncHarness } from '../sync/__testUtils__/syncHarness';
import {
  githubOverHttp,
  gitlabOverHttp,
  jiraOverHttp,
  TrackerOverHttp,
  TrackerOverHttpFactory,
} from './__testUtils__/fakeTrackersOverHttp';
import { SyncWorkerProcess } from './__testUtils__/SyncWorkerProcess';

jest.setTimeout(60_000);

const OBSERVATIONS = 40;
/** The create request during which the first backend dies. */
const KILLED_AT_CREATE = 15;
/** Every tracker answer takes this long, so that creates are in flight. */
const LATENCY_MS = 100;
/** Short, so that the next backend takes the dead one's rows over soon. */
const LEASE_MS = 2_000;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Linked observations: id and issue key. */
async function links(knex: Knex) {
  return knex('observations')
    .whereNotNull('tracker_issue_key')
    .select('id', 'tracker_issue_key as key');
}

/*
 * A backend replica is killed (SIGKILL: no shutdown hook, no pending write
 * survives) while its sync run creates issues, and another one takes over
 * the same Postgres database. The tracker is a fake served over HTTP from
 * this process, so its issues outlive the killed one.
 */
describe('a sync killed with SIGKILL in the middle of a run', () => {
  const databases = createTestDatabases();
  // Two processes on one database: SQLite's test database is in memory.
  const postgresId = databases
    .eachSupportedId()
    .map(([id]) => id)
    .find(id => id.startsWith('POSTGRES'));
  const describeOnPostgres = postgresId ? describe : describe.skip;

  let tracker: TrackerOverHttp | undefined;
  const workers: SyncWorkerProcess[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map(worker => worker.stop()));
    await tracker?.close();
  });

  describeOnPostgres('on Postgres', () => {
    it.each<[string, TrackerOverHttpFactory]>([
      ['GitHub', githubOverHttp],
      ['GitLab', gitlabOverHttp],
      ['Jira Cloud', jiraOverHttp],
    ])(
      'leaves every observation with exactly one %s issue once another backend took over',
      async (_name, serveTracker) => {
        const knex = await databases.init(postgresId!);
        tracker = await serveTracker({ latencyMs: LATENCY_MS });
        const h = await createSyncHarness({ knex, ...tracker.harness });
        await h.importFindings(findings(OBSERVATIONS));
        const workerOptions = {
          knexConfig: knex.client.config,
          config: tracker.config,
          entities: [tracker.entity],
          leaseMs: LEASE_MS,
        };
        // Both start up front (start-up is the slow part); the second one
        // does nothing until the first is dead.
        const [first, second] = await Promise.all([
          SyncWorkerProcess.start(workerOptions),
          SyncWorkerProcess.start(workerOptions),
        ]);
        workers.push(first, second);

        let creates = 0;
        tracker.onCreate(() => {
          creates += 1;
          if (creates === KILLED_AT_CREATE) first.kill();
        });
        await expect(first.sync()).rejects.toThrow('died: SIGKILL');
        // The creates it had sent still land on the tracker.
        await sleep(3 * LATENCY_MS);
        const createdBeforeTakeover = tracker.issues().length;
        expect(createdBeforeTakeover).toBeGreaterThanOrEqual(KILLED_AT_CREATE);
        expect(createdBeforeTakeover).toBeLessThan(OBSERVATIONS);
        // At least the create it died during has no link stored: the case
        // that would make a second issue.
        expect((await links(knex)).length).toBeLessThan(createdBeforeTakeover);

        // The other backend syncs, as its schedule would, until nothing waits;
        // the dead one's claims are its again once their lease ran out.
        const deadline = Date.now() + 15_000;
        for (;;) {
          await second.sync();
          const [{ waiting }] = await knex('observations')
            .whereNot('sync_state', 'synced')
            .count({ waiting: '*' });
          if (Number(waiting) === 0) break;
          if (Date.now() > deadline) {
            throw new Error(`${waiting} observations still not synced`);
          }
          await sleep(200);
        }

        const issues = tracker.issues();
        const linked = await links(knex);
        // Nothing lost: one issue per observation, each linked.
        expect(linked).toHaveLength(OBSERVATIONS);
        expect(issues).toHaveLength(OBSERVATIONS);
        // Nothing twice: every marker once, every issue linked once.
        expect(new Set(issues.map(issue => issue.marker)).size).toBe(
          OBSERVATIONS,
        );
        expect(new Set(linked.map(link => link.key)).size).toBe(OBSERVATIONS);
        // Each observation is linked to the issue that carries its marker.
        expect(
          Object.fromEntries(linked.map(link => [link.id, link.key])),
        ).toEqual(
          Object.fromEntries(issues.map(issue => [issue.marker, issue.key])),
        );
      },
    );
  });
});
