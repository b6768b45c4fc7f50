import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import {
  READER_TOKEN,
  SCANNER_TOKEN,
  startPluginBackend,
} from '../__testUtils__/startPluginBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const fixture = (name: string) =>
  fs.readFileSync(
    path.resolve(__dirname, '../ingest/parsers/__fixtures__', name),
  );

const trivyReport = fixture('trivy/image-debian-v1.json');

/** superagent would JSON-encode a Buffer under a JSON content type. */
const raw = (body: unknown) => body as string;
const IMPORTS = '/api/security-observations/v1/imports';
const entityRef = 'component:default/payments-api';

describe('POST /v1/imports', () => {
  const databases = createTestDatabases();

  async function setup(
    databaseId: Parameters<typeof databases.init>[0],
    config?: Record<string, unknown>,
  ) {
    const knex = await databases.init(databaseId);
    const { server } = await startPluginBackend({ knex, config });
    const post = (query: Record<string, string>, body: Buffer) =>
      request(server)
        .post(IMPORTS)
        .query(query)
        .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
        .set('Content-Type', 'application/json')
        .serialize(raw)
        .send(body);
    const tableCounts = async () =>
      Object.fromEntries(
        await Promise.all(
          ['observations', 'imports', 'observation_events'].map(async table => {
            const [{ n }] = await knex(table).count({ n: '*' });
            return [table, Number(n)];
          }),
        ),
      );
    return { knex, server, post, tableCounts };
  }

  it.each(databases.eachSupportedId())(
    'imports a Trivy report posted with a static token, then counts a re-import as unchanged, on %s',
    async databaseId => {
      const { knex, post } = await setup(databaseId);

      const first = await post({ entityRef }, trivyReport);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        format: 'trivy',
        entityRef,
        branch: 'main',
        scanner: 'trivy',
        source: '',
        counts: { new: first.body.findings, updated: 0, unchanged: 0 },
      });
      expect(first.body.findings).toBeGreaterThan(0);

      const again = await post({ entityRef }, trivyReport);
      expect(again.status).toBe(201);
      expect(again.body.counts).toEqual({
        new: 0,
        updated: 0,
        unchanged: first.body.findings,
        resolved: 0,
        reopened: 0,
      });

      const imports = await knex('imports').select('actor', 'format');
      expect(imports).toEqual([
        { actor: 'ci-scanner', format: 'trivy' },
        { actor: 'ci-scanner', format: 'trivy' },
      ]);
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'accepts gzip, the SARIF content type, named formats and scope parameters on %s',
    async databaseId => {
      const { knex, server } = await setup(databaseId);
      const res = await request(server)
        .post(IMPORTS)
        .query({
          entityRef: 'component:default/checkout-web',
          format: 'trivy',
          scanner: 'trivy-nightly',
          source: 'api-image',
        })
        .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
        .set('Content-Type', 'application/sarif+json')
        .set('Content-Encoding', 'gzip')
        .serialize(raw)
        .send(gzipSync(trivyReport));

      expect(res.status).toBe(201);
      // The default branch comes from the entity's annotation.
      expect(res.body).toMatchObject({
        branch: 'develop',
        scanner: 'trivy-nightly',
        source: 'api-image',
      });
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses bad requests with a precise message and stores nothing, on %s',
    async databaseId => {
      const { knex, server, post, tableCounts } = await setup(databaseId, {
        securityObservations: {
          imports: { maxReportSizeMb: 0.05, maxDecompressedSizeMb: 0.1 },
        },
      });

      const unknownEntity = await post(
        { entityRef: 'component:default/nope' },
        trivyReport,
      );
      expect(unknownEntity.status).toBe(404);
      expect(unknownEntity.body.error.message).toBe(
        'entityRef: no entity component:default/nope in the catalog',
      );

      const notJson = await post({ entityRef }, Buffer.from('{"runs": ['));
      expect(notJson.status).toBe(400);
      expect(notJson.body.error.message).toMatch(
        /^The report is not valid JSON: /,
      );

      // V8 quotes the input around a syntax error; a report may hold secrets.
      const secretInBrokenJson = await post(
        { entityRef },
        Buffer.from(
          '[{"RuleID": "aws-access-token", "Secret": AKIAZZZZ7EXAMPLEKEY1}]',
        ),
      );
      expect(secretInBrokenJson.status).toBe(400);
      expect(secretInBrokenJson.body.error.message).toMatch(
        /^The report is not valid JSON: Unexpected token 'A' near position \d+$/,
      );
      expect(JSON.stringify(secretInBrokenJson.body)).not.toContain(
        'AKIAZZZZ7EXAMPLEKEY1',
      );

      const unknownFormat = await post(
        { entityRef },
        Buffer.from(JSON.stringify({ hello: 'world' })),
      );
      expect(unknownFormat.status).toBe(400);
      expect(unknownFormat.body.error.message).toContain(
        'Accepted format= values: sarif, cyclonedx, trivy, grype, osv, gitleaks, semgrep',
      );

      const brokenSarif = await post(
        { entityRef },
        Buffer.from(
          JSON.stringify({
            version: '2.1.0',
            runs: [
              {
                tool: { driver: { name: 'CodeQL' } },
                // A result must be an object: a required part, unusable.
                results: ['js/xss'],
              },
            ],
          }),
        ),
      );
      expect(brokenSarif.status).toBe(400);
      expect(brokenSarif.body.error.message).toBe(
        'SARIF: runs[0].results[0]: expected an object',
      );

      const badFormatName = await post(
        { entityRef, format: 'nessus' },
        trivyReport,
      );
      expect(badFormatName.status).toBe(400);
      expect(badFormatName.body.error.message).toContain('at "format"');

      const wrongType = await request(server)
        .post(IMPORTS)
        .query({ entityRef })
        .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
        .set('Content-Type', 'text/plain')
        .send(trivyReport.toString());
      expect(wrongType.status).toBe(415);

      const tooLarge = await post(
        { entityRef },
        Buffer.concat([trivyReport, Buffer.alloc(60 * 1024, ' ')]),
      );
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body.error.message).toMatch(/exceeds the limit/);

      const bomb = gzipSync(Buffer.alloc(200 * 1024, ' '));
      const tooLargeInflated = await request(server)
        .post(IMPORTS)
        .query({ entityRef })
        .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .serialize(raw)
        .send(bomb);
      expect(tooLargeInflated.status).toBe(413);
      expect(tooLargeInflated.body.error.message).toMatch(
        /decompressed report exceeds/,
      );

      expect(await tableCounts()).toEqual({
        observations: 0,
        imports: 0,
        observation_events: 0,
      });
      await knex.destroy();
    },
  );

  it.each(databases.eachSupportedId())(
    'answers 401 without a token or with a wrong one, on %s',
    async databaseId => {
      const { knex, server, tableCounts } = await setup(databaseId);
      const noToken = await request(server)
        .post(IMPORTS)
        .query({ entityRef })
        .set('Content-Type', 'application/json')
        .serialize(raw)
        .send(trivyReport);
      expect(noToken.status).toBe(401);

      const wrongToken = await request(server)
        .post(IMPORTS)
        .query({ entityRef })
        .set('Authorization', 'Bearer not-a-configured-token')
        .set('Content-Type', 'application/json')
        .serialize(raw)
        .send(trivyReport);
      expect(wrongToken.status).toBe(401);
      // Says where scanner tokens come from, not only Backstage's words.
      expect(wrongToken.body.error.message).toMatch(
        /^Illegal token: scanners send 'Authorization: Bearer <token>' with a static token of backend\.auth\.externalAccess/,
      );
      expect(noToken.body.error.message).toMatch(
        /backend\.auth\.externalAccess/,
      );

      expect(await tableCounts()).toMatchObject({ imports: 0 });
      await knex.destroy();
    },
  );
});

