import { expect, Page, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import {
  HOSTILE_ENTITY,
  importReport,
  PLANTED_REPORTED_SECRETS,
  SECRET_REPORTS,
  SECRET_TITLES,
} from './hostileReports';
import { recordReactWarnings } from './reactWarnings';
import {
  CI_TOKEN,
  firstObservationRow,
  observationRows,
  openSecurityTab,
} from './securityTabPage';

/*
 * Issue 14: no secret value, whether a tracker credential, a webhook
 * secret, a static token or a secret that a scanner reported, reaches the
 * browser. The guest reads the tabs of the example's tracker-linked
 * components and of the e2e-only component with the scanners' secrets;
 * everything the page received (every answer, script and frame), its DOM
 * and its storage are searched for the values.
 */

const repositoryRoot = path.resolve(__dirname, '../../..');
const configText = ['app-config.yaml', 'examples/app-config.fake-trackers.yaml']
  .map(file => fs.readFileSync(path.join(repositoryRoot, file), 'utf8'))
  .join('\n');

/** The example's configured secrets (app-config.yaml, app-config.fake-trackers.yaml). */
const CONFIGURED_SECRETS: Record<string, string> = {
  'the GitHub token': 'ghp_fake_token',
  'the GitLab token': 'glpat-fake-token',
  'the Jira API token': 'jira-fake-token',
  'the webhook secret': 'fake-webhook-secret-change-me',
  'the static scanner token': CI_TOKEN,
};

const SECRETS: Record<string, string> = {
  ...CONFIGURED_SECRETS,
  'the Jira Basic credentials': Buffer.from(
    'jira-bot@acme.example:jira-fake-token',
  ).toString('base64'),
  ...Object.fromEntries(
    Object.entries(PLANTED_REPORTED_SECRETS).map(([name, value]) => [
      `the reported secret ${name}`,
      value,
    ]),
  ),
};

let reactWarnings: string[] = [];
test.beforeEach(({ page }) => {
  reactWarnings = recordReactWarnings(page);
});
test.afterEach(() => {
  expect(reactWarnings).toEqual([]);
});

interface Received {
  where: string;
  text: string;
}

/**
 * Everything the page receives from now on: every answer with a text body
 * (API answers, the app's HTML, scripts and styles), the requests it sends,
 * WebSocket frames and console messages. `settled` waits for the bodies.
 */
function recordWhatThePageReceives(page: Page) {
  const received: Received[] = [];
  const reading: Array<Promise<void>> = [];
  page.on('response', response => {
    const type = response.headers()['content-type'] ?? '';
    if (!/json|javascript|html|text|css|xml|svg/i.test(type)) return;
    reading.push(
      response
        .text()
        .then(text =>
          received.push({
            where: `${response.status()} ${response.url()}`,
            text,
          }),
        )
        // A redirect or an aborted request has no body.
        .then(
          () => {},
          () => {},
        ),
    );
  });
  page.on('request', request =>
    received.push({
      where: `request ${request.url()}`,
      text: `${request.url()}\n${JSON.stringify(request.headers())}\n${
        request.postData() ?? ''
      }`,
    }),
  );
  page.on('websocket', socket =>
    socket.on('framereceived', frame =>
      received.push({
        where: `WebSocket ${socket.url()}`,
        text: String(frame.payload),
      }),
    ),
  );
  page.on('console', message =>
    received.push({ where: 'console', text: message.text() }),
  );
  return {
    received,
    settled: () => Promise.all(reading),
  };
}

/** What the page holds now: its DOM, web storage and cookies. */
async function whatThePageHolds(page: Page, step: string): Promise<Received[]> {
  const storage = await page.evaluate(() =>
    JSON.stringify({
      localStorage: { ...localStorage },
      sessionStorage: { ...sessionStorage },
    }),
  );
  const cookies = JSON.stringify(await page.context().cookies());
  return [
    { where: `the DOM, ${step}`, text: await page.content() },
    { where: `the text shown, ${step}`, text: await page.innerText('body') },
    { where: `web storage, ${step}`, text: storage },
    { where: `cookies, ${step}`, text: cookies },
  ];
}

test('no tracker credential, webhook secret, static token or secret a scanner reported reaches the browser: not in any answer, script, the DOM or storage', async ({
  page,
}) => {
  test.setTimeout(300_000);
  // The values searched for are the example's: still in its config.
  for (const [name, value] of Object.entries(CONFIGURED_SECRETS)) {
    expect(configText, name).toContain(value);
  }
  for (const report of SECRET_REPORTS) {
    await expect
      .poll(() => importReport(report), {
        timeout: 120_000,
        message: `import ${report.source} into ${HOSTILE_ENTITY.ref} (is the example started with packages/app/e2e-tests/app-config.e2e.yaml, as playwright.config.ts does?)`,
      })
      .toMatch(/^20\d$/);
  }

  const { received, settled } = recordWhatThePageReceives(page);
  const held: Received[] = [];

  // The scanners' secrets: each finding's details show the redaction.
  await openSecurityTab(page, HOSTILE_ENTITY.name);
  await expect(firstObservationRow(page)).toBeVisible();
  for (const title of Object.values(SECRET_TITLES)) {
    await observationRows(page)
      .getByRole('button', { name: title, exact: true })
      .click();
    const drawer = page.getByRole('dialog', { name: title });
    await expect(drawer.getByRole('list', { name: 'History' })).toBeVisible();
    if (title === SECRET_TITLES.gitleaks) {
      await expect(
        drawer.getByText('aws_access_key_id = [REDACTED]'),
      ).toBeVisible();
    }
    held.push(...(await whatThePageHolds(page, `details of “${title}”`)));
    await drawer.getByRole('button', { name: 'Close details' }).click();
    await expect(drawer).toBeHidden();
  }

  // A component with tracker issues on the fake GitHub (the scheduled sync
  // creates them shortly after start-up): the details of a linked one.
  await page.goto('/catalog/default/component/payments-api/security');
  await expect(page.getByText('Tracker issues go to GitHub')).toBeVisible();
  const issueLinkName = /^acme-corp\/payments-api#\d+\b/;
  const issueLink = observationRows(page)
    .getByRole('link', { name: issueLinkName })
    .first();
  await expect(async () => {
    await page.reload();
    await expect(issueLink).toBeVisible({ timeout: 10_000 });
  }).toPass({ timeout: 150_000 });
  const linkedRow = observationRows(page)
    .filter({ has: page.getByRole('link', { name: issueLinkName }) })
    .first();
  const title = (await linkedRow.getByRole('button').first().innerText())
    .trim()
    .split('\n')[0];
  await linkedRow.getByRole('button', { name: title, exact: true }).click();
  const drawer = page.getByRole('dialog', { name: title });
  await expect(drawer.getByRole('link', { name: issueLinkName })).toBeVisible();
  await expect(drawer.getByRole('list', { name: 'History' })).toBeVisible();
  held.push(...(await whatThePageHolds(page, `details of “${title}”`)));

  // The GitLab and Jira components' tabs, routing and all.
  for (const [name, tracker] of [
    ['checkout-web', 'GitLab'],
    ['ledger-service', 'Jira'],
  ]) {
    await page.goto(`/catalog/default/component/${name}/security`);
    await expect(
      page.getByText(`Tracker issues go to ${tracker}`),
    ).toBeVisible();
    await expect(firstObservationRow(page)).toBeVisible();
    held.push(...(await whatThePageHolds(page, `the ${name} tab`)));
  }

  await settled();
  const everything = [...received, ...held];
  // The search covers what matters: the API's answers and the app's code,
  // and the places the scanners' secrets were.
  expect(
    everything.some(r => r.where.includes('/api/security-observations/v1/')),
  ).toBe(true);
  expect(everything.some(r => /\.js(\?|$)/.test(r.where))).toBe(true);
  expect(
    everything.some(
      r =>
        r.where.includes('/api/security-observations/v1/') &&
        r.text.includes('[REDACTED]'),
    ),
  ).toBe(true);

  const leaks = Object.entries(SECRETS).flatMap(([name, value]) =>
    everything
      .filter(r => r.text.includes(value))
      .map(r => `${name} in ${r.where}`),
  );
  expect(leaks).toEqual([]);
});
