// Live updates without a reload: the stream's events go into the query cache, so a change reaches an open page
// within 2 s (the pages' own refresh is every 10 s, far slower), and the header says when the stream is down.
import { expect, test } from './support/fixtures';
import { fleetRow, summaryTile } from './support/locators';
import { atRiskReport, brokenReport, healthyReport } from './support/reports';

/** "Within 2 s", plus a little for a loaded 2-core machine. */
const LIVE_MS = 3_000;

test('a report that changes a node updates the open fleet page within 2 s', async ({ page, api }) => {
  await api.accept(atRiskReport('node-live'));
  await api.accept(healthyReport('node-quiet'));
  await page.goto('/');
  await expect(page.getByRole('status').filter({ hasText: /^Live$/ })).toBeVisible();
  const row = fleetRow(page, 'node-live');
  await expect(row.getByText('At risk', { exact: true })).toBeVisible();

  // The same pods, now two of them with a gateway entry pointing at a rewritten MAC.
  await api.accept(brokenReport('node-live', 2, { veths: 2 }));
  await expect(row.getByText('Broken', { exact: true })).toBeVisible({ timeout: LIVE_MS });
  await expect(row).toContainText('2 of 2 veths');
  await expect(summaryTile(page, 'Broken')).toHaveText('1 Broken');
  await expect(summaryTile(page, 'At risk')).toHaveText('0 At risk');
});

test('the node page timeline shows a new mismatch within 2 s', async ({ page, api }) => {
  const healthy = atRiskReport('node-tl', { veths: 2 });
  await api.accept(healthy);
  await page.goto('/nodes/node-tl');
  await expect(page.getByRole('status').filter({ hasText: /^Live$/ })).toBeVisible();
  const timeline = page.getByRole('region', { name: 'ARP mismatch timeline' });
  await expect(timeline).toContainText('No pod had a wrong gateway MAC');

  await api.accept(brokenReport('node-tl', 1, { veths: 2 }));
  const ongoing = timeline.getByRole('button', { name: /ARP mismatch ongoing since/ });
  await expect(ongoing).toHaveCount(1, { timeout: LIVE_MS });
  // An incident younger than an hour opens the timeline on 1 h, so the new interval is wide enough to see.
  await expect(timeline).toContainText('1 interval, 1 ongoing in the last 1 h');

  // Zoom is in the URL and survives a reload.
  await timeline.getByRole('group', { name: 'Zoom' }).getByRole('link', { name: '24 h' }).click();
  await expect(page).toHaveURL(/[?&]range=24h/);
  await expect(timeline).toContainText('in the last 24 h');
  await page.reload();
  await expect(timeline.getByRole('group', { name: 'Zoom' }).getByRole('link', { name: '24 h' })).toHaveAttribute('aria-current', 'true');
  await expect(ongoing).toHaveCount(1);

  // Keyboard: the interval is focusable and shows its tooltip on focus.
  await ongoing.focus();
  await expect(page.getByRole('tooltip')).toContainText('ongoing');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('tooltip')).toHaveCount(0);

  // The pods are fine again: the interval closes.
  await api.accept(atRiskReport('node-tl', { veths: 2 }));
  await expect(timeline.getByRole('button', { name: /ARP mismatch from .* to / })).toHaveCount(1, { timeout: LIVE_MS });
  await expect(ongoing).toHaveCount(0);
});

test('the header says Offline when the stream cannot be reached, and Live once it can', async ({ page, api }) => {
  await api.accept(healthyReport('node-x'));
  await page.route('**/api/v1/stream*', (route) => route.fulfill({ status: 503, body: 'down for a test' }));
  await page.goto('/');
  const status = page.getByRole('status').filter({ hasText: /^(Live|Reconnecting…|Offline|Connecting…)$/ });
  await expect(status).toHaveText('Offline');
  await page.unroute('**/api/v1/stream*');
  // The provider retries after 1 s, then 2 s, ...
  await expect(status).toHaveText('Live', { timeout: 10_000 });
});
