import { expect, Locator, Page, test } from '@playwright/test';
import {
  HOSTILE_ENTITY,
  HOSTILE_PATHS,
  HOSTILE_REPORTS,
  HOSTILE_RULE_IDS,
  HOSTILE_TITLES,
  hostileMarkdown,
  importReport,
  NEUTERED_LINK_TEXTS,
  SAFE_LINK,
} from './hostileReports';
import { activeMarkup, linksOffTheWeb, recordScriptRuns } from './inertness';
import { recordReactWarnings } from './reactWarnings';
import {
  firstObservationRow,
  observationRows,
  openSecurityTab,
} from './securityTabPage';

/*
 * Issue 14: HTML and script in titles, descriptions, rule ids and file paths
 * are stored as text and rendered inert. Reports full of payloads (see
 * hostileReports.ts) go to an e2e-only component; the guest opens its tab
 * and every observation's details, clicks what would have been links, and
 * comments in markdown. Nothing may run, and no link may lead anywhere but
 * the web.
 */

let reactWarnings: string[] = [];
test.beforeEach(({ page }) => {
  reactWarnings = recordReactWarnings(page);
});
test.afterEach(() => {
  expect(reactWarnings).toEqual([]);
});

/**
 * Imports the reports into the hostile component. Right after start-up the
 * catalog may not have read catalog-e2e.yaml yet: the import is retried.
 */
async function importIntoHostileComponent(
  reports: Array<{ source: string; body: string }>,
) {
  for (const report of reports) {
    await expect
      .poll(() => importReport(report), {
        timeout: 120_000,
        message: `import ${report.source} into ${HOSTILE_ENTITY.ref} (is the example started with packages/app/e2e-tests/app-config.e2e.yaml, as playwright.config.ts does?)`,
      })
      .toMatch(/^20\d$/);
  }
}

/**
 * The app's own origin is served; every other host is refused, so no link
 * the test clicks reaches the internet. Answers the URLs asked for.
 */
async function refuseOtherHosts(page: Page): Promise<string[]> {
  const asked: string[] = [];
  await page.context().route(
    url => !['localhost', '127.0.0.1'].includes(url.hostname),
    route => {
      asked.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  return asked;
}

/**
 * Links to files on GitHub that leave the component's repository: a path
 * with `..` in it must not turn a file link into a link to another one.
 */
function fileLinksOutsideTheRepository(scope: Locator): Promise<string[]> {
  return scope.evaluateAll(
    (links, repository) =>
      links
        .map(link => (link as HTMLAnchorElement).href)
        .filter(
          href =>
            href.startsWith('https://github.com/') &&
            href.includes('/blob/') &&
            !href.startsWith(`${repository}blob/`),
        ),
    HOSTILE_ENTITY.repository,
  );
}

/** Everything that would show a payload took effect, on the whole page. */
async function expectInert(page: Page, runs: string[], where: string) {
  expect(runs, `payloads that ran (${where})`).toEqual([]);
  expect(await activeMarkup(page), `active markup (${where})`).toEqual([]);
  expect(await linksOffTheWeb(page), `links off the web (${where})`).toEqual(
    [],
  );
  expect(
    await fileLinksOutsideTheRepository(
      page.locator('table a[href], [role="dialog"] a[href]'),
    ),
    `file links outside ${HOSTILE_ENTITY.repository} (${where})`,
  ).toEqual([]);
}

/**
 * Clicks each text that would have been a `javascript:`, `data:` or
 * app-relative link: it must be plain text, and clicking it must neither
 * run anything nor go anywhere.
 */
async function clickNeuteredLinks(page: Page, scope: Locator) {
  for (const text of NEUTERED_LINK_TEXTS) {
    const shown = scope.getByText(text, { exact: true });
    expect(await shown.count(), `"${text}" shown`).toBeGreaterThan(0);
    for (const element of await shown.all()) {
      expect(
        await element.evaluate(node => node.closest('a') === null),
        `"${text}" is not a link`,
      ).toBe(true);
      const before = page.url();
      await element.click();
      expect(page.url()).toBe(before);
    }
  }
}

/**
 * Clicks every link of the scope; each that opens a new window is closed
 * again. Answers how many were clicked.
 */
async function clickEveryLink(page: Page, scope: Locator) {
  const links = await scope.locator('a[href]').all();
  for (const link of links) {
    const opensWindow = (await link.getAttribute('target')) === '_blank';
    if (!opensWindow) continue;
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      link.click(),
    ]);
    await popup.close();
  }
  return links.length;
}

