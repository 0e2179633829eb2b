// The audit log page: entries made by real API calls with the operator token (previews and the pause switch;
// nothing is applied, so the host is never touched), paged by cursor, filtered by node and time.
import { expect, test } from './fixtures/remediationLab';
import { brokenReport } from './support/reports';

test('the audit log pages by cursor and filters by node and time, linking to node pages', async ({
  page,
  api,
  vethwatch,
  operator,
}) => {
  await api.accept(brokenReport(operator.node));
  const asOperator = (method: string, path: string, body: unknown) =>
    fetch(`${vethwatch.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${operator.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  // Four entries: two previews of the node (dry runs change nothing), a pause and a resume (no node).
  for (let i = 0; i < 2; i++) {
    expect((await asOperator('POST', `/api/v1/nodes/${operator.node}/remediations`, { dryRun: true })).status).toBe(200);
  }
  expect((await asOperator('PUT', '/api/v1/remediation-settings', { paused: true, reason: 'audit e2e' })).status).toBe(200);
  expect((await asOperator('PUT', '/api/v1/remediation-settings', { paused: false })).status).toBe(200);

  await page.goto('/audit?limit=2');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit log');
  const table = page.getByRole('table', { name: 'Audit log entries' });
  const rows = table.locator('tbody').getByRole('row');
  // Newest first.
  await expect(rows.nth(0)).toContainText('resume');
  await expect(rows.nth(1)).toContainText('pause');
  await expect(rows.nth(1)).toContainText('audit e2e');
  await expect(rows).toHaveCount(2);

  const pages = page.getByRole('navigation', { name: 'Audit log pages' });
  await pages.getByRole('link', { name: 'Older entries' }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(rows).toHaveCount(2);
  for (const text of await rows.allInnerTexts()) expect(text).toMatch(/preview[\s\S]*planned/);
  await expect(rows.first().getByRole('link', { name: operator.node })).toBeVisible();
  await expect(pages.getByRole('link', { name: 'Older entries' })).toHaveCount(0);
  await pages.getByRole('link', { name: 'Newest' }).click();
  await expect(page).not.toHaveURL(/cursor=/);
  await expect(rows.nth(0)).toContainText('resume');

  // Filter by node: only that node's rows.
  const filters = page.getByRole('form', { name: 'Filter the audit log' });
  await filters.getByLabel('Node').fill(operator.node);
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(new RegExp(`node=${operator.node}`));
  await expect(rows).toHaveCount(2);
  for (const text of await rows.allInnerTexts()) expect(text).toContain(operator.node);
  await filters.getByLabel('Node').fill('some-other-node');
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(table).toContainText('No entries match these filters.');

  // A time range that ends before anything happened holds nothing either.
  await filters.getByLabel('Node').fill('');
  await filters.getByLabel('To (UTC)').fill('2000-01-01T00:00');
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/to=2000-01-01T00%3A00/);
  await expect(table).toContainText('No entries match these filters.');
  await page.getByRole('link', { name: 'Clear' }).click();
  await expect(rows.nth(0)).toContainText('resume');

  await rows.filter({ hasText: 'preview' }).first().getByRole('link', { name: operator.node }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(operator.node);
});

test('a bad time in the URL is explained and nothing is fetched', async ({ page }) => {
  await page.goto('/audit?from=yesterday');
  await expect(page.getByRole('alert').filter({ hasText: 'is not a time' })).toHaveText('"From" is not a time: yesterday');
  await expect(page.getByRole('table', { name: 'Audit log entries' })).toHaveCount(0);
});
