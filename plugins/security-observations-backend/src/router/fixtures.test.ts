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
