// Fleet page: text search, filters by state, OS and policy, sort by any column, all of it in the URL (deep
// links), with and without JavaScript; and the export of exactly the rows shown.
import { readFile } from 'node:fs/promises';
import { expect, test } from './support/fixtures';
import { fleetRow, fleetTable } from './support/locators';
import { atRiskReport, brokenReport, healthyReport } from './support/reports';

const UBUNTU = { prettyName: 'Ubuntu 22.04.4 LTS', kernel: '5.15.0-1051-aws', systemdVersion: 249 };

async function seed(api: import('./support/api').Api) {
  await api.accept(healthyReport('web-ok-1'));
  await api.accept(healthyReport('web-ok-2', { os: UBUNTU }));
  await api.accept(atRiskReport('db-risk', { os: UBUNTU }));
  await api.accept(brokenReport('web-broken', 2));
  await api.accept(brokenReport('db-broken', 1, { os: UBUNTU }));
}

const rowNames = (page: import('@playwright/test').Page) => fleetTable(page).getByRole('rowheader');

test('search, filters and sort narrow and order the table and are kept in the URL', async ({ page, api }) => {
  await seed(api);
  await page.goto('/');
  await expect(rowNames(page)).toHaveText(['db-broken', 'web-broken', 'db-risk', 'web-ok-1', 'web-ok-2']);

  const filters = page.getByRole('search', { name: 'Filter nodes' });
  await filters.getByLabel('Search').fill('web');
  await expect(rowNames(page)).toHaveText(['web-broken', 'web-ok-1', 'web-ok-2']);
  await expect(page).toHaveURL(/\?q=web$/);
  await expect(filters).toContainText('3 of 5 nodes match');

  await filters.getByLabel('OS').selectOption('Ubuntu 22.04.4 LTS');
  await expect(rowNames(page)).toHaveText(['web-ok-2']);
  await filters.getByLabel('Search').fill('');
  await expect(rowNames(page)).toHaveText(['db-broken', 'db-risk', 'web-ok-2']);

  await filters.getByLabel('State').selectOption({ label: 'Needs attention (broken, at risk, fragile, stale, no agent)' });
  await expect(rowNames(page)).toHaveText(['db-broken', 'db-risk']);
  await filters.getByLabel('State').selectOption('');
  await filters.getByLabel('MAC policy for new veths').selectOption('none');
  await expect(rowNames(page)).toHaveText(['web-ok-2']);
  await filters.getByRole('link', { name: 'Clear filters' }).click();
  await expect(rowNames(page)).toHaveCount(5);
  await expect(page).toHaveURL(/\/$/);

  // Sort by a column header; again reverses; aria-sort says which.
  const header = (name: RegExp) => fleetTable(page).getByRole('columnheader', { name });
  // Mismatches start most-first: the first click is descending, the second ascending.
  await header(/^ARP mismatches/).getByRole('link').click();
  await expect(header(/^ARP mismatches/)).toHaveAttribute('aria-sort', 'descending');
  await expect(rowNames(page).first()).toHaveText('web-broken');
  await expect(page).toHaveURL(/sort=mismatches&dir=desc/);
  await header(/^ARP mismatches/).getByRole('link').click();
  await expect(header(/^ARP mismatches/)).toHaveAttribute('aria-sort', 'ascending');
  await header(/^Node/).getByRole('link').click();
  await expect(rowNames(page)).toHaveText(['db-broken', 'db-risk', 'web-broken', 'web-ok-1', 'web-ok-2']);
  await expect(fleetTable(page)).toHaveAccessibleName(/by name/);

  // A deep link reproduces a view, and a reload keeps it.
  await page.goto('/?q=db&sort=name&dir=desc');
  await expect(rowNames(page)).toHaveText(['db-risk', 'db-broken']);
  await expect(page.getByLabel('Search')).toHaveValue('db');
  await page.reload();
  await expect(rowNames(page)).toHaveText(['db-risk', 'db-broken']);
});

