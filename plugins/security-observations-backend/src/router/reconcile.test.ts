import fs from 'node:fs';
import path from 'node:path';
import { setupServer } from 'msw/node';
import request from 'supertest';
import {
  READER_TOKEN,
  SCANNER_TOKEN,
  SECURITY_BOT_TOKEN,
  startPluginBackend,
} from '../__testUtils__/startPluginBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { FakeGitHub } from '../sync/trackers/__testUtils__/fakeGitHub';

jest.setTimeout(60_000);

const API = '/api/security-observations';
const entityRef = 'component:default/payments-api';
const REPO = 'acme-corp/payments-api';
const trivyReport = fs.readFileSync(
  path.resolve(
    __dirname,
    '../ingest/parsers/__fixtures__/trivy/image-debian-v1.json',
  ),
);

describe('the reconciliation through the plugin', () => {
  const databases = createTestDatabases();
  const server = setupServer();
  let github: FakeGitHub;

  beforeAll(() =>
    server.listen({
      // The test's own requests to the backend pass; anything else would
      // be a call to the real network.
      onUnhandledRequest: (unhandled, print) => {
        const { hostname } = new URL(unhandled.url);
        if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(hostname)) {
          print.error();
        }
      },
    }),
  );
  beforeEach(() => {
    github = new FakeGitHub();
    github.addRepo(REPO);
    server.resetHandlers(...github.handlers);
  });
  afterAll(() => server.close());

  it.each(databases.eachSupportedId())(
    "lists in a dry run what GitHub's live state would change, changes nothing, applies it on POST, and reads unchanged issues with free 304s, on %s",
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server: backend } = await startPluginBackend({
        knex,
        config: {
          app: { baseUrl: 'https://backstage.acme.example' },
          integrations: {
            github: [{ host: 'github.com', token: 'ghp_test_token' }],
          },
          securityObservations: {
            trackers: [
              {
                id: 'github',
                type: 'github',
                host: 'github.com',
                twoWay: true,
              },
            ],
          },
        },
      });
      const bot = (req: request.Test) =>
        req.set('Authorization', `Bearer ${SECURITY_BOT_TOKEN}`);
      const reconcilePath = `${API}/v1/entities/${encodeURIComponent(
        entityRef,
      )}/reconcile`;
      await request(backend)
        .post(`${API}/v1/imports`)
        .query({ entityRef })
        .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
        .set('Content-Type', 'application/json')
        .send(trivyReport.toString('utf8'));
      await bot(
        request(backend).post(
          `${API}/v1/entities/${encodeURIComponent(entityRef)}/sync`,
        ),
      );
      const issues = github.issues(REPO);
      expect(issues.length).toBeGreaterThan(1);
      // Someone on GitHub closes the first issue as not planned; no webhook.
      await github.personClose(REPO, issues[0].number, {
        reason: 'not_planned',
      });
      const key = `${REPO}#${issues[0].number}`;

      // GET only lists: without dryRun=true it says so.
      const withoutDryRun = await bot(request(backend).get(reconcilePath));
      expect(withoutDryRun.status).toBe(400);
      expect(withoutDryRun.body.error.message).toContain('dryRun=true');
      // Reading the trackers spends their limits: owners only.
      const reader = await request(backend)
        .get(reconcilePath)
        .query({ dryRun: 'true' })
        .set('Authorization', `Bearer ${READER_TOKEN}`);
      expect(reader.status).toBe(403);

      const dry = await bot(
        request(backend).get(reconcilePath).query({ dryRun: 'true' }),
      );
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({
        entityRef,
        dryRun: true,
        checked: issues.length,
        problems: [],
      });
      const closed = dry.body.items.find(
        (item: { issueKey: string }) => item.issueKey === key,
      );
      expect(closed.changes).toEqual([
        {
          kind: 'live_status',
          from: null,
          to: 'Closed as not planned',
          by: 'octocat',
        },
        { kind: 'status', from: 'open', to: 'risk_accepted', by: 'octocat' },
      ]);
      const untouched = await request(backend)
        .get(`${API}/v1/observations/${closed.observationId}`)
        .set('Authorization', `Bearer ${READER_TOKEN}`);
      expect(untouched.body.status).toBe('open');
      expect(untouched.body.tracker.live).toBeNull();

      const applied = await bot(request(backend).post(reconcilePath));
      expect(applied.status).toBe(200);
      expect(applied.body.dryRun).toBe(false);
      const after = await request(backend)
        .get(`${API}/v1/observations/${closed.observationId}`)
        .set('Authorization', `Bearer ${READER_TOKEN}`);
      expect(after.body.status).toBe('risk_accepted');
      expect(after.body.tracker.live).toMatchObject({
        state: 'closed',
        status: 'Closed as not planned',
        changedBy: 'octocat',
      });
      const history = await request(backend)
        .get(`${API}/v1/observations/${closed.observationId}/events`)
        .set('Authorization', `Bearer ${READER_TOKEN}`);
      expect(history.body.items).toContainEqual(
        expect.objectContaining({
          type: 'assessed',
          actor: 'github:octocat',
          actorKind: 'tracker',
        }),
      );

      // Nothing changed on GitHub since: every read is a free 304.
      github.resetCalls();
      const again = await bot(request(backend).post(reconcilePath));
      expect(again.body.items).toEqual([]);
      const reads = github.calls.filter(
        call => call.method === 'GET' && /\/issues\/\d+$/.test(call.path),
      );
      expect(reads).toHaveLength(issues.length);
      expect(reads.every(call => call.status === 304 && call.ifNoneMatch)).toBe(
        true,
      );
      await knex.destroy();
    },
  );
});
