import { setupServer } from 'msw/node';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { openssl as finding } from './__testUtils__/scenarioFindings';
import {
  component,
  createSyncHarness,
  GITHUB_TOKEN,
  REPO,
} from './__testUtils__/syncHarness';
import { GITLAB_PROJECT } from './__testUtils__/trackersUnderTest/gitlab';
import { FakeGitHub } from './trackers/__testUtils__/fakeGitHub';
import { FakeGitLab } from './trackers/__testUtils__/fakeGitLab';

jest.setTimeout(60_000);

const paymentsApi = (routedTo: 'github' | 'gitlab') =>
  component(
    'payments-api',
    routedTo === 'github'
      ? { 'github.com/project-slug': REPO }
      : {
          'gitlab.com/project-slug': GITLAB_PROJECT,
          'security-observations/tracker': 'gitlab',
        },
  );

/*
 * A create whose answer was lost is looked for where it went: the create
 * intent names its tracker and target, so a team that moves its component
 * to another tracker in between gets no second issue.
 */
describe('SyncEngine recovering an interrupted create', () => {
  const databases = createTestDatabases();
  const server = setupServer();
  let github: FakeGitHub;
  let gitlab: FakeGitLab;

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    github = new FakeGitHub();
    github.addRepo(REPO);
    gitlab = new FakeGitLab();
    gitlab.addProject(GITLAB_PROJECT);
    server.resetHandlers(...github.handlers, ...gitlab.handlers);
  });
  afterAll(() => server.close());

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    const harness = async () =>
      createSyncHarness({
        knex: await databases.init(databaseId),
        entities: [paymentsApi('github')],
        github: [{ host: 'github.com', token: GITHUB_TOKEN }],
        gitlab: [{ host: 'gitlab.com', token: 'glpat-test-token' }],
        config: {
          trackers: [
            { id: 'github', type: 'github', host: 'github.com' },
            { id: 'gitlab', type: 'gitlab', host: 'gitlab.com' },
          ],
        },
        requestTimeoutMs: 500,
      });

    it('finds the issue on the tracker the create went to, although the entity routes elsewhere now', async () => {
      const h = await harness();
      await h.importFindings([finding]);
      github.failNext(
        { method: 'POST', path: /\/issues$/ },
        { hangMs: 1_500, afterApplying: true },
      );
      expect(await h.sync()).toMatchObject({ failed: 1 });
      expect(github.issues(REPO)).toHaveLength(1);

      h.setEntity(paymentsApi('gitlab'));
      await h.makeDue();
      expect(await h.sync()).toMatchObject({ created: 0, failed: 0 });

      const [observation] = await h.observations();
      expect(observation.tracker).toMatchObject({
        trackerId: 'github',
        issueKey: `${REPO}#${github.issues(REPO)[0].number}`,
      });
      expect(gitlab.issues(GITLAB_PROJECT)).toHaveLength(0);
      expect((await h.store.listEvents(observation.id)).at(-1)).toMatchObject({
        type: 'issue_found',
      });
    });

    it('creates the issue where the entity routes now once the other tracker has none', async () => {
      const h = await harness();
      await h.importFindings([finding]);
      github.failNext({ method: 'POST', path: /\/issues$/ }, { status: 502 });
      expect(await h.sync()).toMatchObject({ failed: 1 });
      expect(github.issues(REPO)).toHaveLength(0);

      h.setEntity(paymentsApi('gitlab'));
      await h.makeDue();
      await h.sync();

      expect(github.issues(REPO)).toHaveLength(0);
      const [issue] = gitlab.issues(GITLAB_PROJECT);
      const [observation] = await h.observations();
      expect(observation.tracker).toMatchObject({
        trackerId: 'gitlab',
        issueKey: `${GITLAB_PROJECT}#${issue.iid}`,
        syncState: 'synced',
      });
    });
  });
});
