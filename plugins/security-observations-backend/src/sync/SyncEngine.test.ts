import { setupServer } from 'msw/node';
import { dependencyFinding } from '../__testUtils__/findings';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import {
  createSyncHarness,
  ENTITY_REF,
  paymentsApi,
  REPO,
} from './__testUtils__/syncHarness';
import { FakeGitHub, labelNames } from './trackers/__testUtils__/fakeGitHub';

jest.setTimeout(60_000);

const openssl = dependencyFinding('CVE-2024-1234', 'openssl', {
  severity: 'high',
  package: {
    purl: 'pkg:deb/debian/openssl@3.0.2',
    name: 'openssl',
    version: '3.0.2',
    fixedVersion: '3.0.13',
  },
});
const zlib = dependencyFinding('CVE-2023-45853', 'zlib', {
  severity: 'critical',
});
const lowOne = dependencyFinding('CVE-2022-0001', 'tzdata', {
  severity: 'low',
});

describe('SyncEngine with GitHub', () => {
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

    it('creates one issue per active observation at or above the minimum severity, and nothing for an unchanged re-sync', async () => {
      const h = await harness();
      await h.importFindings([openssl, zlib, lowOne]);
      const first = await h.sync();
      expect(first).toMatchObject({ created: 2, failed: 0 });

      const issues = issuesOf();
      expect(issues.map(issue => issue.title).sort()).toEqual([
        '[Critical] CVE-2023-45853 in zlib 1.0.0-r0 (payments-api)',
        '[High] CVE-2024-1234 in openssl 3.0.2 (payments-api)',
      ]);
      const opensslIssue = issues.find(issue =>
        issue.title.includes('openssl'),
      )!;
      const observation = await h.observationOf('CVE-2024-1234');
      expect(opensslIssue.body).toContain(
        `<!-- security-observations:observation=${observation.id} -->`,
      );
      expect(opensslIssue.body).toContain(
        '[CVE-2024-1234](https://nvd.nist.gov/vuln/detail/CVE-2024-1234)',
      );
      expect(opensslIssue.body).toContain('**Fixed version:** `3.0.13`');
      expect(opensslIssue.body).toContain(
        `https://backstage.acme.example/catalog/default/component/payments-api/security?observation=${observation.id}`,
      );
      expect(labelNames(opensslIssue).sort()).toEqual([
        'payments',
        'sec',
        'security',
      ]);
      expect(observation.tracker).toMatchObject({
        trackerId: 'github',
        issueKey: `${REPO}#${opensslIssue.number}`,
        issueUrl: `https://github.com/${REPO}/issues/${opensslIssue.number}`,
        issueState: 'open',
        syncState: 'synced',
        lastError: null,
      });
      expect((await h.observationOf('CVE-2022-0001')).tracker).toBeNull();
      const events = await h.store.listEvents(observation.id);
      expect(events.at(-1)).toMatchObject({
        type: 'issue_created',
        actor: 'system',
        changes: {
          trackerIssue: { from: null, to: `${REPO}#${opensslIssue.number}` },
        },
      });

      // The same report again, and "Sync now" for everything: no call.
      github.resetCalls();
      await h.importFindings([openssl, zlib, lowOne]);
      await h.store.enqueueEntity({
        entityRef: ENTITY_REF,
        branch: 'main',
        activeStatuses: ['open'],
        now: new Date(),
      });
      const again = await h.sync();
      expect(again).toMatchObject({ claimed: 3, unchanged: 3 });
      expect(github.calls).toEqual([]);
    });

    it('syncs only the default branch, from security-observations/default-branch', async () => {
      const h = await harness({
        entities: [
          paymentsApi({ 'security-observations/default-branch': 'develop' }),
        ],
      });
      await h.importFindings([openssl], { branch: 'main' });
      await h.importFindings([zlib], { branch: 'develop' });
      await h.sync();
      expect(issuesOf().map(issue => issue.title)).toEqual([
        '[Critical] CVE-2023-45853 in zlib 1.0.0-r0 (payments-api)',
      ]);
    });

    it('updates the issue when the severity or description changes, and keeps what people changed on GitHub', async () => {
      const { h, issue } = await syncedOpenssl();
      github.editIssue(REPO, issue.number, {
        labels: ['security', 'payments', 'sec', 'triaged'],
        assignees: ['octocat'],
        milestone: 1,
      });

      await h.importFindings([
        { ...openssl, severity: 'critical', description: 'A worse flaw.' },
      ]);
      const run = await h.sync();
      expect(run).toMatchObject({ updated: 1, created: 0 });
      const updated = github.issue(REPO, issue.number)!;
      expect(updated.title).toBe(
        '[Critical] CVE-2024-1234 in openssl 3.0.2 (payments-api)',
      );
      expect(updated.body).toContain('A worse flaw.');
      expect(labelNames(updated)).toContain('triaged');
      expect(updated.assignees?.map(user => user.login)).toEqual(['octocat']);
      expect(updated.milestone?.number).toBe(1);
      expect(issuesOf()).toHaveLength(1);
    });

    it('closes the issue when the observation is assessed, resolved or falls below the minimum severity, and reopens it when it is active again', async () => {
      const h = await harness();
      await h.importFindings([openssl, zlib]);
      await h.sync();
      const number = (title: string) =>
        issuesOf().find(issue => issue.title.includes(title))!.number;
      const opensslNumber = number('openssl');
      const zlibNumber = number('zlib');

      // Assessed as a false positive: closed as not planned.
      const observation = await h.observationOf('CVE-2024-1234');
      await h.assess([observation.id], 'false_positive');
      await h.sync();
      expect(github.issue(REPO, opensslNumber)).toMatchObject({
        state: 'closed',
        state_reason: 'not_planned',
      });
      expect((await h.observationOf('CVE-2024-1234')).tracker?.issueState).toBe(
        'closed',
      );

      // Reopened by an assessment.
      await h.assess([observation.id], 'open');
      await h.sync();
      expect(github.issue(REPO, opensslNumber)).toMatchObject({
        state: 'open',
        state_reason: 'reopened',
      });

      // Not found in the next scan: closed as completed.
      await h.importFindings([zlib]);
      await h.sync();
      expect(github.issue(REPO, opensslNumber)).toMatchObject({
        state: 'closed',
        state_reason: 'completed',
      });

      // Found again: reopened, still the same issue.
      await h.importFindings([openssl, zlib]);
      await h.sync();
      expect(github.issue(REPO, opensslNumber)!.state).toBe('open');

      // Assessed below the minimum severity (medium): closed.
      const zlibObservation = await h.observationOf('CVE-2023-45853');
      await h.assess([zlibObservation.id], 'open', { severity: 'low' });
      await h.sync();
      expect(github.issue(REPO, zlibNumber)).toMatchObject({
        state: 'closed',
        state_reason: 'not_planned',
      });
      expect(issuesOf()).toHaveLength(2);
    });

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

    it('adds labels the annotation gains, and never removes labels', async () => {
      const { h, issue } = await syncedOpenssl();
      github.editIssue(REPO, issue.number, { labels: ['sec', 'triaged'] });

      h.setEntity(
        paymentsApi({
          'security-observations/labels': 'security,payments,pci',
        }),
      );
      github.resetCalls();
      await h.sync(); // the route changed: re-queued
      expect(labelNames(github.issue(REPO, issue.number)!)).toEqual([
        'sec',
        'triaged',
        'pci',
      ]);
      expect(github.writeCalls().map(call => call.method)).toEqual(['POST']);
    });

    it('cuts a body over GitHub’s limit with a note and keeps the marker', async () => {
      const h = await harness();
      await h.importFindings([{ ...openssl, description: 'x'.repeat(80_000) }]);
      await h.sync();
      const [issue] = issuesOf();
      expect(issue.body!.length).toBeLessThanOrEqual(65_536);
      expect(issue.body).toMatch(/^<!-- security-observations:observation=/);
      expect(issue.body).toContain('The description was cut here');
      expect(issue.body).toContain('Security tab');
    });

    it('does not ping people that scanner text mentions', async () => {
      const h = await harness();
      await h.importFindings([
        { ...openssl, description: 'Reported by @octocat, see `@scope/pkg`.' },
      ]);
      await h.sync();
      expect(issuesOf()[0].body).toContain('Reported by @&#8203;octocat');
      expect(issuesOf()[0].body).toContain('`@scope/pkg`');
    });

    it('keeps the link while the repository is out of reach, and updates the same issue once access is back', async () => {
      const { h, issue } = await syncedOpenssl();

      // E.g. the repository was removed from the GitHub App's selection:
      // GitHub answers 404 for the issue, as for a deleted one.
      github.setAccess(REPO, false);
      await h.importFindings([{ ...openssl, severity: 'critical' }]);
      expect(await h.sync()).toMatchObject({ failed: 1, created: 0 });
      const cut = await h.observationOf('CVE-2024-1234');
      expect(cut.tracker).toMatchObject({
        issueKey: `${REPO}#${issue.number}`,
        syncState: 'failed',
      });
      expect(cut.tracker!.lastError).toMatch(
        /404 the repository does not exist or the credentials cannot see it/,
      );

      github.setAccess(REPO, true);
      await h.makeDue();
      expect(await h.sync()).toMatchObject({
        updated: 1,
        created: 0,
        failed: 0,
      });
      expect(issuesOf().map(i => [i.number, i.title])).toEqual([
        [
          issue.number,
          '[Critical] CVE-2024-1234 in openssl 3.0.2 (payments-api)',
        ],
      ]);
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

    it('recreates a deleted issue when only its labels change', async () => {
      const { h, issue } = await syncedOpenssl();
      github.deleteIssue(REPO, issue.number);

      h.setEntity(
        paymentsApi({ 'security-observations/labels': 'security,pci' }),
      );
      expect(await h.sync()).toMatchObject({ created: 1, failed: 0 });
      const [recreated] = issuesOf();
      expect(recreated.number).not.toBe(issue.number);
      expect(labelNames(recreated).sort()).toEqual(['pci', 'sec', 'security']);
      const observation = await h.observationOf('CVE-2024-1234');
      expect(observation.tracker?.issueKey).toBe(`${REPO}#${recreated.number}`);
      expect((await h.store.listEvents(observation.id)).at(-1)).toMatchObject({
        type: 'issue_recreated',
      });
    });

    it('opens and closes issues when "in review" starts or stops counting as active', async () => {
      const knex = await databases.init(databaseId);
      const h = await createSyncHarness({ knex });
      await h.importFindings([openssl]);
      await h.sync();
      await h.assess(
        [(await h.observationOf('CVE-2024-1234')).id],
        'in_review',
      );
      await h.sync();
      const [issue] = issuesOf();
      expect(issue.state).toBe('closed');

      // The backend restarts with inReviewIsActive: true.
      const restarted = await createSyncHarness({
        knex,
        migrated: true,
        engine: { activeStatuses: ['open', 'in_review'] },
      });
      expect(await restarted.sync()).toMatchObject({ updated: 1 });
      expect(github.issue(REPO, issue.number)!.state).toBe('open');
    });
  });
});
