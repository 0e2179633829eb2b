import { expect, test } from './support/fixtures';
import { fleetRow, summaryTile } from './support/locators';
import { healthyReport } from './support/reports';

// The server marks a node stale when no report arrived for 3 of its intervals (lib/nodes/state.ts), timed from
// when the server received the last report. A 1 s interval makes that happen within seconds.
test('a node that stops reporting is marked stale, never shown as healthy', async ({ page, api }) => {
  await api.accept(healthyReport('node-silent', { intervalSeconds: 1 }));
  await api.accept(healthyReport('node-chatty', { intervalSeconds: 3600 }));

  await page.goto('/');
  const silent = fleetRow(page, 'node-silent');
  // No fixed sleep: reload until the server says stale (it does after > 3 s).
  await expect(async () => {
    await page.reload();
    await expect(silent.getByText('Stale', { exact: true })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });

  await expect(silent.getByText('Healthy', { exact: true })).toHaveCount(0);
  await expect(silent).toContainText('Last report said: healthy');
  await expect(fleetRow(page, 'node-chatty').getByText('Healthy', { exact: true })).toBeVisible();
  await expect(summaryTile(page, 'Stale')).toHaveText('1 Stale');
  await expect(summaryTile(page, 'Healthy')).toHaveText('1 Healthy');

  await page.goto('/nodes/node-silent');
  await expect(page.getByText('Stale', { exact: true })).toBeVisible();
  await expect(page.getByText('Healthy', { exact: true })).toHaveCount(0);
  await expect(page.getByText(/^No report for \d+ s ago\.$/)).toBeVisible();
});
