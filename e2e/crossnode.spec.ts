// Cross-node hazards in the browser: two flannel nodes' reports, their Node annotations served by the fake
// Kubernetes API, and the stale FDB entry shown on the fleet page's "Fleet hazards" panel and on both node pages.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { buildFlannelReport } from '../lib/fleet/fixtures';
import { flannelAnnotations, makeFlannelDaemonSet, makeNode } from '../test/fake-kube/objects';
import { FakeKube } from '../test/fake-kube/server';
import { Api } from './support/api';
import { startVethwatch, type RunningVethwatch } from './support/server';

const A_MAC = '0a:00:00:00:00:0a';
const B_MAC = '0a:00:00:00:00:0b';
const OLD_A = '0a:00:00:00:00:aa';
const A = { publicIp: '192.168.1.10', podCIDR: '10.244.0.0/24', vtepIp: '10.244.0.0' };
const B = { publicIp: '192.168.1.11', podCIDR: '10.244.1.0/24', vtepIp: '10.244.1.0' };
const STALE_FDB = `node-b's FDB entry for node-a's VTEP (192.168.1.10) points at ${OLD_A} but node-a's flannel.1 is ${A_MAC}`;

/** A server watching a fake cluster whose two Nodes flannel has annotated. */
/** Each Node's agent reports with its own ServiceAccount token: the shared token may not speak for a cluster Node. */
const test = base.extend<{ cluster: { api: Api; server: RunningVethwatch; agent: (node: string) => Api } }>({
  cluster: async ({}, use, testInfo) => {
    const fake = await FakeKube.start();
    const dir = await mkdtemp(join(tmpdir(), 'vethwatch-e2e-kube-'));
    const tokens = new Map<string, string>();
    const addAgent = (node: string, uid: string) => {
      const token = `eyJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
      fake.addServiceAccountToken(token, { name: 'vethwatch-agent', namespace: 'vethwatch', podName: `agent-${node}`, podUid: `pod-${node}`, nodeName: node, nodeUid: uid, audiences: ['vethwatch'] });
      tokens.set(node, token);
    };
    addAgent('node-a', fake.upsertNode(makeNode('node-a', { annotations: flannelAnnotations({ vtepMac: A_MAC, publicIp: A.publicIp }), podCIDR: A.podCIDR })).metadata.uid);
    addAgent('node-b', fake.upsertNode(makeNode('node-b', { annotations: flannelAnnotations({ vtepMac: B_MAC, publicIp: B.publicIp }), podCIDR: B.podCIDR })).metadata.uid);
    fake.put('daemonsets', makeFlannelDaemonSet());
    const server = await startVethwatch({ KUBECONFIG: fake.writeKubeconfig(dir), HOME: dir });
    try {
      await use({ api: new Api(server.url, server.token), server, agent: (node) => new Api(server.url, tokens.get(node)!) });
    } finally {
      await server.stop();
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('server-output', { body: server.output(), contentType: 'text/plain' });
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
  baseURL: async ({ cluster }, use) => {
    await use(cluster.server.url);
  },
});

test('a stale FDB entry shows on the fleet hazards panel and on both node pages', async ({ page, cluster }) => {
  await cluster.agent('node-a').accept(buildFlannelReport({ node: 'node-a', flannelMac: A_MAC, peers: [{ mac: B_MAC, ...B }] }));
  await cluster.agent('node-b').accept(buildFlannelReport({ node: 'node-b', flannelMac: B_MAC, peers: [{ mac: OLD_A, ...A }] }));
  // The server learns the annotations from its Node informer, shortly after it starts.
  await expect.poll(async () => (await cluster.api.fleet()).hazards?.length ?? 0).toBeGreaterThan(0);

  await page.goto('/');
  const panel = page.getByRole('region', { name: 'Fleet hazards' });
  await expect(panel).toBeVisible();
  const fdb = panel.getByRole('listitem').filter({ hasText: 'flannel-fdb-stale' });
  await expect(fdb).toContainText(STALE_FDB);
  await expect(fdb.getByRole('link')).toHaveText(['node-a', 'node-b']);

  await fdb.getByRole('link', { name: 'node-b' }).click();
  await expect(page).toHaveURL(/\/nodes\/node-b$/);
  const onB = page.getByRole('region', { name: 'Cross-node hazards' });
  await expect(onB.getByRole('listitem').filter({ hasText: 'flannel-fdb-stale' })).toContainText(STALE_FDB);
  // On node-b's page the link goes to the other node.
  await onB.getByRole('listitem').filter({ hasText: 'flannel-fdb-stale' }).getByRole('link', { name: 'node-a' }).click();
  await expect(page).toHaveURL(/\/nodes\/node-a$/);
  await expect(page.getByRole('region', { name: 'Cross-node hazards' }).getByRole('listitem').filter({ hasText: 'flannel-fdb-stale' })).toContainText(STALE_FDB);
});

test('a healthy flannel fleet has no hazards panel, and node pages say nothing was found', async ({ page, cluster }) => {
  await cluster.agent('node-a').accept(buildFlannelReport({ node: 'node-a', flannelMac: A_MAC, peers: [{ mac: B_MAC, ...B }] }));
  await cluster.agent('node-b').accept(buildFlannelReport({ node: 'node-b', flannelMac: B_MAC, peers: [{ mac: A_MAC, ...A }] }));
  await page.goto('/');
  await expect(page.getByRole('table', { name: /^Nodes/ }).getByRole('rowheader')).toHaveText(['node-a', 'node-b']);
  await expect(page.getByRole('region', { name: 'Fleet hazards' })).toHaveCount(0);
  await page.goto('/nodes/node-a');
  await expect(page.getByRole('region', { name: 'Cross-node hazards' })).toContainText('Nothing found comparing this node with the others.');
  // The node's own CNI, its release read from the flannel DaemonSet the fake cluster serves.
  await expect(page.getByRole('region', { name: 'Link policy for new veths' }).getByRole('definition').filter({ hasText: /^Flannel v/ })).toHaveText(
    'Flannel v0.26.1 from DaemonSet kube-flannel/kube-flannel-ds: sets the MACs of the devices it creates itself (v0.22.3+)',
  );
});

test("udev re-MACing flannel.1 shows in the node's host devices, with its history, also without JavaScript", async ({ page, browser, cluster }) => {
  const peers = [{ mac: B_MAC, ...B }];
  const first = buildFlannelReport({ node: 'node-a', flannelMac: OLD_A, peers, collectedAt: new Date(Date.now() - 120_000) });
  first.hostDevices = [{ ...first.hostDevices![0], addrAssignType: 1, udevRewritesMac: true, linkFile: '/usr/lib/systemd/network/99-default.link' }];
  await cluster.agent('node-a').accept(first);
  const rewritten = buildFlannelReport({ node: 'node-a', flannelMac: A_MAC, peers, collectedAt: new Date(Date.now() - 60_000) });
  rewritten.hostDevices = [{ ...rewritten.hostDevices![0], addrAssignType: 3, udevRewritesMac: false, linkFile: '/usr/lib/systemd/network/99-default.link' }];
  await cluster.agent('node-a').accept(rewritten);

  await page.goto('/nodes/node-a');
  const devices = page.getByRole('table', { name: /^Host devices/ });
  const row = devices.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'flannel.1' }) });
  await expect(row).toContainText(`${OLD_A} → ${A_MAC}`);
  await expect(row).toContainText('set by userspace: udev re-MACed it per 99-default.link');
  await row.getByRole('button', { name: 'flannel.1' }).click();
  const history = page.getByRole('table', { name: /MAC history of flannel\.1/ });
  await expect(history.getByRole('row').filter({ hasText: 'MAC changed' })).toContainText(`${OLD_A} → ${A_MAC}`);
  await expect(history.getByRole('row').filter({ hasText: 'Appeared' })).toContainText(OLD_A);
  await expect(page).toHaveURL(/[?&]hostdev=flannel\.1/);

  // The server renders the section and an opened history on its own.
  const noJs = await browser.newContext({ javaScriptEnabled: false, baseURL: cluster.server.url });
  try {
    const p = await noJs.newPage();
    await p.goto('/nodes/node-a?hostdev=flannel.1');
    await expect(p.getByRole('table', { name: /^Host devices/ })).toContainText(`${OLD_A} → ${A_MAC}`);
    await expect(p.getByRole('table', { name: /MAC history of flannel\.1/ }).getByRole('row')).toHaveCount(3);
  } finally {
    await noJs.close();
  }
});
