// A big fleet: the browser draws only the rows on screen (plus overscan), keeps the table's size and positions
// known to assistive tech (aria-rowcount/aria-rowindex), moves between rows by keyboard, and the server's first
// paint holds the first 100 rows. (The 5,000-node timing is a benchmark's job; this checks the behaviour.)
import type { Api } from './support/api';
import { expect, test } from './support/fixtures';
import { fleetTable } from './support/locators';
import { brokenReport, healthyReport } from './support/reports';

const NODES = 600;

async function seedMany(api: Api) {
  const names = Array.from({ length: NODES }, (_, i) => `node-${String(i).padStart(4, '0')}`);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++];
      await api.accept(name === 'node-0300' ? brokenReport(name, 1) : healthyReport(name, { veths: 1 }));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return names;
}

test('only visible rows are rendered, with row counts and indexes for screen readers', async ({ page, api }) => {
  test.setTimeout(120_000);
  await seedMany(api);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/');
  const table = fleetTable(page);
  await expect(table).toHaveAttribute('aria-rowcount', String(NODES + 1));
  await expect(page.getByText(/only those on screen are drawn/)).toBeVisible();
  const rendered = () => table.locator('tbody tr[data-index]').count();
  await expect.poll(rendered).toBeLessThan(80);
  expect(await rendered()).toBeGreaterThan(5);
  // Worst first: the one broken node leads, at row index 2 (the header is 1).
  await expect(table.locator('tbody tr[data-index="0"]')).toHaveAttribute('aria-rowindex', '2');
  await expect(table.locator('tbody tr[data-index="0"] th')).toHaveText('node-0300');

  // Scrolling to the bottom renders the last rows, and the first ones are gone from the DOM.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  const last = table.getByRole('row', { name: /^node-0599\b/ });
  await expect(last).toBeVisible();
  await expect(last).toHaveAttribute('aria-rowindex', String(NODES + 1));
  await expect(table.getByRole('row', { name: /^node-0300\b/ })).toHaveCount(0);
  expect(await rendered()).toBeLessThan(80);

  // Keyboard: Home jumps to the first node's link, ArrowDown moves row by row, End to the last.
  await last.getByRole('link').focus();
  await page.keyboard.press('Home');
  await expect(table.getByRole('link', { name: 'node-0300' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(table.getByRole('link', { name: 'node-0000' })).toBeFocused();
  for (let i = 0; i < 60; i++) await page.keyboard.press('ArrowDown');
  await expect(table.getByRole('link', { name: 'node-0060' })).toBeFocused();
  await expect(table.getByRole('link', { name: 'node-0060' })).toBeInViewport();
  await page.keyboard.press('End');
  await expect(table.getByRole('link', { name: 'node-0599' })).toBeFocused();

  // Filters still see every node, rendered or not.
  await page.getByLabel('Search').fill('node-0451');
  await expect(table.getByRole('rowheader')).toHaveText(['node-0451']);
  await expect(table).toHaveAttribute('aria-rowcount', '2');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('the first paint has the first 100 rows and says how to reach the rest', async ({ page, api }) => {
    test.setTimeout(120_000);
    await seedMany(api);
    await page.goto('/');
    const table = fleetTable(page);
    await expect(table.locator('tbody tr[data-index]')).toHaveCount(100);
    await expect(table.getByRole('rowheader').first()).toHaveText('node-0300');
    await expect(page.getByText(`Showing the first 100 of ${NODES} nodes`)).toBeVisible();
    // The rest is one search away.
    await page.goto('/?q=node-0599');
    await expect(table.getByRole('rowheader')).toHaveText(['node-0599']);
  });
});
