import fs from 'node:fs';
import path from 'node:path';
import { corpusDir, corpusFiles } from './corpus';

/** The parsers' fixtures, one folder per format. */
export const fixturesDir = path.resolve(
  __dirname,
  '../ingest/parsers/__fixtures__',
);

/** The example Backstage's demo reports, one folder per component. */
export const examplesDir = path.resolve(
  __dirname,
  '../../../../examples/reports',
);

/**
 * The reports in the sub-folders of `root` (the shared corpus's own
 * listing for the corpus), each as [`<label>/<folder>/<file>`, absolute
 * path], sorted.
 */
export function reportFilesIn(
  label: string,
  root: string,
): Array<[name: string, file: string]> {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter(entry => entry.isDirectory())
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap(entry =>
      (root === corpusDir
        ? corpusFiles(entry.name)
        : fs
            .readdirSync(path.join(root, entry.name))
            .filter(file => /\.(json|sarif|xml)$/.test(file))
            .sort()
            .map(file => path.join(root, entry.name, file))
      ).map((file): [string, string] => [
        `${label}/${path.relative(root, file)}`,
        file,
      ]),
    );
}

/** The content type a scanner's CI job would send. */
export const contentTypeOf = (file: string) => {
  if (file.endsWith('.xml')) return 'application/vnd.cyclonedx+xml';
  if (file.endsWith('.sarif')) return 'application/sarif+json';
  return 'application/json';
};

/** One scanner token posts every report: more than a CI job would. */
export const UNLIMITED_UPLOADS = {
  securityObservations: {
    rateLimits: { imports: { requestsPerMinute: 100_000 } },
  },
};
