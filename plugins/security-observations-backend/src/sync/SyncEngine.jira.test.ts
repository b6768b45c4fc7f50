import { setupServer } from 'msw/node';
import { openssl } from './__testUtils__/scenarioFindings';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { createSyncHarness } from './__testUtils__/syncHarness';
import {
  JIRA_PROJECT,
  jiraPaymentsApi,
  jiraTrackerSettings,
} from './__testUtils__/trackersUnderTest/jira';
import {
  FakeJira,
  JiraDeployment,
  JiraProjectConfig,
  lockedWhenDoneWorkflow,
  noPathToDoneWorkflow,
  resolutionOnDoneWorkflow,
} from './trackers/__testUtils__/fakeJira';

jest.setTimeout(60_000);

/*
 * What only Jira does: issue types, priorities, components and custom
 * fields on create; closing and reopening through workflow transitions;
 * an eventually consistent search. The rules every tracker shares are in
 * SyncEngine.test.ts.
 */

/** Custom fields of the security team's Jira project. */
const SECURITY_FIELDS: JiraProjectConfig['fields'] = [
  {
    id: 'customfield_10010',
    name: 'CVE',
    type: 'string',
    requiredOnCreate: true,
  },
  {
    id: 'customfield_10011',
    name: 'Security severity',
    type: 'option',
    options: ['P1', 'P2', 'P3', 'P4'],
  },
  { id: 'customfield_10012', name: 'Security champion', type: 'user' },
];

/**
 * Each deployment's description as text, and what it must and must not
 * hold: Cloud's is Atlassian Document Format, the advisory a link; Data
 * Center's wiki markup, not markdown (Jira renders escaped hyphens as
 * hyphens).
 */
const DESCRIPTION: Record<
  JiraDeployment,
  { text(value: unknown): string; contains: string[]; lacks: string[] }
> = {
  cloud: {
    text: value => JSON.stringify(value),
    contains: [
      '"type":"doc"',
      '"href":"https://nvd.nist.gov/vuln/detail/CVE-2024-1234"',
    ],
    lacks: ['###'],
  },
  datacenter: {
    text: value => String(value),
    contains: [
      'h3. Package',
      '[CVE\\-2024\\-1234|https://nvd.nist.gov/vuln/detail/CVE-2024-1234]',
    ],
    lacks: ['###'],
  },
};

