import { setupServer } from 'msw/node';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { openssl, zlib } from './__testUtils__/scenarioFindings';
import { createSyncHarness, REPO } from './__testUtils__/syncHarness';
import { FakeGitHub } from './trackers/__testUtils__/fakeGitHub';

jest.setTimeout(60_000);

/*
 * What only GitHub does: issues transferred between repositories (a 301
 * that is followed), and 404s that mean lost access, not deletion. The
 * rules every tracker shares are in SyncEngine.test.ts.
 */

describe('SyncEngine with GitHub’s own behaviour', () => {
  const databases = createTestDatabases();
  let github: FakeGitHub;
  const server = setupServer();

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    github = new FakeGitHub();
    github.addRepo(REPO);
    server.resetHandlers(...github.handlers);
  });
  afterAll(() => server.close());

  const issuesOf = () => github.issues(REPO);

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    const harness = async (
      options: Partial<Parameters<typeof createSyncHarness>[0]> = {},
    ) =>
      createSyncHarness({ knex: await databases.init(databaseId), ...options });

    /** Payments API with the openssl finding synced: its one issue. */
    const syncedOpenssl = async () => {
      const h = await harness();
      await h.importFindings([openssl]);
      await h.sync();
      const [issue] = issuesOf();
      return { h, issue };
    };

    it('recreates an issue that was deleted (410) or moved out of reach (404)', async () => {
      github.addRepo('acme-corp/private-backlog');
      const h = await harness();
      await h.importFindings([openssl, zlib]);
      await h.sync();
      const [first, second] = issuesOf();
      github.deleteIssue(REPO, first.number);
      // Transferred to a repository the credentials cannot see: GitHub's
      // 301 leads to a 404.
      github.transferIssue(REPO, second.number, 'acme-corp/private-backlog');
      github.setAccess('acme-corp/private-backlog', false);

      await h.importFindings([
        { ...openssl, description: 'Changed' },
        { ...zlib, description: 'Changed' },
      ]);
      await h.sync();

      // Two new issues in the entity's repository.
      const linked = (await h.observations()).map(o => o.tracker?.issueKey);
      expect(linked.sort()).toEqual([`${REPO}#3`, `${REPO}#4`]);
      expect(issuesOf().map(issue => issue.number)).toEqual([3, 4]);
      const recreated = await h.observationOf(
        first.title.includes('openssl') ? 'CVE-2024-1234' : 'CVE-2023-45853',
      );
      expect(recreated.tracker?.issueKey).not.toBe(`${REPO}#${first.number}`);
      const events = await h.store.listEvents(recreated.id);
      expect(events.at(-1)).toMatchObject({
        type: 'issue_recreated',
        changes: { trackerIssue: { from: `${REPO}#${first.number}` } },
      });
    });

    it('follows a transferred issue and stores its new link', async () => {
      github.addRepo('acme-corp/security-backlog');
      const { h, issue } = await syncedOpenssl();
      github.transferIssue(REPO, issue.number, 'acme-corp/security-backlog');

      await h.importFindings([{ ...openssl, severity: 'critical' }]);
      await h.sync();
      const [moved] = github.issues('acme-corp/security-backlog');
      expect(moved.title).toContain('[Critical]');
      const observation = await h.observationOf('CVE-2024-1234');
      expect(observation.tracker).toMatchObject({
        issueKey: `acme-corp/security-backlog#${moved.number}`,
        issueUrl: moved.html_url,
      });
      expect((await h.store.listEvents(observation.id)).at(-1)).toMatchObject({
        type: 'issue_moved',
      });
      expect(issuesOf()).toHaveLength(0);
    });

    it('keeps the link when the credentials may read the issue but not change it', async () => {
      const { h, issue } = await syncedOpenssl();
      github.failNext(
        { method: 'PATCH', path: new RegExp(`/issues/${issue.number}$`) },
        { status: 404 },
      );
      await h.importFindings([{ ...openssl, severity: 'critical' }]);
      expect(await h.sync()).toMatchObject({ failed: 1, created: 0 });
      const observation = await h.observationOf('CVE-2024-1234');
      expect(observation.tracker).toMatchObject({
        issueKey: `${REPO}#${issue.number}`,
      });
      expect(observation.tracker!.lastError).toMatch(
        /404, although the issue can be read: the credentials may not change it/,
      );
      expect(issuesOf()).toHaveLength(1);
    });
  });
});
