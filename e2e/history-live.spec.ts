// Issue 4's done-when, end to end: the real server, the real agent (run mode, --interval 2, live `ip monitor`
// trigger) and the netns lab with real udev. Needs root and the host lock (the test command holds it; by hand:
// `flock /run/lock/vethwatch-host.lock npx playwright test e2e/history-live.spec.ts`).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { expect, test } from './fixtures/lab';
import { escapeRegExp, vethsTable } from './support/locators';

const run = promisify(execFile);
const DEFAULT_LINK = '/usr/lib/systemd/network/99-default.link';
/** "Within 2 s" of the lab command returning, plus a little for a loaded 2-core machine. */
const LIVE_MS = 3_000;

test('a pod broken by real udev shows up live on the node page, and the interval closes when fixed', async ({
  page,
  api,
  lab,
  agent,
}) => {
  test.setTimeout(120_000);
  const node = `vwt-${randomBytes(3).toString('hex')}`;
  const state = await lab.up({ pods: 2 });
  const [pod] = state.pods;
  const podKey = `${pod.namespace}/${pod.name}`;
  await agent.start({ node });

  // The agent's first report has the lab's pods, all fine.
  await expect
    .poll(async () => {
      const d = await api.node(node);
      return typeof d === 'number' ? null : (d.veths.find((v) => v.ifname === pod.hostIfname)?.arpStatus ?? null);
    }, { timeout: 20_000 })
    .toBe('ok');

  await page.goto(`/nodes/${node}`);
  await expect(page.getByRole('status').filter({ hasText: /^Live$/ })).toBeVisible();
  const timeline = page.getByRole('region', { name: 'ARP mismatch timeline' });
  await expect(timeline).toContainText('No pod had a wrong gateway MAC in the last 24 h');

  const row = vethsTable(page).getByRole('row', { name: new RegExp(`^${escapeRegExp(pod.hostIfname)}\\b`) });
  await expect(row.getByRole('cell').first()).toHaveText(pod.hostMac);
  await row.getByRole('button', { name: pod.hostIfname }).click();
  const history = page.getByRole('table', { name: new RegExp(`^MAC history of ${escapeRegExp(pod.hostIfname)}`) });
  await expect(history).toBeVisible();
  await expect(history.locator('tbody tr[data-kind="mac_changed"]')).toHaveCount(0);

  // Break: real udevadm applies MACAddressPolicy=persistent to the host veth.
  const broken = await lab.break(pod.hostIfname);
  expect(broken.after).not.toBe(broken.before);

  const lane = timeline.locator(`[data-lane="${podKey}"]`);
  const ongoing = lane.getByRole('button', { name: /ARP mismatch ongoing since/ });
  await expect(ongoing).toBeVisible({ timeout: LIVE_MS });
  await expect(ongoing).toHaveAttribute('data-status', 'ongoing');
  await expect(row.getByRole('cell').first()).toHaveText(broken.after, { timeout: LIVE_MS });
  const change = history.locator('tbody tr[data-kind="mac_changed"]');
  await expect(change).toHaveCount(1, { timeout: LIVE_MS });
  await expect(change).toContainText(`${broken.before} → ${broken.after}`);
  await expect(change).toContainText('set by userspace (udev)');

  // Hover and focus both show the exact times and both MACs.
  await ongoing.hover();
  const tooltip = page.getByRole('tooltip');
  await expect(tooltip).toContainText(podKey);
  await expect(tooltip).toContainText(broken.after);
  await expect(tooltip).toContainText(pod.gatewayLladdr);
  await expect(tooltip).toContainText(/From\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
  await page.mouse.move(0, 0);
  await ongoing.focus();
  await expect(page.getByRole('tooltip')).toContainText('ongoing');

  // Fix: give the host veth back the MAC the pod's PERMANENT gateway entry points at.
  await run('ip', ['link', 'set', 'dev', pod.hostIfname, 'address', pod.gatewayLladdr]);
  const closed = lane.getByRole('button', { name: /ARP mismatch from .* to / });
  await expect(closed).toHaveAttribute('data-status', 'closed', { timeout: LIVE_MS });
  await expect(ongoing).toHaveCount(0);
  await expect(row.getByRole('cell').first()).toHaveText(pod.gatewayLladdr, { timeout: LIVE_MS });
});

test('replacing 99-default.link while keeping its mtime, as a package upgrade does, shows a drift finding', async ({
  page,
  api,
  agent,
}) => {
  test.setTimeout(90_000);
  const original = await readFile(DEFAULT_LINK);
  const before = await stat(DEFAULT_LINK);
  const node = `vwt-${randomBytes(3).toString('hex')}`;
  try {
    await agent.start({ node });
    await expect.poll(async () => typeof (await api.node(node)) !== 'number', { timeout: 20_000 }).toBe(true);
    await page.goto(`/nodes/${node}`);
    const card = page.getByRole('region', { name: 'Link policy for new veths' });
    await expect(card.getByRole('list', { name: 'Drift' })).toHaveCount(0);
    await expect(card).toContainText('No drift');

    // New content (a longer comment), then the old mtime put back, as dpkg does with the .deb's stored mtime.
    const edited = Buffer.concat([original, Buffer.from('# vethwatch e2e: content changed, mtime kept\n')]);
    await writeFile(DEFAULT_LINK, edited);
    await utimes(DEFAULT_LINK, before.atime, before.mtime);
    expect((await stat(DEFAULT_LINK)).mtimeMs).toBe(before.mtimeMs);

    // The next scheduled report (every 2 s) carries it; a file change has no live trigger.
    const drift = card.getByRole('list', { name: 'Drift' }).locator('li[data-kind="content-changed-mtime-unchanged"]');
    await expect(drift.first()).toBeVisible({ timeout: 10_000 });
    await expect(drift.first()).toContainText(DEFAULT_LINK);
    await expect(drift.first().getByLabel(`Diff of ${DEFAULT_LINK}`)).toContainText('+# vethwatch e2e: content changed, mtime kept');
  } finally {
    await writeFile(DEFAULT_LINK, original);
    await utimes(DEFAULT_LINK, before.atime, before.mtime);
  }
  const after = await stat(DEFAULT_LINK);
  expect(after.mtimeMs).toBe(before.mtimeMs);
  expect((await readFile(DEFAULT_LINK)).equals(original)).toBe(true);
});
