import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  SCANNER_TOKEN,
  startPluginBackend,
} from '../__testUtils__/startPluginBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(120_000);

const fixturesDir = path.resolve(__dirname, '../ingest/parsers/__fixtures__');

/** Every parser fixture: a real tool's output, or one in its exact shape. */
const fixtures = fs
  .readdirSync(fixturesDir, { withFileTypes: true })
  .filter(entry => entry.isDirectory())
  .flatMap(entry =>
    fs
      .readdirSync(path.join(fixturesDir, entry.name))
      .filter(name => /\.(json|sarif|xml)$/.test(name))
      .sort()
      .map(name => path.join(entry.name, name)),
  );

/** The content type a scanner's CI job would send. */
const contentTypeOf = (file: string) => {
  if (file.endsWith('.xml')) return 'application/vnd.cyclonedx+xml';
  if (file.endsWith('.sarif')) return 'application/sarif+json';
  return 'application/json';
};

describe('every report shape the parsers accept, through the route', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'imports each fixture, auto-detected, and counts an identical second import as unchanged, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startPluginBackend({ knex });
      const summary: Record<string, string> = {};
      for (const file of fixtures) {
        const post = () =>
          request(server)
            .post('/api/security-observations/v1/imports')
            .query({
              entityRef: 'component:default/payments-api',
              // One scope per file, so files do not resolve each other.
              source: file,
            })
            .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
            .set('Content-Type', contentTypeOf(file))
            .serialize((body: unknown) => body as string)
            .send(fs.readFileSync(path.join(fixturesDir, file)));

        const first = await post();
        expect({ file, status: first.status, error: first.body.error }).toEqual(
          { file, status: 201, error: undefined },
        );
        expect({ file, new: first.body.counts.new }).toEqual({
          file,
          new: first.body.findings,
        });
        const second = await post();
        expect({ file, counts: second.body.counts }).toEqual({
          file,
          counts: {
            new: 0,
            updated: 0,
            unchanged: first.body.findings,
            resolved: 0,
            reopened: 0,
          },
        });
        summary[file] = `${first.body.format}: ${
          first.body.findings
        } findings, ${first.body.warnings?.length ?? 0} warnings`;
      }
      // The folder names the format each fixture must be detected as.
      for (const [file, result] of Object.entries(summary)) {
        const folder = file.split(path.sep)[0].replace(/-xml$/, '');
        expect(`${file} → ${result}`).toContain(`${file} → ${folder}:`);
      }
      // A vendor that bends SARIF: the finding is kept, the part skipped.
      expect(
        summary[path.join('sarif', 'blackduck_nested-fingerprints.sarif')],
      ).not.toMatch(/, 0 warnings$/);
      await knex.destroy();
    },
  );
});

/** Reports of scans that found nothing, as each tool writes them. */
const emptyReports: Array<[string, string, string]> = [
  [
    'sarif',
    'application/sarif+json',
    JSON.stringify({
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'CodeQL' } }, results: [] }],
    }),
  ],
  [
    'trivy',
    'application/json',
    JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: 'payments-api:1.4.2',
      ArtifactType: 'container_image',
    }),
  ],
  [
    'grype',
    'application/json',
    JSON.stringify({
      matches: [],
      source: { type: 'image', target: {} },
      descriptor: { name: 'grype' },
    }),
  ],
  [
    'cyclonedx',
    'application/vnd.cyclonedx+json',
    JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1 }),
  ],
  [
    'cyclonedx',
    'application/vnd.cyclonedx+xml',
    '<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components/></bom>',
  ],
  [
    'semgrep',
    'application/json',
    JSON.stringify({ results: [], errors: [], paths: { scanned: [] } }),
  ],
  ['osv', 'application/json', JSON.stringify({ results: [] })],
  ['gitleaks', 'application/json', '[]'],
];

describe('a scan that found nothing', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'imports as an empty scan and resolves what the scope no longer names, for every format, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startPluginBackend({ knex });
      const post = (format: string, contentType: string, body: string) =>
        request(server)
          .post('/api/security-observations/v1/imports')
          .query({
            entityRef: 'component:default/payments-api',
            source: `empty-${format}-${contentType}`,
            scanner: 'nightly-scan',
          })
          .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
          .set('Content-Type', contentType)
          .send(body);
      const trivyWithFinding = fs.readFileSync(
        path.join(fixturesDir, 'trivy', 'image-debian-v1.json'),
        'utf8',
      );
      for (const [format, contentType, body] of emptyReports) {
        // Something to resolve first, in the same scope.
        const seeded = await request(server)
          .post('/api/security-observations/v1/imports')
          .query({
            entityRef: 'component:default/payments-api',
            source: `empty-${format}-${contentType}`,
            // One scope: the scanner named, whatever the report says.
            scanner: 'nightly-scan',
          })
          .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
          .set('Content-Type', 'application/json')
          .send(trivyWithFinding);
        expect(seeded.status).toBe(201);

        const empty = await post(format, contentType, body);
        expect({
          format,
          contentType,
          status: empty.status,
          error: empty.body.error,
        }).toEqual({
          format,
          contentType,
          status: 201,
          error: undefined,
        });
        expect(empty.body.findings).toBe(0);
        expect(empty.body.counts.resolved).toBe(seeded.body.findings);
      }
      await knex.destroy();
    },
  );
});
