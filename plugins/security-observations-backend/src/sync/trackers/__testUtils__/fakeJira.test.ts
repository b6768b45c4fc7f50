import { createClient, isApiError, isRateLimitError } from 'jira.js/core';
import type { Client } from 'jira.js/core';
import { createHmac } from 'node:crypto';
import {
  addComment,
  CommentSchema,
  createComponent,
  createIssue,
  deleteComment,
  doTransition,
  editIssue,
  getChangeLogs,
  getComment,
  getComments,
  getCurrentUser,
  getFields,
  getIssue,
  getProject,
  getTransitions,
  IssueSchema,
  IssueTypeDetailsSchema,
  PrioritySchema,
  ProjectComponentSchema,
  ResolutionSchema,
  searchAndReconsileIssuesUsingJql,
  searchAndReconsileIssuesUsingJqlPost,
  StatusDetailsSchema,
  updateComment,
  UserDetailsSchema,
} from 'jira.js/cloud';
import { setupServer } from 'msw/node';
import { jiraWebhook } from '../../../twoWay/webhooks/jiraWebhook';
import {
  AdfDocument,
  adfText,
  FakeJira,
  FakeJiraOptions,
  JIRA_PERSON,
  JiraCustomField,
  JiraDeployment,
  JiraWebhookDelivery,
  noPathToDoneWorkflow,
  resolutionOnDoneWorkflow,
  standardWorkflow,
} from './fakeJira';

/*
 * jira.js 6 is ESM-only and its exports map names only the `import`
 * condition, which Jest's CommonJS resolver does not match ("Cannot find
 * module 'jira.js/core'"). These mocks require its files by path instead,
 * which Jest transforms like the other ESM packages. 'jira.js/cloud' is put
 * together from its endpoint index and the model files the tests use: its
 * own index (dist/cloud/index.js) fails once transformed to CommonJS,
 * because models/fieldIdIdentifier.js reads the models barrel while the
 * barrel is still loading ("Cannot read properties of undefined (reading
 * 'shape')"); Node's own require of the ES module does not have that
 * problem.
 */
function requireJiraJs(files: string[]): Record<string, unknown> {
  const { createRequire } = jest.requireActual('node:module');
  const { dirname, join } = jest.requireActual('node:path');
  const root = dirname(
    createRequire(__filename).resolve('jira.js/package.json'),
  );
  return Object.assign(
    {},
    ...files.map(file => jest.requireActual(join(root, 'dist', file))),
  );
}
jest.mock('jira.js/core', () => requireJiraJs(['core/index.js']), {
  virtual: true,
});
jest.mock(
  'jira.js/cloud',
  () =>
    requireJiraJs([
      'cloud/api/index.js',
      ...[
        'issue',
        'comment',
        'statusDetails',
        'priority',
        'issueTypeDetails',
        'projectComponent',
        'userDetails',
        'resolution',
      ].map(name => `cloud/models/${name}.js`),
    ]),
  { virtual: true },
);

const EMAIL = 'jira-bot@acme.example';
const API_TOKEN = 'jira-test-token';
const PAT = 'jira-dc-test-pat';
const FIELDS: JiraCustomField[] = [
  {
    id: 'customfield_10010',
    name: 'CVE',
    type: 'string',
    requiredOnCreate: true,
  },
  {
    id: 'customfield_10011',
    name: 'Severity',
    type: 'option',
    options: ['Critical', 'High', 'Medium', 'Low'],
  },
  {
    id: 'customfield_10012',
    name: 'Compliance',
    type: 'options',
    options: ['PCI', 'SOX', 'GDPR'],
  },
  { id: 'customfield_10013', name: 'CVSS score', type: 'number' },
  { id: 'customfield_10014', name: 'Security champion', type: 'user' },
  { id: 'customfield_10015', name: 'Affected packages', type: 'labels' },
];

const doc = (...paragraphs: string[]): AdfDocument => ({
  type: 'doc',
  version: 1,
  content: paragraphs.map(text => ({
    type: 'paragraph',
    content: [{ type: 'text', text }],
  })),
});

/** The status and (Jira's) body of a refused request. */
async function refusal(
  request: Promise<unknown>,
): Promise<{ status: number; body: any }> {
  try {
    await request;
  } catch (error) {
    if (isApiError(error)) return { status: error.status, body: error.body };
    throw error;
  }
  throw new Error('the request succeeded');
}