describe('reading observations', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'lists with filters, sorting, cursor paging and a total; reads one, its events and the summary, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startPluginBackend({ knex });
      const imported = await request(server)
        .post(IMPORTS)
        .query({ entityRef })
        .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
        .set('Content-Type', 'application/json')
        .serialize(raw)
        .send(trivyReport);
      expect(imported.status).toBe(201);
      const total = imported.body.findings as number;

      const get = (url: string, query: Record<string, string> = {}) =>
        request(server)
          .get(`/api/security-observations${url}`)
          .query(query)
          .set('Authorization', `Bearer ${READER_TOKEN}`);

      // Walk all pages of two.
      const seen: string[] = [];
      let cursor: string | undefined;
      let rank = -1;
      const ranks = ['critical', 'high', 'medium', 'low', 'none', 'unknown'];
      do {
        const page = await get('/v1/observations', {
          entityRef,
          limit: '2',
          ...(cursor ? { cursor } : {}),
        });
        expect(page.status).toBe(200);
        expect(page.body.totalCount).toBe(total);
        for (const item of page.body.items) {
          seen.push(item.id);
          // Default sort: most severe first.
          expect(ranks.indexOf(item.severity)).toBeGreaterThanOrEqual(rank);
          rank = ranks.indexOf(item.severity);
        }
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(total);

      const first = await get(`/v1/observations/${seen[0]}`);
      expect(first.status).toBe(200);
      const { severity, title } = first.body;
      const bySeverity = await get('/v1/observations', {
        entityRef,
        severity,
        status: 'open,in_review',
      });
      expect(
        bySeverity.body.items.every((o: any) => o.severity === severity),
      ).toBe(true);
      const word = title.split(/\s+/)[0];
      const byText = await get('/v1/observations', { entityRef, q: word });
      expect(byText.body.items.map((o: any) => o.id)).toContain(seen[0]);
      const byTitle = await get('/v1/observations', {
        entityRef,
        sort: '-title',
      });
      const titles = byTitle.body.items.map((o: any) => o.title);
      expect(titles).toEqual([...titles].sort().reverse());

      const badSort = await get('/v1/observations', {
        entityRef,
        sort: 'cvss',
      });
      expect(badSort.status).toBe(400);
      expect(badSort.body.error.message).toContain('at "sort"');

      const events = await get(`/v1/observations/${seen[0]}/events`);
      expect(events.body.items).toEqual([
        expect.objectContaining({
          type: 'created',
          actor: 'ci-scanner',
          actorKind: 'scanner',
          importId: imported.body.importId,
        }),
      ]);

      const summary = await get(
        `/v1/entities/${encodeURIComponent(entityRef)}/summary`,
      );
      expect(summary.status).toBe(200);
      expect(summary.body).toMatchObject({
        entityRef,
        total,
        totalActive: total,
      });
      const severitySum = Object.values(
        summary.body.activeBySeverity as Record<string, number>,
      ).reduce((a, b) => a + b, 0);
      expect(severitySum).toBe(total);

      const trend = await get(
        `/v1/entities/${encodeURIComponent(entityRef)}/trend`,
      );
      expect(trend.status).toBe(200);
      expect(trend.body.days).toBe(90);
      expect(trend.body.points).toHaveLength(90);
      expect(trend.body.points.at(-1)).toEqual({
        date: new Date().toISOString().slice(0, 10),
        activeBySeverity: summary.body.activeBySeverity,
      });
      const badDays = await get(
        `/v1/entities/${encodeURIComponent(entityRef)}/trend?days=0`,
      );
      expect(badDays.status).toBe(400);
      expect(badDays.body.error.message).toContain('at "days"');

      expect((await get('/v1/observations/nope')).status).toBe(404);
      expect(
        (
          await request(server).get(
            `/api/security-observations/v1/observations?entityRef=${entityRef}`,
          )
        ).status,
      ).toBe(401);
      await knex.destroy();
    },
  );
});

