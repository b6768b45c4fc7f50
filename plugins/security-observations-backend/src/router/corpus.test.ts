import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { corpusDir, corpusFiles } from '../__testUtils__/corpus';
import {
  SCANNER_TOKEN,
  startPluginBackend,
} from '../__testUtils__/startPluginBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(120_000);

/** Every report of the shared corpus of real scanner outputs, when present. */
const files = fs.existsSync(corpusDir)
  ? fs
      .readdirSync(corpusDir, { withFileTypes: true })
      .filter(entry => entry.isDirectory())
      .flatMap(entry => corpusFiles(entry.name))
  : [];

describe('the corpus of real scanner outputs', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'imports every corpus file, and counts an identical second import as unchanged, on %s',
    async databaseId => {
      if (files.length === 0) {
        // eslint-disable-next-line no-console
        console.warn(`No corpus at ${corpusDir}: only the fixtures ran`);
      }
      const knex = await databases.init(databaseId);
      const { server } = await startPluginBackend({ knex });
      for (const file of files) {
        const post = () =>
          request(server)
            .post('/api/security-observations/v1/imports')
            .query({
              entityRef: 'component:default/payments-api',
              // One scope per file, so files do not resolve each other.
              source: path.relative(corpusDir, file),
            })
            .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
            .set('Content-Type', 'application/json')
            .serialize((body: unknown) => body as string)
            .send(fs.readFileSync(file));

        const first = await post();
        expect({ file, status: first.status, body: first.body }).toMatchObject({
          file,
          status: 201,
        });
        expect(first.body.counts.new).toBe(first.body.findings);

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
      }
      await knex.destroy();
    },
  );
});
