import { expect, test } from './support/fixtures';
import { escapeRegExp, vethsTable } from './support/locators';
import { brokenReport } from './support/reports';

test('a node page shows its link policy and its veths with MACs, pods and ARP status', async ({ page, api }) => {
  const report = brokenReport('node-veths', 1, { veths: 3 });
  await api.accept(report);

  await page.goto('/nodes/node-veths');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('node-veths');
  await expect(page.getByText('Broken', { exact: true }).first()).toBeVisible();

  const policy = page.getByRole('region', { name: 'Link policy for new veths' });
  await expect(policy).toContainText('udev will rewrite the MAC of new veths');
  await expect(policy).toContainText(report.linkPolicy.newVeth.linkFile!);
  await expect(policy).toContainText('persistent');

  const table = vethsTable(page);
  await expect(table).toHaveAccessibleName(/Veths · 3, 1 with the wrong gateway MAC/);
  await expect(table.getByRole('rowheader')).toHaveCount(3);
  for (const veth of report.veths) {
    const row = table.getByRole('row', { name: new RegExp(`^${escapeRegExp(veth.ifname)}\\b`) });
    const cells = row.getByRole('cell');
    await expect(cells.nth(0)).toHaveText(veth.mac);
    await expect(cells.nth(2)).toHaveText(`${veth.pod!.namespace}/${veth.pod!.name}`);
    await expect(cells.nth(3)).toHaveText(veth.podIP!);
    await expect(cells.nth(4)).toContainText(veth.gatewayLladdr!);
    if (veth.arpStatus === 'mismatch') {
      await expect(cells.nth(5)).toHaveText('Mismatch');
      await expect(cells.nth(4)).toContainText("not this veth's MAC");
    } else {
      await expect(cells.nth(5)).toHaveText('OK');
      await expect(cells.nth(4)).not.toContainText("not this veth's MAC");
    }
  }
  // The broken pod is listed first.
  const mismatched = report.veths.find((v) => v.arpStatus === 'mismatch')!;
  await expect(table.getByRole('rowheader').first()).toHaveText(mismatched.ifname);

  await expect(page.getByRole('table', { name: /^Link files/ }).getByRole('rowheader')).toHaveText([
    report.linkPolicy.files[0].path,
  ]);
});

test('a node that never reported is a 404 page', async ({ page, api }) => {
  await api.accept(brokenReport('node-exists'));
  const response = await page.goto('/nodes/node-missing');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('No node named “node-missing”');
  await page.getByRole('link', { name: 'See all nodes in the fleet' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('rowheader')).toHaveText(['node-exists']);
});
