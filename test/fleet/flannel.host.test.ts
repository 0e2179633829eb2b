// The cross-node checks on what a real kernel reports: two network namespaces stand in for two flannel nodes, each
// with a real VXLAN flannel.1, and node-b's FDB and PERMANENT neighbour entries for node-a's VTEP point at a MAC
// node-a's flannel.1 does not have (as after udev re-MACed it). The agent's own scan runs inside each namespace
// (`ip netns exec`, so /sys is that namespace's), its reports go into a real store, and the fleet read model names
// both nodes. Both "nodes" read this host's /etc/machine-id, so they are also (rightly) flagged as clones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '@/agent/collect/exec';
import { HostScratch } from '@/agent/testutil/hostNet';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import type { ClusterView } from '@/lib/nodes/cluster';
import { getFleetFrom, getNodeFrom } from '@/lib/nodes/read';
import { reportSchema, type Report } from '@/lib/report/schema';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { REPO_ROOT } from '../support/serverProcess';

const A_MAC = '0a:00:00:00:00:0a';
const B_MAC = '0a:00:00:00:00:0b';
const OLD_A = '0a:00:00:00:00:aa';
const A = { publicIp: '192.168.1.10', vtepIp: '10.244.0.0' };
const B = { publicIp: '192.168.1.11', vtepIp: '10.244.1.0' };

const scratch = new HostScratch();
let t: TestStore;

async function flannelNode(mac: string): Promise<string> {
  const ns = await scratch.addNetns();
  await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  await run('ip', ['-n', ns, 'link', 'add', 'flannel.1', 'address', mac, 'type', 'vxlan', 'id', '1', 'local', '127.0.0.1', 'dev', 'lo', 'dstport', '8472', 'nolearning']);
  await run('ip', ['-n', ns, 'link', 'set', 'flannel.1', 'up']);
  return ns;
}

/** What flanneld programs on one node for a peer's VTEP. */
async function programPeer(ns: string, peer: { mac: string; publicIp: string; vtepIp: string }): Promise<void> {
  await run('bridge', ['-n', ns, 'fdb', 'append', peer.mac, 'dev', 'flannel.1', 'dst', peer.publicIp, 'self', 'permanent']);
  await run('ip', ['-n', ns, 'neigh', 'replace', peer.vtepIp, 'lladdr', peer.mac, 'dev', 'flannel.1', 'nud', 'permanent']);
}

/** The agent's scan, run inside the namespace as the node's agent would see it. */
async function scanIn(ns: string, node: string): Promise<Report> {
  const r = await run('ip', ['netns', 'exec', ns, 'env', `NODE_NAME=${node}`, process.execPath, '--import', 'tsx', `${REPO_ROOT}agent/testutil/scanJson.ts`, '/'], {
    timeoutMs: 60_000,
  });
  return reportSchema.parse(JSON.parse(r.stdout));
}

beforeAll(async () => {
  t = await testEngines.find((e) => e.name === 'sqlite')!.open();
});
afterAll(async () => {
  await scratch.cleanup();
  await t?.cleanup();
});

describe('cross-node checks on real kernel state', () => {
  it("names node-a and node-b when node-b's flannel.1 entries for node-a's VTEP carry a stale MAC", async () => {
    const nsA = await flannelNode(A_MAC);
    const nsB = await flannelNode(B_MAC);
    await programPeer(nsA, { mac: B_MAC, ...B });
    await programPeer(nsB, { mac: OLD_A, ...A });
    const [ra, rb] = [await scanIn(nsA, 'node-a'), await scanIn(nsB, 'node-b')];
    expect(rb.hostDevices?.find((d) => d.ifname === 'flannel.1')?.mac).toBe(B_MAC);
    expect(rb.overlay?.fdb).toContainEqual({ mac: OLD_A, dst: A.publicIp, dev: 'flannel.1' });

    const bus = createEventBus();
    for (const r of [ra, rb]) await ingestReport(t.store, r, { bus, receivedAt: new Date(), maxClockSkewSeconds: Infinity });
    const view: ClusterView = {
      nodes: null,
      deleted: new Set(),
      awsNode: null,
      flannel: new Map([
        ['node-a', { vtepMac: A_MAC, ...A }],
        ['node-b', { vtepMac: B_MAC, ...B }],
      ]),
    };
    const fleet = await getFleetFrom(t.store, new Date(), view);
    const flannel = fleet.hazards!.filter((h) => h.code.startsWith('flannel-'));
    expect(flannel.map((h) => [h.code, h.nodes])).toEqual([
      ['flannel-fdb-stale', ['node-a', 'node-b']],
      ['flannel-neighbour-stale', ['node-a', 'node-b']],
    ]);
    expect(flannel[0].message).toContain(`node-b's FDB entry for node-a's VTEP (192.168.1.10) points at ${OLD_A} but node-a's flannel.1 is ${A_MAC}`);
    // One host's /etc/machine-id behind both: exactly the cloned-image case.
    expect(ra.machineIdHash).toMatch(/^[0-9a-f]{64}$/);
    expect(fleet.hazards!.filter((h) => h.code === 'duplicate-machine-id').map((h) => h.nodes)).toEqual([['node-a', 'node-b']]);
    expect((await getNodeFrom(t.store, 'node-a', new Date(), view))!.hazards!.map((h) => h.code)).toContain('flannel-fdb-stale');
  });
});
