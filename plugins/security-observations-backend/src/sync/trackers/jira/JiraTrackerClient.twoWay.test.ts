import { setupServer } from 'msw/node';
import { systemClock } from '../../WritePacer';
import {
  adfText,
  AdfDocument,
  FakeJira,
  FakeJiraOptions,
  JIRA_PERSON,
  JiraDeployment,
} from '../__testUtils__/fakeJira';
import { commentIdOfMarker, commentMarker } from '../issueMarker';
import { TrackerError } from '../TrackerError';
import { JiraApi } from './JiraApi';
import { JiraCloudApi } from './JiraCloudApi';
import { JiraDataCenterApi } from './JiraDataCenterApi';
import { JiraTrackerClient } from './JiraTrackerClient';
import { JiraTransport } from './JiraTransport';

/*
 * Two-way sync against the fake Jira, on both deployments: who the
 * credentials are, the reconciliation's reads by key (statuses, who
 * changed them, unknown and moved keys), and comments pushed from the
 * Security tab.
 */

const EMAIL = 'jira-bot@acme.example';
const API_TOKEN = 'jira-test-token';
const PAT = 'jira-dc-test-pat';
const COMMENT_ID = '8d1f0b52-4c3e-4a7b-9e21-6f5a0c9d3b74';

/** An ADF document of paragraphs of text nodes. */
function adf(
  ...paragraphs: Array<Array<{ text: string; marks?: Array<{ type: string }> }>>
): AdfDocument {
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map(nodes => ({
      type: 'paragraph',
      content: nodes.map(node => ({ type: 'text', ...node })),
    })),
  };
}

