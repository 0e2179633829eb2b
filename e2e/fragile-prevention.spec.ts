// Issue "Fragile fixes and prevention", in the browser against the real server:
// (1) a node safe only because the package-owned 99-default.link was edited in place shows as Fragile on the
//     fleet page (count card, row, filter) and on its node page (badge and the message naming file and package);
// (2) the prevention view recommends a snippet for a Debian node; the snippet text taken from the page, applied
//     under a temporary root, writes the remediation drop-in byte for byte and the agent's link resolver then
//     gives MACAddressPolicy=none for a new veth.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadLinkConfig, newVethFacts, resolveLink } from '../agent/linkconfig';
import { DEBIAN_STOCK_99_DEFAULT } from '../agent/linkconfig/testSupport/differentialCases';
import { PREVENTION_PATH } from '../lib/prevention/snippets';
import { parseYaml, runShellPart, writeUnder } from '../lib/prevention/testSupport/apply';
import { DROP_IN_CONTENT, DROP_IN_RELPATH } from '../lib/remediation/dropIn';
import type { FragileFix } from '../lib/report/schema';
import { test, expect } from './support/fixtures';
import { fleetRow, fleetTable } from './support/locators';
import { atRiskReport, healthyReport } from './support/reports';

const DEFAULT_LINK = '/usr/lib/systemd/network/99-default.link';
const UNDONE_BY = 'the next upgrade or reinstall of udev restores MACAddressPolicy=persistent';
const EDITED: FragileFix = {
  kind: 'package-edited',
  path: DEFAULT_LINK,
  package: { name: 'udev', version: '252.39-1~deb12u2' },
  undoneBy: UNDONE_BY,
  // The agent's wording (agent/fragile.ts).
  message: `New veths are safe only because ${DEFAULT_LINK} (owned by udev 252.39-1~deb12u2) was edited in place to give MACAddressPolicy=none: ${UNDONE_BY}. Put the fix in /etc/systemd/network instead.`,
};

function fragileReport(node: string) {
  const report = healthyReport(node);
  report.linkPolicy.fragile = [EDITED];
  return report;
}

const rowNames = (page: import('@playwright/test').Page) => fleetTable(page).getByRole('rowheader');

test('a package-edited 99-default.link is Fragile on the fleet page and the node page', async ({ page, api }) => {
  await api.accept(healthyReport('web-ok'));
  await api.accept(atRiskReport('db-risk'));
  await api.accept(fragileReport('web-fragile'));

  await page.goto('/');
  const summary = page.getByRole('list', { name: 'Nodes by state' });
  const card = summary.getByRole('link', { name: /^1 Fragile$/ });
  await expect(card).toBeVisible();
  await expect(fleetRow(page, 'web-fragile')).toContainText('Fragile');
  await expect(rowNames(page)).toHaveCount(3);

  await card.click();
  await expect(page).toHaveURL(/state=fragile/);
  await expect(rowNames(page)).toHaveText(['web-fragile']);

  // The same filter as a shareable link (the server-rendered page, not only the client's filtering).
  await page.goto('/?state=fragile');
  await expect(rowNames(page)).toHaveText(['web-fragile']);

  await page.goto('/nodes/web-fragile');
  const main = page.getByRole('main');
  await expect(main.getByRole('heading', { level: 1 })).toContainText('web-fragile');
  await expect(main.getByText('Fragile', { exact: true }).first()).toBeVisible();
  await expect(main).toContainText(DEFAULT_LINK);
  await expect(main).toContainText('owned by udev 252.39-1~deb12u2');
  await expect(main).toContainText(UNDONE_BY);
  await expect(main).toContainText(EDITED.message);
});

test('the recommended prevention snippet for a Debian node, applied under a temp root, installs the drop-in', async ({ page, api }) => {
  const report = atRiskReport('debian-node');
  expect(report.os.prettyName).toMatch(/^Debian/);
  await api.accept(report);

  await page.goto('/prevent?node=debian-node');
  const panel = page.getByRole('region', { name: 'Prevent on new nodes' });
  const recommended = panel.getByRole('group').filter({ hasText: 'Recommended' });
  await expect(recommended).toHaveCount(1);
  // Recommended comes first.
  await expect(panel.getByRole('group').first()).toContainText('Recommended');
  // lib/prevention/recommend.ts: Debian cloud images run cloud-init from user data.
  const kind = await recommended.getAttribute('data-kind');
  expect(kind).toBe('cloud-init');
  const snippet = recommended.getByLabel(/ snippet$/);
  await expect(snippet).toBeVisible();
  const text = await snippet.innerText();

  const base = mkdtempSync(path.join(tmpdir(), 'vw-e2e-prevent-'));
  try {
    const root = path.join(base, 'root');
    if (kind === 'cloud-init') {
      const config = parseYaml(text) as { write_files?: Array<{ path: string; content: string }> };
      expect(config.write_files?.length).toBeGreaterThan(0);
      for (const f of config.write_files!) writeUnder(root, f.path, f.content);
    } else {
      writeUnder(root, '/.keep', '');
      await runShellPart(text, root);
    }
    expect(readFileSync(path.join(root, DROP_IN_RELPATH), 'utf8')).toBe(DROP_IN_CONTENT);

    writeUnder(root, DEFAULT_LINK, DEBIAN_STOCK_99_DEFAULT);
    const verdict = resolveLink(await loadLinkConfig(root, { systemdVersion: 252 }), newVethFacts('eni'));
    expect(verdict).toMatchObject({ linkFile: DEFAULT_LINK, macAddressPolicy: 'none', udevRewritesMac: false });
    expect(verdict.dropIns).toEqual([PREVENTION_PATH]);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
