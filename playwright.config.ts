import { defineConfig } from '@playwright/test';
import { FAKE_GITHUB } from './packages/app/e2e-tests/fakeTrackers';

/**
 * End-to-end tests of the example Backstage, in a Chromium that is already
 * installed (Debian's `chromium` by default; PLAYWRIGHT_CHROMIUM_PATH to use
 * another). Playwright's own browser download is never used.
 *
 * `scripts/test` runs this after the unit tests, when a Chromium is found.
 */
const chromiumPath =
  process.env.PLAYWRIGHT_CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
    [
      'json',
      {
        outputFile:
          process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ??
          'node_modules/.cache/e2e-test-results.json',
      },
    ],
  ],
  outputDir: 'node_modules/.cache/e2e-test-results',

  // The example Backstage as `scripts/start` runs it (app on :3000, backend
  // on :7007), with its trackers pointed at the fake GitHub, GitLab and
  // Jira of the tests (`yarn fake-trackers`, on :7788, :7789 and :7790), so
  // that the tracker sync runs for real. A server that is already up is
  // reused outside CI.
  webServer: [
    {
      command: 'yarn fake-trackers',
      url: `${FAKE_GITHUB}/repos/acme-corp/payments-api`, // 401 without a token
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // Config paths are resolved from each package's folder. The last
      // adds the e2e-only component of the hostile-content tests.
      command:
        'yarn start --config "$PWD/app-config.yaml" --config "$PWD/examples/app-config.fake-trackers.yaml" --config "$PWD/packages/app/e2e-tests/app-config.e2e.yaml"',
      url: 'http://localhost:3000',
      reuseExistingServer: !process.env.CI,
      timeout: 300_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: 'true',
      url: 'http://localhost:7007/api/security-observations/health',
      reuseExistingServer: true,
      timeout: 300_000,
    },
  ],

  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    // A common laptop width: the Security tab's table is laid out for it.
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