describe.each<[string, JiraDeployment]>([
  ['Jira Cloud', 'cloud'],
  ['Jira Data Center', 'datacenter'],
])('JiraTrackerClient two-way sync on %s', (_name, deployment) => {
  const server = setupServer();
  const version = deployment === 'cloud' ? 3 : 2;
  const authorization =
    deployment === 'cloud'
      ? `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`
      : `Bearer ${PAT}`;
  let clock: number;
  let jira: FakeJira;
  let client: JiraTrackerClient;

  /** A new fake Jira with the projects PAY and SEC, at the same address. */
  const useJira = (options: Partial<FakeJiraOptions> = {}) => {
    jira = new FakeJira({ deployment, now: () => clock, ...options });
    jira.addProject({ key: 'PAY', name: 'Payments' });
    jira.addProject({ key: 'SEC', name: 'Security' });
    server.resetHandlers(...jira.handlers);
  };

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    clock = Date.parse('2026-12-06T10:00:00Z');
    useJira();
    const transport = new JiraTransport({
      baseUrl: jira.baseUrl,
      authorization,
      requestTimeoutMs: 5_000,
      onSchemaMismatch: 'throw',
      warn: () => {},
    });
    const api: JiraApi =
      deployment === 'cloud'
        ? new JiraCloudApi(transport)
        : new JiraDataCenterApi(transport);
    client = new JiraTrackerClient({
      trackerId: 'jira',
      configPath: 'securityObservations.trackers[0]',
      api,
      baseUrl: jira.baseUrl,
      createComponents: false,
      priorities: {},
      statuses: {},
      fields: [],
      searchLagMs: 0,
      pacing: { createsPerMinute: 6_000, requestsPerMinute: 60_000 },
      clock: systemClock,
      requestTimeoutMs: 5_000,
    });
  });
  afterAll(() => server.close());

  const tick = (ms: number) => {
    clock += ms;
  };
  /** Issues made in Jira as the sync would (the bot's credentials). */
  const createIssues = async (count: number, project = 'PAY') => {
    for (let i = 0; i < count; i++) {
      const response = await fetch(
        `${jira.baseUrl}/rest/api/${version}/issue`,
        {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({
            fields: {
              project: { key: project },
              issuetype: { name: 'Bug' },
              summary: `Finding ${i + 1}`,
            },
          }),
        },
      );
      expect(response.status).toBe(201);
    }
  };
  const calls = () =>
    jira.calls.map(call => `${call.method} ${call.path} ${call.status}`);
  const request = (key: string) => ({ key, etag: null, since: null });
  const url = (key: string) => `${jira.baseUrl}/browse/${key}`;
  const bot = () => {
    const user = jira.apiUser();
    return {
      id: deployment === 'cloud' ? user.accountId : user.key,
      name: 'Security Sync Bot',
    };
  };
  const person = (name: string) => {
    const user = jira.accounts().find(u => u.name === name)!;
    return {
      id: deployment === 'cloud' ? user.accountId : user.key,
      name: user.displayName,
    };
  };
  const jane = () => person(JIRA_PERSON.name);

  it('says who the credentials are, from /myself, once', async () => {
    expect(await client.whoAmI()).toEqual(bot());
    expect(await client.whoAmI()).toEqual(bot());
    expect(calls()).toEqual([`GET /rest/api/${version}/myself 200`]);
  });

  it('reads issues by key in one search: status by its category, labels, and who changed the status last', async () => {
    await createIssues(2);
    tick(1000);
    jira.transitionIssue('PAY-1', 'Done', undefined, jira.apiUser().name);
    tick(1000);
    jira.transitionIssue('PAY-1', 'To Do');
    tick(1000);
    jira.transitionIssue('PAY-1', "Won't Do");
    const changedAt = new Date(clock);
    tick(1000);
    jira.editIssue('PAY-2', { labels: ['triaged'] });
    jira.resetCalls();

    expect(
      await client.readIssues([request('PAY-1'), request('PAY-2')]),
    ).toEqual([
      {
        key: 'PAY-1',
        outcome: 'found',
        currentKey: 'PAY-1',
        url: url('PAY-1'),
        status: { state: 'closed', name: "Won't Do", labels: [] },
        changedBy: jane(),
        changedAt,
      },
      {
        key: 'PAY-2',
        outcome: 'found',
        currentKey: 'PAY-2',
        url: url('PAY-2'),
        status: { state: 'open', name: 'To Do', labels: ['triaged'] },
        changedBy: null,
        changedAt: null,
      },
    ]);
    expect(calls()).toEqual([
      deployment === 'cloud'
        ? 'POST /rest/api/3/search/jql 200'
        : 'POST /rest/api/2/search 200',
    ]);
  });

  it('reads the status the sync itself set as changed by its own account', async () => {
    await createIssues(1);
    jira.transitionIssue(
      'PAY-1',
      'False positive',
      undefined,
      jira.apiUser().name,
    );
    const [read] = await client.readIssues([request('PAY-1')]);
    expect(read).toMatchObject({
      status: { state: 'closed', name: 'False positive' },
      changedBy: await client.whoAmI(),
    });
  });

  it('answers an unknown key among known ones as gone, and the others as found', async () => {
    await createIssues(3);
    jira.deleteIssue('PAY-3');
    jira.resetCalls();

    const reads = await client.readIssues(
      ['PAY-1', 'PAY-404', 'PAY-2', 'PAY-3'].map(request),
    );
    expect(reads.map(read => [read.key, read.outcome])).toEqual([
      ['PAY-1', 'found'],
      ['PAY-404', 'gone'],
      ['PAY-2', 'found'],
      ['PAY-3', 'gone'],
    ]);
    // Jira refuses the JQL and names the unknown keys: the rest are
    // searched again, the named ones read alone.
    const search =
      deployment === 'cloud'
        ? 'POST /rest/api/3/search/jql'
        : 'POST /rest/api/2/search';
    expect(calls()).toEqual([
      `${search} 400`,
      `${search} 200`,
      `GET /rest/api/${version}/issue/PAY-404 404`,
      `GET /rest/api/${version}/project/PAY 200`,
      `GET /rest/api/${version}/issue/PAY-3 404`,
    ]);
  });

  it('reads the issues of a project the credentials lost as unreadable, not gone, and the others as found', async () => {
    await createIssues(2);
    await createIssues(1, 'SEC');
    jira.setAccess('PAY', false);

    expect(
      await client.readIssues(['PAY-1', 'SEC-1', 'PAY-2'].map(request)),
    ).toEqual([
      {
        key: 'PAY-1',
        outcome: 'unreadable',
        problem:
          'Jira could not read PAY-1: 404 the project PAY does not exist or the credentials cannot see it',
      },
      expect.objectContaining({ key: 'SEC-1', outcome: 'found' }),
      {
        key: 'PAY-2',
        outcome: 'unreadable',
        problem:
          'Jira could not read PAY-2: 404 the project PAY does not exist or the credentials cannot see it',
      },
    ]);
    // The project was asked about once.
    expect(calls().filter(call => call.includes('/project/PAY'))).toHaveLength(
      1,
    );
  });

  describe('when Jira caps the changelog it embeds', () => {
    const search =
      deployment === 'cloud'
        ? 'POST /rest/api/3/search/jql 200'
        : 'POST /rest/api/2/search 200';
    const changelogRead = (key: string) =>
      deployment === 'cloud'
        ? `GET /rest/api/3/issue/${key}/changelog 200`
        : `GET /rest/api/2/issue/${key} 200`;
    /** Sam closes PAY-1 as won't do after Jane started it, then Jane edits it `edits` times. */
    const closedThenEdited = async (edits: number) => {
      await createIssues(2);
      tick(1000);
      jira.transitionIssue('PAY-1', 'In Progress');
      tick(1000);
      jira.transitionIssue('PAY-1', "Won't Do", undefined, 'sam.dev');
      const closedAt = new Date(clock);
      for (let i = 1; i <= edits; i++) {
        tick(1000);
        jira.editIssue('PAY-1', { labels: [`triage-${i}`] });
      }
      jira.resetCalls();
      return closedAt;
    };

    it('reads the changelog of a capped issue by itself for who changed the status last', async () => {
      useJira({ changelogLimit: 3 });
      const closedAt = await closedThenEdited(4);

      const reads = await client.readIssues([
        request('PAY-1'),
        request('PAY-2'),
      ]);
      expect(reads[0]).toMatchObject({
        key: 'PAY-1',
        status: { state: 'closed', name: "Won't Do" },
        changedBy: person('sam.dev'),
        changedAt: closedAt,
      });
      expect(reads[1]).toMatchObject({ key: 'PAY-2', changedBy: null });
      // PAY-2's changelog is whole: read once, in the search.
      expect(calls()).toEqual([search, changelogRead('PAY-1')]);
    });

    it('walks a long changelog back from its newest entries until a status change shows', async () => {
      useJira({ changelogLimit: 40 });
      const closedAt = await closedThenEdited(229);

      const [read] = await client.readIssues([request('PAY-1')]);
      expect(read).toMatchObject({
        changedBy: person('sam.dev'),
        changedAt: closedAt,
      });
      // Cloud: 100 entries a page, newest first (231 entries: from 131,
      // 31, then 0); Data Center: the issue's read has all of them.
      expect(calls()).toEqual(
        deployment === 'cloud'
          ? [search, ...Array(3).fill(changelogRead('PAY-1'))]
          : [search, changelogRead('PAY-1')],
      );
    });

    if (deployment === 'cloud') {
      it('gives up telling who after five pages of other changes', async () => {
        useJira({ changelogLimit: 40 });
        await closedThenEdited(520);

        const [read] = await client.readIssues([request('PAY-1')]);
        expect(read).toMatchObject({
          status: { name: "Won't Do" },
          changedBy: null,
          changedAt: null,
        });
        expect(calls()).toEqual([
          search,
          ...Array(5).fill(changelogRead('PAY-1')),
        ]);
      });
    }
  });

  it('answers a moved issue under its new key', async () => {
    await createIssues(2);
    await jira.moveIssueAs(JIRA_PERSON.name, 'PAY-1', 'SEC');
    jira.resetCalls();

    const reads = await client.readIssues([request('PAY-1'), request('PAY-2')]);
    expect(reads[0]).toEqual({
      key: 'PAY-1',
      outcome: 'found',
      currentKey: 'SEC-1',
      url: url('SEC-1'),
      status: { state: 'open', name: 'To Do', labels: [] },
      changedBy: null,
      changedAt: null,
    });
    expect(reads[1]).toMatchObject({ key: 'PAY-2', currentKey: 'PAY-2' });
    // The old key is in the moved issue's changelog: no read of its own.
    expect(calls()).toHaveLength(1);
  });

  it('searches at most 50 keys at a time', async () => {
    await createIssues(55);
    jira.resetCalls();
    const keys = Array.from({ length: 55 }, (_, i) => `PAY-${i + 1}`);
    const reads = await client.readIssues(keys.map(request));
    expect(reads.map(read => read.key)).toEqual(keys);
    expect(reads.every(read => read.outcome === 'found')).toBe(true);
    expect(calls()).toHaveLength(2);
  });

  it('is rate limited when Jira answers 429 with a Retry-After longer than it waits', async () => {
    await createIssues(1);
    jira.failNext(
      { method: 'POST', path: /\/search(\/jql)?$/ },
      { rateLimit429: true, retryAfterSeconds: 120 },
    );
    const failure = await client
      .readIssues([request('PAY-1')])
      .catch(error => error);
    expect(failure).toBeInstanceOf(TrackerError);
    expect(failure).toMatchObject({
      kind: 'rate_limited',
      details: { status: 429, retryAfterMs: 120_000 },
    });
  });

  it('adds a comment with the marker as its last line, in the deployment’s format', async () => {
    await createIssues(1);
    const pushed = await client.addComment(
      'PAY-1',
      '**Sam Developer** on the Security tab:\n\nThe base image moves to `3.0.8` next week.',
      COMMENT_ID,
    );
    const [comment] = jira.comments('PAY-1');
    expect(pushed).toEqual({
      id: comment.id,
      url: `${jira.baseUrl}/browse/PAY-1?focusedCommentId=${comment.id}`,
    });
    expect(comment.author).toBe(
      deployment === 'cloud' ? jira.apiUser().accountId : jira.apiUser().name,
    );
    expect(comment.body).toEqual(
      deployment === 'cloud'
        ? adf(
            [
              { text: 'Sam Developer', marks: [{ type: 'strong' }] },
              { text: ' on the Security tab:' },
            ],
            [
              { text: 'The base image moves to ' },
              { text: '3.0.8', marks: [{ type: 'code' }] },
              { text: ' next week.' },
            ],
            [{ text: commentMarker(COMMENT_ID) }],
          )
        : `*Sam Developer* on the Security tab:\n\nThe base image moves to {{3.0.8}} next week.\n\n${commentMarker(
            COMMENT_ID,
          )}`,
    );
    const text =
      typeof comment.body === 'string' ? comment.body : adfText(comment.body);
    expect(commentIdOfMarker(text)).toBe(COMMENT_ID);
    expect(calls().at(-1)).toBe(
      `POST /rest/api/${version}/issue/PAY-1/comment 201`,
    );
  });

  it('says the issue is gone when a comment finds it deleted', async () => {
    await createIssues(1);
    jira.deleteIssue('PAY-1');
    await expect(
      client.addComment('PAY-1', 'Anyone?', COMMENT_ID),
    ).rejects.toMatchObject({ kind: 'gone' });
  });

  it('does not send a comment again when the answer leaves it unknown', async () => {
    await createIssues(1);
    jira.failNext(
      { method: 'POST', path: /\/comment$/ },
      { status: 502, afterApplying: true },
    );
    await expect(
      client.addComment('PAY-1', 'Once', COMMENT_ID),
    ).rejects.toMatchObject({ kind: 'unavailable' });
    expect(jira.comments('PAY-1')).toHaveLength(1);
  });
});
