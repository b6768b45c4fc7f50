import fs from 'node:fs';
import path from 'node:path';

/**
 * Real scanner outputs live in `../shared/corpus` beside the repository when
 * it is there (in CI it is). Tests that read them use these helpers so that a
 * clone without it still passes on the package's own fixtures.
 */
export const corpusDir = path.resolve(
  __dirname,
  '../../../../../shared/corpus',
);

/** Absolute paths of the corpus files in a sub-folder, sorted; [] without a corpus. */
export function corpusFiles(subdir: string): string[] {
  const dir = path.join(corpusDir, subdir);
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir)
    .filter(name => !name.startsWith('.'))
    .sort()
    .map(name => path.join(dir, name));
}

/** Reads and JSON-parses a fixture or corpus file. */
export function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
