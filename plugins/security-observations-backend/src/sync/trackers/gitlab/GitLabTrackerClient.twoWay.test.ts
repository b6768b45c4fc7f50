import { setupServer } from 'msw/node';
import { Clock } from '../../WritePacer';
import { FakeGitLab } from '../__testUtils__/fakeGitLab';
import { commentIdOfMarker } from '../issueMarker';
import { LiveReadRequest } from '../TrackerClient';
import { TrackerError } from '../TrackerError';
import {
  GITLAB_DOT_COM_PACING,
  GitLabPacing,
  GitLabTrackerClient,
} from './GitLabTrackerClient';

/*
 * The two-way sync's calls of the GitLab client against the fake GitLab:
 * who the token is, the reconciliation's reads of live states, and
 * Security-tab comments written as notes.
 */

const PROJECT = 'acme-corp/storefront/payments-api';
const BACKLOG = 'acme-corp/security/backlog';
const TOKEN = 'glpat-test-token';
const COMMENT_ID = '0f8a4f8e-4a57-4c1b-9a5e-3c2d1b0a9f87';
const MINUTE = 60_000;

describe('GitLabTrackerClient, two-way', () => {
  const server = setupServer();
  let now: number;
  let sleeps: number[];
  let requested: URL[];
  let gitlab: FakeGitLab;
  /** Time passes only when the client sleeps, or when a test says so. */
  const clock: Clock = {
    now: () => now,
    sleep: async ms => {
      sleeps.push(ms);
      now += ms;
    },
  };
  const client = (pacing: Partial<GitLabPacing> = {}) =>
    new GitLabTrackerClient({
      trackerId: 'gitlab',
      baseUrl: gitlab.host,
      token: TOKEN,
      confidential: true,
      pacing: { ...GITLAB_DOT_COM_PACING, ...pacing },
      clock,
      retryBaseMs: 1000,
      requestTimeoutMs: 30_000,
    });
  const createIssue = async (project: string, title: string) => {
    const answer = await fetch(
      `${gitlab.apiBaseUrl}/projects/${encodeURIComponent(project)}/issues`,
      {
        method: 'POST',
        headers: { 'private-token': TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify({ title, confidential: true, labels: 'security' }),
      },
    );
    expect(answer.status).toBe(201);
    return ((await answer.json()) as { iid: number }).iid;
  };
  const key = (iid: number, project = PROJECT) => `${project}#${iid}`;
  const read = (
    iid: number,
    since: Date | null,
    project = PROJECT,
  ): LiveReadRequest => ({
    key: key(iid, project),
    etag: null,
    since,
  });
  /** The issue lists the client asked for, with their query. */
  const lists = () => requested.filter(url => url.pathname.endsWith('/issues'));

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    now = Date.parse('2026-12-01T10:00:00Z');
    sleeps = [];
    requested = [];
    gitlab = new FakeGitLab({ now: () => now });
    gitlab.addProject(PROJECT, { id: 4211 });
    gitlab.addProject(BACKLOG, { id: 4212 });
    server.resetHandlers(...gitlab.handlers);
    server.events.removeAllListeners();
    server.events.on('request:start', ({ request }) => {
      if (request.method === 'GET') requested.push(new URL(request.url));
    });
  });
  afterAll(() => server.close());

  it('says who the token is, asking GitLab once', async () => {
    const gitlabClient = client();
    const bot = { id: String(gitlab.bot.id), name: 'acme-security-bot' };
    expect(await gitlabClient.whoAmI()).toEqual(bot);
    expect(await gitlabClient.whoAmI()).toEqual(bot);
    expect(gitlab.calls.map(call => `${call.method} ${call.path}`)).toEqual([
      'GET /api/v4/user',
    ]);
  });

  it('asks again after a failed whoAmI', async () => {
    const gitlabClient = client();
    gitlab.failNext({ method: 'GET', path: /\/user$/ }, { status: 403 });
    await expect(gitlabClient.whoAmI()).rejects.toMatchObject({
      kind: 'forbidden',
    });
    expect((await gitlabClient.whoAmI())?.name).toBe('acme-security-bot');
  });

  it('reads incrementally with updated_after: changed issues found, the rest unchanged', async () => {
    for (const title of ['a', 'b', 'c']) await createIssue(PROJECT, title);
    now += 60 * MINUTE;
    const since = new Date(now);
    now += 5 * MINUTE;
    await gitlab.personCloses(PROJECT, 2, { addLabels: ['wontfix'] });
    const closedAt = now;

    const reads = await client().readIssues([
      read(1, since),
      read(2, since),
      read(3, new Date(since.getTime() + MINUTE)),
    ]);

    expect(reads).toEqual([
      { key: key(1), outcome: 'unchanged' },
      {
        key: key(2),
        outcome: 'found',
        currentKey: key(2),
        url: `https://gitlab.com/${PROJECT}/-/issues/2`,
        status: {
          state: 'closed',
          name: 'Closed',
          labels: ['security', 'wontfix'],
        },
        changedBy: { id: String(gitlab.person.id), name: 'jane.appsec' },
        changedAt: new Date(closedAt),
      },
      { key: key(3), outcome: 'unchanged' },
    ]);
    expect(lists()).toHaveLength(1);
    const [list] = lists();
    expect(list.searchParams.getAll('iids[]')).toEqual(['1', '2', '3']);
    // The earliest since, less the clock skew allowed.
    expect(list.searchParams.get('updated_after')).toBe(
      new Date(since.getTime() - 10 * MINUTE).toISOString(),
    );
    expect(list.searchParams.get('per_page')).toBe('100');
  });

  it('reads in full when any request of a project has no since: a deleted issue is gone', async () => {
    for (const title of ['a', 'b']) await createIssue(PROJECT, title);
    now += MINUTE;
    gitlab.deleteIssue(PROJECT, 2);

    const reads = await client().readIssues([
      read(1, new Date(now)),
      read(2, null),
    ]);

    expect(reads).toEqual([
      {
        key: key(1),
        outcome: 'found',
        currentKey: key(1),
        url: `https://gitlab.com/${PROJECT}/-/issues/1`,
        status: { state: 'open', name: 'Open', labels: ['security'] },
        changedBy: null,
        changedAt: new Date('2026-12-01T10:00:00Z'),
      },
      { key: key(2), outcome: 'gone' },
    ]);
    expect(lists()).toHaveLength(1);
    expect(lists()[0].searchParams.has('updated_after')).toBe(false);
  });

  it('reads a moved issue as gone, in full and incremental reads', async () => {
    await createIssue(PROJECT, 'a');
    const since = new Date(now);
    now += MINUTE;
    gitlab.moveIssue(PROJECT, 1, BACKLOG);

    expect(await client().readIssues([read(1, null)])).toEqual([
      { key: key(1), outcome: 'gone' },
    ]);
    expect(await client().readIssues([read(1, since)])).toEqual([
      { key: key(1), outcome: 'gone' },
    ]);
  });

  it('sends one list per project and at most 100 issues, answering in the order asked', async () => {
    await createIssue(PROJECT, 'a');
    await createIssue(BACKLOG, 'b');
    const many = Array.from({ length: 150 }, (_, i) => read(i + 2, null));

    const reads = await client().readIssues([
      read(1, null, BACKLOG),
      ...many,
      read(1, null),
    ]);

    expect(reads.map(r => `${r.key} ${r.outcome}`)).toEqual([
      `${key(1, BACKLOG)} found`,
      ...many.map(r => `${r.key} gone`),
      `${key(1)} found`,
    ]);
    const perList = lists().map(url => [
      decodeURIComponent(url.pathname.split('/')[4]),
      url.searchParams.getAll('iids[]').length,
    ]);
    expect(perList).toEqual([
      [BACKLOG, 1],
      [PROJECT, 100],
      [PROJECT, 51],
    ]);
  });

  it('reads the issues of a project the token cannot read as unreadable, saying why, and the others', async () => {
    await createIssue(PROJECT, 'a');
    await createIssue(PROJECT, 'b');
    await createIssue(BACKLOG, 'c');
    gitlab.setAccess(PROJECT, false);

    const reads = await client().readIssues([
      read(1, null),
      read(1, null, BACKLOG),
      read(2, new Date(now)),
    ]);

    const problem = `GitLab could not read the issues of ${PROJECT}: 404 the project does not exist or the token cannot see it`;
    expect(reads).toEqual([
      { key: key(1), outcome: 'unreadable', problem },
      expect.objectContaining({ key: key(1, BACKLOG), outcome: 'found' }),
      { key: key(2), outcome: 'unreadable', problem },
    ]);
  });

  it('reads every issue of a project as gone when its list answers 404 but the project reads', async () => {
    await createIssue(PROJECT, 'a');
    gitlab.failNext({ method: 'GET', path: /\/issues$/ }, { status: 404 });

    expect(await client().readIssues([read(1, null)])).toEqual([
      { key: key(1), outcome: 'gone' },
    ]);
  });

  it('maps a long limit answer to rate_limited, and sits out a short one', async () => {
    await createIssue(PROJECT, 'a');
    gitlab.failNext(
      { method: 'GET', path: /\/issues$/ },
      { rateLimit429: true, retryAfterSeconds: 120 },
    );
    const limited = await client()
      .readIssues([read(1, null)])
      .catch(error => error);
    expect(limited).toBeInstanceOf(TrackerError);
    expect(limited).toMatchObject({
      kind: 'rate_limited',
      details: { status: 429, retryAfterMs: 120_000 },
    });

    gitlab.failNext(
      { method: 'GET', path: /\/issues$/ },
      { rateLimit429: true, retryAfterSeconds: 2 },
    );
    expect(await client().readIssues([read(1, null)])).toMatchObject([
      { outcome: 'found' },
    ]);
    expect(sleeps).toContain(2000);
  });

  it('writes a comment as a note with the hidden comment marker, linking to it', async () => {
    await createIssue(PROJECT, 'a');

    const pushed = await client().addComment(
      key(1),
      '**alice** on the Security tab:\n\nTracked in the Q3 patch window.',
      COMMENT_ID,
    );

    const [note] = gitlab.notes(PROJECT, 1);
    expect(note.body).toBe(
      '**alice** on the Security tab:\n\nTracked in the Q3 patch window.\n\n' +
        `<!-- security-observations:comment=${COMMENT_ID} -->`,
    );
    expect(commentIdOfMarker(note.body)).toBe(COMMENT_ID);
    expect(note.author.username).toBe('acme-security-bot');
    expect(pushed).toEqual({
      id: String(note.id),
      url: `https://gitlab.com/${PROJECT}/-/issues/1#note_${note.id}`,
    });
  });

  it('paces comments below GitLab’s notes limit', async () => {
    await createIssue(PROJECT, 'a');
    const gitlabClient = client({ notesPerMinute: 2 });

    for (const n of [1, 2, 3]) {
      await gitlabClient.addComment(key(1), `comment ${n}`, COMMENT_ID);
    }

    const posts = gitlab
      .writeCalls()
      .filter(call => call.path.endsWith('/notes'))
      .map(call => call.at);
    expect(posts).toHaveLength(3);
    expect(posts[2] - posts[0]).toBeGreaterThanOrEqual(MINUTE);
    expect(posts[1] - posts[0]).toBeLessThan(MINUTE);
  });

  it('says gone for a comment on a deleted issue, and keeps an issue out of reach', async () => {
    await createIssue(PROJECT, 'a');
    await createIssue(PROJECT, 'b');
    gitlab.deleteIssue(PROJECT, 2);
    await expect(
      client().addComment(key(2), 'x', COMMENT_ID),
    ).rejects.toMatchObject({ kind: 'gone' });

    gitlab.setAccess(PROJECT, false);
    await expect(
      client().addComment(key(1), 'x', COMMENT_ID),
    ).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('does not send a comment twice after a 5xx, and rate limits it like any request', async () => {
    await createIssue(PROJECT, 'a');
    const onNotes = { method: 'POST', path: /\/notes$/ };

    gitlab.failNext(onNotes, { status: 502, afterApplying: true });
    await expect(
      client().addComment(key(1), 'x', COMMENT_ID),
    ).rejects.toMatchObject({ kind: 'unavailable', outcomeUnknown: true });
    expect(gitlab.notes(PROJECT, 1)).toHaveLength(1);

    gitlab.failNext(onNotes, { rateLimit429: true, retryAfterSeconds: 600 });
    await expect(
      client().addComment(key(1), 'y', COMMENT_ID),
    ).rejects.toMatchObject({
      kind: 'rate_limited',
      details: { retryAfterMs: 600_000 },
    });
    expect(gitlab.notes(PROJECT, 1)).toHaveLength(1);
  });
});
