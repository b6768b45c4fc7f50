import { expect, test } from '@playwright/test';
import path from 'node:path';

const screenshots = path.resolve(__dirname, '../../../docs/images');

test('a guest opens an example component and its Security tab, which shows the imported demo data', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();

  // The catalog is the landing page of the example.
  await page.getByRole('link', { name: 'Payments API' }).click();
  await expect(
    page.getByRole('heading', { name: 'Payments API' }),
  ).toBeVisible();

  // Entity page tabs are links in the new frontend system.
  await page.getByRole('link', { name: 'Security', exact: true }).click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/payments-api\/security/,
  );
  // The example backend imported examples/reports/payments-api at start-up:
  // 72 CodeQL results, 1 Gitleaks secret and 4 Trivy vulnerabilities.
  await expect(page.getByText('77 active observations')).toBeVisible();
  await expect(page.getByText(/^Critical: \d+$/)).toBeVisible();
  await expect(page.getByText('Open: 77')).toBeVisible();

  await page.screenshot({
    path: path.join(screenshots, 'security-tab.png'),
  });
});

test('the Security tab is only on components', async ({ page }) => {
  await page.goto('/catalog/default/group/team-payments');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page.getByRole('heading', { name: 'Payments' })).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Overview', exact: true }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Security', exact: true }),
  ).toHaveCount(0);
});
