// The cluster view merged into the read models (no-agent nodes, deleted nodes, the aws-node CNI in the state), on a
// real store on both engines.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildReport } from '@/lib/report/fixtures';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { cniForNode, keepReportedNode, type ClusterView } from './cluster';
import { getFleetFrom, getNodeFrom } from './read';
import { deriveNodeState } from './state';
import type { ClusterCni, KubeNodeFacts } from './types';

const facts: KubeNodeFacts = { osImage: 'Bottlerocket OS 1.20.0', kernelVersion: '6.1.90', kubeletVersion: 'v1.30.1', containerRuntimeVersion: 'containerd://1.7', labels: { a: 'b' }, ready: true };
const cni = (setsHostVethMac: boolean, version: string) => ({ image: `x/amazon-k8s-cni:v${version}`, version, setsHostVethMac, recommendUpgrade: true });

/** A node whose policy would rewrite new veths, reported 10 s ago. */
const input = {
  now: Date.parse('2026-01-01T00:00:10Z'),
  lastReportAt: '2026-01-01T00:00:00Z',
  intervalSeconds: 15,
  mismatchCount: 0,
  unknownArpCount: 0,
  newVeth: { udevRewritesMac: true, macAddressPolicy: 'persistent', linkFile: '/usr/lib/systemd/network/99-default.link' },
};

describe('deriveNodeState with the cluster CNI', () => {
  it('a rewriting policy is at-risk with an old or unknown CNI, safe for new veths with v1.20.1+', () => {
    expect(deriveNodeState(input).state).toBe('at-risk');
    expect(deriveNodeState({ ...input, cniSetsHostVethMac: false }).state).toBe('at-risk');
    expect(deriveNodeState({ ...input, cniSetsHostVethMac: null }).state).toBe('at-risk');
    const fixed = deriveNodeState({ ...input, cniSetsHostVethMac: true, cniVersion: '1.20.1' });
    expect(fixed.state).toBe('healthy');
    expect(fixed.stateReason).toContain('the Amazon VPC CNI v1.20.1 sets host veth MACs itself');
    expect(deriveNodeState({ ...input, unknownArpCount: 2, cniSetsHostVethMac: true }).state).toBe('unknown');
    // v1.20.1-v1.20.4 fix the rewrite but can fail pod creation: the verdict says to go to v1.20.5+, as the plan does.
    expect(deriveNodeState({ ...input, cniSetsHostVethMac: true, cniVersion: '1.20.2', cniRecommendUpgrade: true }).stateReason).toContain(
      'Upgrade to v1.20.5+: v1.20.1-v1.20.4 can fail pod creation under netlink churn.',
    );
    expect(deriveNodeState({ ...input, cniSetsHostVethMac: true, cniVersion: '1.20.5', cniRecommendUpgrade: false }).stateReason).not.toContain('Upgrade');
  });
  it('a mismatch stays broken: the CNI fix repairs no existing pod', () => {
    const broken = deriveNodeState({ ...input, mismatchCount: 1, cniSetsHostVethMac: true });
    expect(broken.state).toBe('broken');
    expect(broken.stateReason).toContain('does not repair existing pods');
  });
});

describe("each node's own CNI", () => {
  const flannel: ClusterCni = { kind: 'flannel', name: 'Flannel', daemonSet: 'kube-flannel/kube-flannel-ds', image: 'flannel/flannel:v0.21.5', version: '0.21.5', safe: false, recommendUpgrade: false };
  const aws: ClusterCni = { kind: 'aws-vpc-cni', name: 'Amazon VPC CNI', daemonSet: 'kube-system/aws-node', image: 'x/amazon-k8s-cni:v1.20.5', version: '1.20.5', safe: true, recommendUpgrade: false };

  it('picks the DaemonSet of the kind the agent identified; an agent too old to say is judged by aws-node', () => {
    const view = { awsNode: null, cnis: [aws, flannel] };
    expect(cniForNode(view, 'flannel')).toBe(flannel);
    expect(cniForNode(view, 'aws-vpc-cni')).toBe(aws);
    expect(cniForNode(view, null)).toBe(aws);
    // A calico node is not judged by another CNI's release.
    expect(cniForNode(view, 'calico')).toBeNull();
    expect(cniForNode({ awsNode: null, cnis: [flannel] }, null)).toBeNull();
    expect(cniForNode(null, 'flannel')).toBeNull();
    // A view with only the aws-node reading still judges VPC CNI nodes.
    expect(cniForNode({ awsNode: cni(true, '1.20.5'), cnis: null }, null)).toMatchObject({ kind: 'aws-vpc-cni', version: '1.20.5', safe: true });
  });

  it("names the node's CNI in its state: too old says which release fixes it, a fixed one makes new devices safe", () => {
    const old = deriveNodeState({ ...input, cniSetsHostVethMac: false, cniVersion: '0.21.5', cniName: 'Flannel', cniKind: 'flannel' });
    expect(old.state).toBe('at-risk');
    expect(old.stateReason).toBe(
      'udev would rewrite the MAC of new veths (MACAddressPolicy=persistent from /usr/lib/systemd/network/99-default.link). Flannel v0.21.5 predates v0.22.3, the first release that sets these MACs itself.',
    );
    const fixed = deriveNodeState({ ...input, cniSetsHostVethMac: true, cniVersion: '0.22.3', cniName: 'Flannel', cniKind: 'flannel' });
    expect(fixed.state).toBe('healthy');
    expect(fixed.stateReason).toContain('but Flannel v0.22.3 sets the MACs of the devices it creates itself (v0.22.3+).');
    // The VPC CNI keeps its own words, and an old VPC CNI adds nothing to the at-risk reason.
    expect(deriveNodeState({ ...input, cniSetsHostVethMac: false, cniVersion: '1.19.2', cniName: 'Amazon VPC CNI', cniKind: 'aws-vpc-cni' }).stateReason).toBe(
      'udev would rewrite the MAC of new veths (MACAddressPolicy=persistent from /usr/lib/systemd/network/99-default.link).',
    );
  });
});

