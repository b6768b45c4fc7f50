import { Page } from '@playwright/test';

/**
 * Deprecation warnings of libraries the plugin builds on (material-table's
 * defaultProps, Material UI v4's findDOMNode): theirs to fix, not ours.
 */
const THIRD_PARTY_DEPRECATIONS = [
  /Support for defaultProps will be removed/,
  /findDOMNode is deprecated/,
];

/**
 * A component of the Security tab or card in a warning's component stack:
 * from the workspace (plugins/security-observations/src) or, in an app
 * that installed the package, its dist folder.
 */
const PLUGIN_COMPONENT = /security-observations\/(src|dist)\//;

/**
 * Collects React's development warnings (a missing `key`, invalid DOM
 * nesting, ...) raised in the plugin's components from now on: each is a
 * bug in the plugin's markup. Warnings of other pages of the example app
 * are left out: Backstage's own catalog page logs a missing key (its
 * filters) and an <h2> inside an <h5> (its table toolbar). The returned
 * list fills as the page runs.
 */
export function recordReactWarnings(page: Page): string[] {
  const warnings: string[] = [];
  page.on('console', message => {
    const text = message.text();
    if (
      message.type() === 'error' &&
      text.startsWith('Warning:') &&
      PLUGIN_COMPONENT.test(text) &&
      !THIRD_PARTY_DEPRECATIONS.some(pattern => pattern.test(text))
    ) {
      // The message and the first lines of its component stack.
      warnings.push(text.split('\n').slice(0, 12).join('\n'));
    }
  });
  return warnings;
}
