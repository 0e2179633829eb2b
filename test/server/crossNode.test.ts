// Cross-node hazards end to end: two agents' reports sent with the agent's own sender over real HTTP to the real
// server (child process, API only), the flannel annotations coming from the fake Kubernetes API through the Node
// informer, and the finding in the API answer for the fleet and for both nodes. An old agent's report (none of
// the new fields) is accepted alongside and takes no part; the new agent's report still passes the old schema.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendReport } from '@/agent/deliver/send';
import { buildFlannelReport } from '@/lib/fleet/fixtures';
import type { CrossNodeFinding } from '@/lib/fleet/types';
import type { FleetView, NodeDetail } from '@/lib/nodes/types';
import { reportSchema as oldSchema } from '@/lib/report/compat/v1-before-cni';
import { buildReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { flannelAnnotations, makeFlannelDaemonSet, makeNode } from '../fake-kube/cluster';
import { FakeKube } from '../fake-kube/server';
import { eventually, startServerProcess, type ServerProcess } from '../support/serverProcess';

const TOKEN = `agent-${randomBytes(12).toString('hex')}`;
const A_MAC = '0a:00:00:00:00:0a';
const B_MAC = '0a:00:00:00:00:0b';
const OLD_A = '0a:00:00:00:00:aa';
const A = { publicIp: '192.168.1.10', podCIDR: '10.244.0.0/24', vtepIp: '10.244.0.0' };
const B = { publicIp: '192.168.1.11', podCIDR: '10.244.1.0/24', vtepIp: '10.244.1.0' };

let fake: FakeKube;
let server: ServerProcess;
let dir: string;

// Every node here is a Node of the cluster, so each agent reports with its own ServiceAccount token (the shared
// token may not speak for a cluster Node).
const SA_TOKENS = new Map<string, string>();
function addAgent(node: string, nodeUid: string): void {
  const token = `eyJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
  fake.addServiceAccountToken(token, { name: 'vethwatch-agent', namespace: 'vethwatch', podName: `agent-${node}`, podUid: `pod-${node}`, nodeName: node, nodeUid, audiences: ['vethwatch'] });
  SA_TOKENS.set(node, token);
}

async function send(report: Report | object): Promise<void> {
  const node = (report as { node?: string }).node ?? '';
  const outcome = await sendReport({ server: new URL(server.url), token: SA_TOKENS.get(node) ?? TOKEN, body: JSON.stringify(report), timeoutMs: 10_000 });
  expect(outcome.kind).toBe('accepted');
}
async function get<T>(p: string): Promise<T> {
  const res = await fetch(`${server.url}${p}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}
const codes = (hs: readonly CrossNodeFinding[] | undefined) => (hs ?? []).map((h) => [h.code, h.nodes]);

beforeAll(async () => {
  fake = await FakeKube.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vwt-crossnode-'));
  addAgent('node-a', fake.upsertNode(makeNode('node-a', { annotations: flannelAnnotations({ vtepMac: A_MAC, publicIp: A.publicIp }), podCIDR: A.podCIDR })).metadata.uid);
  addAgent('node-b', fake.upsertNode(makeNode('node-b', { annotations: flannelAnnotations({ vtepMac: B_MAC, publicIp: B.publicIp }), podCIDR: B.podCIDR })).metadata.uid);
  addAgent('node-old', fake.upsertNode(makeNode('node-old')).metadata.uid);
  fake.put('daemonsets', makeFlannelDaemonSet());
  server = await startServerProcess({
    HOME: dir,
    VETHWATCH_DB: path.join(dir, 'db.sqlite'),
    VETHWATCH_AGENT_TOKEN: TOKEN,
    KUBECONFIG: fake.writeKubeconfig(dir),
  });
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('cross-node hazards through the API', () => {
  it("names both nodes when node-b's FDB entry for node-a's VTEP is stale, on the fleet and on both node pages", async () => {
    await send(buildFlannelReport({ node: 'node-a', flannelMac: A_MAC, peers: [{ mac: B_MAC, ...B }] }));
    await send(buildFlannelReport({ node: 'node-b', flannelMac: B_MAC, peers: [{ mac: OLD_A, ...A }] }));
    // An agent from before the new fields: its report is accepted and it takes no part.
    await send(oldSchema.parse(buildReport({ node: 'node-old' })));
    const fleet = await eventually(async () => {
      const f = await get<FleetView>('/api/v1/nodes');
      return f.hazards && f.hazards.length > 0 ? f : undefined;
    }, 'the informer to list the flannel annotations');
    expect(codes(fleet.hazards)).toEqual([
      ['flannel-fdb-stale', ['node-a', 'node-b']],
      ['flannel-neighbour-stale', ['node-a', 'node-b']],
    ]);
    expect(fleet.hazards![0].message).toBe(
      `node-b's FDB entry for node-a's VTEP (192.168.1.10) points at ${OLD_A} but node-a's flannel.1 is ${A_MAC}: overlay traffic from it to node-a's pods is dropped.`,
    );
    expect(fleet.nodes.map((n) => [n.name, n.state])).toEqual([
      ['node-a', 'at-risk'],
      ['node-b', 'at-risk'],
      ['node-old', 'at-risk'],
    ]);
    for (const name of ['node-a', 'node-b']) {
      const node = await get<NodeDetail>(`/api/v1/nodes/${name}`);
      expect(codes(node.hazards)).toEqual(codes(fleet.hazards));
    }
    expect((await get<NodeDetail>('/api/v1/nodes/node-old')).hazards).toEqual([]);
  });

  it("follows a Node annotation change: a VtepMAC flannel.1 does not have is flagged on that node", async () => {
    fake.upsertNode(makeNode('node-b', { annotations: flannelAnnotations({ vtepMac: '0a:00:00:00:00:bb', publicIp: B.publicIp }), podCIDR: B.podCIDR }));
    const node = await eventually(async () => {
      const n = await get<NodeDetail>('/api/v1/nodes/node-b');
      return n.hazards?.some((h) => h.code === 'flannel-vtep-annotation-mismatch') ? n : undefined;
    }, 'the annotation change to reach the server');
    expect(node.hazards!.find((h) => h.code === 'flannel-vtep-annotation-mismatch')).toEqual({
      code: 'flannel-vtep-annotation-mismatch',
      severity: 'error',
      nodes: ['node-b'],
      message: `node-b's flannel.1 is ${B_MAC} but its Node annotation flannel.alpha.coreos.com/backend-data advertises VtepMAC 0a:00:00:00:00:bb, so the other nodes send its overlay traffic to a MAC it does not have.`,
    });
    expect(codes((await get<NodeDetail>('/api/v1/nodes/node-a')).hazards)).toEqual([
      ['flannel-fdb-stale', ['node-a', 'node-b']],
      ['flannel-neighbour-stale', ['node-a', 'node-b']],
    ]);
  });

  it('flags nodes cloned with one machine ID, and their identical flannel.1 MACs', async () => {
    const hash = 'c'.repeat(64);
    // Each clone is its own node (Kubernetes does not list them: the server keeps reporting nodes in the fleet).
    await send(buildFlannelReport({ node: 'clone-1', flannelMac: '0a:00:00:00:00:c1', peers: [], machineIdHash: hash }));
    await send(buildFlannelReport({ node: 'clone-2', flannelMac: '0a:00:00:00:00:c1', peers: [], machineIdHash: hash }));
    const fleet = await get<FleetView>('/api/v1/nodes');
    expect(codes(fleet.hazards).filter(([, nodes]) => nodes.includes('clone-1'))).toEqual([
      ['duplicate-host-mac', ['clone-1', 'clone-2']],
      ['duplicate-machine-id', ['clone-1', 'clone-2']],
    ]);
    expect(codes((await get<NodeDetail>('/api/v1/nodes/clone-2')).hazards)).toEqual([
      ['duplicate-host-mac', ['clone-1', 'clone-2']],
      ['duplicate-machine-id', ['clone-1', 'clone-2']],
    ]);
  });

  it("the new agent's report passes the schema old servers run (only additions)", () => {
    const report = buildFlannelReport({ node: 'node-a', flannelMac: A_MAC, peers: [{ mac: B_MAC, ...B }], machineIdHash: 'c'.repeat(64) });
    const seenByOld = oldSchema.parse(JSON.parse(JSON.stringify(report)));
    expect(seenByOld.node).toBe('node-a');
    expect('overlay' in seenByOld).toBe(false);
  });
});