function withUdev(report: import('../lib/report/schema').Report, version: string) {
  // The fixture's winning file is the stock 99-default.link, owned by udev.
  report.linkPolicy.files[0].package = { name: 'udev', version };
  return report;
}

test('filter and sort by the package version owning the winning link file, kept in the URL', async ({ page, api }) => {
  await api.accept(withUdev(healthyReport('pkg-old'), '252.30-1~deb12u1'));
  await api.accept(withUdev(atRiskReport('pkg-new-1'), '252.39-1~deb12u2'));
  await api.accept(withUdev(brokenReport('pkg-new-2', 1), '252.39-1~deb12u2'));
  await page.goto('/');
  const filters = page.getByRole('search', { name: 'Filter nodes' });
  // A choice made before the page hydrated only counts when Apply is pressed (no-JS form); once scripted, Apply
  // goes and each change applies at once.
  await expect(filters.getByRole('button', { name: 'Apply' })).toHaveCount(0);
  await filters.getByLabel('Package version').selectOption('udev@252.39-1~deb12u2');
  await expect(rowNames(page)).toHaveText(['pkg-new-2', 'pkg-new-1']);
  await expect(page).toHaveURL(/\?pkg=udev%40252\.39-1%7Edeb12u2$|\?pkg=udev%40252\.39-1~deb12u2$/);
  await page.reload();
  await expect(rowNames(page)).toHaveText(['pkg-new-2', 'pkg-new-1']);
  await expect(filters.getByLabel('Package version')).toHaveValue('udev@252.39-1~deb12u2');
  await expect(fleetRow(page, 'pkg-new-1')).toContainText('udev 252.39-1~deb12u2');

  await filters.getByRole('link', { name: 'Clear filters' }).click();
  await fleetTable(page).getByRole('columnheader', { name: /^Link file package/ }).getByRole('link').click();
  await expect(page).toHaveURL(/sort=package/);
  await expect(rowNames(page)).toHaveText(['pkg-old', 'pkg-new-2', 'pkg-new-1']);
});

test('each row has a 24 h strip of ARP mismatches with a readable label', async ({ page, api }) => {
  await seed(api);
  await page.goto('/');
  await expect(fleetRow(page, 'web-broken').getByRole('img', { name: 'Mismatches in the last 24 h: peak 2, now 2' })).toBeVisible();
  await expect(fleetRow(page, 'web-ok-1').getByRole('img', { name: 'Mismatches in the last 24 h: peak 0, now 0' })).toBeVisible();
  await page.screenshot({ path: 'test-results/fleet-strip.png', fullPage: true });
});

test('export writes exactly the rows shown as CSV and JSON', async ({ page, api }) => {
  await seed(api);
  await page.goto('/?state=broken');
  await expect(rowNames(page)).toHaveText(['db-broken', 'web-broken']);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV' }).click()]);
  const text = await readFile((await csv.path())!, 'utf8');
  const lines = text.trim().split('\r\n');
  expect(lines[0]).toMatch(/^name,state,/);
  expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['db-broken', 'web-broken']);
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'JSON' }).click()]);
  const rows = JSON.parse(await readFile((await json.path())!, 'utf8')) as { name: string; mismatchCount: number }[];
  expect(rows.map((r) => [r.name, r.mismatchCount])).toEqual([
    ['db-broken', 1],
    ['web-broken', 2],
  ]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the filter form and sort links work as plain GET requests', async ({ page, api }) => {
    await seed(api);
    await page.goto('/');
    const filters = page.getByRole('search', { name: 'Filter nodes' });
    await filters.getByLabel('Search').fill('db');
    await filters.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/\?q=db/);
    await expect(rowNames(page)).toHaveText(['db-broken', 'db-risk']);
    await fleetTable(page).getByRole('columnheader', { name: /^Node/ }).getByRole('link').click();
    await expect(page).toHaveURL(/q=db&sort=name/);
    await expect(rowNames(page)).toHaveText(['db-broken', 'db-risk']);
    await expect(fleetRow(page, 'db-risk').getByText('At risk', { exact: true })).toBeVisible();
  });
});
