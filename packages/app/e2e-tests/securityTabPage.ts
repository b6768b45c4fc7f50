import { Locator, Page } from '@playwright/test';
// The import benchmark's report generator, reused for the 10k-row entity
// rather than copied; it is not part of any package's public API.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { generateTrivy } from '../../../plugins/security-observations-backend/bench/generateReports';

/** The example backend's Security Observations API. */
export const BACKEND = 'http://localhost:7007/api/security-observations';
/** The example's static CI token (app-config.yaml), as a scanner sends it. */
export const CI_TOKEN = 'example-ci-token-change-me';

/** The example's component for the 10k-row timing (examples/catalog). */
export const LOAD_TEST_ENTITY = {
  ref: 'component:default/legacy-batch',
  path: '/catalog/default/component/legacy-batch',
  title: 'Legacy Batch Jobs',
};

/**
 * Imports a Trivy report of 10,000 findings for the load-test entity, as a
 * scanner would (the same report each time: a re-import changes nothing).
 * Answers the HTTP status.
 */
export async function importTenThousandObservations(): Promise<number> {
  const response = await fetch(
    `${BACKEND}/v1/imports?entityRef=${LOAD_TEST_ENTITY.ref}&source=load-test`,
    {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${CI_TOKEN}`,
        'Content-Type': 'application/json',
      },
      body: generateTrivy(10_000),
    },
  );
  return response.status;
}

/** Guest sign-in (a member of team-payments), then the entity's tab. */
export async function openSecurityTab(page: Page, name: string, query = '') {
  await page.goto(`/catalog/default/component/${name}/security${query}`);
  await page.getByRole('button', { name: 'Enter' }).click();
}

/** The rows of the observations table (the tab has other tables). */
export function observationRows(page: Page): Locator {
  return page
    .getByRole('table')
    .filter({ has: page.getByRole('columnheader', { name: 'Title' }) })
    .locator('tbody tr');
}

/**
 * The first row that shows an observation: its selection checkbox. While
 * the page loads the table shows placeholder rows, which have none.
 */
export function firstObservationRow(page: Page): Locator {
  return observationRows(page)
    .filter({ has: page.getByRole('checkbox') })
    .first();
}
