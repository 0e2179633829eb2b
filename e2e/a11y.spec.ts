// WCAG 2.1 AA by axe on the fleet, node, audit and remediation pages, in light and dark, on a desktop and a phone:
// zero violations (contrast of the count cards included). On the phone the pages also fit the width.
import AxeBuilder from '@axe-core/playwright';
import { CSRF_HEADER, CSRF_VALUE } from '../lib/remediation/types';
import { atRiskReport, brokenReport, healthyReport } from './support/reports';
import { expect, test } from './support/operatorServer';

const VIEWPORTS = { desktop: { width: 1366, height: 900 }, phone: { width: 390, height: 844 } } as const;

async function seed(op: import('./support/operatorServer').OperatorServer): Promise<string> {
  await op.api.accept(brokenReport(op.node, 2));
  await op.api.accept(atRiskReport('ip-10-0-9-11'));
  await op.api.accept(healthyReport('ip-10-0-9-12'));
  // A dry run makes a remediation record, so its page exists (the operator's bearer token, as a script would).
  const res = await fetch(`${op.vethwatch.url}/api/v1/nodes/${op.node}/remediations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${op.operatorToken}`, [CSRF_HEADER]: CSRF_VALUE },
    body: JSON.stringify({ dryRun: true }),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  const preview = (await res.json()) as { remediationId: string };
  return `/nodes/${op.node}/remediations/${preview.remediationId}`;
}

for (const scheme of ['light', 'dark'] as const) {
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    test(`no axe violations (WCAG 2.1 AA) on every page, ${scheme}, ${device}`, async ({ page, op }) => {
      const remediationPage = await seed(op);
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      const pages: Array<[string, string | RegExp]> = [
        ['/', 'Fleet'],
        [`/nodes/${op.node}`, op.node],
        ['/audit', /Audit/],
        [remediationPage, /Remediation/],
      ];
      for (const [path, heading] of pages) {
        await page.goto(path);
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
        const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
        const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')})`);
        expect(found, `${path} (${scheme}, ${device})`).toEqual([]);
        if (device === 'phone') {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow, `${path} scrolls sideways on a phone`).toBeLessThanOrEqual(0);
          // Sign-in stays reachable on a phone.
          await expect(page.getByLabel('Operator token')).toBeInViewport();
        }
      }
    });
  }
}
