// The 3 a.m. page, at a glance: find a pod and land on its veth; the fleet table on one line per node, fitting
// 1366-1440 px and a phone; count cards filter; "/" focuses search; the node header names the affected pods; a
// link clicked while the server is down keeps the page and its banner.
import type { Page } from '@playwright/test';
import { buildReport, buildVeth } from '../lib/report/fixtures';
import { expect, test } from './support/fixtures';
import { fleetTable } from './support/locators';
import { atRiskReport, brokenReport, healthyReport } from './support/reports';

const rowNames = (page: Page) => fleetTable(page).getByRole('rowheader');

test('search finds a pod by name, IP or MAC and leads to its node and veth, history open', async ({ page, api }) => {
  const checkout = { ...buildVeth({ node: 'ip-10-0-1-5', index: 0, mismatch: true }), pod: { namespace: 'payments', name: 'checkout-7d9f' }, podIP: '10.0.1.77' };
  await api.accept(buildReport({ node: 'ip-10-0-1-5', veths: [checkout, buildVeth({ node: 'ip-10-0-1-5', index: 1 })] }));
  await api.accept(healthyReport('ip-10-0-2-9'));
  await page.goto('/');
  await expect(rowNames(page)).toHaveCount(2);
  await page.keyboard.press('/');
  const search = page.getByRole('searchbox', { name: 'Search' });
  await expect(search).toBeFocused();
  await page.keyboard.type('10.0.1.77');
  const hits = page.getByRole('region', { name: /1 veth matching/ });
  await expect(hits).toContainText(`payments/checkout-7d9f on node ip-10-0-1-5, veth ${checkout.ifname}`);
  await expect(rowNames(page)).toHaveText(['ip-10-0-1-5']);
  await search.fill(checkout.mac.toUpperCase());
  await expect(hits).toContainText('matched MAC');
  await hits.getByRole('link', { name: 'payments/checkout-7d9f' }).click();
  await expect(page).toHaveURL(new RegExp(`/nodes/ip-10-0-1-5\\?veth=${checkout.ifname}#veth-${checkout.ifname}$`));
  await expect(page.getByRole('button', { name: checkout.ifname, exact: true })).toHaveAttribute('aria-expanded', 'true');
  // Closing the history takes it out of the URL; a reload keeps what the URL says.
  await page.getByRole('button', { name: checkout.ifname, exact: true }).click();
  await expect(page).not.toHaveURL(/veth=/);
  await page.getByRole('button', { name: checkout.ifname, exact: true }).click();
  await page.reload();
  await expect(page.getByRole('button', { name: checkout.ifname, exact: true })).toHaveAttribute('aria-expanded', 'true');
  // The header names the affected pod, linked to its row.
  await expect(page.getByRole('heading', { name: 'Affected pod' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'payments/checkout-7d9f' })).toHaveAttribute('href', `?veth=${checkout.ifname}#veth-${checkout.ifname}`);
  await expect(page.getByRole('columnheader', { name: "Pod's network namespace" })).toBeVisible();
  await expect(page.getByText(/udev would rewrite: Yes when the link file/)).toBeVisible();
  // Without JavaScript the search is answered by the server.
  const res = await page.request.get('/?q=checkout-7d9f');
  expect((await res.text()).replaceAll('<!-- -->', '')).toContain('checkout-7d9f</a> on node <strong class="ident">ip-10-0-1-5</strong>');
});

test('count cards filter the table; rows are one line; the table fits 1366 and 1440 px; a phone keeps node, state, mismatches', async ({ page, api }) => {
  await api.accept(brokenReport('node-broken-with-a-long-name.eu-west-1.compute.internal', 2));
  await api.accept(atRiskReport('node-at-risk'));
  await api.accept(healthyReport('node-ok'));
  for (const width of [1366, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/');
    const clipped = await page.locator('.table-wrap').first().evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(clipped, `table scrolls sideways at ${width} px`).toBeLessThanOrEqual(0);
    const heights = await fleetTable(page).locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getBoundingClientRect().height));
    expect(Math.max(...heights), 'a row wraps').toBeLessThan(48);
  }
  const cards = page.getByRole('list', { name: 'Nodes by state' });
  await cards.getByRole('link', { name: /1 Broken/ }).click();
  await expect(rowNames(page)).toHaveText(['node-broken-with-a-long-name.eu-west-1.compute.internal']);
  await expect(page).toHaveURL(/\?state=broken$/);
  await cards.getByRole('link', { name: /1 Broken/ }).click();
  await expect(rowNames(page)).toHaveCount(3);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  for (const name of [/^Node/, /^State/, /^ARP mismatches/]) await expect(fleetTable(page).getByRole('columnheader', { name })).toBeVisible();
  await expect(fleetTable(page).getByRole('columnheader', { name: /^OS/ })).toBeHidden();
  await expect(page.getByRole('search', { name: 'Filter nodes' }).getByLabel('State')).toBeInViewport({ ratio: 0.9 });
});

test('a link clicked while the server is down keeps the page and its "out of date" banner', async ({ page, api, vethwatch }) => {
  await api.accept(brokenReport('node-a', 1));
  await page.goto('/');
  await expect(page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
  await vethwatch.stop();
  await expect(page.getByRole('status').filter({ hasText: /Reconnecting|Offline/ })).toBeVisible();
  await fleetTable(page).getByRole('link', { name: 'node-a' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The server is not answering' })).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Fleet');
});
