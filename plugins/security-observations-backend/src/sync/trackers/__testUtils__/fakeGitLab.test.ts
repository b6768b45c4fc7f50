import { IssueNotes, Issues, Projects, Users } from '@gitbeaker/rest';
import { setupServer } from 'msw/node';
import { gitlabWebhook } from '../../../twoWay/webhooks/gitlabWebhook';
import {
  FakeGitLab,
  FakeGitLabOptions,
  GitLabWebhookDelivery,
} from './fakeGitLab';

const PROJECT = 'acme-corp/storefront/checkout-web';
const ENCODED = encodeURIComponent(PROJECT);
const BACKLOG = 'acme-corp/security-backlog';
const TOKEN = 'glpat-test-token';
const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('FakeGitLab', () => {
  const server = setupServer();
  let clock: number;
  let gitlab: FakeGitLab;

  const useGitLab = (options: FakeGitLabOptions = {}) => {
    gitlab = new FakeGitLab({ now: () => clock, ...options });
    gitlab.addProject(PROJECT, { id: 4711 });
    gitlab.addProject(BACKLOG, { id: 4712 });
    server.resetHandlers(...gitlab.handlers);
    return gitlab;
  };
  // rateLimits: {} switches off gitbeaker's own client-side limiter.
  const resource = (token = TOKEN) => ({
    host: gitlab.host,
    token,
    rateLimits: {},
  });
  const issuesApi = (token?: string) => new Issues(resource(token));
  /**
   * Plain fetch, for what gitbeaker would retry or hide (429, 502,
   * headers); `token: null` sends none.
   */
  const api = (
    method: string,
    path: string,
    { token = TOKEN, body }: { token?: string | null; body?: unknown } = {},
  ) =>
    fetch(`${gitlab.apiBaseUrl}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { 'private-token': token }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const createIssue = (
    title: string,
    extra: Record<string, unknown> = {},
    token: string | null = TOKEN,
  ) =>
    api('POST', `/projects/${ENCODED}/issues`, {
      token,
      body: { title, ...extra },
    });
  const tick = (seconds: number) => {
    clock += seconds * 1000;
  };

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    clock = Date.parse('2026-12-01T10:00:00Z');
    useGitLab();
  });
  afterAll(() => server.close());

  it('creates a confidential issue with labels in GitLab’s shape, through gitbeaker', async () => {
    const created = await issuesApi().create(
      PROJECT,
      'CVE-2024-1234 in openssl',
      {
        description: '<!-- marker -->\n- [x] triage\n- [ ] fix',
        labels: 'security,Severity::High',
        confidential: true,
        showExpanded: true,
      },
    );
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/json');
    expect(created.headers['x-request-id']).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(created.data).toMatchObject({
      iid: 1,
      project_id: 4711,
      title: 'CVE-2024-1234 in openssl',
      state: 'opened',
      created_at: '2026-12-01T10:00:00.000Z',
      updated_at: '2026-12-01T10:00:00.000Z',
      closed_at: null,
      closed_by: null,
      // GitLab answers label names sorted.
      labels: ['Severity::High', 'security'],
      confidential: true,
      discussion_locked: null,
      type: 'ISSUE',
      issue_type: 'issue',
      severity: 'UNKNOWN',
      moved_to_id: null,
      subscribed: true,
      has_tasks: true,
      task_status: '1 of 2 checklist items completed',
      task_completion_status: { count: 2, completed_count: 1 },
      web_url:
        'https://gitlab.com/acme-corp/storefront/checkout-web/-/issues/1',
      references: {
        short: '#1',
        relative: '#1',
        full: 'acme-corp/storefront/checkout-web#1',
      },
      _links: {
        self: 'https://gitlab.com/api/v4/projects/4711/issues/1',
        notes: 'https://gitlab.com/api/v4/projects/4711/issues/1/notes',
        project: 'https://gitlab.com/api/v4/projects/4711',
      },
      author: {
        username: 'acme-security-bot',
        name: 'Acme Security Bot',
        state: 'active',
        web_url: 'https://gitlab.com/acme-security-bot',
      },
    });
    expect(created.data.id).toBeGreaterThan(1000);

    // An array of labels is accepted too, and a second issue takes iid 2.
    const second = await createIssue('second', { labels: ['pci', 'security'] });
    expect(second.status).toBe(201);
    expect(await second.json()).toMatchObject({
      iid: 2,
      labels: ['pci', 'security'],
      confidential: false,
      description: null,
      has_tasks: false,
    });
    expect(gitlab.issues(PROJECT).map(i => i.iid)).toEqual([1, 2]);
  });

  it('validates like GitLab: Grape’s missing title, the model’s lengths', async () => {
    const missing = await api('POST', `/projects/${ENCODED}/issues`, {
      body: { description: 'x' },
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'title is missing' });

    const longTitle = await createIssue('t'.repeat(256));
    expect(longTitle.status).toBe(400);
    expect(await longTitle.json()).toEqual({
      message: { title: ['is too long (maximum is 255 characters)'] },
    });
    expect((await createIssue('t'.repeat(255))).status).toBe(201);

    const longDescription = await createIssue('t', {
      description: 'd'.repeat(1_048_577),
    });
    expect(longDescription.status).toBe(400);
    expect(await longDescription.json()).toEqual({
      message: {
        description: ['is too long (maximum is 1048576 characters)'],
      },
    });
    expect(gitlab.issues(PROJECT)).toHaveLength(1);

    const noChange = await api('PUT', `/projects/${ENCODED}/issues/1`, {
      body: {},
    });
    expect(noChange.status).toBe(400);
    expect((await noChange.json()).error).toMatch(
      /are missing, at least one parameter must be provided$/,
    );
  });

  it('adds labels without dropping a person’s, and closes and reopens', async () => {
    const issues = issuesApi();
    await issues.create(PROJECT, 'CVE-2024-1234', { labels: 'security' });
    gitlab.editIssue(PROJECT, 1, {
      labels: ['security', 'team::payments'],
      assignees: ['jane.appsec'],
      milestone: '2026-Q4',
    });
    tick(60);

    const added = await issues.edit(PROJECT, 1, { addLabels: 'pci,security' });
    expect(added.labels).toEqual(['pci', 'security', 'team::payments']);
    expect(added).toMatchObject({
      assignee: { username: 'jane.appsec' },
      milestone: { title: '2026-Q4', project_id: 4711, state: 'active' },
      updated_at: '2026-12-01T10:01:00.000Z',
    });

    tick(60);
    const closed = await issues.edit(PROJECT, 1, { stateEvent: 'close' });
    expect(closed).toMatchObject({
      state: 'closed',
      closed_at: '2026-12-01T10:02:00.000Z',
      closed_by: { username: 'acme-security-bot' },
      labels: ['pci', 'security', 'team::payments'],
    });

    // Nothing changes: updated_at stays.
    tick(60);
    const again = await issues.edit(PROJECT, 1, {
      stateEvent: 'close',
      addLabels: 'pci',
    });
    expect(again.updated_at).toBe('2026-12-01T10:02:00.000Z');

    const reopened = await issues.edit(PROJECT, 1, { stateEvent: 'reopen' });
    expect(reopened).toMatchObject({
      state: 'opened',
      closed_at: null,
      closed_by: null,
      updated_at: '2026-12-01T10:03:00.000Z',
    });

    const replaced = await issues.edit(PROJECT, 1, {
      labels: 'security',
      removeLabels: 'security',
      addLabels: 'wontfix',
    });
    expect(replaced.labels).toEqual(['wontfix']);

    const invalid = await api('PUT', `/projects/${ENCODED}/issues/1`, {
      body: { state_event: 'resolve' },
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      error: 'state_event does not have a valid value',
    });
  });

  it('answers 404 Not found for a deleted or unknown issue', async () => {
    await issuesApi().create(PROJECT, 't');
    gitlab.deleteIssue(PROJECT, 1);

    const read = await api('GET', `/projects/${ENCODED}/issues/1`);
    expect(read.status).toBe(404);
    expect(await read.json()).toEqual({ message: '404 Not found' });
    const write = await api('PUT', `/projects/${ENCODED}/issues/1`, {
      body: { title: 'x' },
    });
    expect(write.status).toBe(404);
    await expect(
      issuesApi().show(7, { projectId: PROJECT }),
    ).rejects.toMatchObject({
      name: 'GitbeakerRequestError',
      cause: { description: '404 Not found', response: { status: 404 } },
    });
    expect(gitlab.issues(PROJECT)).toEqual([]);
  });

  it('answers 404 Project Not Found for a project the token cannot see', async () => {
    await issuesApi().create(PROJECT, 't');
    gitlab.setAccess(PROJECT, false);

    for (const path of [
      `/projects/${ENCODED}`,
      '/projects/4711',
      `/projects/${ENCODED}/issues`,
      `/projects/${ENCODED}/issues/1`,
      `/projects/${ENCODED}/issues/1/notes`,
      '/projects/acme-corp%2Fnope',
    ]) {
      const answer = await api('GET', path);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(await answer.json()).toEqual({ message: '404 Project Not Found' });
    }
    expect((await createIssue('x')).status).toBe(404);

    gitlab.setAccess(PROJECT, true);
    expect((await api('GET', `/projects/${ENCODED}/issues/1`)).status).toBe(
      200,
    );
  });

  it('keeps a moved issue readable and writable at its old address', async () => {
    const issues = issuesApi();
    await issues.create(BACKLOG, 'existing');
    await issues.create(PROJECT, 'CVE-2024-1234', {
      labels: 'security,pci',
      description: 'marker',
    });
    gitlab.addNote(PROJECT, 1, 'Looking into it');
    // The backlog knows 'security' only: 'pci' is dropped on the move.
    gitlab.editIssue(BACKLOG, 1, { labels: ['security'] });
    tick(60);

    const newIid = gitlab.moveIssue(PROJECT, 1, BACKLOG);
    expect(newIid).toBe(2);
    const moved = gitlab.issue(BACKLOG, 2)!;
    expect(moved).toMatchObject({
      title: 'CVE-2024-1234',
      description: 'marker',
      labels: ['security'],
      state: 'opened',
      user_notes_count: 1,
      web_url: 'https://gitlab.com/acme-corp/security-backlog/-/issues/2',
    });

    const old = await issues.show(1, { projectId: PROJECT });
    expect(old).toMatchObject({
      state: 'closed',
      moved_to_id: moved.id,
      closed_by: { username: 'jane.appsec' },
      closed_at: '2026-12-01T10:01:00.000Z',
    });
    const edited = await issues.edit(PROJECT, 1, { addLabels: 'triaged' });
    expect(edited).toMatchObject({ state: 'closed', moved_to_id: moved.id });
    expect(edited.labels).toContain('triaged');

    const notes = gitlab.notes(PROJECT, 1);
    expect(notes.map(n => [n.system, n.body])).toEqual([
      [false, 'Looking into it'],
      [true, 'moved to acme-corp/security-backlog#2'],
    ]);
    expect(gitlab.notes(BACKLOG, 2).map(n => n.body)).toEqual([
      'Looking into it',
      'moved from acme-corp/storefront/checkout-web#1',
    ]);
  });

  it('lists with created_after, sort and GitLab’s paging headers and Link', async () => {
    for (const n of [1, 2, 3, 4, 5]) {
      await createIssue(`issue ${n}`, { labels: n === 3 ? 'pci' : 'security' });
      tick(60);
    }
    gitlab.editIssue(PROJECT, 2, { state: 'closed' });

    const query =
      'created_after=2026-12-01T10%3A01%3A00.000Z&order_by=created_at&sort=asc&per_page=2&page=2';
    const page = await api('GET', `/projects/${ENCODED}/issues?${query}`);
    expect(page.status).toBe(200);
    expect((await page.json()).map((i: { iid: number }) => i.iid)).toEqual([
      4, 5,
    ]);
    expect(
      Object.fromEntries(
        [
          'x-page',
          'x-per-page',
          'x-next-page',
          'x-prev-page',
          'x-total',
          'x-total-pages',
        ].map(name => [name, page.headers.get(name)]),
      ),
    ).toEqual({
      'x-page': '2',
      'x-per-page': '2',
      'x-next-page': '',
      'x-prev-page': '1',
      'x-total': '4',
      'x-total-pages': '2',
    });
    const link = (n: number) =>
      `<https://gitlab.com/api/v4/projects/${ENCODED}/issues?` +
      `created_after=2026-12-01T10%3A01%3A00.000Z&id=acme-corp%2Fstorefront%2Fcheckout-web` +
      `&order_by=created_at&page=${n}&per_page=2&sort=asc>`;
    expect(page.headers.get('link')).toBe(
      `${link(1)}; rel="prev", ${link(1)}; rel="first", ${link(2)}; rel="last"`,
    );

    // gitbeaker follows rel="next" through every page.
    const all = await issuesApi().all({
      projectId: PROJECT,
      createdAfter: '2026-12-01T10:01:00.000Z',
      orderBy: 'created_at',
      sort: 'desc',
      perPage: 2,
    });
    expect(all.map(i => i.iid)).toEqual([5, 4, 3, 2]);

    const opened = await issuesApi().all({
      projectId: PROJECT,
      state: 'opened',
      labels: 'security',
      perPage: 100,
      page: 1,
      showExpanded: true,
    });
    expect(opened.data.map(i => i.iid)).toEqual([5, 4, 1]);
    expect(opened.paginationInfo).toEqual({
      total: 3,
      next: null,
      current: 1,
      previous: null,
      perPage: 100,
      totalPages: 1,
    });

    // At most 100 a page; a bad date is Grape's 400.
    const capped = await api('GET', `/projects/${ENCODED}/issues?per_page=500`);
    expect(capped.headers.get('x-per-page')).toBe('100');
    const bad = await api(
      'GET',
      `/projects/${ENCODED}/issues?created_after=soon`,
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'created_after is invalid' });
  });

  it('serves a project by URL-encoded path and by numeric id', async () => {
    const projects = new Projects(resource());
    const byPath = await projects.show(PROJECT);
    const byId = await projects.show(4711);
    expect(byPath).toEqual(byId);
    expect(byPath).toMatchObject({
      id: 4711,
      path: 'checkout-web',
      path_with_namespace: PROJECT,
      web_url: 'https://gitlab.com/acme-corp/storefront/checkout-web',
      default_branch: 'main',
      visibility: 'private',
      issues_enabled: true,
      namespace: {
        full_path: 'acme-corp/storefront',
        kind: 'group',
        web_url: 'https://gitlab.com/groups/acme-corp/storefront',
      },
    });

    await issuesApi().create(4711, 'by id');
    await issuesApi().create(PROJECT, 'by path');
    expect(gitlab.issues(PROJECT).map(i => i.title)).toEqual([
      'by id',
      'by path',
    ]);
    expect(gitlab.calls.map(c => `${c.method} ${c.path} ${c.status}`)).toEqual([
      `GET /api/v4/projects/acme-corp%2Fstorefront%2Fcheckout-web 200`,
      'GET /api/v4/projects/4711 200',
      'POST /api/v4/projects/4711/issues 201',
      `POST /api/v4/projects/acme-corp%2Fstorefront%2Fcheckout-web/issues 201`,
    ]);
  });

  it('serves a self-managed instance under its host', async () => {
    useGitLab({ host: 'https://gitlab.acme.example/' });
    expect(gitlab.apiBaseUrl).toBe('https://gitlab.acme.example/api/v4');
    const issue = await issuesApi().create(PROJECT, 't');
    expect(issue).toMatchObject({
      web_url:
        'https://gitlab.acme.example/acme-corp/storefront/checkout-web/-/issues/1',
      _links: {
        self: 'https://gitlab.acme.example/api/v4/projects/4711/issues/1',
      },
    });
  });

  it('authenticates PRIVATE-TOKEN and Bearer, and answers 401 otherwise', async () => {
    await expect(
      issuesApi('glpat-wrong').create(PROJECT, 't'),
    ).rejects.toMatchObject({
      cause: { description: '401 Unauthorized', response: { status: 401 } },
    });
    const bearer = await fetch(`${gitlab.apiBaseUrl}/projects/4711`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(bearer.status).toBe(200);
    const oauth = new Issues({
      host: gitlab.host,
      oauthToken: TOKEN,
      rateLimits: {},
    });
    expect((await oauth.create(PROJECT, 'with an OAuth token')).iid).toBe(1);

    const anonymousWrite = await createIssue('t', {}, null);
    expect(anonymousWrite.status).toBe(401);
    expect(await anonymousWrite.json()).toEqual({
      message: '401 Unauthorized',
    });
    expect(gitlab.issues(PROJECT)).toHaveLength(1);

    // Without a token a private project does not exist, as on GitLab; a
    // public one shows its issues, except the confidential ones.
    const anonymousRead = await api('GET', '/projects/4711', { token: null });
    expect(anonymousRead.status).toBe(404);
    expect(await anonymousRead.json()).toEqual({
      message: '404 Project Not Found',
    });
    gitlab.addProject('acme-corp/open-source-sdk', { visibility: 'public' });
    const sdk = encodeURIComponent('acme-corp/open-source-sdk');
    await issuesApi().create('acme-corp/open-source-sdk', 'public');
    await issuesApi().create('acme-corp/open-source-sdk', 'embargoed', {
      confidential: true,
    });
    const publicList = await api('GET', `/projects/${sdk}/issues`, {
      token: null,
    });
    expect(
      (await publicList.json()).map((i: { title: string }) => i.title),
    ).toEqual(['public']);
    const confidential = await api('GET', `/projects/${sdk}/issues/2`, {
      token: null,
    });
    expect(confidential.status).toBe(404);
  });

  it('answers 403 insufficient_scope to writes with a read_api token', async () => {
    useGitLab({ readOnlyTokens: ['glpat-read-only'] });
    const readOnly = issuesApi('glpat-read-only');
    expect(
      (await new Projects(resource('glpat-read-only')).show(4711)).id,
    ).toBe(4711);
    await expect(readOnly.create(PROJECT, 't')).rejects.toMatchObject({
      cause: { description: 'insufficient_scope', response: { status: 403 } },
    });
    const answer = await createIssue('t', {}, 'glpat-read-only');
    expect(answer.status).toBe(403);
    expect(await answer.json()).toEqual({
      error: 'insufficient_scope',
      error_description:
        'The request requires higher privileges than provided by the access token.',
      scope: 'api',
    });
    expect(gitlab.issues(PROJECT)).toEqual([]);

    gitlab.setReadOnly('glpat-read-only', false);
    expect((await createIssue('t', {}, 'glpat-read-only')).status).toBe(201);
    gitlab.setReadOnly(TOKEN);
    expect((await createIssue('t', {}, TOKEN)).status).toBe(403);
  });

  it('answers an injected 429 like Rack::Attack and counts it', async () => {
    const onCreate = { method: 'POST', path: /\/issues$/ };
    gitlab.failNext(onCreate, { rateLimit429: true, retryAfterSeconds: 30 });
    const limited = await createIssue('t');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toBe('text/plain');
    expect(await limited.text()).toBe('Retry later\n');
    expect(Object.fromEntries(limited.headers)).toMatchObject({
      'retry-after': '30',
      'ratelimit-name': 'throttle_authenticated_api',
      'ratelimit-limit': '2000',
      'ratelimit-observed': '2001',
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(clock / 1000 + 30),
      'ratelimit-resettime': 'Tue, 01 Dec 2026 10:00:30 GMT',
    });

    gitlab.failNext(onCreate, { rateLimit429: true, retryAfterSeconds: null });
    const noRetryAfter = await createIssue('t');
    expect(noRetryAfter.status).toBe(429);
    expect(noRetryAfter.headers.get('retry-after')).toBeNull();
    expect(noRetryAfter.headers.get('ratelimit-reset')).toBe(
      String(clock / 1000 + 60),
    );

    expect(gitlab.limitHits).toBe(2);
    expect(gitlab.issues(PROJECT)).toEqual([]);
    expect((await createIssue('t')).status).toBe(201);
  });

  it('enforces issue creation per project per minute, with the application limit’s 429', async () => {
    useGitLab({
      limits: {
        createsPerMinute: 2,
        requestsPerMinute: 100,
        notesPerMinute: 100,
        minuteMs: 6_000,
      },
    });
    expect((await createIssue('1')).status).toBe(201);
    tick(1);
    const second = await createIssue('2');
    expect(second.status).toBe(201);
    expect(Object.fromEntries(second.headers)).toMatchObject({
      'ratelimit-limit': '100',
      'ratelimit-observed': '2',
      'ratelimit-remaining': '98',
    });

    const third = await createIssue('3');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('6');
    expect(await third.json()).toEqual({
      message: {
        error:
          'This endpoint has been requested too many times. Try again later.',
      },
    });
    expect(gitlab.limitHits).toBe(1);
    // The limit counts per project: the backlog still takes one.
    expect(
      (await api('POST', '/projects/4712/issues', { body: { title: 'b' } }))
        .status,
    ).toBe(201);

    tick(5); // the first create leaves the window
    expect((await createIssue('3')).status).toBe(201);
    expect((await createIssue('4')).status).toBe(429);
    tick(1);
    expect((await createIssue('4')).status).toBe(201);
    expect(gitlab.issues(PROJECT).map(i => i.title)).toEqual([
      '1',
      '2',
      '3',
      '4',
    ]);
    expect(gitlab.limitHits).toBe(2);
  });

  it('enforces requests and notes per minute', async () => {
    useGitLab({
      limits: {
        createsPerMinute: 100,
        requestsPerMinute: 3,
        notesPerMinute: 1,
        minuteMs: 10_000,
      },
    });
    const notes = new IssueNotes(resource());
    await issuesApi().create(PROJECT, 't');
    const note = await notes.create(PROJECT, 1, 'first');
    expect(note.body).toBe('first');
    const limitedNote = await api(
      'POST',
      `/projects/${ENCODED}/issues/1/notes`,
      {
        body: { body: 'second' },
      },
    );
    expect(limitedNote.status).toBe(429);
    expect(limitedNote.headers.get('retry-after')).toBe('10');

    tick(4);
    const throttled = await api('GET', `/projects/${ENCODED}/issues/1`);
    expect(throttled.status).toBe(429);
    expect(await throttled.text()).toBe('Retry later\n');
    expect(Object.fromEntries(throttled.headers)).toMatchObject({
      'retry-after': '6',
      'ratelimit-limit': '3',
      'ratelimit-observed': '4',
      'ratelimit-remaining': '0',
      'ratelimit-reset': String((clock + 6000) / 1000),
    });
    // Unknown tokens are refused before the throttle and not counted.
    expect((await api('GET', '/projects/4711', { token: 'nope' })).status).toBe(
      401,
    );
    expect(gitlab.limitHits).toBe(2);

    tick(6);
    expect((await api('GET', `/projects/${ENCODED}/issues/1`)).status).toBe(
      200,
    );
    expect(gitlab.notes(PROJECT, 1).map(n => n.body)).toEqual(['first']);
  });

  it('creates and lists notes', async () => {
    const notes = new IssueNotes(resource());
    await issuesApi().create(PROJECT, 't');
    gitlab.addNote(PROJECT, 1, 'A person’s comment');
    tick(60);
    const created = await notes.create(
      PROJECT,
      1,
      'Still present in the scans',
      {
        showExpanded: true,
      },
    );
    expect(created.status).toBe(201);
    expect(created.data).toEqual({
      id: expect.any(Number),
      type: null,
      body: 'Still present in the scans',
      attachment: null,
      author: expect.objectContaining({ username: 'acme-security-bot' }),
      created_at: '2026-12-01T10:01:00.000Z',
      updated_at: '2026-12-01T10:01:00.000Z',
      system: false,
      noteable_id: gitlab.issue(PROJECT, 1)!.id,
      noteable_type: 'Issue',
      project_id: 4711,
      resolvable: false,
      confidential: false,
      internal: false,
      imported: false,
      imported_from: 'none',
      noteable_iid: 1,
      commands_changes: {},
    });
    const listed = await notes.all(PROJECT, 1);
    expect(listed.map(n => n.body)).toEqual([
      'Still present in the scans',
      'A person’s comment',
    ]);
    expect(gitlab.issue(PROJECT, 1)).toMatchObject({
      user_notes_count: 2,
      updated_at: '2026-12-01T10:01:00.000Z',
    });

    const missing = await api('POST', '/projects/4711/issues/1/notes', {
      body: {},
    });
    expect(await missing.json()).toEqual({ error: 'body is missing' });
    const unknown = await api('POST', '/projects/4711/issues/9/notes', {
      body: { body: 'x' },
    });
    expect(unknown.status).toBe(404);
  });

  it('injects faults: GitLab’s error bodies, errors after applying, hangs', async () => {
    const onCreate = { method: 'POST', path: /\/issues$/ };

    gitlab.failNext(onCreate, { status: 500 });
    const failed = await createIssue('a');
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({
      message: '500 Internal Server Error',
    });
    expect(gitlab.issues(PROJECT)).toHaveLength(0);

    gitlab.failNext(onCreate, { status: 502, afterApplying: true });
    const gateway = await createIssue('b');
    expect(gateway.status).toBe(502);
    expect(gateway.headers.get('content-type')).toBe(
      'text/html; charset=utf-8',
    );
    expect(await gateway.text()).toContain('GitLab is not responding (502)');
    expect(gitlab.issues(PROJECT).map(i => i.title)).toEqual(['b']);

    const bodies: Array<[number, string, unknown]> = [
      [400, '/projects/4711/issues/1', { message: '400 Bad request' }],
      [403, '/projects/4711/issues/1', { message: '403 Forbidden' }],
      [404, '/projects/4711/issues/1', { message: '404 Not found' }],
      [404, '/projects/4711', { message: '404 Project Not Found' }],
      [409, '/projects/4711/issues/1', { message: '409 Conflict' }],
      [503, '/projects/4711/issues/1', { message: '503 Service Unavailable' }],
    ];
    for (const [status, path, body] of bodies) {
      gitlab.failNext(
        { method: 'GET', path: new RegExp(`${path}$`) },
        { status: status as 400 | 403 | 404 | 409 | 503 },
      );
      const answer = await api('GET', path);
      expect([status, await answer.json()]).toEqual([status, body]);
    }

    // A hang that applies: the client gives up, the issue exists anyway.
    gitlab.failNext(onCreate, { hangMs: 300, afterApplying: true });
    await expect(
      fetch(`${gitlab.apiBaseUrl}/projects/4711/issues`, {
        method: 'POST',
        headers: { 'private-token': TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'c' }),
        signal: AbortSignal.timeout(50),
      }),
    ).rejects.toThrow();
    expect(gitlab.issues(PROJECT).map(i => i.title)).toEqual(['b', 'c']);

    // A hang that does not: a 502 after the wait, nothing made.
    gitlab.failNext(onCreate, { hangMs: 100 });
    const started = Date.now();
    const hung = await createIssue('d');
    expect(hung.status).toBe(502);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(gitlab.issues(PROJECT).map(i => i.title)).toEqual(['b', 'c']);

    // gitbeaker's own requester retries a 502 on its own.
    gitlab.failNext({ ...onCreate, times: 2 }, { status: 502 });
    expect((await issuesApi().create(PROJECT, 'e')).iid).toBe(3);

    await new Promise(resolve => setTimeout(resolve, 300)); // the hung answer
    expect(gitlab.writeCalls().map(c => c.status)).toEqual([
      500, 502, 502, 502, 502, 201, 201,
    ]);
    expect(gitlab.limitHits).toBe(0);
    gitlab.resetCalls();
    expect(gitlab.calls).toEqual([]);
  });

  it('answers GET /user with the token’s user, and 401 without a token', async () => {
    const me = await new Users(resource()).showCurrentUser();
    expect(me).toMatchObject({
      id: gitlab.bot.id,
      username: 'acme-security-bot',
      name: 'Acme Security Bot',
      state: 'active',
      web_url: 'https://gitlab.com/acme-security-bot',
      bot: false,
      email: 'acme-security-bot@acme.example',
      can_create_project: true,
    });
    const anonymous = await api('GET', '/user', { token: null });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ message: '401 Unauthorized' });
  });

  it('lists by iids[] and updated_after, as the reconciliation reads', async () => {
    for (const n of [1, 2, 3, 4]) await createIssue(`issue ${n}`);
    tick(60);
    const since = new Date(clock).toISOString();
    gitlab.editIssue(PROJECT, 3, { labels: ['triaged'] });
    gitlab.deleteIssue(PROJECT, 4);

    const iidsOf = async (query: string) => {
      const answer = await api('GET', `/projects/${ENCODED}/issues?${query}`);
      expect(answer.status).toBe(200);
      return (await answer.json()).map((issue: { iid: number }) => issue.iid);
    };
    expect(await iidsOf('iids%5B%5D=1&iids%5B%5D=3&iids%5B%5D=4')).toEqual([
      3, 1,
    ]);
    expect(
      await iidsOf(
        `iids%5B%5D=1&iids%5B%5D=3&updated_after=${encodeURIComponent(since)}`,
      ),
    ).toEqual([3]);
    // updated_after is inclusive, as GitLab's `updated_at >= ?`.
    const touched = gitlab.issue(PROJECT, 3)!.updated_at;
    expect(
      await iidsOf(`updated_after=${encodeURIComponent(touched)}`),
    ).toEqual([3]);

    // gitbeaker sends arrays as GitLab wants them: iids[]=1&iids[]=2.
    const listed = await issuesApi().all({
      projectId: PROJECT,
      iids: [2, 3],
      updatedAfter: since,
      perPage: 100,
      page: 1,
    });
    expect(listed.map(issue => issue.iid)).toEqual([3]);

    const bad = await api('GET', `/projects/${ENCODED}/issues?iids%5B%5D=x`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'iids is invalid' });
  });

  it('moves updated_at on with every change, even within one ms', async () => {
    await createIssue('t');
    const created = gitlab.issue(PROJECT, 1)!.updated_at;
    await gitlab.personComments(PROJECT, 1, 'first');
    const commented = gitlab.issue(PROJECT, 1)!.updated_at;
    await gitlab.personCloses(PROJECT, 1);
    const closed = gitlab.issue(PROJECT, 1)!;
    expect(Date.parse(commented)).toBeGreaterThan(Date.parse(created));
    expect(Date.parse(closed.updated_at)).toBeGreaterThan(
      Date.parse(commented),
    );
    expect(closed).toMatchObject({
      state: 'closed',
      closed_by: { username: 'jane.appsec' },
    });
  });

  it('reads, edits and deletes notes as GitLab does, only their author’s', async () => {
    const notes = new IssueNotes(resource());
    await createIssue('t');
    const own = await notes.create(PROJECT, 1, 'Scheduled for 2026.12');
    const theirs = await gitlab.personComments(PROJECT, 1, 'Thanks');
    const path = (id: number) => `/projects/${ENCODED}/issues/1/notes/${id}`;

    expect(await notes.show(PROJECT, 1, own.id)).toEqual(own);
    tick(30);
    const edited = await notes.edit(PROJECT, 1, own.id, {
      body: 'Scheduled for 2027.01',
    });
    expect(edited).toMatchObject({
      id: own.id,
      body: 'Scheduled for 2027.01',
      created_at: '2026-12-01T10:00:00.000Z',
      updated_at: '2026-12-01T10:00:30.000Z',
      author: { username: 'acme-security-bot' },
    });

    const forbidden = await api('PUT', path(theirs.id), {
      body: { body: 'rewritten' },
    });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ message: '403 Forbidden' });
    expect((await api('DELETE', path(theirs.id))).status).toBe(403);

    const deleted = await api('DELETE', path(own.id));
    expect(deleted.status).toBe(204);
    const gone = await api('GET', path(own.id));
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ message: '404 Note Not Found' });
    expect(gitlab.notes(PROJECT, 1).map(note => note.body)).toEqual(['Thanks']);
    const missingBody = await api('PUT', path(theirs.id), { body: {} });
    expect(await missingBody.json()).toEqual({ error: 'body is missing' });
  });

  describe('webhooks', () => {
    const SECRET = 'whsec-gitlab-test';
    let deliveries: GitLabWebhookDelivery[];
    const payloads = () =>
      deliveries.map(delivery => JSON.parse(delivery.body));
    const events = () =>
      deliveries.map(
        d =>
          `${d.headers['x-gitlab-event']} ${
            JSON.parse(d.body).object_attributes.action
          }`,
      );

    beforeEach(() => {
      deliveries = [];
      gitlab.sendWebhooks(SECRET, async delivery => {
        deliveries.push(delivery);
      });
    });

    it('sends the sync’s own writes as hooks from the bot, delivered before the API answers', async () => {
      let delivered = 0;
      gitlab.sendWebhooks(SECRET, async delivery => {
        await new Promise(resolve => setTimeout(resolve, 20));
        deliveries.push(delivery);
        delivered += 1;
      });
      const issues = issuesApi();
      await issues.create(PROJECT, 'CVE-2024-1234', {
        labels: 'security',
        confidential: true,
      });
      expect(delivered).toBe(1);
      tick(60);
      await issues.edit(PROJECT, 1, {
        title: '[High] CVE-2024-1234',
        stateEvent: 'close',
      });
      await issues.edit(PROJECT, 1, { addLabels: 'security' }); // no change
      await new IssueNotes(resource()).create(PROJECT, 1, 'Fixed in 2.4.1');

      expect(events()).toEqual([
        'Confidential Issue Hook open',
        'Confidential Issue Hook close',
        'Confidential Issue Hook update',
        'Confidential Note Hook create',
      ]);
      expect(deliveries[0].headers).toEqual({
        'content-type': 'application/json',
        'user-agent': expect.stringMatching(/^GitLab\/\d+\.\d+/),
        'idempotency-key': expect.stringMatching(UUID),
        'x-gitlab-event': 'Confidential Issue Hook',
        'x-gitlab-event-uuid': expect.stringMatching(UUID),
        'x-gitlab-instance': 'https://gitlab.com',
        'x-gitlab-token': SECRET,
        'x-gitlab-webhook-uuid': expect.stringMatching(UUID),
      });
      const uuids = deliveries.map(d => d.headers['x-gitlab-event-uuid']);
      expect(new Set(uuids).size).toBe(4);

      const [open, close, update, note] = payloads();
      const bot = {
        id: gitlab.bot.id,
        name: 'Acme Security Bot',
        username: 'acme-security-bot',
        avatar_url: gitlab.bot.avatar_url,
        email: '[REDACTED]',
      };
      expect(open).toMatchObject({
        object_kind: 'issue',
        event_type: 'confidential_issue',
        user: bot,
        project: {
          id: 4711,
          name: 'checkout-web',
          namespace: 'storefront',
          path_with_namespace: PROJECT,
          web_url: `https://gitlab.com/${PROJECT}`,
          visibility_level: 0,
        },
        object_attributes: {
          iid: 1,
          state: 'opened',
          state_id: 1,
          action: 'open',
          confidential: true,
          type: 'Issue',
          created_at: '2026-12-01 10:00:00 UTC',
          updated_at: '2026-12-01 10:00:00 UTC',
          url: `https://gitlab.com/${PROJECT}/-/issues/1`,
          moved_to_id: null,
          labels: [expect.objectContaining({ title: 'security' })],
        },
        labels: [
          {
            id: expect.any(Number),
            title: 'security',
            color: expect.stringMatching(/^#[0-9a-f]{6}$/),
            project_id: 4711,
            created_at: expect.stringMatching(/ UTC$/),
            updated_at: expect.stringMatching(/ UTC$/),
            template: false,
            description: null,
            type: 'ProjectLabel',
            group_id: null,
          },
        ],
        repository: { name: 'checkout-web' },
      });
      expect(close).toMatchObject({
        user: bot,
        object_attributes: {
          state: 'closed',
          action: 'close',
          closed_at: '2026-12-01 10:01:00 UTC',
          title: '[High] CVE-2024-1234',
          updated_by_id: gitlab.bot.id,
        },
        changes: {
          state_id: { previous: 1, current: 2 },
          closed_at: { previous: null, current: '2026-12-01 10:01:00 UTC' },
          updated_at: {
            previous: '2026-12-01 10:00:00 UTC',
            current: '2026-12-01 10:01:00 UTC',
          },
        },
      });
      expect(Object.keys(close.changes)).not.toContain('title');
      expect(update.changes).toMatchObject({
        title: { previous: 'CVE-2024-1234', current: '[High] CVE-2024-1234' },
      });
      expect(Object.keys(update.changes)).not.toContain('state_id');
      expect(note).toMatchObject({
        object_kind: 'note',
        event_type: 'confidential_note',
        user: bot,
        project_id: 4711,
        object_attributes: {
          note: 'Fixed in 2.4.1',
          noteable_type: 'Issue',
          system: false,
          action: 'create',
          url: expect.stringMatching(
            new RegExp(`^https://gitlab.com/${PROJECT}/-/issues/1#note_\\d+$`),
          ),
        },
        issue: { iid: 1, state: 'closed', confidential: true },
      });
    });

    it('sends what people do, and nothing for deleted notes and issues', async () => {
      await createIssue('CVE-2024-1234', { labels: 'security' });
      deliveries = [];
      tick(60);
      const note = await gitlab.personComments(PROJECT, 1, 'Looking into it');
      tick(60);
      await gitlab.personEditsNote(PROJECT, 1, note.id, 'Fixed upstream');
      await gitlab.personDeletesNote(PROJECT, 1, note.id);
      await gitlab.personCloses(PROJECT, 1, { addLabels: ['wontfix'] });
      await gitlab.personReopens(PROJECT, 1);
      await gitlab.personCloses(PROJECT, 1, {
        addLabels: ['false positive'],
      });
      gitlab.deleteIssue(PROJECT, 1);

      expect(events()).toEqual([
        'Note Hook create',
        'Note Hook update',
        'Issue Hook update',
        'Issue Hook close',
        'Issue Hook reopen',
        'Issue Hook update',
        'Issue Hook close',
      ]);
      const [created, edited, labelled, closed, reopened] = payloads();
      const person = { id: gitlab.person.id, username: 'jane.appsec' };
      expect(created).toMatchObject({
        event_type: 'note',
        user: person,
        object_attributes: {
          id: note.id,
          created_at: '2026-12-01 10:01:00 UTC',
          updated_at: '2026-12-01 10:01:00 UTC',
          action: 'create',
        },
      });
      expect(edited.object_attributes).toMatchObject({
        id: note.id,
        note: 'Fixed upstream',
        created_at: '2026-12-01 10:01:00 UTC',
        updated_at: '2026-12-01 10:02:00 UTC',
        action: 'update',
      });
      expect(labelled).toMatchObject({
        user: person,
        object_attributes: { state: 'opened', action: 'update' },
        changes: {
          labels: {
            previous: [expect.objectContaining({ title: 'security' })],
            current: [
              expect.objectContaining({ title: 'security' }),
              expect.objectContaining({ title: 'wontfix' }),
            ],
          },
        },
      });
      expect(closed).toMatchObject({
        user: person,
        object_attributes: { state: 'closed', action: 'close' },
      });
      expect(closed.labels.map((l: { title: string }) => l.title)).toEqual([
        'security',
        'wontfix',
      ]);
      expect(reopened.object_attributes).toMatchObject({
        state: 'opened',
        closed_at: null,
      });
      expect(
        payloads()[6].labels.map((l: { title: string }) => l.title),
      ).toEqual(['false positive', 'security', 'wontfix']);
    });

    it('sends a person’s internal note as a Confidential Note Hook, which GitLab’s webhook reading leaves out', async () => {
      await createIssue('t', { labels: 'security' });
      deliveries = [];
      const internal = await gitlab.personComments(
        PROJECT,
        1,
        'Internal: reachable from the partner VPN.',
        { internal: true },
      );
      const open = await gitlab.personComments(PROJECT, 1, 'Looking into it');

      expect(events()).toEqual([
        'Confidential Note Hook create',
        'Note Hook create',
      ]);
      expect(payloads()[0]).toMatchObject({
        event_type: 'confidential_note',
        object_attributes: { id: internal.id, internal: true },
        issue: { confidential: false },
      });
      expect(
        deliveries.flatMap(delivery =>
          gitlabWebhook.activitiesOf(
            delivery.headers,
            JSON.parse(delivery.body),
          ),
        ),
      ).toEqual([
        expect.objectContaining({
          type: 'comment',
          comment: expect.objectContaining({ id: String(open.id) }),
        }),
      ]);
    });

    it('sends deliveries that GitLab’s webhook reading takes in', async () => {
      await createIssue('t', { confidential: true });
      await gitlab.personCloses(PROJECT, 1, { addLabels: ['wontfix'] });
      const note = await gitlab.personComments(PROJECT, 1, 'Accepted');

      for (const delivery of deliveries) {
        expect(
          gitlabWebhook.verify(
            Buffer.from(delivery.body),
            delivery.headers,
            SECRET,
          ),
        ).toBe(true);
        expect(gitlabWebhook.hostOf(JSON.parse(delivery.body))).toBe(
          'gitlab.com',
        );
      }
      const activities = deliveries.flatMap(delivery =>
        gitlabWebhook.activitiesOf(delivery.headers, JSON.parse(delivery.body)),
      );
      const person = { id: String(gitlab.person.id), name: 'jane.appsec' };
      expect(activities).toEqual([
        expect.objectContaining({
          type: 'status',
          status: { state: 'open', name: 'Open', labels: [] },
          actor: { id: String(gitlab.bot.id), name: 'acme-security-bot' },
        }),
        expect.objectContaining({
          status: { state: 'open', name: 'Open', labels: ['wontfix'] },
          actor: person,
        }),
        {
          type: 'status',
          issueKey: `${PROJECT}#1`,
          status: { state: 'closed', name: 'Closed', labels: ['wontfix'] },
          actor: person,
          at: new Date(clock),
          url: `https://gitlab.com/${PROJECT}/-/issues/1`,
        },
        expect.objectContaining({
          type: 'comment',
          issueKey: `${PROJECT}#1`,
          comment: expect.objectContaining({
            id: String(note.id),
            body: 'Accepted',
            author: person,
          }),
        }),
      ]);
    });

    it('lets a receiver call the API while it handles a delivery', async () => {
      const seen: string[] = [];
      gitlab.sendWebhooks(SECRET, async delivery => {
        const { object_kind: kind, object_attributes: attributes } = JSON.parse(
          delivery.body,
        );
        // What a receiver does: who am I, and (once) a comment of its own.
        const me = await api('GET', '/user');
        seen.push(`${kind} ${attributes.action}: ${me.status}`);
        if (attributes.action !== 'open') return;
        const note = await api('POST', `/projects/${ENCODED}/issues/1/notes`, {
          body: { body: 'Seen' },
        });
        seen.push(`POST note: ${note.status}`);
      });
      expect((await createIssue('t')).status).toBe(201);
      await gitlab.personCloses(PROJECT, 1);

      // The comment's hook follows the one that was being handled.
      expect(seen).toEqual([
        'issue open: 200',
        'POST note: 201',
        'note create: 200',
        'issue close: 200',
      ]);
      expect(gitlab.webhookErrors).toEqual([]);
    });

    it('stops with null, and a failing receiver does not fail the API call', async () => {
      gitlab.sendWebhooks(SECRET, async () => {
        throw new Error('receiver down');
      });
      expect((await createIssue('t')).status).toBe(201);
      expect(gitlab.webhookErrors).toEqual([new Error('receiver down')]);

      gitlab.sendWebhooks(SECRET, null);
      expect((await createIssue('u')).status).toBe(201);
      expect(gitlab.webhookErrors).toHaveLength(1);
      expect(deliveries).toEqual([]);
    });
  });

  it('waits latencyMs before every answer', async () => {
    useGitLab({ latencyMs: 80 });
    const started = Date.now();
    expect((await api('GET', '/projects/4711')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });
});
