import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeCluster, flannelAnnotations, makeNode, startFakeCluster } from '@/test/fake-kube/cluster';
import type { KubeError } from './errors';
import { type NodeInfo, type NodeWatcher, toNodeInfo, watchNodes } from './nodes';

let c: FakeCluster;
let w: NodeWatcher | null = null;
beforeEach(async () => {
  c = await startFakeCluster();
});
afterEach(async () => {
  await w?.stop();
  w = null;
  await c.close();
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('waitFor: condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function recorder() {
  const events: Array<[string, string, boolean | null]> = [];
  const errors: KubeError[] = [];
  const push = (kind: string) => (n: NodeInfo) => events.push([kind, n.name, n.ready]);
  return { events, errors, handlers: { onAdd: push('add'), onUpdate: push('update'), onDelete: push('delete'), onError: (e: KubeError) => errors.push(e) } };
}

describe('toNodeInfo', () => {
  it('keeps what vethwatch needs from a Node', () => {
    expect(toNodeInfo(makeNode('n1', { labels: { 'node.kubernetes.io/instance-type': 'm5.large' } }))).toEqual({
      name: 'n1',
      uid: '',
      osImage: 'Ubuntu 22.04.4 LTS',
      kernelVersion: '6.5.0-1024-aws',
      kubeletVersion: 'v1.30.4-eks-a737599',
      containerRuntimeVersion: 'containerd://1.7.20',
      labels: { 'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': 'm5.large' },
      ready: true,
      unschedulable: false,
      flannel: null,
    });
    expect(toNodeInfo(makeNode('n2', { ready: 'Unknown' })).ready).toBe(false);
    expect(toNodeInfo(makeNode('n3', { conditions: [] })).ready).toBeNull();
    expect(toNodeInfo({ metadata: { name: 'bare' } })).toMatchObject({ name: 'bare', osImage: null, labels: {}, ready: null });
  });
});

describe('toNodeInfo: flannel', () => {
  it("reshapes flannel's annotations and the podCIDR's network address (its VTEP address)", () => {
    const node = makeNode('n1', { annotations: flannelAnnotations({ vtepMac: '0A:00:00:00:00:0A', publicIp: '192.168.1.10' }), podCIDR: '10.244.3.0/24' });
    expect(toNodeInfo(node).flannel).toEqual({ vtepMac: '0a:00:00:00:00:0a', publicIp: '192.168.1.10', vtepIp: '10.244.3.0' });
    expect(toNodeInfo(makeNode('n2', { annotations: flannelAnnotations({ vtepMac: '0a:00:00:00:00:0a', publicIp: '10.0.0.1' }), podCIDR: '10.244.3.77/22' })).flannel?.vtepIp).toBe('10.244.0.0');
  });

  it('reads hostile or broken annotations as absent', () => {
    const bad = (annotations: Record<string, string>) => toNodeInfo(makeNode('n', { annotations })).flannel;
    expect(bad({ 'flannel.alpha.coreos.com/backend-data': 'not json' })).toEqual({ vtepMac: null, publicIp: null, vtepIp: null });
    expect(bad({ 'flannel.alpha.coreos.com/backend-data': '{"VtepMAC":"<script>"}' })?.vtepMac).toBeNull();
    expect(bad({ 'flannel.alpha.coreos.com/backend-data': 'null' })?.vtepMac).toBeNull();
    expect(bad({ 'flannel.alpha.coreos.com/public-ip': 'x'.repeat(65) })?.publicIp).toBeNull();
    expect(bad({ other: 'x' })).toBeNull();
    expect(toNodeInfo(makeNode('n', { podCIDR: 'fd00::/64' })).flannel).toBeNull();
  });

  it('an annotation change reaches the informer cache', async () => {
    c.fake.upsertNode(makeNode('node-a', { annotations: flannelAnnotations({ vtepMac: '0a:00:00:00:00:0a', publicIp: '192.168.1.10' }), podCIDR: '10.244.0.0/24' }));
    const r = recorder();
    w = watchNodes(c.kube, r.handlers);
    await w.synced;
    await waitFor(() => w!.get('node-a')?.flannel?.vtepMac === '0a:00:00:00:00:0a');
    c.fake.upsertNode(makeNode('node-a', { annotations: flannelAnnotations({ vtepMac: '0a:00:00:00:00:bb', publicIp: '192.168.1.10' }), podCIDR: '10.244.0.0/24' }));
    await waitFor(() => w!.get('node-a')?.flannel?.vtepMac === '0a:00:00:00:00:bb');
  });
});

describe('watchNodes', () => {
  it('lists, then sees add, update and delete', async () => {
    c.fake.upsertNode(makeNode('node-a'));
    const r = recorder();
    w = watchNodes(c.kube, r.handlers);
    await w.synced;
    await waitFor(() => c.fake.openWatchCount === 1);
    expect(w.list().map((n) => n.name)).toEqual(['node-a']);
    c.fake.upsertNode(makeNode('node-b'));
    c.fake.upsertNode(makeNode('node-a', { ready: 'False' }));
    c.fake.deleteNode('node-b');
    await waitFor(() => r.events.length === 4);
    expect(r.events).toEqual([
      ['add', 'node-a', true],
      ['add', 'node-b', true],
      ['update', 'node-a', false],
      ['delete', 'node-b', true],
    ]);
    expect(w.get('node-a')!.ready).toBe(false);
    expect(w.get('node-b')).toBeUndefined();
    expect(r.errors).toEqual([]);
    const lists = c.fake.requests.filter((q) => q.path === '/api/v1/nodes' && !q.query.watch);
    const watches = c.fake.requests.filter((q) => q.path === '/api/v1/nodes' && q.query.watch === 'true');
    expect(lists).toHaveLength(1);
    expect(watches).toHaveLength(1);
    expect(watches[0].query.resourceVersion).toMatch(/^\d+$/);
  });

  it('resumes a cleanly ended watch from its resourceVersion without relisting or missing changes', async () => {
    c.fake.upsertNode(makeNode('node-a'));
    const r = recorder();
    w = watchNodes(c.kube, r.handlers);
    await w.synced;
    await waitFor(() => c.fake.openWatchCount === 1);
    const rvBefore = c.fake.store.resourceVersion;
    expect(c.fake.dropWatches()).toBe(1);
    c.fake.upsertNode(makeNode('node-c'));
    await waitFor(() => r.events.some((e) => e[1] === 'node-c'));
    const watches = c.fake.requests.filter((q) => q.query.watch === 'true');
    expect(watches.length).toBeGreaterThanOrEqual(2);
    expect(Number(watches[1].query.resourceVersion)).toBeGreaterThanOrEqual(Number(rvBefore));
    expect(c.fake.requests.filter((q) => q.path === '/api/v1/nodes' && !q.query.watch)).toHaveLength(1);
    expect(r.errors).toEqual([]);
    expect(w.restarts).toBe(0);
  });

  it('restarts after an abruptly dropped watch, reporting the error, and catches up', async () => {
    c.fake.upsertNode(makeNode('node-a'));
    const r = recorder();
    w = watchNodes(c.kube, r.handlers, { restartDelayMs: 50 });
    await w.synced;
    await waitFor(() => c.fake.openWatchCount === 1);
    c.fake.dropWatches({ abrupt: true });
    c.fake.upsertNode(makeNode('node-d')); // while disconnected
    c.fake.deleteNode('node-a');
    await waitFor(() => r.events.some((e) => e[0] === 'delete' && e[1] === 'node-a'));
    expect(r.events.some((e) => e[0] === 'add' && e[1] === 'node-d')).toBe(true);
    expect(r.errors.length).toBeGreaterThanOrEqual(1);
    expect(r.errors[0].action).toBe('watch Nodes');
    expect(w.restarts).toBeGreaterThanOrEqual(1);
    expect(w.list().map((n) => n.name)).toEqual(['node-d']);
  });

  it('relists after 410 Expired and notices deletions it missed', async () => {
    c.fake.upsertNode(makeNode('node-a'));
    c.fake.upsertNode(makeNode('node-b'));
    const r = recorder();
    w = watchNodes(c.kube, r.handlers, { restartDelayMs: 50 });
    await w.synced;
    await waitFor(() => c.fake.openWatchCount === 1);
    c.fake.expireNextWatches(1);
    c.fake.dropWatches({ abrupt: true });
    c.fake.deleteNode('node-b');
    c.fake.store.compact();
    await waitFor(() => r.events.some((e) => e[0] === 'delete' && e[1] === 'node-b'));
    expect(c.fake.requests.filter((q) => q.path === '/api/v1/nodes' && !q.query.watch).length).toBeGreaterThanOrEqual(2);
    expect(w.list().map((n) => n.name)).toEqual(['node-a']);
  });

  it('keeps retrying with backoff while the API server refuses, then recovers', async () => {
    c.fake.forbid({ verb: 'list', resource: 'nodes' });
    const r = recorder();
    w = watchNodes(c.kube, r.handlers, { restartDelayMs: 20, maxRestartDelayMs: 40 });
    await waitFor(() => r.errors.length >= 3);
    expect(r.errors[0].code).toBe(403);
    c.fake.clearForbidRules();
    c.fake.upsertNode(makeNode('late'));
    await w.synced;
    await waitFor(() => r.events.some((e) => e[1] === 'late'));
  });

  it('stops cleanly: no watch left open, no restart after stop', async () => {
    w = watchNodes(c.kube, {}, { restartDelayMs: 10 });
    await w.synced;
    await waitFor(() => c.fake.openWatchCount === 1);
    await w.stop();
    await waitFor(() => c.fake.openWatchCount === 0);
    const before = c.fake.requests.length;
    await new Promise((res) => setTimeout(res, 100));
    expect(c.fake.requests.length).toBe(before);
  });
});
