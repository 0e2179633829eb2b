import { expect, test } from './support/fixtures';
import { escapeRegExp, fleetRow, fleetTable, summaryTile, vethsTable } from './support/locators';
import { atRiskReport, brokenReport, healthyReport } from './support/reports';

test.use({ javaScriptEnabled: false });

test('without JavaScript the first paint already has the fleet and the node pages', async ({ page, api }) => {
  const broken = brokenReport('node-nojs-broken');
  await api.accept(broken);
  await api.accept(atRiskReport('node-nojs-risk'));
  // A fleet big enough that React would stream the table as a separate, script-revealed chunk if the page sat
  // behind a Suspense boundary (loading.tsx): without JavaScript that chunk stays hidden.
  const healthy = Array.from({ length: 40 }, (_, i) => `node-nojs-ok-${String(i).padStart(2, '0')}`);
  for (const name of healthy) await api.accept(healthyReport(name));

  await page.goto('/');
  await expect(fleetTable(page).getByRole('rowheader')).toHaveText(['node-nojs-broken', 'node-nojs-risk', ...healthy]);
  await expect(fleetRow(page, healthy[39]).getByText('Healthy', { exact: true })).toBeVisible();
  await expect(fleetRow(page, 'node-nojs-broken').getByText('Broken', { exact: true })).toBeVisible();
  await expect(fleetRow(page, 'node-nojs-risk').getByText('At risk', { exact: true })).toBeVisible();
  await expect(summaryTile(page, 'Broken')).toHaveText('1 Broken');
  // (Chromium with script execution disabled by DevTools still hides <noscript>, so its hint is not checked.)
  await expect(page.getByText(/^Data as of \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/)).toBeVisible();

  // Links are plain links: following one is a full page load, rendered on the server.
  await fleetRow(page, 'node-nojs-broken').getByRole('link', { name: 'node-nojs-broken' }).click();
  await expect(page).toHaveURL(/\/nodes\/node-nojs-broken$/);
  const veth = broken.veths[0];
  const row = vethsTable(page).getByRole('row', { name: new RegExp(`^${escapeRegExp(veth.ifname)}\\b`) });
  await expect(row.getByRole('cell').first()).toHaveText(veth.mac);
});
