import { defineConfig } from '@playwright/test';
import {
  FAKE_GITHUB,
  FAKE_GITHUB_TOKEN,
} from './packages/app/e2e-tests/fakeGitHub';

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
  // on :7007), with its GitHub tracker pointed at the fake GitHub of the
  // tests served on :7788 (`yarn fake-github`), so that the tracker sync
  // runs for real. A server that is already up is reused outside CI.
  webServer: [
    {
      command: 'yarn fake-github',
      url: `${FAKE_GITHUB}/repos/acme-corp/payments-api`, // 401 without a token
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: 'yarn start',
      url: 'http://localhost:3000',
      reuseExistingServer: !process.env.CI,
      timeout: 300_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        // Backstage's environment config: replaces integrations.github.
        APP_CONFIG_integrations_github: JSON.stringify([
          {
            host: 'github.com',
            token: FAKE_GITHUB_TOKEN,
            apiBaseUrl: FAKE_GITHUB,
          },
        ]),
      },
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
    viewport: { width: 1400, height: 900 },
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
