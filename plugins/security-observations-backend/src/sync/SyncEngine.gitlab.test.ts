import { setupServer } from 'msw/node';
import { findings } from './__testUtils__/scenarioFindings';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { createSyncHarness } from './__testUtils__/syncHarness';
import {
  GITLAB_PROJECT,
  gitlabUnderTest,
} from './__testUtils__/trackersUnderTest/gitlab';
import { FakeGitLab } from './trackers/__testUtils__/fakeGitLab';

jest.setTimeout(60_000);

/*
 * What only GitLab does: confidential issues, projects named by id, moved
 * issues, and limit answers that give only a reset time. The rules every
 * tracker shares are in SyncEngine.test.ts.
 */

describe('SyncEngine with GitLab’s own behaviour', () => {
  const databases = createTestDatabases();
  const server = setupServer();
  const tracker = gitlabUnderTest();
  let gitlab: FakeGitLab;

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    gitlab = new FakeGitLab();
    gitlab.addProject(GITLAB_PROJECT, { id: 4_211 });
    gitlab.addProject('acme-corp/security/backlog', { id: 4_212 });
    server.resetHandlers(...gitlab.handlers);
  });
  afterAll(() => server.close());

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    const harness = async (
      extra: Parameters<typeof tracker.harness>[0] = {},
      annotations: Record<string, string> = {},
    ) =>
      createSyncHarness({
        knex: await databases.init(databaseId),
        entities: [tracker.entity(annotations)],
        ...tracker.harness(extra),
      });

    it('creates issues confidential, unless the tracker says otherwise', async () => {
      const h = await harness();
      await h.importFindings(findings(1));
      await h.sync();
      expect(gitlab.issues(GITLAB_PROJECT).map(i => i.confidential)).toEqual([
        true,
      ]);

      // Another backend, whose GitLab tracker turns it off.
      const open = await harness({ tracker: { confidential: false } });
      await open.importFindings(findings(2));
      await open.sync();
      expect(gitlab.issues(GITLAB_PROJECT).map(i => i.confidential)).toEqual([
        true,
        false,
        false,
      ]);
    });

    it('routes by gitlab.com/project-id and keys issues by the project’s path', async () => {
      const byId = tracker.entity();
      delete byId.metadata.annotations!['gitlab.com/project-slug'];
      byId.metadata.annotations!['gitlab.com/project-id'] = '4211';
      const h = await createSyncHarness({
        knex: await databases.init(databaseId),
        entities: [byId],
        ...tracker.harness(),
      });
      await h.importFindings(findings(1));
      expect(await h.sync()).toMatchObject({ created: 1 });
      const [issue] = gitlab.issues(GITLAB_PROJECT);
      const [observation] = await h.observations();
      expect(observation.tracker).toMatchObject({
        issueKey: `${GITLAB_PROJECT}#${issue.iid}`,
        issueUrl: `https://gitlab.com/${GITLAB_PROJECT}/-/issues/${issue.iid}`,
      });
    });

    it('creates a new issue where the entity routes when its issue was moved to another project', async () => {
      const h = await harness();
      await h.importFindings(findings(1));
      await h.sync();
      const [original] = gitlab.issues(GITLAB_PROJECT);
      gitlab.moveIssue(
        GITLAB_PROJECT,
        original.iid,
        'acme-corp/security/backlog',
      );

      await h.importFindings([{ ...findings(1)[0], severity: 'critical' }]);
      expect(await h.sync()).toMatchObject({ created: 1, failed: 0 });
      const issues = gitlab.issues(GITLAB_PROJECT);
      const recreated = issues.find(issue => issue.iid !== original.iid)!;
      expect(recreated.title).toMatch(/^\[Critical\]/);
      const [observation] = await h.observations();
      expect(observation.tracker?.issueKey).toBe(
        `${GITLAB_PROJECT}#${recreated.iid}`,
      );
      expect((await h.store.listEvents(observation.id)).at(-1)).toMatchObject({
        type: 'issue_recreated',
        comment: `The tracker says ${GITLAB_PROJECT}#${original.iid} is gone; created a new issue`,
      });
      // The moved issue, where the team put it, is left as it was.
      expect(
        gitlab.issues('acme-corp/security/backlog').map(issue => issue.title),
      ).toEqual([original.title]);
    });

    it('waits for the reset time of a limit answer without Retry-After', async () => {
      const h = await harness();
      await h.importFindings(findings(1));
      const before = Date.now();
      gitlab.failNext(
        { method: 'POST', path: /\/issues$/ },
        { rateLimit429: true, retryAfterSeconds: null },
      );
      expect(await h.sync()).toMatchObject({ created: 0, deferred: 1 });
      const [waiting] = await h.observations();
      // RateLimit-Reset is the end of GitLab's minute window.
      expect(
        new Date(waiting.tracker!.nextAttemptAt!).getTime(),
      ).toBeGreaterThan(before + 30_000);
      await h.makeDue();
      expect(await h.sync()).toMatchObject({ created: 1 });
    });
  });
});
