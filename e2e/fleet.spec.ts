import { expect, test } from './support/fixtures';
import { fleetRow, fleetTable, summaryTile } from './support/locators';
import { atRiskReport, brokenReport, healthyReport } from './support/reports';

test('the fleet page lists nodes with their states, worst first, and counts them', async ({ page, api }) => {
  await api.accept(healthyReport('node-healthy'));
  await api.accept(atRiskReport('node-at-risk'));
  await api.accept(brokenReport('node-broken', 2));

  await page.goto('/');
  await expect(page).toHaveTitle('Fleet · vethwatch');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Fleet');

  await expect(fleetTable(page).getByRole('rowheader')).toHaveText(['node-broken', 'node-at-risk', 'node-healthy']);

  const broken = fleetRow(page, 'node-broken');
  await expect(broken.getByText('Broken', { exact: true })).toBeVisible();
  await expect(broken).toContainText('2 of 3 veths');
  await expect(broken).toContainText('udev will rewrite new veth MACs');

  const atRisk = fleetRow(page, 'node-at-risk');
  await expect(atRisk.getByText('At risk', { exact: true })).toBeVisible();
  await expect(atRisk).toContainText('0 of 2 veths');
  await expect(atRisk).toContainText('udev will rewrite new veth MACs');

  const healthy = fleetRow(page, 'node-healthy');
  await expect(healthy.getByText('Healthy', { exact: true })).toBeVisible();
  await expect(healthy).toContainText('udev leaves new veth MACs alone');
  for (const row of [broken, atRisk]) await expect(row.getByText('Healthy', { exact: true })).toHaveCount(0);

  await expect(summaryTile(page, 'Broken')).toHaveText('1 Broken');
  await expect(summaryTile(page, 'At risk')).toHaveText('1 At risk');
  await expect(summaryTile(page, 'Stale')).toHaveText('0 Stale');
  await expect(summaryTile(page, 'Unknown')).toHaveText('0 Unknown');
  await expect(summaryTile(page, 'Healthy')).toHaveText('1 Healthy');
});

test('a new report changes the fleet page without a reload', async ({ page, api }) => {
  await api.accept(atRiskReport('node-fixed-later'));
  await page.goto('/');
  const row = fleetRow(page, 'node-fixed-later');
  await expect(row.getByText('At risk', { exact: true })).toBeVisible();

  // The operator adds the MACAddressPolicy=none drop-in; the next report says so. TanStack Query refetches.
  await api.accept(healthyReport('node-fixed-later'));
  // The page refetches every 10 s (REFRESH_MS); allow for a loaded machine.
  await expect(row.getByText('Healthy', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(summaryTile(page, 'At risk')).toHaveText('0 At risk');
});

test('report age is shown, counts up live and carries the exact time', async ({ page, api }) => {
  await api.accept(healthyReport('node-age'));
  await page.goto('/');
  const age = fleetRow(page, 'node-age').locator('time');
  await expect(age).toHaveText(/^\d+ s ago$/);
  const seconds = async () => Number(/^(\d+) s ago$/.exec((await age.textContent()) ?? '')?.[1] ?? NaN);
  const first = await seconds();
  // Counts up in the browser between refreshes (and the server's newer answers agree).
  await expect.poll(seconds, { timeout: 15_000 }).toBeGreaterThanOrEqual(first + 2);
  const fleet = await api.fleet();
  await expect(age).toHaveAttribute('datetime', fleet.nodes[0].lastReportAt!);
  await expect(age).toHaveAttribute('title', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
});

test('keyboard: skip link first, then a node link opens the node page (a deep link)', async ({ page, api }) => {
  await api.accept(brokenReport('node-kb'));
  await page.goto('/');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);

  const nodeLink = fleetRow(page, 'node-kb').getByRole('link', { name: 'node-kb' });
  // Past the six count cards (links that filter), the filters and the sortable headers.
  for (let i = 0; i < 30; i++) {
    if (await nodeLink.evaluate((el) => el === document.activeElement)) break;
    await page.keyboard.press('Tab');
  }
  await expect(nodeLink).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/nodes\/node-kb$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('node-kb');
  await expect(page).toHaveTitle('node-kb · vethwatch');
});

test('when refreshing fails the page says so and marks what it shows as possibly out of date', async ({ page, api }) => {
  await api.accept(healthyReport('node-cut-off'));
  await page.goto('/');
  await expect(fleetRow(page, 'node-cut-off').getByText('Healthy', { exact: true })).toBeVisible();

  // The dashboard's server stops answering the read API (the page itself was already served).
  await page.route('**/api/v1/nodes', (route) =>
    route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'store unavailable' }) }),
  );
  // One refetch interval plus the client's retries with backoff.
  // (Next's route announcer is an alert too; ours is the one that says what failed.)
  const alert = page.getByRole('alert').filter({ hasText: 'Could not refresh' });
  await expect(alert).toContainText('Could not refresh: store unavailable', { timeout: 40_000 });
  await expect(alert).toContainText('may be out of date');

  await page.unroute('**/api/v1/nodes');
  await expect(alert).toHaveCount(0, { timeout: 30_000 });
});
