import { expect, test } from './support/fixtures';
import { fleetRow } from './support/locators';
import { brokenReport } from './support/reports';

test('a slow in-app navigation shows the node page skeleton, then the page', async ({ page, api }) => {
  await api.accept(brokenReport('node-slow'));
  await page.goto('/');

  // Hold the client-side navigation's server response (the RSC payload) for a moment, like a slow network.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/nodes\/node-slow\?_rsc=/, async (route) => {
    await held;
    await route.continue();
  });

  await fleetRow(page, 'node-slow').getByRole('link', { name: 'node-slow' }).click();
  await expect(page.getByRole('progressbar', { name: 'Loading page' })).toBeVisible();
  const skeleton = page.locator('[aria-busy="true"]');
  await expect(skeleton).toBeVisible();
  await expect(skeleton).toContainText('Loading the node…');
  // The old page is hidden meanwhile, not shown as if it were current.
  await expect(page.getByRole('heading', { name: 'Fleet', level: 1 })).toBeHidden();

  release();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('node-slow');
  await expect(skeleton).toHaveCount(0);
  await expect(page.getByRole('progressbar')).toHaveCount(0);
});
