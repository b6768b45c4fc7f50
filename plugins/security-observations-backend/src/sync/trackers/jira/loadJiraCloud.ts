import { dirname, join } from 'node:path';
import type * as JiraCloud from 'jira.js/cloud';

let loaded: typeof JiraCloud | undefined;

/**
 * The endpoint functions of `jira.js/cloud`. jira.js 6 is ESM-only, and
 * its package exports name only the `import` condition, which this
 * CommonJS backend (and Jest) cannot `require` by package name; an
 * `import()` would not survive the CommonJS build either. Its file is
 * required by path instead: Node 22.12 and later load an ES module through
 * `require` (jira.js has no top-level await), and Jest transforms it. The
 * endpoint functions' own index, not the package's: its models index has
 * an import cycle that only native ES module loading survives.
 */
export function loadJiraCloud(): typeof JiraCloud {
  if (!loaded) {
    const root = dirname(require.resolve('jira.js/package.json'));
    const api = join(root, 'dist', 'cloud', 'api', 'index.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(api) as typeof JiraCloud;
  }
  return loaded;
}
