import { STORED_TEXT_LIMITS } from '../ingest/storableText';
import { setupServer } from 'msw/node';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { lowOne, openssl, zlib } from './__testUtils__/scenarioFindings';
import { createSyncHarness, ENTITY_REF } from './__testUtils__/syncHarness';
import { trackersUnderTest } from './__testUtils__/trackersUnderTest';

jest.setTimeout(60_000);

describe.each(trackersUnderTest())('SyncEngine with %s', (_name, tracker) => {
  const databases = createTestDatabases();
  const server = setupServer();

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    tracker.reset();
    server.resetHandlers(...tracker.handlers);
  });
  afterAll(() => server.close());

  const titled = (part: string) =>
    tracker.issues().find(issue => issue.title.includes(part))!;

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    const harness = async (
      options: Partial<Parameters<typeof createSyncHarness>[0]> = {},
      extra: Parameters<typeof tracker.harness>[0] = {},
    ) =>
      createSyncHarness({
        knex: await databases.init(databaseId),
        entities: [tracker.entity()],
        ...tracker.harness(extra),
        ...options,
      });

    /** Payments API with the openssl finding synced: its one issue. */
    const syncedOpenssl = async () => {
      const h = await harness();
      await h.importFindings([openssl]);
      await h.sync();
      const [issue] = tracker.issues();
      return { h, issue };
    };

    it('creates one issue per active observation at or above the minimum severity, and nothing for an unchanged re-sync', async () => {
      const h = await harness();
      await h.importFindings([openssl, zlib, lowOne]);
      const first = await h.sync();
      expect(first).toMatchObject({ created: 2, failed: 0 });

      expect(
        tracker
          .issues()
          .map(issue => issue.title)
          .sort(),
      ).toEqual([
        '[Critical] CVE-2023-45853 in zlib 1.0.0-r0 (payments-api)',
        '[High] CVE-2024-1234 in openssl 3.0.2 (payments-api)',
      ]);
      const opensslIssue = titled('openssl');
      const observation = await h.observationOf('CVE-2024-1234');
      expect(tracker.markerOf(opensslIssue)).toBe(observation.id);
      expect(opensslIssue.text).toContain(
        'https://nvd.nist.gov/vuln/detail/CVE-2024-1234',
      );
      expect(opensslIssue.text).toContain('3.0.13');
      expect(opensslIssue.text).toContain(
        `https://backstage.acme.example/catalog/default/component/payments-api/security?observation=${observation.id}`,
      );
      expect(opensslIssue.labels).toEqual(
        expect.arrayContaining(['payments', 'sec', 'security']),
      );
      expect(observation.tracker).toMatchObject({
        trackerId: tracker.trackerId,
        issueKey: opensslIssue.key,
        issueUrl: opensslIssue.url,
        issueState: 'open',
        syncState: 'synced',
        lastError: null,
      });
      // Below the minimum: no issue, and the tab says why.
      expect((await h.observationOf('CVE-2022-0001')).tracker).toMatchObject({
        issueKey: null,
        syncState: 'not_pushed',
        lastError: null,
        notPushedReason:
          'below the minimum severity medium, so no issue is opened',
      });
      const events = await h.store.listEvents(observation.id);
      expect(events.at(-1)).toMatchObject({
        type: 'issue_created',
        actor: 'system',
        changes: { trackerIssue: { from: null, to: opensslIssue.key } },
      });

      // The same report again, and "Sync now" for everything: no call.
      tracker.resetCalls();
      await h.importFindings([openssl, zlib, lowOne]);
      await h.store.enqueueEntity({
        entityRef: ENTITY_REF,
        branch: 'main',
        activeStatuses: ['open'],
        now: new Date(),
      });
      const again = await h.sync();
      // The low one is looked at again too: why it has no issue may change.
      expect(again).toMatchObject({ claimed: 3, unchanged: 2, notPushed: 1 });
      expect(tracker.calls).toEqual([]);
    });

    it('syncs only the default branch, from security-observations/default-branch', async () => {
      const h = await harness({
        entities: [
          tracker.entity({
            'security-observations/default-branch': 'develop',
          }),
        ],
      });
      await h.importFindings([openssl], { branch: 'main' });
      await h.importFindings([zlib], { branch: 'develop' });
      await h.sync();
      expect(tracker.issues().map(issue => issue.title)).toEqual([
        '[Critical] CVE-2023-45853 in zlib 1.0.0-r0 (payments-api)',
      ]);
    });

    it('updates the issue when the severity or description changes, and keeps what people changed on the tracker', async () => {
      const { h, issue } = await syncedOpenssl();
      tracker.editAsPerson(issue.key);

      await h.importFindings([
        { ...openssl, severity: 'critical', description: 'A worse flaw.' },
      ]);
      const run = await h.sync();
      expect(run).toMatchObject({ updated: 1, created: 0 });
      const updated = tracker.issue(issue.key)!;
      expect(updated.title).toBe(
        '[Critical] CVE-2024-1234 in openssl 3.0.2 (payments-api)',
      );
      expect(updated.text).toContain('A worse flaw.');
      expect(tracker.keptPersonEdits(issue.key)).toBe(true);
      expect(tracker.issues()).toHaveLength(1);
    });

    it('closes the issue when the observation is assessed, resolved or falls below the minimum severity, and reopens it when it is active again', async () => {
      const h = await harness();
      await h.importFindings([openssl, zlib]);
      await h.sync();
      const opensslKey = titled('openssl').key;
      const zlibKey = titled('zlib').key;
      const closedAs = (closeReason: 'fixed' | 'not_planned') => ({
        state: 'closed',
        ...(tracker.recordsCloseReason ? { closeReason } : {}),
      });

      // Assessed as a false positive: closed as not planned.
      const observation = await h.observationOf('CVE-2024-1234');
      await h.assess([observation.id], 'false_positive');
      await h.sync();
      expect(tracker.issue(opensslKey)).toMatchObject(closedAs('not_planned'));
      expect((await h.observationOf('CVE-2024-1234')).tracker?.issueState).toBe(
        'closed',
      );

      // Reopened by an assessment.
      await h.assess([observation.id], 'open');
      await h.sync();
      expect(tracker.issue(opensslKey)!.state).toBe('open');

      // Not found in the next scan: closed as fixed.
      await h.importFindings([zlib]);
      await h.sync();
      expect(tracker.issue(opensslKey)).toMatchObject(closedAs('fixed'));

      // Found again: reopened, still the same issue.
      await h.importFindings([openssl, zlib]);
      await h.sync();
      expect(tracker.issue(opensslKey)!.state).toBe('open');

      // Assessed below the minimum severity (medium): closed.
      const zlibObservation = await h.observationOf('CVE-2023-45853');
      await h.assess([zlibObservation.id], 'open', { severity: 'low' });
      await h.sync();
      expect(tracker.issue(zlibKey)).toMatchObject(closedAs('not_planned'));
      expect(tracker.issues()).toHaveLength(2);
    });

    it('recreates an issue that was deleted', async () => {
      const h = await harness();
      await h.importFindings([openssl, zlib]);
      await h.sync();
      const deleted = titled('openssl');
      tracker.deleteIssue(deleted.key);

      await h.importFindings([{ ...openssl, description: 'Changed' }, zlib]);
      expect(await h.sync()).toMatchObject({ created: 1, failed: 0 });

      const recreated = titled('openssl');
      expect(recreated.key).not.toBe(deleted.key);
      expect(tracker.issues()).toHaveLength(2);
      const observation = await h.observationOf('CVE-2024-1234');
      expect(observation.tracker?.issueKey).toBe(recreated.key);
      expect((await h.store.listEvents(observation.id)).at(-1)).toMatchObject({
        type: 'issue_recreated',
        changes: { trackerIssue: { from: deleted.key, to: recreated.key } },
      });
    });

    it('adds labels the annotation gains, and never removes labels', async () => {
      const { h, issue } = await syncedOpenssl();
      tracker.editAsPerson(issue.key);

      h.setEntity(
        tracker.entity({
          'security-observations/labels': 'security,payments,pci',
        }),
      );
      tracker.resetCalls();
      await h.sync(); // the route changed: re-queued
      const labels = tracker.issue(issue.key)!.labels;
      expect(labels).toEqual(
        expect.arrayContaining([
          'sec',
          'security',
          'payments',
          'triaged',
          'pci',
        ]),
      );
      expect(tracker.writeCalls()).toHaveLength(1);
    });

    // The store keeps descriptions up to STORED_TEXT_LIMITS.description:
    // over Jira's limit, within GitHub's and GitLab's.
    it('cuts the longest stored description to the tracker’s limit with a note, or carries it whole, and keeps the marker', async () => {
      const h = await harness();
      const description = 'x'.repeat(STORED_TEXT_LIMITS.description);
      await h.importFindings([{ ...openssl, description }]);
      expect(await h.sync()).toMatchObject({ created: 1, failed: 0 });
      const [issue] = tracker.issues();
      const observation = await h.observationOf('CVE-2024-1234');
      expect(tracker.markerOf(issue)).toBe(observation.id);
      const fits = description.length <= tracker.descriptionLimit - 1_000;
      expect(issue.text.includes('The description was cut here')).toBe(!fits);
      expect(issue.text.includes(description)).toBe(fits);
      expect(issue.text).toContain('Security tab');
    });

    it('does not ping people that scanner text mentions', async () => {
      const h = await harness();
      await h.importFindings([
        { ...openssl, description: 'Reported by @octocat, see `@scope/pkg`.' },
      ]);
      await h.sync();
      const { text } = tracker.issues()[0];
      expect(text).toContain('@\u200boctocat');
      expect(text).not.toMatch(/@octocat/);
      expect(text).toContain('@scope/pkg');
    });

    it('keeps the link while the project is out of reach, and updates the same issue once access is back', async () => {
      const { h, issue } = await syncedOpenssl();

      // E.g. the project was taken from the credentials: the tracker
      // answers 404 for the issue, as for a deleted one.
      tracker.setAccess(false);
      await h.importFindings([{ ...openssl, severity: 'critical' }]);
      expect(await h.sync()).toMatchObject({ failed: 1, created: 0 });
      const cut = await h.observationOf('CVE-2024-1234');
      expect(cut.tracker).toMatchObject({
        issueKey: issue.key,
        syncState: 'failed',
      });
      expect(cut.tracker!.lastError).toMatch(
        /404 the (repository|project)( \S+)? does not exist or the (credentials|token) cannot see it/,
      );

      tracker.setAccess(true);
      await h.makeDue();
      expect(await h.sync()).toMatchObject({
        updated: 1,
        created: 0,
        failed: 0,
      });
      expect(tracker.issues().map(i => [i.key, i.title])).toEqual([
        [issue.key, '[Critical] CVE-2024-1234 in openssl 3.0.2 (payments-api)'],
      ]);
    });

    it('recreates a deleted issue when only its labels change', async () => {
      const { h, issue } = await syncedOpenssl();
      tracker.deleteIssue(issue.key);

      h.setEntity(
        tracker.entity({ 'security-observations/labels': 'security,pci' }),
      );
      expect(await h.sync()).toMatchObject({ created: 1, failed: 0 });
      const [recreated] = tracker.issues();
      expect(recreated.key).not.toBe(issue.key);
      expect(recreated.labels).toEqual(
        expect.arrayContaining(['pci', 'sec', 'security']),
      );
      const observation = await h.observationOf('CVE-2024-1234');
      expect(observation.tracker?.issueKey).toBe(recreated.key);
      expect((await h.store.listEvents(observation.id)).at(-1)).toMatchObject({
        type: 'issue_recreated',
      });
    });

    it('opens and closes issues when "in review" starts or stops counting as active', async () => {
      const knex = await databases.init(databaseId);
      const settings = {
        knex,
        entities: [tracker.entity()],
        ...tracker.harness(),
      };
      const h = await createSyncHarness(settings);
      await h.importFindings([openssl]);
      await h.sync();
      await h.assess(
        [(await h.observationOf('CVE-2024-1234')).id],
        'in_review',
      );
      await h.sync();
      const [issue] = tracker.issues();
      expect(issue.state).toBe('closed');

      // The backend restarts with inReviewIsActive: true.
      const restarted = await createSyncHarness({
        ...settings,
        migrated: true,
        engine: { activeStatuses: ['open', 'in_review'] },
      });
      expect(await restarted.sync()).toMatchObject({ updated: 1 });
      expect(tracker.issue(issue.key)!.state).toBe('open');
    });
  });
});
