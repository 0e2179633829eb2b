// One-click remediation against the real server, the real agent and the real lab (netns, veths, udev): a broken
// node is previewed, confirmed, fixed on this host, and verified by the agent's next report.
import { access } from 'node:fs/promises';
import type { NodeDetail } from '../lib/nodes/types';
import { expect, signInAsOperator, test } from './fixtures/remediationLab';
import { escapeRegExp } from './support/locators';

test('an operator remediates a broken lab node: preview, confirm, progress, verified, healthy', async ({
  page,
  api,
  lab,
  agent,
  operator,
  dropIn,
}) => {
  test.setTimeout(120_000);
  const state = await lab.up({ pods: 3, broken: 1 });
  const broken = state.pods.filter((p) => p.broken);
  expect(broken).toHaveLength(1);
  await agent.start({ node: operator.node, intervalSeconds: 2 });

  await expect
    .poll(async () => {
      const n = await api.node(operator.node);
      return typeof n === 'number' ? n : (n as NodeDetail).state;
    }, { timeout: 30_000 })
    .toBe('broken');

  await page.goto(`/nodes/${operator.node}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(operator.node);
  const panel = page.getByRole('region', { name: 'Remediation' });
  await expect(panel).toContainText('this host (local agent)');
  // Not signed in: a viewer, so no button.
  await expect(panel.getByRole('button', { name: 'Remediate' })).toHaveCount(0);

  await signInAsOperator(page, operator.token);
  await panel.getByRole('button', { name: 'Remediate' }).click();

  const dialog = page.getByRole('dialog', { name: `Remediate ${operator.node}` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText(dropIn, { exact: true })).toBeVisible();
  await expect(dialog.getByLabel(`Content of ${dropIn}`)).toContainText('MACAddressPolicy=none');
  await expect(dialog).toContainText('this host (local agent)');
  const repairs = dialog.getByRole('table', { name: /^Pods to repair/ });
  const pod = broken[0];
  await expect(repairs.getByRole('rowheader')).toHaveText([`${pod.namespace}/${pod.name}`]);
  await expect(repairs.getByRole('row', { name: new RegExp(escapeRegExp(`${pod.namespace}/${pod.name}`)) })).toContainText(
    pod.hostIfname,
  );

  // Escape closes the modal and gives focus back to the button that opened it; open it again to confirm.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(panel.getByRole('button', { name: 'Remediate' })).toBeFocused();
  await panel.getByRole('button', { name: 'Remediate' }).click();
  await expect(dialog.getByText(dropIn, { exact: true })).toBeVisible();

  await dialog.getByRole('button', { name: 'Confirm remediation' }).click();
  await expect(dialog).toBeHidden();

  const runs = panel.getByRole('list', { name: 'Remediations of this node' });
  const run = runs.getByRole('listitem').first();
  await expect(run.getByRole('list', { name: 'Progress' })).toBeVisible();
  await expect(run).toHaveAccessibleName(/: Verified$/, { timeout: 60_000 });
  await expect(run.getByRole('list', { name: 'Progress' }).getByRole('listitem')).toHaveText([
    'Pending',
    'Running',
    'Succeeded',
    'Verified',
  ]);
  await expect(page.getByText('Healthy', { exact: true })).toBeVisible();
  await access(dropIn);

  // Evidence: the agent's result JSON says it verified its own work.
  await run.getByText('Evidence', { exact: true }).click();
  await expect(run.getByLabel('Result JSON')).toContainText('"verified": true');

  // The audit log lists who applied which plan on which node, and links to the evidence.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  const audit = page.getByRole('table', { name: 'Audit log entries' });
  const applied = audit.getByRole('row').filter({ hasText: 'apply' }).filter({ hasText: operator.node });
  await expect(applied).toHaveCount(1);
  await expect(applied).toContainText('operator');
  await applied.getByRole('link', { name: /^Evidence of remediation/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Remediation /);
  await expect(page.getByRole('list', { name: 'Remediation' }).getByRole('listitem').first()).toHaveAccessibleName(
    /: Verified$/,
  );
});
