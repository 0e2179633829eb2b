// The 3 a.m. page, end to end on the real lab: a pod breaks; the on-call engineer finds it by its IP, checks by
// hand with the node page's own commands, previews and applies the fix (Verified); someone removes the drop-in by
// hand (drift names the drop-in, the node goes at risk); a new veth breaks and the old fix shows "Regressed".
import { execFile } from 'node:child_process';
import { access, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { NodeDetail } from '../lib/nodes/types';
import { expect, signInAsOperator, test } from './fixtures/remediationLab';
import { escapeRegExp } from './support/locators';

const run = promisify(execFile);

/** Runs one read-only "check by hand" line as the page shows it (already shell-quoted). */
async function sh(command: string): Promise<string> {
  expect(command).toMatch(/^(ip netns exec \S+ ip neigh show \S+|ip -d link show \S+|cat \/sys\/class\/net\/\S+\/addr_assign_type)$/);
  return (await run('sh', ['-c', command])).stdout;
}

test('the 3 a.m. page: find by pod IP, check by hand, fix, drift by hand, regression', async ({
  page,
  api,
  lab,
  agent,
  operator,
  dropIn,
}) => {
  test.setTimeout(240_000);
  const state = await lab.up({ pods: 3, broken: 1 });
  const pod = state.pods.find((p) => p.broken)!;
  const healthy = state.pods.find((p) => !p.broken)!;
  await agent.start({ node: operator.node, intervalSeconds: 2 });
  const nodeState = async () => {
    const n = await api.node(operator.node);
    return typeof n === 'number' ? n : (n as NodeDetail).state;
  };
  await expect.poll(nodeState, { timeout: 30_000 }).toBe('broken');

  // (2) Search by the pod's IP: the API and the fleet page name the node and the veth.
  const found = await page.request.get(`/api/v1/nodes?q=${encodeURIComponent(pod.podIP)}`);
  expect(found.ok()).toBe(true);
  expect(JSON.stringify(await found.json())).toContain(pod.hostIfname);

  await page.goto('/');
  const search = page.getByRole('searchbox', { name: 'Search' });
  // The shortcut works once the page is hydrated; retry the key press until it does.
  await expect(async () => {
    await page.keyboard.press('/');
    await expect(search).toBeFocused({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await search.fill(pod.podIP);
  const hits = page.getByRole('region', { name: /matching/ });
  const hit = hits.getByRole('listitem').filter({ hasText: pod.hostIfname });
  await expect(hit).toContainText(`on node ${operator.node}, veth ${pod.hostIfname}`);
  await hit.getByRole('link', { name: new RegExp(escapeRegExp(pod.name)) }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(operator.node);

  // (3) The reason and the commands; run the read-only ones and see the mismatch with our own eyes.
  await expect(page.getByText('At risk', { exact: true }).or(page.getByText('Broken', { exact: true })).first()).toBeVisible();
  const checks = page.getByRole('region', { name: 'Check by hand' }).getByRole('list', { name: `Commands for ${pod.hostIfname}` });
  await expect(checks).toContainText('which is NOT the host veth');
  const neighCmd = (await checks.getByLabel("The pod's gateway ARP entry").textContent())!.trim();
  const linkCmd = (await checks.getByLabel('The host veth and its MAC').textContent())!.trim();
  const typeCmd = (await checks.getByLabel('Who set the MAC').textContent())!.trim();
  const neigh = await sh(neighCmd);
  const link = await sh(linkCmd);
  const lladdr = /lladdr ([0-9a-f:]{17})/.exec(neigh)?.[1];
  const mac = /link\/ether ([0-9a-f:]{17})/.exec(link)?.[1];
  expect(lladdr).toBeTruthy();
  expect(mac).toBeTruthy();
  expect(lladdr).not.toBe(mac);
  expect((await sh(typeCmd)).trim()).toBe('3');

  // (4) Preview: each step's shell equivalent; apply; Verified.
  await signInAsOperator(page, operator.token);
  const panel = page.getByRole('region', { name: 'Remediation' });
  await panel.getByRole('button', { name: 'Remediate' }).click();
  const dialog = page.getByRole('dialog', { name: `Remediate ${operator.node}` });
  await expect(dialog.getByLabel(`Shell: Write the drop-in ${dropIn}`)).toContainText(`cat > ${dropIn}`);
  await expect(dialog.getByLabel(`Shell: Write the drop-in ${dropIn}`)).toContainText('MACAddressPolicy=none');
  await expect(dialog.getByLabel('Shell: Make udevd read the link files again')).toHaveText('udevadm control --reload');
  await expect(dialog.getByLabel(/^Shell: (Give the host veth|Point the pod's gateway entry at)/)).toContainText(
    /ip link set dev \S+ address|ip .*neigh /,
  );
  await dialog.getByRole('button', { name: 'Confirm remediation' }).click();
  await expect(dialog).toBeHidden();
  const fix = panel.getByRole('list', { name: 'Remediations of this node' }).getByRole('listitem').first();
  await expect(fix).toHaveAccessibleName(/: Verified$/, { timeout: 60_000 });
  await access(dropIn);

  // (5) Someone removes the drop-in by hand: drift names the drop-in as removed, not a package; the node is at risk.
  await rm(dropIn);
  // As a person would; on a host without a running udevd (a container) there is nothing to reload, and the lab's
  // `udevadm test-builtin net_setup_link` reads the link files afresh anyway.
  await run('udevadm', ['control', '--reload']).catch((err: { stderr?: string }) => {
    if (!/No such file or directory/.test(err.stderr ?? '')) throw err;
  });
  await expect.poll(nodeState, { timeout: 30_000 }).toBe('at-risk');
  await page.reload();
  const drift = page.getByRole('list', { name: 'Drift' });
  const removed = drift.getByRole('listitem').filter({ hasText: `Drop-in ${dropIn} removed` });
  await expect(removed.first()).toBeVisible({ timeout: 30_000 });
  await expect(removed.first()).not.toContainText('Package event');
  await expect(page.getByText('At risk', { exact: true }).first()).toBeVisible();

  // (6) A new veth breaks again: the old fix shows Regressed.
  // The fix is judged regressed by the first report after the drop-in went (new veths would lose their MAC again);
  // the broken veth is what that risk looks like: the node is broken again, and the fix stays Regressed.
  await lab.break(healthy.hostIfname);
  await expect.poll(nodeState, { timeout: 30_000 }).toBe('broken');
  await expect(async () => {
    await page.reload();
    await expect(fix).toHaveAccessibleName(/: Regressed$/, { timeout: 3_000 });
  }).toPass({ timeout: 60_000 });
  await expect(fix).toContainText('Regressed at');
});