describe('FakeJira', () => {
  const server = setupServer();
  let clock: number;
  let jira: FakeJira;

  const useJira = (options: Partial<FakeJiraOptions> = {}) => {
    jira = new FakeJira({ deployment: 'cloud', now: () => clock, ...options });
    jira.addProject({
      key: 'SEC',
      name: 'Security',
      components: ['payments-api', 'ledger'],
      fields: FIELDS,
    });
    server.resetHandlers(...jira.handlers);
    return jira;
  };
  const cloud = (email = EMAIL, apiToken = API_TOKEN): Client =>
    createClient({
      host: jira.baseUrl,
      auth: { type: 'basic', email, apiToken },
      onSchemaMismatch: 'throw',
    });
  const basic = `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString(
    'base64',
  )}`;
  /** A request as any client would send it, to read statuses and headers. */
  const send = (
    method: string,
    path: string,
    body?: unknown,
    authorization = jira.deployment === 'cloud' ? basic : `Bearer ${PAT}`,
  ) =>
    fetch(`${jira.baseUrl}${path}`, {
      method,
      headers: {
        authorization,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const tick = (ms: number) => {
    clock += ms;
  };
  const bug = (summary: string, extra: Record<string, unknown> = {}) => ({
    fields: {
      project: { key: 'SEC' },
      issuetype: { name: 'Bug' },
      summary,
      customfield_10010: 'CVE-2024-1234',
      ...extra,
    },
  });

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    clock = Date.parse('2026-12-06T10:00:00Z');
    useJira();
  });
  afterAll(() => server.close());

  describe('Cloud through jira.js with response validation', () => {
    it('creates an issue with an ADF description and custom fields, and reads it back', async () => {
      const client = cloud();
      const jane = jira.accounts().find(a => a.name === 'jane.appsec')!;
      const created = await createIssue(client, {
        fields: {
          project: { key: 'SEC' },
          issuetype: { name: 'Bug' },
          summary: 'CVE-2024-1234 in openssl',
          description: doc('openssl 3.0.1 is affected.', 'Upgrade to 3.0.7.'),
          labels: ['security', 'sec-obs:abc123'],
          priority: { name: 'High' },
          components: [{ name: 'payments-api' }],
          customfield_10010: 'CVE-2024-1234',
          customfield_10011: { value: 'Critical' },
          customfield_10012: [{ value: 'PCI' }, { value: 'SOX' }],
          customfield_10013: 9.8,
          customfield_10014: { accountId: jane.accountId },
          customfield_10015: ['openssl'],
        },
      });
      expect(created).toEqual({
        id: expect.stringMatching(/^\d+$/),
        key: 'SEC-1',
        self: `https://acme-corp.atlassian.net/rest/api/3/issue/${created.id}`,
      });

      const issue = await getIssue(client, {
        issueIdOrKey: 'SEC-1',
        expand: 'transitions.fields',
      });
      const fields = issue.fields!;
      expect(issue).toMatchObject({ id: created.id, key: 'SEC-1' });
      expect(fields.summary).toBe('CVE-2024-1234 in openssl');
      expect(fields.description).toEqual(
        doc('openssl 3.0.1 is affected.', 'Upgrade to 3.0.7.'),
      );
      expect(fields.labels).toEqual(['security', 'sec-obs:abc123']);
      expect(StatusDetailsSchema.parse(fields.status)).toMatchObject({
        name: 'To Do',
        statusCategory: {
          id: 2,
          key: 'new',
          colorName: 'blue-gray',
          name: 'To Do',
        },
      });
      expect(PrioritySchema.parse(fields.priority)).toMatchObject({
        id: '2',
        name: 'High',
      });
      expect(IssueTypeDetailsSchema.parse(fields.issuetype).name).toBe('Bug');
      expect(
        fields.components.map((c: unknown) => ProjectComponentSchema.parse(c)),
      ).toEqual([expect.objectContaining({ name: 'payments-api' })]);
      expect(UserDetailsSchema.parse(fields.reporter)).toMatchObject({
        accountId: jira.accounts()[0].accountId,
        accountType: 'atlassian',
      });
      expect(fields).toMatchObject({
        resolution: null,
        resolutiondate: null,
        assignee: null,
        created: '2026-12-06T10:00:00.000+0000',
        updated: '2026-12-06T10:00:00.000+0000',
        customfield_10010: 'CVE-2024-1234',
        customfield_10011: { value: 'Critical' },
        customfield_10012: [{ value: 'PCI' }, { value: 'SOX' }],
        customfield_10013: 9.8,
        customfield_10014: { accountId: jane.accountId },
        customfield_10015: ['openssl'],
      });
      expect(fields.customfield_10011.self).toMatch(
        /\/rest\/api\/3\/customFieldOption\/\d+$/,
      );
      // Transitions from To Do only, with their screens.
      expect(issue.transitions!.map(t => [t.id, t.name, t.to?.name])).toEqual([
        ['11', 'Start progress', 'In Progress'],
        ['31', 'Done', 'Done'],
        ['41', "Won't do", "Won't Do"],
        ['61', 'False positive', 'False positive'],
      ]);
      const wontDo = issue.transitions!.find(t => t.id === '41')!;
      expect(wontDo).toMatchObject({ hasScreen: true, isGlobal: true });
      expect(wontDo.fields!.resolution).toMatchObject({
        required: true,
        schema: { type: 'resolution', system: 'resolution' },
        operations: ['set'],
      });
      expect(
        wontDo.fields!.resolution.allowedValues.map(
          (r: unknown) => ResolutionSchema.parse(r).name,
        ),
      ).toEqual(["Won't Do", 'Duplicate', 'Cannot Reproduce']);

      const rendered = await getIssue(client, {
        issueIdOrKey: 'SEC-1',
        fields: ['description'],
        expand: 'renderedFields,names',
      });
      expect(rendered.renderedFields).toEqual({
        description:
          '<p>openssl 3.0.1 is affected.</p>\n<p>Upgrade to 3.0.7.</p>',
      });
      expect(rendered.names).toEqual({ description: 'Description' });

      // `fields` limits what comes back.
      const some = await getIssue(client, {
        issueIdOrKey: created.id,
        fields: ['summary', 'customfield_10011'],
      });
      expect(Object.keys(some.fields!).sort()).toEqual([
        'customfield_10011',
        'summary',
      ]);

      expect(jira.issue('SEC-1')).toMatchObject({
        summary: 'CVE-2024-1234 in openssl',
        status: 'To Do',
        statusCategory: 'new',
        priority: 'High',
        components: ['payments-api'],
        customFields: {
          customfield_10011: 'Critical',
          customfield_10012: ['PCI', 'SOX'],
          customfield_10014: jane.accountId,
        },
      });
    });

    it('takes a wiki description through v2, as jira.js sends a string, and keeps it as ADF', async () => {
      const client = cloud();
      const created = await createIssue(
        client,
        bug('Wiki description', { description: 'h2. Impact\n\nRCE' }),
      );
      expect(created.key).toBe('SEC-1');
      expect(jira.calls.map(call => call.path)).toEqual(['/rest/api/2/issue']);
      const issue = await getIssue(client, { issueIdOrKey: 'SEC-1' });
      expect(issue.fields!.description).toEqual(doc('h2. Impact', 'RCE'));
      // v2 reads it back as text.
      const v2 = await (await send('GET', '/rest/api/2/issue/SEC-1')).json();
      expect(v2.fields.description).toBe('h2. Impact\n\nRCE');
    });

    it('refuses invalid create input with Jira’s 400 bodies', async () => {
      const client = cloud();
      const fails = (fields: Record<string, unknown>) =>
        refusal(createIssue(client, { fields }));
      const base = bug('x').fields;

      expect(await fails({ ...base, project: { key: 'NOPE' } })).toEqual({
        status: 400,
        body: {
          errorMessages: [],
          errors: { project: 'Specify a valid project ID or key' },
        },
      });
      expect(
        (await fails({ ...base, issuetype: { name: 'Epic' } })).body.errors,
      ).toEqual({ issuetype: 'Specify a valid issue type' });
      jira.addProject({ key: 'OPS', issueTypes: ['Task'] });
      expect(
        (await fails({ ...base, project: { key: 'OPS' } })).body.errors,
      ).toEqual({ issuetype: 'The issue type selected is invalid.' });

      // Every field's error at once.
      const invalid = await fails({
        project: { key: 'SEC' },
        issuetype: { name: 'Bug' },
        summary: 'x'.repeat(256),
        labels: ['ok', 'a b'],
        priority: { name: 'Urgent' },
        components: [{ name: 'frontend' }],
        customfield_10011: { value: 'Severe' },
        customfield_10014: { accountId: 'nobody' },
        customfield_10099: 'unknown field',
      });
      expect(invalid).toEqual({
        status: 400,
        body: {
          errorMessages: [],
          errors: {
            summary: "Summary can't exceed 255 characters.",
            labels: "The label 'a b' can't contain spaces.",
            priority: 'The priority selected is invalid.',
            components: "Component name 'frontend' is not valid",
            customfield_10010: 'CVE is required.',
            customfield_10011: "Option value 'Severe' is not valid",
            customfield_10014:
              'Specified user does not exist or you do not have required permissions',
            customfield_10099:
              "Field 'customfield_10099' cannot be set. It is not on the appropriate screen, or unknown.",
          },
        },
      });
      expect(
        (await fails({ project: { key: 'SEC' }, issuetype: { name: 'Bug' } }))
          .body.errors,
      ).toEqual({
        summary: 'You must specify a summary of the issue.',
        customfield_10010: 'CVE is required.',
      });
      expect(
        (await fails({ ...base, customfield_10011: 'Critical' })).body.errors,
      ).toEqual({
        customfield_10011:
          "Could not find valid 'id' or 'value' in the Parent Option object.",
      });
      // Cloud counts the serialized document (the fake's assumption).
      expect(
        (await fails({ ...base, description: doc('x'.repeat(32_700)) })).body
          .errors,
      ).toEqual({
        description:
          'The entered text is too long. It exceeds the allowed limit of 32,767 characters.',
      });
      // A string description on v3 itself (jira.js would route it to v2).
      const raw = await send('POST', '/rest/api/3/issue', {
        fields: { ...base, description: 'plain text' },
      });
      expect(raw.status).toBe(400);
      expect(await raw.json()).toEqual({
        errorMessages: [],
        errors: {
          description:
            'Operation value must be an Atlassian Document (see the Atlassian Document Format)',
        },
      });
      expect(jira.issues('SEC')).toEqual([]);
    });

    it('edits with fields and update, answering 204 or the issue with returnIssue', async () => {
      const client = cloud();
      await createIssue(
        client,
        bug('Before', { labels: ['security', 'sec-obs:1'] }),
      );
      tick(60_000);
      await expect(
        editIssue(client, {
          issueIdOrKey: 'SEC-1',
          fields: { summary: 'After', customfield_10013: 7.5 },
          update: {
            labels: [{ add: 'triaged' }, { remove: 'security' }],
            components: [{ add: { name: 'ledger' } }],
          },
        }),
      ).resolves.toBeUndefined();
      expect(jira.issue('SEC-1')).toMatchObject({
        summary: 'After',
        labels: ['sec-obs:1', 'triaged'],
        components: ['ledger'],
        customFields: { customfield_10013: 7.5 },
        updated: '2026-12-06T10:01:00.000+0000',
      });

      // An edit that changes nothing leaves `updated` alone.
      tick(60_000);
      await editIssue(client, {
        issueIdOrKey: 'SEC-1',
        update: { labels: [{ add: 'triaged' }] },
      });
      expect(jira.issue('SEC-1')!.updated).toBe('2026-12-06T10:01:00.000+0000');

      const returned = (await editIssue(client, {
        issueIdOrKey: 'SEC-1',
        fields: { priority: { name: 'Highest' } },
        returnIssue: true,
        expand: 'transitions.fields',
        notifyUsers: false,
      })) as unknown;
      const issue = IssueSchema.parse(returned);
      expect(issue.key).toBe('SEC-1');
      expect(issue.fields!.priority.name).toBe('Highest');
      expect(issue.fields!.updated).toBe('2026-12-06T10:02:00.000+0000');
      expect(issue.transitions!.map(t => t.id)).toEqual([
        '11',
        '31',
        '41',
        '61',
      ]);
      expect(issue.transitions![2].fields!.resolution.required).toBe(true);

      expect(
        await refusal(
          editIssue(client, {
            issueIdOrKey: 'SEC-1',
            fields: { status: { name: 'Done' } },
          }),
        ),
      ).toEqual({
        status: 400,
        body: {
          errorMessages: [],
          errors: {
            status:
              "Field 'status' cannot be set. It is not on the appropriate screen, or unknown.",
          },
        },
      });
      expect(
        (
          await refusal(
            editIssue(client, {
              issueIdOrKey: 'SEC-1',
              update: { labels: [{ add: 'two words' }] },
            }),
          )
        ).body.errors,
      ).toEqual({ labels: "The label 'two words' can't contain spaces." });

      // Without project administration, notifications cannot be turned off.
      jira.addProject({ key: 'OPS', canAdminister: false });
      await createIssue(client, {
        fields: {
          project: { key: 'OPS' },
          issuetype: { name: 'Task' },
          summary: 'ops',
        },
      });
      expect(
        await refusal(
          editIssue(client, {
            issueIdOrKey: 'OPS-1',
            fields: { summary: 'quiet' },
            notifyUsers: false,
          }),
        ),
      ).toEqual({
        status: 403,
        body: {
          errorMessages: [
            'To discard the user notification either admin or project admin permissions are required.',
          ],
          errors: {},
        },
      });
    });

    it('transitions along the workflow and keeps the resolution with done statuses', async () => {
      const client = cloud();
      await createIssue(client, bug('Flow'));
      const transitions = await getTransitions(client, {
        issueIdOrKey: 'SEC-1',
        expand: 'transitions.fields',
      });
      expect(transitions.expand).toBe('transitions');
      expect(transitions.transitions!.map(t => t.id)).toEqual([
        '11',
        '31',
        '41',
        '61',
      ]);
      expect(
        StatusDetailsSchema.parse(transitions.transitions![0].to),
      ).toMatchObject({
        name: 'In Progress',
        statusCategory: { id: 4, key: 'indeterminate', colorName: 'yellow' },
      });
      const plain = await getTransitions(client, { issueIdOrKey: 'SEC-1' });
      expect(plain.transitions![2].fields).toBeUndefined();

      await doTransition(client, {
        issueIdOrKey: 'SEC-1',
        transition: { id: '11' },
      });
      expect(jira.issue('SEC-1')!.status).toBe('In Progress');
      const inProgress = await getTransitions(client, {
        issueIdOrKey: 'SEC-1',
      });
      expect(inProgress.transitions!.map(t => t.id)).toEqual([
        '21',
        '31',
        '41',
        '61',
      ]);

      expect(
        await refusal(
          doTransition(client, {
            issueIdOrKey: 'SEC-1',
            transition: { id: '51' },
          }),
        ),
      ).toEqual({
        status: 400,
        body: {
          errorMessages: ["Transition id '51' is not valid for this issue."],
          errors: {},
        },
      });
      expect(
        await refusal(
          doTransition(client, {
            issueIdOrKey: 'SEC-1',
            transition: { id: '41' },
          }),
        ),
      ).toEqual({
        status: 400,
        body: {
          errorMessages: [],
          errors: { resolution: 'Resolution is required.' },
        },
      });
      expect(
        (
          await refusal(
            doTransition(client, {
              issueIdOrKey: 'SEC-1',
              transition: { id: '41' },
              fields: { resolution: { name: 'Done' } },
            }),
          )
        ).body.errors,
      ).toEqual({ resolution: 'The resolution selected is invalid.' });
      expect(
        (
          await refusal(
            doTransition(client, {
              issueIdOrKey: 'SEC-1',
              transition: { id: '31' },
              fields: { resolution: { name: 'Done' } },
            }),
          )
        ).body.errors,
      ).toEqual({
        resolution:
          "Field 'resolution' cannot be set. It is not on the appropriate screen, or unknown.",
      });
      expect(jira.issue('SEC-1')!.status).toBe('In Progress');

      tick(1000);
      await doTransition(client, {
        issueIdOrKey: 'SEC-1',
        transition: { id: '41' },
        fields: { resolution: { name: 'Duplicate' } },
        update: { comment: [{ add: { body: doc('Duplicate of SEC-9') } }] },
      });
      const done = await getIssue(client, {
        issueIdOrKey: 'SEC-1',
        fields: ['status', 'resolution', 'resolutiondate'],
      });
      expect(done.fields!.status.statusCategory).toMatchObject({
        id: 3,
        key: 'done',
        colorName: 'green',
        name: 'Done',
      });
      expect(ResolutionSchema.parse(done.fields!.resolution).name).toBe(
        'Duplicate',
      );
      expect(done.fields!.resolutiondate).toBe('2026-12-06T10:00:01.000+0000');
      expect(jira.comments('SEC-1').map(c => c.body)).toEqual([
        doc('Duplicate of SEC-9'),
      ]);

      await doTransition(client, {
        issueIdOrKey: 'SEC-1',
        transition: { id: '51' },
      });
      expect(jira.issue('SEC-1')).toMatchObject({
        status: 'To Do',
        resolution: null,
        resolutiondate: null,
      });
      // Done sets its default resolution.
      await doTransition(client, {
        issueIdOrKey: 'SEC-1',
        transition: { id: '31' },
      });
      expect(jira.issue('SEC-1')).toMatchObject({
        status: 'Done',
        statusCategory: 'done',
        resolution: 'Done',
      });
      // A global transition is offered from its own status too, as in Jira.
      const fromDone = await getTransitions(client, { issueIdOrKey: 'SEC-1' });
      expect(fromDone.transitions!.map(t => t.id)).toEqual([
        '31',
        '41',
        '51',
        '61',
      ]);
    });

    it('adds and lists comments', async () => {
      const client = cloud();
      await createIssue(client, bug('Comments'));
      tick(5000);
      const comment = await addComment(client, {
        issueIdOrKey: 'SEC-1',
        body: doc('Still present in 3.0.2.'),
      });
      expect(comment).toMatchObject({
        id: expect.stringMatching(/^\d+$/),
        body: doc('Still present in 3.0.2.'),
        jsdPublic: true,
        author: { accountId: jira.accounts()[0].accountId },
        created: new Date('2026-12-06T10:00:05.000Z'),
      });
      expect(comment.self).toBe(
        `https://acme-corp.atlassian.net/rest/api/3/issue/${
          jira.issue('SEC-1')!.id
        }/comment/${comment.id}`,
      );
      // jira.js posts a string to v2 and reads the comment back from v3.
      const wiki = await addComment(client, {
        issueIdOrKey: 'SEC-1',
        body: 'Fixed in *3.0.7*',
      });
      expect(wiki.body).toEqual(doc('Fixed in *3.0.7*'));

      const page = await getComments(client, {
        issueIdOrKey: 'SEC-1',
        orderBy: '-created',
      });
      expect(page).toMatchObject({ startAt: 0, total: 2 });
      expect(page.comments!.map(c => c.id)).toEqual([wiki.id, comment.id]);
      expect(jira.issue('SEC-1')!.updated).toBe('2026-12-06T10:00:05.000+0000');

      expect(
        await refusal(
          addComment(client, {
            issueIdOrKey: 'SEC-1',
            body: { type: 'doc', version: 1, content: [] },
          }),
        ),
      ).toEqual({
        status: 400,
        body: {
          errorMessages: [],
          errors: { comment: 'Comment body can not be empty!' },
        },
      });
      expect(CommentSchema.safeParse(comment).success).toBe(true);
    });

    it('pages the enhanced search with nextPageToken, ids only unless fields are asked for', async () => {
      const client = cloud();
      for (const n of [1, 2, 3, 4, 5]) {
        await createIssue(
          client,
          bug(`Issue ${n}`, { labels: n % 2 ? ['odd'] : ['even'] }),
        );
        tick(60_000);
      }
      const jql = 'project = SEC ORDER BY key ASC';
      const first = await searchAndReconsileIssuesUsingJql(client, {
        jql,
        maxResults: 2,
        fields: ['summary', 'status'],
      });
      expect(first.isLast).toBe(false);
      expect(first.nextPageToken).toEqual(expect.any(String));
      expect(first.issues!.map(i => i.key)).toEqual(['SEC-1', 'SEC-2']);
      expect(first.issues![0]).toMatchObject({
        id: jira.issue('SEC-1')!.id,
        self: expect.stringContaining('/rest/api/3/issue/'),
        fields: { summary: 'Issue 1', status: { name: 'To Do' } },
      });
      expect(Object.keys(first.issues![0].fields!)).toEqual([
        'summary',
        'status',
      ]);
      const second = await searchAndReconsileIssuesUsingJql(client, {
        jql,
        maxResults: 2,
        fields: ['summary', 'status'],
        nextPageToken: first.nextPageToken!,
      });
      const third = await searchAndReconsileIssuesUsingJqlPost(client, {
        jql,
        maxResults: 2,
        fields: ['summary', 'status'],
        nextPageToken: second.nextPageToken!,
      });
      expect(second.issues!.map(i => i.key)).toEqual(['SEC-3', 'SEC-4']);
      expect(third.issues!.map(i => i.key)).toEqual(['SEC-5']);
      expect(third.isLast).toBe(true);
      expect(third).not.toHaveProperty('nextPageToken');

      // Without fields: ids only.
      const ids = await searchAndReconsileIssuesUsingJqlPost(client, {
        jql: 'project = "SEC" AND labels in ("odd", "none")',
      });
      expect(ids).toEqual({
        issues: ['SEC-5', 'SEC-3', 'SEC-1'].map(key => ({
          id: jira.issue(key)!.id,
        })),
        isLast: true,
      });

      const keys = async (query: string) =>
        (
          await searchAndReconsileIssuesUsingJqlPost(client, {
            jql: query,
            fields: ['summary'],
          })
        ).issues!.map(i => i.key);
      // The clock is at 10:05; issues were created at 10:00 ... 10:04.
      expect(
        await keys('project = SEC AND created >= -3m ORDER BY created ASC'),
      ).toEqual(['SEC-3', 'SEC-4', 'SEC-5']);
      expect(
        await keys(
          'project = SEC AND created < "2026-12-06 10:02" ORDER BY key DESC',
        ),
      ).toEqual(['SEC-2', 'SEC-1']);
      expect(await keys('key in (SEC-2, sec-4) ORDER BY key')).toEqual([
        'SEC-2',
        'SEC-4',
      ]);
      await doTransition(client, {
        issueIdOrKey: 'SEC-2',
        transition: { id: '31' },
      });
      expect(await keys('project = SEC AND statusCategory = Done')).toEqual([
        'SEC-2',
      ]);
      expect(
        await keys(
          'project = SEC AND statusCategory != Done AND labels = even',
        ),
      ).toEqual(['SEC-4']);
      expect(await keys('project = SEC AND status = "Done"')).toEqual([
        'SEC-2',
      ]);
      expect(
        await keys('project = SEC AND updated >= "2026-12-06 10:05"'),
      ).toEqual(['SEC-2']);
    });

    it('answers JQL outside its subset, and unknown values, with Jira’s 400', async () => {
      const client = cloud();
      await createIssue(client, bug('Only one'));
      const error = async (jql: string) =>
        (
          await refusal(
            searchAndReconsileIssuesUsingJqlPost(client, {
              jql,
              fields: ['key'],
            }),
          )
        ).body;
      expect(await error('project = SEC OR labels = x')).toEqual({
        errorMessages: [
          expect.stringMatching(/^Error in the JQL Query: OR is not supported/),
        ],
        errors: {},
      });
      expect((await error('flavour = vanilla')).errorMessages).toEqual([
        "Field 'flavour' does not exist or you do not have permission to view it.",
      ]);
      expect((await error('project = NOPE')).errorMessages).toEqual([
        "The value 'NOPE' does not exist for the field 'project'.",
      ]);
      expect((await error('key in (SEC-1, SEC-9)')).errorMessages).toEqual([
        "An issue with key 'SEC-9' does not exist for field 'key'.",
      ]);
      expect((await error('labels > x')).errorMessages).toEqual([
        "The operator '>' is not supported by the 'labels' field.",
      ]);
      expect(
        (await error('project = SEC AND created >= "yesterday"')).errorMessages,
      ).toEqual([
        expect.stringMatching(
          /^Date value 'yesterday' for field 'created' is invalid/,
        ),
      ]);
      expect((await error('ORDER BY created DESC')).errorMessages).toEqual([
        'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
      ]);
      expect(
        (
          await refusal(
            searchAndReconsileIssuesUsingJql(client, {
              jql: 'project = SEC',
              maxResults: 5001,
            }),
          )
        ).body.errorMessages,
      ).toEqual(['The max results parameter has to be between 1 and 5,000.']);
    });

    it('lags search behind writes, and reconcileIssues reads those ids after their write', async () => {
      useJira({ searchLagMs: 5000 });
      const client = cloud();
      await createIssue(client, bug('Indexed'));
      tick(10_000);
      const fresh = await createIssue(client, bug('Fresh'));
      await editIssue(client, {
        issueIdOrKey: 'SEC-1',
        fields: { summary: 'Renamed' },
      });
      const search = (reconcileIssues?: number[]) =>
        searchAndReconsileIssuesUsingJql(client, {
          jql: 'project = SEC ORDER BY key ASC',
          fields: ['summary'],
          reconcileIssues,
        });
      // The new issue is missing, the edited one shows its old state.
      expect(
        (await search()).issues!.map(i => [i.key, i.fields!.summary]),
      ).toEqual([['SEC-1', 'Indexed']]);
      const sec1 = Number(jira.issue('SEC-1')!.id);
      expect(
        (await search([Number(fresh.id), sec1])).issues!.map(i => [
          i.key,
          i.fields!.summary,
        ]),
      ).toEqual([
        ['SEC-1', 'Renamed'],
        ['SEC-2', 'Fresh'],
      ]);
      tick(5000);
      expect(
        (await search()).issues!.map(i => [i.key, i.fields!.summary]),
      ).toEqual([
        ['SEC-1', 'Renamed'],
        ['SEC-2', 'Fresh'],
      ]);
      // A deleted issue stays findable until the index catches up.
      jira.deleteIssue('SEC-2');
      expect((await search()).issues!.map(i => i.key)).toEqual([
        'SEC-1',
        'SEC-2',
      ]);
      tick(5000);
      expect((await search()).issues!.map(i => i.key)).toEqual(['SEC-1']);
    });

    it('answers the removed /search with 410 Gone', async () => {
      const client = cloud();
      for (const [method, version] of [
        ['GET', '3'],
        ['POST', '3'],
        ['GET', '2'],
      ] as const) {
        expect(
          await refusal(
            client.sendRequest({
              url: `/rest/api/${version}/search`,
              method,
              ...(method === 'GET'
                ? { searchParams: { jql: 'project = SEC' } }
                : { body: { jql: 'project = SEC' } }),
            }),
          ),
        ).toEqual({
          status: 410,
          body: {
            errorMessages: [
              'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046',
            ],
            errors: {},
          },
        });
      }
    });

    it('serves the project, components, fields, priorities and the API user', async () => {
      const client = cloud();
      const project = await getProject(client, {
        projectIdOrKey: 'SEC',
        expand: 'issueTypes,lead,description',
      });
      expect(project).toMatchObject({
        key: 'SEC',
        name: 'Security',
        projectTypeKey: 'software',
        simplified: false,
        style: 'classic',
        lead: { accountId: jira.accounts()[0].accountId },
      });
      expect(project.issueTypes!.map(t => [t.name, t.subtask])).toEqual([
        ['Bug', false],
        ['Task', false],
        ['Story', false],
      ]);
      expect(project.components!.map(c => c.name)).toEqual([
        'payments-api',
        'ledger',
      ]);
      expect(
        await refusal(getProject(client, { projectIdOrKey: 'NOPE' })),
      ).toEqual({
        status: 404,
        body: {
          errorMessages: ["No project could be found with key 'NOPE'."],
          errors: {},
        },
      });

      const component = await createComponent(client, {
        name: 'checkout',
        project: 'SEC',
        description: 'Checkout service',
      });
      expect(component).toMatchObject({
        name: 'checkout',
        project: 'SEC',
        projectId: Number(project.id),
        self: expect.stringMatching(/\/rest\/api\/3\/component\/\d+$/),
      });
      expect(
        await refusal(
          createComponent(client, { name: 'Checkout', project: 'SEC' }),
        ),
      ).toEqual({
        status: 400,
        body: {
          errorMessages: [],
          errors: {
            name: 'A component with the name Checkout already exists in this project.',
          },
        },
      });
      jira.addProject({ key: 'OPS', canAdminister: false });
      expect(
        (await refusal(createComponent(client, { name: 'x', project: 'OPS' })))
          .status,
      ).toBe(403);
      // The new component can be used at once.
      await createIssue(
        client,
        bug('In checkout', { components: [{ name: 'checkout' }] }),
      );
      expect(jira.issue('SEC-1')!.components).toEqual(['checkout']);

      const fields = await getFields(client);
      expect(fields.find(f => f.id === 'labels')).toMatchObject({
        custom: false,
        schema: { type: 'array', items: 'string', system: 'labels' },
      });
      expect(fields.find(f => f.id === 'customfield_10012')).toEqual({
        id: 'customfield_10012',
        key: 'customfield_10012',
        name: 'Compliance',
        untranslatedName: 'Compliance',
        custom: true,
        orderable: true,
        navigable: true,
        searchable: true,
        clauseNames: ['cf[10012]', 'Compliance', 'Compliance[Multi Select]'],
        schema: {
          type: 'array',
          items: 'option',
          custom:
            'com.atlassian.jira.plugin.system.customfieldtypes:multiselect',
          customId: 10012,
        },
      });

      const priorities = await client.sendRequest({
        url: '/rest/api/3/priority',
        method: 'GET',
        schema: PrioritySchema.array(),
      });
      expect(priorities.map(p => p.name)).toEqual([
        'Highest',
        'High',
        'Medium',
        'Low',
        'Lowest',
      ]);
      expect(await getCurrentUser(client)).toMatchObject({
        accountId: jira.accounts()[0].accountId,
        emailAddress: EMAIL,
        active: true,
      });
    });
  });

  describe('Data Center through fetch with a personal access token', () => {
    beforeEach(() => useJira({ deployment: 'datacenter' }));

    it('creates with a wiki description, edits with 204, transitions and comments', async () => {
      expect(jira.baseUrl).toBe('https://jira.acme.example');
      const created = await send(
        'POST',
        '/rest/api/2/issue',
        bug('CVE-2024-1234 in openssl', {
          description: 'h2. Impact\n* RCE',
          customfield_10014: { name: 'sam.dev' },
        }),
      );
      expect(created.status).toBe(201);
      const { id, key, self } = await created.json();
      expect({ key, self }).toEqual({
        key: 'SEC-1',
        self: `https://jira.acme.example/rest/api/2/issue/${id}`,
      });
      expect(created.headers.get('x-ausername')).toBe('svc-security-sync');

      const read = await (
        await send('GET', '/rest/api/2/issue/SEC-1?expand=transitions.fields')
      ).json();
      expect(read.fields).toMatchObject({
        description: 'h2. Impact\n* RCE',
        reporter: { name: 'svc-security-sync', key: expect.any(String) },
        customfield_10014: { name: 'sam.dev' },
        status: { name: 'To Do', statusCategory: { key: 'new' } },
      });
      expect(read.fields.reporter).not.toHaveProperty('accountId');
      expect(read.transitions.map((t: { id: string }) => t.id)).toEqual([
        '11',
        '31',
        '41',
        '61',
      ]);

      // Data Center ignores returnIssue.
      const edited = await send(
        'PUT',
        '/rest/api/2/issue/SEC-1?returnIssue=true&notifyUsers=false',
        { fields: { summary: 'Renamed' }, update: { labels: [{ add: 'x' }] } },
      );
      expect(edited.status).toBe(204);
      expect(await edited.text()).toBe('');
      expect(jira.issue('SEC-1')).toMatchObject({
        summary: 'Renamed',
        labels: ['x'],
      });

      const wrongFormat = await send('PUT', '/rest/api/2/issue/SEC-1', {
        fields: { description: doc('ADF is Cloud v3 only') },
      });
      expect(wrongFormat.status).toBe(400);
      expect(await wrongFormat.json()).toEqual({
        errorMessages: [],
        errors: { description: 'Operation value must be a string' },
      });
      const spaces = await send('PUT', '/rest/api/2/issue/SEC-1', {
        fields: { labels: ['a b'] },
      });
      expect((await spaces.json()).errors).toEqual({
        labels: "The label 'a b' contains spaces which is invalid.",
      });

      const transitioned = await send(
        'POST',
        '/rest/api/2/issue/SEC-1/transitions',
        {
          transition: { id: '41' },
          fields: { resolution: { name: "Won't Do" } },
        },
      );
      expect(transitioned.status).toBe(204);
      expect(jira.issue('SEC-1')).toMatchObject({
        status: "Won't Do",
        resolution: "Won't Do",
      });

      const comment = await send('POST', '/rest/api/2/issue/SEC-1/comment', {
        body: 'Closed as *won’t do*',
      });
      expect(comment.status).toBe(201);
      expect(await comment.json()).toMatchObject({
        body: 'Closed as *won’t do*',
        author: { name: 'svc-security-sync' },
      });
      expect(jira.comments('SEC-1')).toEqual([
        expect.objectContaining({
          author: 'svc-security-sync',
          body: 'Closed as *won’t do*',
        }),
      ]);
    });

    it('searches with startAt, maxResults and total', async () => {
      for (const n of [1, 2, 3]) {
        await send('POST', '/rest/api/2/issue', bug(`Issue ${n}`));
        tick(1000);
      }
      const page = await (
        await send(
          'GET',
          `/rest/api/2/search?${new URLSearchParams({
            jql: 'project = SEC ORDER BY key ASC',
            startAt: '1',
            maxResults: '1',
            fields: 'summary,status',
          })}`,
        )
      ).json();
      expect(page).toMatchObject({
        expand: 'schema,names',
        startAt: 1,
        maxResults: 1,
        total: 3,
      });
      expect(page.issues).toEqual([
        expect.objectContaining({
          key: 'SEC-2',
          fields: {
            summary: 'Issue 2',
            status: expect.objectContaining({ name: 'To Do' }),
          },
        }),
      ]);
      const posted = await (
        await send('POST', '/rest/api/2/search', {
          jql: 'project = SEC',
          startAt: 0,
          maxResults: 2000,
        })
      ).json();
      // Newest first without ORDER BY; navigable fields by default; capped at 1000.
      expect(posted.maxResults).toBe(1000);
      expect(posted.issues.map((i: { key: string }) => i.key)).toEqual([
        'SEC-3',
        'SEC-2',
        'SEC-1',
      ]);
      expect(posted.issues[0].fields).toHaveProperty('customfield_10010');
      expect(posted.issues[0].fields).not.toHaveProperty('comment');
    });

    it('names Data Center’s rate-limit headers when a limit is enforced', async () => {
      useJira({ deployment: 'datacenter', limits: { createsPerSecond: 1 } });
      expect((await send('POST', '/rest/api/2/issue', bug('one'))).status).toBe(
        201,
      );
      const limited = await send('POST', '/rest/api/2/issue', bug('two'));
      expect(limited.status).toBe(429);
      expect(Object.fromEntries(limited.headers)).toMatchObject({
        'retry-after': '1',
        'x-ratelimit-limit': '1',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-interval-seconds': '1',
        'x-ratelimit-fillrate': '1',
      });
      expect(limited.headers.has('ratelimit-reason')).toBe(false);
      expect(jira.limitHits).toBe(1);
    });

    it('wants a bearer PAT', async () => {
      const wrong = await send(
        'GET',
        '/rest/api/2/myself',
        undefined,
        'Bearer nope',
      );
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('x-seraph-loginreason')).toBe(
        'AUTHENTICATED_FAILED',
      );
      expect(await wrong.json()).toEqual({
        errorMessages: [
          'You are not authenticated. Authentication required to perform this operation.',
        ],
        errors: {},
      });
      const me = await (await send('GET', '/rest/api/2/myself')).json();
      expect(me).toMatchObject({ name: 'svc-security-sync', active: true });
    });
  });

  describe('access', () => {
    it('answers 401 without or with wrong credentials', async () => {
      const missing = await send('GET', '/rest/api/3/myself', undefined, '');
      expect(missing.status).toBe(401);
      expect(await missing.json()).toEqual({
        errorMessages: [
          'You are not authenticated. Authentication required to perform this operation.',
        ],
        errors: {},
      });
      expect(
        await refusal(getCurrentUser(cloud(EMAIL, 'wrong-token'))),
      ).toEqual({
        status: 401,
        body: 'Client must be authenticated to access this resource.',
      });
      const other = new FakeJira({
        deployment: 'cloud',
        credentials: [{ email: 'sync@acme.example', apiToken: 't0k3n' }],
      });
      server.resetHandlers(...other.handlers);
      jira = other;
      expect(
        (await getCurrentUser(cloud('sync@acme.example', 't0k3n')))
          .emailAddress,
      ).toBe('sync@acme.example');
      expect((await refusal(getCurrentUser(cloud()))).status).toBe(401);
    });

    it('answers 404 for a deleted issue and for a project the credentials lost', async () => {
      const client = cloud();
      await createIssue(client, bug('Deleted later'));
      await createIssue(client, bug('Hidden later'));
      jira.deleteIssue('SEC-1');
      const notFound = {
        status: 404,
        body: {
          errorMessages: [
            'Issue does not exist or you do not have permission to see it.',
          ],
          errors: {},
        },
      };
      expect(
        await refusal(getIssue(client, { issueIdOrKey: 'SEC-1' })),
      ).toEqual(notFound);
      expect(
        await refusal(
          doTransition(client, {
            issueIdOrKey: 'SEC-1',
            transition: { id: '11' },
          }),
        ),
      ).toEqual(notFound);
      expect(jira.issues('SEC').map(i => i.key)).toEqual(['SEC-2']);

      jira.setAccess('SEC', false);
      expect(
        await refusal(getIssue(client, { issueIdOrKey: 'SEC-2' })),
      ).toEqual(notFound);
      expect(
        await refusal(
          editIssue(client, {
            issueIdOrKey: 'SEC-2',
            fields: { summary: 'x' },
          }),
        ),
      ).toEqual(notFound);
      expect(
        (await refusal(getProject(client, { projectIdOrKey: 'SEC' }))).status,
      ).toBe(404);
      expect(
        (await refusal(createIssue(client, bug('x')))).body.errors,
      ).toEqual({
        project: 'Specify a valid project ID or key',
      });
      expect(
        (
          await refusal(
            searchAndReconsileIssuesUsingJqlPost(client, {
              jql: 'project = SEC',
            }),
          )
        ).body.errorMessages,
      ).toEqual(["The value 'SEC' does not exist for the field 'project'."]);

      jira.setAccess('SEC', true);
      expect((await getIssue(client, { issueIdOrKey: 'SEC-2' })).key).toBe(
        'SEC-2',
      );
    });
  });

  describe('faults', () => {
    it('fails the next matching requests, before or after applying them', async () => {
      const client = cloud();
      jira.failNext(
        { method: 'POST', path: /\/issue$/, times: 2 },
        { status: 500 },
      );
      expect(await refusal(createIssue(client, bug('a')))).toEqual({
        status: 500,
        body: { errorMessages: ['Internal server error'], errors: {} },
      });
      expect((await refusal(createIssue(client, bug('a')))).status).toBe(500);
      expect(jira.issues('SEC')).toEqual([]);

      jira.failNext(
        { method: 'POST', path: /\/issue$/ },
        { status: 502, afterApplying: true },
      );
      expect((await refusal(createIssue(client, bug('applied')))).status).toBe(
        502,
      );
      expect(jira.issues('SEC').map(i => i.summary)).toEqual(['applied']);

      jira.failNext(
        { method: 'GET', path: /\/issue\/SEC-1$/ },
        { status: 400, body: { errorMessages: ['custom'], errors: {} } },
      );
      expect(
        await refusal(getIssue(client, { issueIdOrKey: 'SEC-1' })),
      ).toEqual({
        status: 400,
        body: { errorMessages: ['custom'], errors: {} },
      });
      expect((await getIssue(client, { issueIdOrKey: 'SEC-1' })).key).toBe(
        'SEC-1',
      );
      expect(jira.calls.map(call => call.status)).toEqual([
        500, 500, 502, 400, 200,
      ]);
    });

    it('injects 429s and 503s with Retry-After, and hangs', async () => {
      const client = cloud();
      jira.failNext(
        { method: 'PUT', path: /\/issue\// },
        { rateLimit429: true, retryAfterSeconds: 7 },
      );
      await createIssue(client, bug('limited'));
      const limited = await send('PUT', '/rest/api/3/issue/SEC-1', {
        fields: { summary: 'x' },
      });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
      expect(limited.headers.get('ratelimit-reason')).toBe('jira-burst-based');
      expect(jira.limitHits).toBe(1);
      expect(jira.issue('SEC-1')!.summary).toBe('limited');

      jira.failNext(
        { method: 'PUT', path: /\/issue\// },
        { rateLimit429: true, retryAfterSeconds: null },
      );
      const error = await editIssue(client, {
        issueIdOrKey: 'SEC-1',
        fields: { summary: 'x' },
      }).catch(e => e);
      expect(isRateLimitError(error)).toBe(true);
      expect(error.retryAfterMs).toBeUndefined();

      jira.failNext(
        { method: 'GET', path: /\/myself$/ },
        { unavailable503: true, retryAfterSeconds: 30 },
      );
      const unavailable = await send('GET', '/rest/api/3/myself');
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers.get('retry-after')).toBe('30');

      jira.failNext({ method: 'PUT', path: /\/issue\// }, { hangMs: 30 });
      const started = Date.now();
      const hung = await send('PUT', '/rest/api/3/issue/SEC-1', {
        fields: { summary: 'hung' },
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(25);
      expect(hung.status).toBe(504);
      expect(jira.issue('SEC-1')!.summary).toBe('limited');
      jira.failNext(
        { method: 'PUT', path: /\/issue\// },
        { hangMs: 10, afterApplying: true },
      );
      expect(
        (
          await send('PUT', '/rest/api/3/issue/SEC-1', {
            fields: { summary: 'slow' },
          })
        ).status,
      ).toBe(204);
      expect(jira.issue('SEC-1')!.summary).toBe('slow');
    });

    it('enforces burst limits by endpoint, on creates and per issue, by the fake clock', async () => {
      useJira({
        limits: {
          writesPerSecond: 3,
          createsPerSecond: 1,
          perIssueWritesPerSecond: 1,
        },
      });
      const created = await send('POST', '/rest/api/3/issue', bug('one'));
      expect(created.status).toBe(201);
      const refused = await send('POST', '/rest/api/3/issue', bug('two'));
      expect(refused.status).toBe(429);
      expect(Object.fromEntries(refused.headers)).toMatchObject({
        'retry-after': '1',
        'x-ratelimit-limit': '1',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '2026-12-06T10:00Z',
        'ratelimit-reason': 'jira-burst-based',
      });
      expect(await refused.json()).toEqual({
        errorMessages: ['Rate limit exceeded.'],
        errors: {},
      });
      tick(1000);
      expect((await send('POST', '/rest/api/3/issue', bug('two'))).status).toBe(
        201,
      );

      // One write to an issue a second; another issue is not held up.
      expect(
        (
          await send('PUT', '/rest/api/3/issue/SEC-1', {
            fields: { summary: 'a' },
          })
        ).status,
      ).toBe(204);
      const perIssue = await send('POST', '/rest/api/3/issue/SEC-1/comment', {
        body: doc('b'),
      });
      expect(perIssue.status).toBe(429);
      expect(perIssue.headers.get('ratelimit-reason')).toBe(
        'jira-per-issue-on-write',
      );
      expect(
        (
          await send('PUT', '/rest/api/3/issue/SEC-2', {
            fields: { summary: 'c' },
          })
        ).status,
      ).toBe(204);
      // The endpoint's burst: the third PUT this second.
      tick(1000);
      for (const key of ['SEC-1', 'SEC-2']) {
        await send('PUT', `/rest/api/3/issue/${key}`, {
          fields: { summary: key },
        });
      }
      jira.addProject({ key: 'OPS' });
      tick(1000);
      for (const n of [1, 2, 3]) {
        await send('POST', '/rest/api/3/issue', {
          fields: {
            project: { key: 'OPS' },
            issuetype: { name: 'Task' },
            summary: `${n}`,
          },
        });
        tick(1000);
      }
      const statuses = [];
      for (const n of [1, 2, 3]) {
        const answer = await send('PUT', `/rest/api/3/issue/OPS-${n}`, {
          fields: { summary: 'burst' },
        });
        statuses.push(answer.status);
      }
      expect(statuses).toEqual([204, 204, 204]);
      const fourth = await send('PUT', '/rest/api/3/issue/SEC-1', {
        fields: { summary: 'over' },
      });
      expect(fourth.status).toBe(429);
      expect(fourth.headers.get('x-ratelimit-limit')).toBe('3');
      expect(jira.limitHits).toBe(3);
      expect(
        jira.writeCalls().filter(call => call.status === 429),
      ).toHaveLength(3);
    });
  });

  describe('workflow presets', () => {
    it('resolutionOnDoneWorkflow asks for a resolution on Done', async () => {
      jira.addProject({ key: 'RES', workflow: resolutionOnDoneWorkflow });
      const client = cloud();
      await createIssue(client, {
        fields: {
          project: { key: 'RES' },
          issuetype: { name: 'Task' },
          summary: 'r',
        },
      });
      const done = (
        await getTransitions(client, {
          issueIdOrKey: 'RES-1',
          expand: 'transitions.fields',
        })
      ).transitions!.find(t => t.id === '31')!;
      expect(done.hasScreen).toBe(true);
      expect(done.fields!.resolution.allowedValues).toHaveLength(4);
      expect(
        (
          await refusal(
            doTransition(client, {
              issueIdOrKey: 'RES-1',
              transition: { id: '31' },
            }),
          )
        ).body.errors,
      ).toEqual({ resolution: 'Resolution is required.' });
      await doTransition(client, {
        issueIdOrKey: 'RES-1',
        transition: { id: '31' },
        fields: { resolution: { name: 'Cannot Reproduce' } },
      });
      expect(jira.issue('RES-1')).toMatchObject({
        status: 'Done',
        resolution: 'Cannot Reproduce',
      });
    });

    it('noPathToDoneWorkflow offers no way to a done status', async () => {
      jira.addProject({ key: 'NOP', workflow: noPathToDoneWorkflow });
      const client = cloud();
      await createIssue(client, {
        fields: {
          project: { key: 'NOP' },
          issuetype: { name: 'Task' },
          summary: 'n',
        },
      });
      const reachable = new Set<string>();
      for (const step of ['11', '21']) {
        const { transitions } = await getTransitions(client, {
          issueIdOrKey: 'NOP-1',
        });
        for (const t of transitions!) reachable.add(t.to!.statusCategory!.key!);
        await doTransition(client, {
          issueIdOrKey: 'NOP-1',
          transition: { id: step },
        });
      }
      expect([...reachable].sort()).toEqual(['indeterminate', 'new']);
      expect(jira.issue('NOP-1')!.statusCategory).toBe('new');
    });

    it('the standard workflow is the default and its Done is global', () => {
      expect(standardWorkflow.statuses.map(s => [s.name, s.category])).toEqual([
        ['To Do', 'new'],
        ['In Progress', 'indeterminate'],
        ['In Review', 'indeterminate'],
        ['Done', 'done'],
        ["Won't Do", 'done'],
        ['False positive', 'done'],
      ]);
      expect(
        standardWorkflow.transitions.find(t => t.name === 'Done')!.from,
      ).toBe('any');
      expect(() =>
        jira.addProject({
          key: 'BAD',
          workflow: {
            statuses: [{ name: 'Open', category: 'new' }],
            transitions: [
              { id: '1', name: 'Close', from: 'any', to: 'Closed' },
            ],
          },
        }),
      ).toThrow(/Closed/);
    });
  });

  describe('a person in Jira', () => {
    it('edits, moves and deletes issues the client then reads', async () => {
      const client = cloud();
      await createIssue(client, bug('Human', { labels: ['security'] }));
      const jane = jira.accounts().find(a => a.name === 'jane.appsec')!;
      tick(1000);
      jira.editIssue('SEC-1', {
        labels: ['security', 'accepted-risk'],
        assignee: jane.accountId,
        priority: 'Low',
        summary: 'Human (edited)',
      });
      const issue = await getIssue(client, { issueIdOrKey: 'SEC-1' });
      expect(issue.fields).toMatchObject({
        labels: ['security', 'accepted-risk'],
        assignee: { accountId: jane.accountId, displayName: 'Jane AppSec' },
        priority: { name: 'Low' },
        summary: 'Human (edited)',
        updated: '2026-12-06T10:00:01.000+0000',
      });
      jira.transitionIssue('SEC-1', "Won't Do");
      expect(jira.issue('SEC-1')).toMatchObject({
        status: "Won't Do",
        resolution: "Won't Do",
      });
      expect(() => jira.transitionIssue('SEC-1', 'In Review')).toThrow(
        /no transition/,
      );
      jira.transitionIssue('SEC-1', 'To Do');
      expect(jira.issue('SEC-1')!.resolution).toBeNull();
      expect(
        jira.writeCalls().map(call => `${call.method} ${call.path}`),
      ).toEqual(['POST /rest/api/3/issue']);
      jira.resetCalls();
      expect(jira.calls).toEqual([]);
    });
  });

  describe('two-way sync', () => {
    const SECRET = 'jira-webhook-secret';
    /** Deliveries as received, each taking a little while. */
    const receive = () => {
      const received: JiraWebhookDelivery[] = [];
      jira.sendWebhooks(SECRET, async delivery => {
        await new Promise(resolve => setTimeout(resolve, 5));
        received.push(delivery);
      });
      return received;
    };
    const payloads = (received: JiraWebhookDelivery[]) =>
      received.map(delivery => JSON.parse(delivery.body));
    const events = (received: JiraWebhookDelivery[]) =>
      payloads(received).map(payload =>
        [payload.webhookEvent, payload.issue_event_type_name]
          .filter(Boolean)
          .join(' '),
      );
    const activities = (received: JiraWebhookDelivery[]) =>
      payloads(received).flatMap(payload =>
        jiraWebhook.activitiesOf({}, payload),
      );
    const statusChanges = (histories: any[]) =>
      histories
        .filter(h => h.items.some((i: any) => i.field === 'status'))
        .map(h => {
          const item = h.items.find((i: any) => i.field === 'status');
          return [h.author.displayName, item.fromString, item.toString];
        });

    it('keeps the changelog of status changes, with who made them, for expand=changelog', async () => {
      const client = cloud();
      await createIssue(client, bug('Changelog'));
      tick(1000);
      await doTransition(client, {
        issueIdOrKey: 'SEC-1',
        transition: { id: '31' },
      });
      tick(1000);
      jira.transitionIssue('SEC-1', 'To Do');
      tick(1000);
      jira.transitionIssue('SEC-1', 'False positive');
      const issue = await getIssue(client, {
        issueIdOrKey: 'SEC-1',
        fields: ['status'],
        expand: 'changelog',
      });
      const histories = issue.changelog!.histories as any[];
      expect(statusChanges(histories)).toEqual([
        ['Security Sync Bot', 'To Do', 'Done'],
        ['Jane Doe', 'Done', 'To Do'],
        ['Jane Doe', 'To Do', 'False positive'],
      ]);
      // jira.js reads Jira's times (2026-12-06T10:00:01.000+0000) as dates.
      expect(histories.map(h => h.created)).toEqual([
        new Date('2026-12-06T10:00:01.000Z'),
        new Date('2026-12-06T10:00:02.000Z'),
        new Date('2026-12-06T10:00:03.000Z'),
      ]);
      expect(histories[0].items).toEqual([
        {
          field: 'resolution',
          fieldtype: 'jira',
          fieldId: 'resolution',
          from: null,
          fromString: null,
          to: '10000',
          toString: 'Done',
        },
        expect.objectContaining({ field: 'status', fieldId: 'status' }),
      ]);
      expect(issue.changelog).toMatchObject({ startAt: 0, total: 3 });
      const found = await searchAndReconsileIssuesUsingJqlPost(client, {
        jql: 'key in ("SEC-1")',
        fields: ['status', 'labels', 'updated'],
        expand: 'changelog',
      });
      expect(
        statusChanges(found.issues![0].changelog!.histories as any[]),
      ).toHaveLength(3);
      expect(found.issues![0].fields).toMatchObject({
        status: { name: 'False positive', statusCategory: { key: 'done' } },
        labels: [],
      });

      useJira({ deployment: 'datacenter' });
      await send('POST', '/rest/api/2/issue', bug('Changelog'));
      jira.transitionIssue('SEC-1', "Won't Do");
      const paged = await (
        await send('POST', '/rest/api/2/search', {
          jql: 'key in (SEC-1)',
          fields: ['status'],
          expand: ['changelog'],
        })
      ).json();
      const [history] = paged.issues[0].changelog.histories;
      expect(history.author).toMatchObject({
        name: 'jane.doe',
        key: expect.stringMatching(/^JIRAUSER\d+$/),
        displayName: 'Jane Doe',
      });
      expect(history.author).not.toHaveProperty('accountId');
      expect(history.items).toContainEqual({
        field: 'status',
        fieldtype: 'jira',
        from: expect.any(String),
        fromString: 'To Do',
        to: expect.any(String),
        toString: "Won't Do",
      });
    });

    it('caps the changelog it embeds at changelogLimit, newest kept, and pages all of it through GET /issue/{key}/changelog (Cloud)', async () => {
      useJira({ changelogLimit: 2 });
      const client = cloud();
      const { id } = await createIssue(client, bug('Capped'));
      for (const status of ['Done', 'To Do', 'In Progress', "Won't Do"]) {
        tick(1000);
        jira.transitionIssue('SEC-1', status);
      }
      const toStatus = (histories: any[]) =>
        statusChanges(histories).map(change => change[2]);

      const found = await searchAndReconsileIssuesUsingJqlPost(client, {
        jql: 'key in ("SEC-1")',
        fields: ['status'],
        expand: 'changelog',
      });
      const read = await getIssue(client, {
        issueIdOrKey: 'SEC-1',
        fields: ['status'],
        expand: 'changelog',
      });
      for (const changelog of [found.issues![0].changelog!, read.changelog!]) {
        expect(changelog).toMatchObject({ maxResults: 2, total: 4 });
        expect(toStatus(changelog.histories as any[])).toEqual([
          'In Progress',
          "Won't Do",
        ]);
      }

      const first = await getChangeLogs(client, {
        issueIdOrKey: 'SEC-1',
        maxResults: 3,
      });
      expect(first).toMatchObject({
        startAt: 0,
        maxResults: 3,
        total: 4,
        isLast: false,
        nextPage: `${jira.baseUrl}/rest/api/3/issue/${id}/changelog?maxResults=3&startAt=3`,
      });
      expect(toStatus(first.values)).toEqual(['Done', 'To Do', 'In Progress']);
      const last = await getChangeLogs(client, {
        issueIdOrKey: 'SEC-1',
        startAt: 3,
      });
      expect(last).toMatchObject({ startAt: 3, maxResults: 100, isLast: true });
      expect(last).not.toHaveProperty('nextPage');
      expect(toStatus(last.values)).toEqual(["Won't Do"]);

      // Data Center caps its search; its issue read embeds all.
      useJira({ deployment: 'datacenter', changelogLimit: 1 });
      await send('POST', '/rest/api/2/issue', bug('Capped'));
      jira.transitionIssue('SEC-1', 'Done');
      jira.transitionIssue('SEC-1', 'To Do');
      const paged = await (
        await send('POST', '/rest/api/2/search', {
          jql: 'key in (SEC-1)',
          expand: ['changelog'],
        })
      ).json();
      expect(paged.issues[0].changelog).toMatchObject({ total: 2 });
      expect(toStatus(paged.issues[0].changelog.histories)).toEqual(['To Do']);
      const whole = await (
        await send('GET', '/rest/api/2/issue/SEC-1?expand=changelog')
      ).json();
      expect(toStatus(whole.changelog.histories)).toEqual(['Done', 'To Do']);
    });

    it('restricts a person’s comment to a role or a group, in its answers and its deliveries', async () => {
      await createIssue(cloud(), bug('Restricted'));
      const received = receive();
      const restricted = await jira.commentAs(
        JIRA_PERSON.name,
        'SEC-1',
        'Only for admins: the signing key is on pay-gw-02.',
        { type: 'role', value: 'Administrators' },
      );
      const open = await jira.commentAs(
        JIRA_PERSON.name,
        'SEC-1',
        'Fixed in the next release.',
      );
      await jira.editCommentAs(
        JIRA_PERSON.name,
        'SEC-1',
        open,
        'Fixed in the next release (see the security group).',
        { type: 'group', value: 'jira-security' },
      );

      const comments = payloads(received)
        .filter(payload => payload.webhookEvent.startsWith('comment_'))
        .map(payload => [payload.webhookEvent, payload.comment.visibility]);
      expect(comments).toEqual([
        [
          'comment_created',
          {
            type: 'role',
            value: 'Administrators',
            identifier: 'Administrators',
          },
        ],
        ['comment_created', undefined],
        [
          'comment_updated',
          {
            type: 'group',
            value: 'jira-security',
            identifier: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-/),
          },
        ],
      ]);
      // The parser takes in only the comment everyone could read, and
      // takes it out again once restricted.
      expect(
        activities(received)
          .filter(activity => activity.type.startsWith('comment'))
          .map(activity =>
            activity.type === 'comment'
              ? `comment ${activity.comment.id}`
              : `${activity.type} ${
                  (activity as { commentId: string }).commentId
                }`,
          ),
      ).toEqual([`comment ${open}`, `comment_deleted ${open}`]);
      expect(
        jira.comments('SEC-1').map(comment => [comment.id, comment.visibility]),
      ).toEqual([
        [restricted, { type: 'role', value: 'Administrators' }],
        [open, { type: 'group', value: 'jira-security' }],
      ]);
    });

    it('offers Won’t Do and False positive, both in the Done category, from any status, and reopens from them', async () => {
      const client = cloud();
      await createIssue(client, bug('Statuses'));
      const { transitions } = await getTransitions(client, {
        issueIdOrKey: 'SEC-1',
      });
      expect(
        transitions!
          .filter(t => t.to?.statusCategory?.key === 'done')
          .map(t => t.to!.name),
      ).toEqual(['Done', "Won't Do", 'False positive']);
      for (const status of ["Won't Do", 'False positive', 'Done']) {
        jira.transitionIssue('SEC-1', status);
        expect(jira.issue('SEC-1')).toMatchObject({
          status,
          statusCategory: 'done',
          resolution: status === 'Done' ? 'Done' : "Won't Do",
        });
        jira.transitionIssue('SEC-1', 'To Do');
        expect(jira.issue('SEC-1')).toMatchObject({
          status: 'To Do',
          resolution: null,
        });
      }
    });

    it('answers 400 for JQL naming keys it does not know or may not show, naming each', async () => {
      await createIssue(cloud(), bug('Known'));
      await createIssue(cloud(), bug('Deleted'));
      jira.deleteIssue('SEC-2');
      const response = await send('POST', '/rest/api/3/search/jql', {
        jql: 'issuekey in ("SEC-1", "SEC-404", "SEC-2")',
        fields: ['status'],
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        errorMessages: [
          "An issue with key 'SEC-404' does not exist for field 'issuekey'.",
          "An issue with key 'SEC-2' does not exist for field 'issuekey'.",
        ],
        errors: {},
      });
    });

    it('finds a moved issue by its old key, in URLs and in JQL', async () => {
      jira.addProject({ key: 'OPS', name: 'Operations' });
      const client = cloud();
      await createIssue(client, bug('Moving'));
      tick(1000);
      expect(await jira.moveIssueAs(JIRA_PERSON.name, 'SEC-1', 'OPS')).toBe(
        'OPS-1',
      );
      const issue = await getIssue(client, {
        issueIdOrKey: 'SEC-1',
        expand: 'changelog',
      });
      expect(issue.key).toBe('OPS-1');
      expect(issue.changelog!.histories![0].items).toContainEqual({
        field: 'Key',
        fieldtype: 'jira',
        from: null,
        fromString: 'SEC-1',
        to: null,
        toString: 'OPS-1',
      });
      const found = await searchAndReconsileIssuesUsingJqlPost(client, {
        jql: 'key in ("SEC-1")',
        fields: ['status'],
      });
      expect(found.issues!.map(i => i.key)).toEqual(['OPS-1']);
      expect(jira.issues('SEC')).toEqual([]);
      expect(jira.issue('SEC-1')!.key).toBe('OPS-1');
    });

    it('edits and deletes comments through the API, with Jira’s answers', async () => {
      const client = cloud();
      await createIssue(client, bug('Comments'));
      const comment = await addComment(client, {
        issueIdOrKey: 'SEC-1',
        body: doc('First thought'),
      });
      tick(1000);
      const edited = await updateComment(client, {
        issueIdOrKey: 'SEC-1',
        id: comment.id!,
        body: { body: doc('Second thought') },
      } as never);
      expect(CommentSchema.parse(edited)).toMatchObject({
        id: comment.id,
        body: doc('Second thought'),
        updateAuthor: { displayName: 'Security Sync Bot' },
      });
      expect(edited.updated).toEqual(new Date('2026-12-06T10:00:01.000Z'));
      expect(edited.created).toEqual(new Date('2026-12-06T10:00:00.000Z'));
      await deleteComment(client, { issueIdOrKey: 'SEC-1', id: comment.id! });
      const gone = await send(
        'GET',
        `/rest/api/3/issue/SEC-1/comment/${comment.id}`,
      );
      expect(gone.status).toBe(404);
      expect(await gone.json()).toEqual({
        errorMessages: [`Can not find a comment for the id: ${comment.id}.`],
        errors: {},
      });
      expect(
        (await send('DELETE', `/rest/api/3/issue/SEC-1/comment/${comment.id}`))
          .status,
      ).toBe(404);
      expect(jira.comments('SEC-1')).toEqual([]);
      await expect(
        getComment(client, { issueIdOrKey: 'SEC-1', id: comment.id! }),
      ).rejects.toThrow();
    });

    it('sends a signed delivery for each API write, from the bot, before the write answers', async () => {
      const received = receive();
      const client = cloud();
      const bot = jira.apiUser();
      await createIssue(client, bug('Webhooks'));
      expect(events(received)).toEqual(['jira:issue_created issue_created']);
      await doTransition(client, {
        issueIdOrKey: 'SEC-1',
        transition: { id: '31' },
      });
      await addComment(client, {
        issueIdOrKey: 'SEC-1',
        body: doc('Closed by the sync'),
      });
      expect(events(received)).toEqual([
        'jira:issue_created issue_created',
        'jira:issue_updated issue_generic',
        'jira:issue_updated issue_commented',
        'comment_created',
      ]);
      for (const delivery of received) {
        expect(delivery.headers).toEqual({
          'content-type': 'application/json',
          'x-atlassian-webhook-identifier': expect.any(String),
          'x-atlassian-webhook-flow': 'Primary',
          'x-hub-signature': `sha256=${createHmac('sha256', SECRET)
            .update(delivery.body)
            .digest('hex')}`,
        });
      }
      expect(
        new Set(received.map(d => d.headers['x-atlassian-webhook-identifier']))
          .size,
      ).toBe(4);
      const [created, transitioned, , commented] = payloads(received);
      expect(created).toMatchObject({
        timestamp: clock,
        user: { accountId: bot.accountId, displayName: 'Security Sync Bot' },
        issue: {
          key: 'SEC-1',
          self: `${jira.baseUrl}/rest/api/2/issue/${created.issue.id}`,
          fields: { summary: 'Webhooks', status: { name: 'To Do' } },
        },
      });
      expect(transitioned.changelog.items).toContainEqual(
        expect.objectContaining({
          field: 'status',
          fromString: 'To Do',
          toString: 'Done',
        }),
      );
      // Webhooks carry REST v2's representation: rich text as wiki markup.
      expect(commented.comment).toMatchObject({
        body: 'Closed by the sync',
        author: { accountId: bot.accountId },
      });
      expect(commented).not.toHaveProperty('user');
      expect(activities(received)).toEqual([
        expect.objectContaining({
          type: 'status',
          issueKey: 'SEC-1',
          status: { state: 'closed', name: 'Done', labels: [] },
          actor: { id: bot.accountId, name: 'Security Sync Bot' },
        }),
        expect.objectContaining({ type: 'comment', issueKey: 'SEC-1' }),
      ]);
    });

    it.each<[string, JiraDeployment]>([
      ['Cloud', 'cloud'],
      ['Data Center', 'datacenter'],
    ])(
      'sends what a person does on %s: comments, edits, deletions, transitions, a move, deleting the issue',
      async (_name, deployment) => {
        useJira({ deployment });
        jira.addProject({ key: 'OPS', name: 'Operations' });
        await send(
          'POST',
          `/rest/api/${deployment === 'cloud' ? 3 : 2}/issue`,
          bug('People'),
        );
        const received = receive();
        const jane = jira.accounts().find(a => a.name === JIRA_PERSON.name)!;
        const actor = {
          id: deployment === 'cloud' ? jane.accountId : jane.key,
          name: 'Jane Doe',
        };
        const id = await jira.commentAs(JIRA_PERSON.name, 'SEC-1', 'Looking');
        expect(received).toHaveLength(2);
        tick(1000);
        await jira.editCommentAs(JIRA_PERSON.name, 'SEC-1', id, 'Looked');
        await jira.deleteCommentAs(JIRA_PERSON.name, 'SEC-1', id);
        await jira.transitionAs(JIRA_PERSON.name, 'SEC-1', "Won't Do");
        await jira.transitionAs(JIRA_PERSON.name, 'SEC-1', 'To Do');
        await jira.moveIssueAs(JIRA_PERSON.name, 'SEC-1', 'OPS');
        await jira.deleteIssueAs(JIRA_PERSON.name, 'OPS-1');
        expect(events(received)).toEqual([
          'jira:issue_updated issue_commented',
          'comment_created',
          'jira:issue_updated issue_comment_edited',
          'comment_updated',
          'jira:issue_updated issue_comment_deleted',
          'comment_deleted',
          'jira:issue_updated issue_generic',
          'jira:issue_updated issue_generic',
          'jira:issue_updated issue_moved',
          'jira:issue_deleted issue_deleted',
        ]);
        const site = jira.baseUrl;
        expect(activities(received)).toEqual([
          {
            type: 'comment',
            issueKey: 'SEC-1',
            comment: {
              id,
              body: 'Looking',
              author: actor,
              url: `${site}/browse/SEC-1?focusedCommentId=${id}`,
              createdAt: new Date(clock - 1000),
              updatedAt: new Date(clock - 1000),
              pushedByUs: false,
            },
          },
          {
            type: 'comment',
            issueKey: 'SEC-1',
            comment: expect.objectContaining({
              id,
              body: 'Looked',
              updatedAt: new Date(clock),
            }),
          },
          {
            type: 'comment_deleted',
            issueKey: 'SEC-1',
            commentId: id,
            actor: null,
            at: new Date(clock),
          },
          expect.objectContaining({
            type: 'status',
            status: {
              state: 'closed',
              name: "Won't Do",
              labels: [],
            },
            actor,
          }),
          expect.objectContaining({
            type: 'status',
            status: { state: 'open', name: 'To Do', labels: [] },
          }),
          {
            type: 'issue_moved',
            issueKey: 'SEC-1',
            newKey: 'OPS-1',
            newUrl: `${site}/browse/OPS-1`,
            actor,
            at: new Date(clock),
          },
          { type: 'issue_gone', issueKey: 'OPS-1', actor, at: new Date(clock) },
        ]);
        for (const delivery of received) {
          expect(
            jiraWebhook.verify(
              Buffer.from(delivery.body),
              delivery.headers,
              SECRET,
            ),
          ).toBe(true);
        }
        expect(jira.issue('OPS-1')).toBeUndefined();
      },
    );

    it('keeps answering when the receiver fails, rejects a person’s action, and stops with null', async () => {
      const failure = new Error('receiver down');
      jira.sendWebhooks(SECRET, async () => {
        throw failure;
      });
      const created = await send('POST', '/rest/api/3/issue', bug('Failing'));
      expect(created.status).toBe(201);
      expect(jira.failedDeliveries).toHaveLength(1);
      await expect(
        jira.commentAs(JIRA_PERSON.name, 'SEC-1', 'Anyone?'),
      ).rejects.toBe(failure);
      expect(adfText(jira.comments('SEC-1')[0].body as AdfDocument)).toBe(
        'Anyone?',
      );
      jira.sendWebhooks(SECRET, null);
      await jira.transitionAs(JIRA_PERSON.name, 'SEC-1', 'Done');
      expect(jira.failedDeliveries).toHaveLength(3);
    });
  });

  it('waits latencyMs before answering', async () => {
    useJira({ latencyMs: 40 });
    const started = Date.now();
    await getCurrentUser(cloud());
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
  });
});