/** Opens the details of the row and answers the drawer, loaded. */
async function openDetails(page: Page, row: Locator) {
  const titleButton = row.getByRole('button').first();
  const title = (await titleButton.innerText()).trim().split('\n')[0];
  await titleButton.click();
  const drawer = page.getByRole('dialog');
  await expect(drawer.getByRole('heading', { name: title })).toBeVisible();
  await expect(drawer.getByRole('list', { name: 'History' })).toBeVisible();
  return { title, drawer };
}

test('HTML and script in scanner titles, descriptions, rule ids, URLs, paths and packages show as text: nothing runs and no javascript: link exists, in the table, every observation’s details and a markdown comment', async ({
  page,
}) => {
  test.setTimeout(360_000);
  await importIntoHostileComponent(HOSTILE_REPORTS);
  const runs = await recordScriptRuns(page);
  const asked = await refuseOtherHosts(page);

  await openSecurityTab(page, HOSTILE_ENTITY.name);
  await expect(firstObservationRow(page)).toBeVisible();
  const rows = observationRows(page);

  // The payloads are shown, literally, as the scanner wrote them.
  for (const title of Object.values(HOSTILE_TITLES)) {
    await expect(
      rows.getByRole('button', { name: title, exact: true }).first(),
    ).toBeVisible();
  }
  await expect(rows.getByText(HOSTILE_RULE_IDS.title)).toBeVisible();
  await expect(rows.getByText(`${HOSTILE_PATHS.html}:7`)).toBeVisible();
  await expect(rows.getByText(`${HOSTILE_PATHS.traversal}:3`)).toBeVisible();
  await expectInert(page, runs, 'the table');

  // Every observation's details: facts, description, tracker, history.
  const shownRows = rows.filter({ has: page.getByRole('checkbox') });
  const count = await shownRows.count();
  expect(count).toBeGreaterThanOrEqual(7);
  let clickedLinks = 0;
  for (let index = 0; index < count; index++) {
    const { title, drawer } = await openDetails(page, shownRows.nth(index));
    const where = `the details of “${title}”`;
    await expectInert(page, runs, where);

    if (await drawer.getByText(SAFE_LINK.text).count()) {
      // A hostile description: the web link is kept, the others are text.
      await expect(
        drawer.getByRole('link', { name: SAFE_LINK.text }).first(),
      ).toHaveAttribute('href', SAFE_LINK.href);
      await clickNeuteredLinks(page, drawer);
    }
    clickedLinks += await clickEveryLink(page, drawer);
    await expectInert(page, runs, `${where}, after clicking`);
    await expect(drawer.getByRole('heading', { name: title })).toBeVisible();

    await drawer.getByRole('button', { name: 'Close details' }).click();
    await expect(drawer).toBeHidden();
  }
  expect(clickedLinks).toBeGreaterThan(count);

  // A person's markdown comment is rendered the same way.
  const { drawer } = await openDetails(
    page,
    shownRows.filter({
      has: page.getByRole('button', {
        name: HOSTILE_TITLES.sarifTitle,
        exact: true,
      }),
    }),
  );
  await drawer.getByLabel('Add a comment').fill(hostileMarkdown('comment'));
  await drawer.getByRole('button', { name: 'Comment', exact: true }).click();
  const comments = drawer.getByRole('list', { name: 'Comments' });
  await expect(
    comments.getByRole('link', { name: SAFE_LINK.text }),
  ).toBeVisible();
  await clickNeuteredLinks(page, comments);
  await clickEveryLink(page, comments);
  await expectInert(page, runs, 'a comment');

  // What the browser fetched from other hosts: only what was clicked or
  // shown as an http(s) image; file links stayed in the repository.
  expect(
    asked.filter(url => !/^https?:/.test(url)),
    'requests to other hosts',
  ).toEqual([]);
  expect(
    asked.filter(
      url =>
        url.startsWith('https://github.com/') &&
        url.includes('/blob/') &&
        !url.startsWith(`${HOSTILE_ENTITY.repository}blob/`),
    ),
  ).toEqual([]);
});