describe.each<[string, JiraDeployment]>([
  ['Jira Cloud', 'cloud'],
  ['Jira Data Center', 'datacenter'],
])('SyncEngine with %s’s own behaviour', (_name, deployment) => {
  const databases = createTestDatabases();
  const server = setupServer();
  let jira: FakeJira;

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => server.close());

  const useJira = (
    project: Partial<JiraProjectConfig> = {},
    options: { searchLagMs?: number } = {},
  ) => {
    jira = new FakeJira({ deployment, ...options });
    jira.addProject({
      key: JIRA_PROJECT,
      components: ['payments'],
      ...project,
    });
    server.resetHandlers(...jira.handlers);
  };
  beforeEach(() => useJira());

  const issues = () => jira.issues(JIRA_PROJECT);
  const champion = () => jira.accounts().find(u => u.name === 'jane.appsec')!;

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    const harness = async (
      tracker: Record<string, unknown> = {},
      annotations: Record<string, string> = {},
      options: Partial<Parameters<typeof createSyncHarness>[0]> = {},
    ) =>
      createSyncHarness({
        knex: await databases.init(databaseId),
        entities: [jiraPaymentsApi(annotations)],
        config: {
          trackers: [
            { ...jiraTrackerSettings(deployment, jira.baseUrl), ...tracker },
          ],
        },
        ...options,
      });

    it('creates the issue with the entity’s issue type, the severity’s priority, its component, and labels Jira accepts', async () => {
      const h = await harness(
        {},
        {
          'security-observations/jira-issue-type': 'Task',
          'security-observations/labels': 'security,needs triage',
        },
      );
      await h.importFindings([openssl]);
      expect(await h.sync()).toMatchObject({ created: 1, failed: 0 });

      const [issue] = issues();
      const [observation] = await h.observations();
      expect(issue).toMatchObject({
        key: `${JIRA_PROJECT}-1`,
        issueType: 'Task',
        priority: 'High',
        components: ['payments'],
        status: 'To Do',
        summary: '[High] CVE-2024-1234 in openssl 3.0.2 (payments-api)',
      });
      expect(issue.labels.sort()).toEqual(
        [
          'needs-triage',
          'payments-api',
          'sec',
          'security',
          `security-observation-${observation.id}`,
        ].sort(),
      );
      const description = DESCRIPTION[deployment];
      const text = description.text(issue.description);
      for (const part of description.contains) expect(text).toContain(part);
      for (const part of description.lacks) expect(text).not.toContain(part);
      expect(observation.tracker).toMatchObject({
        issueKey: `${JIRA_PROJECT}-1`,
        issueUrl: `${jira.baseUrl}/browse/${JIRA_PROJECT}-1`,
      });
    });

    it('fills the mapped fields, and names the field Jira refuses', async () => {
      useJira({ fields: SECURITY_FIELDS });
      const severity = {
        from: 'severity',
        as: 'option',
        map: { Critical: 'P1', High: 'P2', Medium: 'P3', Low: 'P4' },
      };
      const championRef =
        deployment === 'cloud'
          ? { accountId: champion().accountId }
          : { name: champion().name };
      const knex = await databases.init(databaseId);
      const settings = (fields: Record<string, unknown>) => ({
        knex,
        entities: [jiraPaymentsApi()],
        config: {
          trackers: [
            { ...jiraTrackerSettings(deployment, jira.baseUrl), fields },
          ],
        },
      });
      // CVE is required on create, and nothing maps it yet.
      const h = await createSyncHarness(
        settings({
          customfield_10011: severity,
          customfield_10012: { value: championRef },
        }),
      );
      await h.importFindings([openssl]);
      expect(await h.sync()).toMatchObject({ failed: 1, created: 0 });
      const [refused] = await h.observations();
      expect(refused.tracker!.lastError).toMatch(
        /^Jira could not create an issue in PAY: 400 customfield_10010 \(CVE\): .*required.* \(fields come from securityObservations\.trackers\[0\]\.fields and the entity's annotations\)$/,
      );
      expect(h.notifications.sent).toEqual([
        expect.objectContaining({
          payload: expect.objectContaining({
            description: expect.stringContaining('customfield_10010 (CVE)'),
          }),
        }),
      ]);

      // The admin maps it: the changed setting queues the entity again.
      const fixed = await createSyncHarness({
        ...settings({
          customfield_10010: { from: 'cve' },
          customfield_10011: severity,
          customfield_10012: { value: championRef },
        }),
        migrated: true,
      });
      expect(await fixed.sync()).toMatchObject({ created: 1, failed: 0 });
      expect(issues()[0].customFields).toEqual({
        customfield_10010: 'CVE-2024-1234',
        customfield_10011: 'P2',
        customfield_10012: championRef.accountId ?? championRef.name,
      });

      // Mapped fields follow the observation; the constant stays as set.
      await fixed.importFindings([{ ...openssl, severity: 'critical' }]);
      expect(await fixed.sync()).toMatchObject({ updated: 1 });
      expect(issues()[0].customFields.customfield_10011).toBe('P1');
    });

    it.each([
      [
        'an issue type the project lacks',
        { 'security-observations/jira-issue-type': 'Epic' },
        "the issue type 'Epic' does not exist in the Jira project PAY (it has Bug, Task, Story); set security-observations/jira-issue-type or the tracker's issueType",
      ],
      [
        'a component the project lacks',
        { 'jira/component': 'ledger' },
        "jira/component is 'ledger', but the Jira project PAY has no such component; create it, or set createComponents: true on the tracker",
      ],
      [
        'a project Jira does not have',
        { 'jira/project-key': 'NOPE' },
        "jira/project-key is 'NOPE', but Jira at JIRA has no such project, or the credentials cannot see it",
      ],
    ])(
      'checks the target before the first create: %s is a problem on the tab, and nothing is created',
      async (_case, annotations, problem) => {
        const expected = problem.replace('JIRA', jira.baseUrl);
        const h = await harness({}, annotations);
        await h.importFindings([openssl]);
        expect(await h.sync()).toMatchObject({ failed: 1, created: 0 });
        expect(jira.writeCalls()).toEqual([]);
        const [observation] = await h.observations();
        expect(observation.tracker!.lastError).toBe(expected);
        expect(await h.store.targetProblemOf(observation.entityRef)).toBe(
          expected,
        );
        expect(h.notifications.sent).toEqual([
          expect.objectContaining({
            payload: expect.objectContaining({
              scope:
                'security-observations:sync:component:default/payments-api:target',
            }),
          }),
        ]);

        // The team fixes the annotation: checked anew, and created.
        h.setEntity(jiraPaymentsApi());
        expect(await h.sync()).toMatchObject({ created: 1, failed: 0 });
        expect(await h.store.targetProblemOf(observation.entityRef)).toBeNull();
      },
    );

    it('creates a missing component when the tracker allows it', async () => {
      const h = await harness(
        { createComponents: true },
        { 'jira/component': 'ledger' },
      );
      await h.importFindings([openssl]);
      expect(await h.sync()).toMatchObject({ created: 1, failed: 0 });
      expect(issues()[0].components).toEqual(['ledger']);
      expect(
        jira
          .writeCalls()
          .map(
            call =>
              `${call.method} ${call.path.replace(/\/rest\/api\/\d/, '')}`,
          ),
      ).toEqual(['POST /component', 'POST /issue']);
    });

    it('closes through a transition whose screen requires a resolution, and reopens out of Done', async () => {
      useJira({ workflow: resolutionOnDoneWorkflow });
      const h = await harness();
      await h.importFindings([openssl]);
      await h.sync();
      // Someone started working on it.
      jira.transitionIssue(`${JIRA_PROJECT}-1`, 'In Progress');

      await h.importFindings([]); // fixed: gone from the scan
      expect(await h.sync()).toMatchObject({ updated: 1, failed: 0 });
      expect(issues()[0]).toMatchObject({
        status: 'Done',
        statusCategory: 'done',
        resolution: 'Done',
      });
      const [observation] = await h.observations();
      expect(observation.tracker).toMatchObject({
        issueState: 'closed',
        syncState: 'synced',
      });

      await h.importFindings([openssl]); // back in the next scan
      await h.sync();
      expect(issues()[0]).toMatchObject({
        status: 'To Do',
        statusCategory: 'new',
        resolution: null,
      });
    });

    it('says once on the issue and on the observation when the workflow cannot close it, and does not try again until the observation changes', async () => {
      useJira({ workflow: noPathToDoneWorkflow });
      const h = await harness();
      await h.importFindings([openssl]);
      await h.sync();
      const [observation] = await h.observations();

      await h.assess([observation.id], 'false_positive');
      expect(await h.sync()).toMatchObject({ failed: 1 });
      const [issue] = issues();
      expect(issue.status).toBe('To Do');
      expect(issue.comments).toHaveLength(1);
      const comment = JSON.stringify(issue.comments[0].body);
      expect(comment).toContain('could not close this issue');
      const failed = (await h.observations())[0].tracker!;
      expect(failed).toMatchObject({
        syncState: 'failed',
        issueState: 'open',
        nextAttemptAt: null,
      });
      expect(failed.lastError).toBe(
        "could not close PAY-1: Jira's workflow offers no transition from 'To Do' into a status of the Done category (set securityObservations.trackers[0].closedStatus to a status it can reach)",
      );
      expect(h.notifications.sent).toEqual([
        expect.objectContaining({
          payload: expect.objectContaining({
            scope:
              'security-observations:sync:component:default/payments-api:workflow',
          }),
        }),
      ]);

      // "Sync now", and a later run: nothing changed, nothing is sent.
      jira.resetCalls();
      await h.store.enqueueEntity({
        entityRef: observation.entityRef,
        branch: 'main',
        activeStatuses: ['open'],
        now: new Date(),
      });
      await h.sync();
      expect(jira.calls).toEqual([]);
      expect(issues()[0].comments).toHaveLength(1);
      // And the observation still says so.
      expect((await h.observations())[0].tracker).toMatchObject({
        syncState: 'failed',
        issueState: 'open',
        lastError: failed.lastError,
      });
    });

    it('reopens an issue whose Done status forbids edits by moving it out first, and leaves a closed one as it is', async () => {
      useJira({ workflow: lockedWhenDoneWorkflow });
      const h = await harness();
      await h.importFindings([openssl]);
      await h.sync();
      await h.importFindings([]); // fixed: closed as Done
      await h.sync();
      expect(issues()[0]).toMatchObject({ status: 'Done' });
      const closedText = JSON.stringify(issues()[0].description);

      // A change while it is closed (an assessed severity): Jira refuses
      // edits there, and a closed issue needs none.
      const [observation] = await h.observations();
      await h.assess([observation.id], 'open', { severity: 'critical' });
      expect(await h.sync()).toMatchObject({ updated: 1, failed: 0 });
      expect(JSON.stringify(issues()[0].description)).toBe(closedText);
      expect(jira.calls.filter(call => call.status === 400)).toHaveLength(1);

      await h.importFindings([openssl]); // back in the next scan
      expect(await h.sync()).toMatchObject({ updated: 1, failed: 0 });
      const [reopened] = issues();
      expect(reopened).toMatchObject({
        status: 'To Do',
        summary: '[Critical] CVE-2024-1234 in openssl 3.0.2 (payments-api)',
      });
      expect(JSON.stringify(reopened.description)).not.toBe(closedText);
      expect((await h.observations())[0].tracker).toMatchObject({
        issueState: 'open',
        syncState: 'synced',
        lastError: null,
      });
    });

    it('waits for the search to catch up before it decides that an interrupted create made nothing', async () => {
      // Jira's search shows a new issue only a while after the create.
      useJira({}, { searchLagMs: 300 });
      const h = await harness({ searchLagSeconds: 1.5 });
      await h.importFindings([openssl]);
      await h.syncAndDieAfterCreate();

      // The search does not show the issue yet: the run waits, then finds it.
      const run = await h.sync();
      expect(run).toMatchObject({ created: 0, failed: 0 });
      expect(run.deferred).toBeGreaterThan(0);
      expect(issues()).toHaveLength(1);
      const [observation] = await h.observations();
      expect(observation.tracker?.issueKey).toBe(issues()[0].key);
      expect((await h.store.listEvents(observation.id)).at(-1)).toMatchObject({
        type: 'issue_found',
      });
    });

    it('keeps the issues of several components in one project apart, each labelled with its component', async () => {
      const ledger = jiraPaymentsApi();
      ledger.metadata.name = 'ledger-service';
      const h = await harness();
      h.setEntity(ledger);
      await h.importFindings([openssl]);
      await h.importFindings([openssl], {
        entityRef: 'component:default/ledger-service',
      });
      expect(await h.sync()).toMatchObject({ created: 2 });

      const byEntity = Object.fromEntries(
        issues().map(issue => [
          issue.labels.find(
            l => l === 'payments-api' || l === 'ledger-service',
          ),
          issue,
        ]),
      );
      expect(Object.keys(byEntity).sort()).toEqual([
        'ledger-service',
        'payments-api',
      ]);
      expect(byEntity['ledger-service'].summary).toBe(
        '[High] CVE-2024-1234 in openssl 3.0.2 (ledger-service)',
      );
      const ledgerObservation = (
        await h.observations('component:default/ledger-service')
      )[0];
      expect(ledgerObservation.tracker?.issueKey).toBe(
        byEntity['ledger-service'].key,
      );
    });
  });
});