describe('keepReportedNode', () => {
  const view = (deleted: string[]): ClusterView => ({ nodes: new Map([['k', facts]]), deleted: new Set(deleted), awsNode: null });
  it('keeps Kubernetes nodes and reporting outsiders; drops deleted or silent outsiders', () => {
    expect(keepReportedNode('k', true, view([]))).toBe(true);
    expect(keepReportedNode('local', false, view([]))).toBe(true);
    expect(keepReportedNode('gone', false, view(['gone']))).toBe(false);
    expect(keepReportedNode('old', true, view([]))).toBe(false);
    expect(keepReportedNode('x', true, { nodes: null, deleted: new Set(), awsNode: null })).toBe(true);
  });
});

describe.each(testEngines)('read models with a cluster view on $name', (engine) => {
  let t: TestStore;
  const bus = createEventBus();
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('adds no-agent nodes, Node facts and the CNI; the CNI version changes the state', async () => {
    await ingestReport(t.store, buildReport({ node: 'b-reported', policy: 'persistent', collectedAt: '2026-01-01T00:00:00Z' }), { bus, receivedAt: new Date('2026-01-01T00:00:00Z') });
    const now = new Date('2026-01-01T00:00:05Z');
    const nodes = new Map([
      ['a-silent', facts],
      ['b-reported', { ...facts, labels: {} }],
    ]);
    const old: ClusterView = { nodes, deleted: new Set(), awsNode: cni(false, '1.19.0') };
    const f = await getFleetFrom(t.store, now, old);
    expect(f.nodes.map((n) => [n.name, n.state])).toEqual([
      ['a-silent', 'no-agent'],
      ['b-reported', 'at-risk'],
    ]);
    expect(f.counts).toEqual({ broken: 0, 'at-risk': 1, fragile: 0, stale: 0, 'no-agent': 1, unknown: 0, healthy: 0 });
    expect(f.awsNode).toEqual(old.awsNode);
    expect(f.nodes[0]).toMatchObject({ kube: facts, os: { prettyName: 'Bottlerocket OS 1.20.0', kernel: '6.1.90' }, lastReportAt: null });
    expect(f.nodes[1].kube).toEqual({ ...facts, labels: {} });

    const fixed = await getFleetFrom(t.store, now, { ...old, awsNode: cni(true, '1.20.5') });
    expect(fixed.nodes[1].state).toBe('healthy');
    const detail = await getNodeFrom(t.store, 'b-reported', now, { ...old, awsNode: cni(true, '1.20.5') });
    expect(detail).toMatchObject({ state: 'healthy', awsNode: cni(true, '1.20.5') });

    // Before the informer's first list nothing is called no-agent.
    const unsynced = await getFleetFrom(t.store, now, { nodes: null, deleted: new Set(), awsNode: null });
    expect(unsynced.nodes.map((n) => n.name)).toEqual(['b-reported']);
    // Without a cluster the view is exactly as before: no kube or awsNode keys.
    const plain = await getFleetFrom(t.store, now, null);
    expect('awsNode' in plain).toBe(false);
    expect('kube' in plain.nodes[0]).toBe(false);
  });

  it('a deleted node leaves the fleet but its page stays', async () => {
    await ingestReport(t.store, buildReport({ node: 'gone', collectedAt: '2026-01-01T00:00:00Z' }), { bus, receivedAt: new Date('2026-01-01T00:00:00Z') });
    const view: ClusterView = { nodes: new Map(), deleted: new Set(['gone']), awsNode: null };
    const now = new Date('2026-01-01T00:00:05Z');
    expect((await getFleetFrom(t.store, now, view)).nodes).toEqual([]);
    expect((await getNodeFrom(t.store, 'gone', now, view))?.name).toBe('gone');
  });
});