describe('tracker routing on the summary', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'says where the entity routes and what to fix, without credentials, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startPluginBackend({
        knex,
        config: {
          integrations: { github: [{ host: 'github.com' }] },
          securityObservations: {
            trackers: [{ id: 'github', type: 'github', host: 'github.com' }],
          },
        },
      });
      const summary = (ref: string) =>
        request(server)
          .get(
            `/api/security-observations/v1/entities/${encodeURIComponent(
              ref,
            )}/summary`,
          )
          .set('Authorization', `Bearer ${READER_TOKEN}`);

      const routed = await summary(entityRef);
      expect(routed.status).toBe(200);
      expect(routed.body.tracker).toEqual({
        trackerId: 'github',
        kind: 'github',
        target: 'acme-corp/payments-api',
        url: 'https://github.com/acme-corp/payments-api/issues',
        problem:
          "the tracker 'github' has no credentials: the integrations.github entry for github.com has no token or GitHub App",
        targetProblem: null,
      });

      // What the sync found when it checked the target before creating,
      // as any replica stored it.
      const problem =
        "jira/component is 'ledger', but the Jira project LEDG has no such component";
      await knex('sync_entity_routes').insert({
        entity_ref: entityRef,
        route_hash: 'h',
        checked_at: new Date().toISOString(),
        target_problem: problem,
      });
      expect((await summary(entityRef)).body.tracker.targetProblem).toBe(
        problem,
      );

      const unrouted = await summary('component:default/checkout-web');
      expect(unrouted.body.tracker).toEqual({
        trackerId: null,
        kind: null,
        target: null,
        url: null,
        problem: null,
        targetProblem: null,
      });
      await knex.destroy();
    },
  );
});
