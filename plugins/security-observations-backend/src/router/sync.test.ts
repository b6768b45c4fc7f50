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

describe('the tracker sync through the plugin', () => {
  const databases = createTestDatabases();
  const server = setupServer();
  let github: FakeGitHub;

  beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
  beforeEach(() => {
    github = new FakeGitHub();
    github.addRepo(REPO);
    server.resetHandlers(...github.handlers);
  });
  afterAll(() => server.close());

  it.each(databases.eachSupportedId())(
    'pushes one issue per active observation on "Sync now", and no call for an unchanged re-sync, on %s',
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
            trackers: [{ id: 'github', type: 'github', host: 'github.com' }],
          },
        },
      });
      const imported = await request(backend)
        .post(`${API}/v1/imports`)
        .query({ entityRef })
        .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
        .set('Content-Type', 'application/json')
        // As text: msw, which intercepts Node's HTTP requests here too,
        // would pass a Buffer body on mangled.
        .send(trivyReport.toString('utf8'));
      expect(imported.status).toBe(201);

      const syncNow = () =>
        request(backend)
          .post(`${API}/v1/entities/${encodeURIComponent(entityRef)}/sync`)
          .set('Authorization', `Bearer ${SECURITY_BOT_TOKEN}`);
      const first = await syncNow();
      expect(first.status).toBe(202);
      const active = imported.body.counts.new;
      expect(first.body).toEqual({ queued: active });
      expect(github.issues(REPO)).toHaveLength(active);

      const list = await request(backend)
        .get(`${API}/v1/observations`)
        .query({ entityRef })
        .set('Authorization', `Bearer ${READER_TOKEN}`);
      expect(
        list.body.items.map(
          (item: { tracker: { syncState: string } }) => item.tracker.syncState,
        ),
      ).toEqual(Array(active).fill('synced'));

      github.resetCalls();
      const again = await syncNow();
      expect(again.body).toEqual({ queued: active });
      expect(github.calls).toEqual([]);
      await knex.destroy();
    },
  );
});
