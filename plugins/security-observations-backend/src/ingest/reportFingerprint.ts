import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ReportBytes } from './json/ReportBytes';
import { ReportFormat } from './parsers';

/**
 * What tells an upload that repeats its scope's latest report: the hash of
 * its bytes, and of what reads them. See `database/identicalReimport.ts`.
 */
export interface ReportFingerprint {
  /** SHA-256 (hex) of the report's bytes, after gzip. */
  sha256: string;
  /**
   * SHA-256 (hex) of the reader version and of the request's options that
   * change what an import makes of the bytes (`format=`, `scanner=`).
   */
  reader: string;
}

export function fingerprintReport(
  report: ReportBytes,
  options: { format?: ReportFormat; scanner?: string },
): ReportFingerprint {
  const bytes = createHash('sha256');
  // A spilled report is read back in windows; one in memory is one window.
  for (let at = 0; at < report.length; ) {
    const window = report.window(at);
    bytes.update(window);
    at += window.length;
  }
  return {
    sha256: bytes.digest('hex'),
    reader: createHash('sha256')
      .update(
        JSON.stringify([
          readerVersion(),
          options.format ?? null,
          options.scanner ?? null,
        ]),
      )
      .digest('hex'),
  };
}

let version: string | undefined;

const PACKAGE = 'backstage-plugin-security-observations-backend';

/**
 * The version of the code that reads reports: this package's version and a
 * hash of its code as installed: the `src/ingest` folder when it runs from
 * source (the parsers, the JSON and XML readers, normalization and hashing),
 * else its built `dist`. An upgrade, or a change to a parser in a checkout,
 * reads every known report again once.
 */
export function readerVersion(): string {
  version ??= computeReaderVersion();
  return version;
}

function computeReaderVersion(): string {
  const hash = createHash('sha256');
  let code: string | undefined;
  try {
    const root = resolvePackagePath(PACKAGE);
    hash.update(
      JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
        .version,
    );
    code = [path.join(root, 'src', 'ingest'), path.join(root, 'dist')].find(
      dir => fs.existsSync(dir),
    );
  } catch {
    // Not installed as a package (bundled into something else).
  }
  if (!code) {
    // Nothing tells this code from another version's: a version of this
    // process alone, so a report is recognized only until it restarts.
    return randomUUID();
  }
  for (const file of codeFiles(code)) {
    hash.update(path.relative(code, file));
    hash.update('\u0000');
    hash.update(fs.readFileSync(file));
    hash.update('\u0000');
  }
  return hash.digest('hex');
}

/** The folder's code files, sorted, without tests, fixtures and maps. */
function codeFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap(entry => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        return /^(__\w+__|node_modules)$/.test(entry.name)
          ? []
          : codeFiles(file);
      }
      return /\.(ts|js|cjs|mjs)$/.test(entry.name) &&
        !/\.(test|d)\.\w+$/.test(entry.name)
        ? [file]
        : [];
    });
}
