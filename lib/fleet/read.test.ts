// The cross-node checks over a real store, on both engines: reports ingested as agents send them, the findings on
// the fleet and node read models, rereads of changed reports only, and old agents' reports taking no part.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import type { ClusterView } from '@/lib/nodes/cluster';
import { getFleetFrom, getNodeFrom } from '@/lib/nodes/read';
import { buildReport, nextReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import type { Store } from '@/lib/store';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { buildFlannelReport } from './fixtures';
import { readCrossNodeFacts } from './read';
import type { FlannelNodeInfo } from './types';

const A_MAC = '0a:00:00:00:00:0a';
const B_MAC = '0a:00:00:00:00:0b';
const OLD_A = '0a:00:00:00:00:aa';
const A: FlannelNodeInfo = { vtepMac: A_MAC, publicIp: '192.168.1.10', vtepIp: '10.244.0.0' };
const B: FlannelNodeInfo = { vtepMac: B_MAC, publicIp: '192.168.1.11', vtepIp: '10.244.1.0' };
const peerA = (mac = A_MAC) => ({ mac, publicIp: A.publicIp!, vtepIp: A.vtepIp! });
const peerB = { mac: B_MAC, publicIp: B.publicIp!, vtepIp: B.vtepIp! };

function view(): ClusterView {
  const facts = { osImage: null, kernelVersion: null, kubeletVersion: null, containerRuntimeVersion: null, labels: {}, ready: true };
  return {
    nodes: new Map([
      ['node-a', facts],
      ['node-b', facts],
    ]),
    deleted: new Set(),
    awsNode: null,
    flannel: new Map([
      ['node-a', A],
      ['node-b', B],
    ]),
  };
}

describe.each(testEngines)('cross-node hazards on $name', (engine) => {
  let t: TestStore;
  const bus = createEventBus();
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });
  const send = (r: Report) => ingestReport(t.store, r, { bus, receivedAt: new Date(), maxClockSkewSeconds: Infinity });

  it("names both nodes on the fleet view and on each node's page when one has a stale FDB entry for the other", async () => {
    await send(buildFlannelReport({ node: 'node-a', flannelMac: A_MAC, peers: [peerB] }));
    await send(buildFlannelReport({ node: 'node-b', flannelMac: B_MAC, peers: [peerA(OLD_A)] }));
    const fleet = await getFleetFrom(t.store, new Date(), view());
    expect(fleet.hazards?.map((h) => [h.code, h.nodes])).toEqual([
      ['flannel-fdb-stale', ['node-a', 'node-b']],
      ['flannel-neighbour-stale', ['node-a', 'node-b']],
    ]);
    expect(fleet.hazards?.[0].message).toContain(`node-b's FDB entry for node-a's VTEP (192.168.1.10) points at ${OLD_A} but node-a's flannel.1 is ${A_MAC}`);
    for (const name of ['node-a', 'node-b']) {
      const node = await getNodeFrom(t.store, name, new Date(), view());
      expect(node?.hazards?.map((h) => h.code)).toEqual(['flannel-fdb-stale', 'flannel-neighbour-stale']);
    }
  });

  it('a corrected report clears the finding (the stored report is reread when its state changes)', async () => {
    await send(buildFlannelReport({ node: 'node-a', flannelMac: A_MAC, peers: [peerB] }));
    const stale = buildFlannelReport({ node: 'node-b', flannelMac: B_MAC, peers: [peerA(OLD_A)] });
    await send(stale);
    expect((await getFleetFrom(t.store, new Date(), view())).hazards).toHaveLength(2);
    const fixed = { ...nextReport(stale), overlay: buildFlannelReport({ node: 'node-b', flannelMac: B_MAC, peers: [peerA()] }).overlay };
    await send(fixed);
    expect((await getFleetFrom(t.store, new Date(), view())).hazards).toEqual([]);
  });

  it('flags nodes sharing a machine ID and their identical host MACs, with or without a cluster', async () => {
    const hash = 'c'.repeat(64);
    await send(buildFlannelReport({ node: 'clone-1', flannelMac: OLD_A, peers: [], machineIdHash: hash }));
    await send(buildFlannelReport({ node: 'clone-2', flannelMac: OLD_A, peers: [], machineIdHash: hash }));
    await send(buildFlannelReport({ node: 'own-id', flannelMac: B_MAC, peers: [], machineIdHash: 'd'.repeat(64) }));
    const fleet = await getFleetFrom(t.store, new Date(), null);
    expect(fleet.hazards?.map((h) => [h.code, h.nodes])).toEqual([
      ['duplicate-host-mac', ['clone-1', 'clone-2']],
      ['duplicate-machine-id', ['clone-1', 'clone-2']],
    ]);
    expect((await getNodeFrom(t.store, 'own-id', new Date(), null))?.hazards).toEqual([]);
  });

  it("old agents' reports (none of the new fields) are read and take no part", async () => {
    await send(buildReport({ node: 'old-1' }));
    await send(buildReport({ node: 'old-2' }));
    const fleet = await getFleetFrom(t.store, new Date(), null);
    expect(fleet.nodes.map((n) => n.name)).toEqual(['old-1', 'old-2']);
    expect(fleet.hazards).toEqual([]);
    expect((await getNodeFrom(t.store, 'old-1', new Date(), null))?.hazards).toEqual([]);
  });

  it("a silent node's old FDB table is not held against its peers, on the fleet and on the node page", async () => {
    const hourAgo = new Date(Date.now() - 3600_000);
    await send(buildFlannelReport({ node: 'node-a', flannelMac: A_MAC, peers: [peerB] }));
    await ingestReport(t.store, buildFlannelReport({ node: 'node-b', flannelMac: B_MAC, peers: [peerA(OLD_A)], collectedAt: hourAgo }), {
      bus,
      receivedAt: hourAgo,
      maxClockSkewSeconds: Infinity,
    });
    const fleet = await getFleetFrom(t.store, new Date(), view());
    expect(fleet.nodes.find((n) => n.name === 'node-b')?.state).toBe('stale');
    expect(fleet.hazards).toEqual([]);
    expect((await getNodeFrom(t.store, 'node-a', new Date(), view()))?.hazards).toEqual([]);
  });

  it('a node Kubernetes deleted takes no part', async () => {
    const hash = 'e'.repeat(64);
    await send(buildFlannelReport({ node: 'node-a', flannelMac: A_MAC, peers: [], machineIdHash: hash }));
    await send(buildFlannelReport({ node: 'gone', flannelMac: B_MAC, peers: [], machineIdHash: hash }));
    const v = { ...view(), deleted: new Set(['gone']) };
    expect((await getFleetFrom(t.store, new Date(), v)).hazards).toEqual([]);
    expect((await getNodeFrom(t.store, 'node-a', new Date(), v))?.hazards).toEqual([]);
  });

  it('rereads only the reports whose state changed since the last read', async () => {
    const a = buildFlannelReport({ node: 'node-a', flannelMac: A_MAC, peers: [peerB] });
    await send(a);
    await send(buildFlannelReport({ node: 'node-b', flannelMac: B_MAC, peers: [peerA()] }));
    const asked: string[][] = [];
    const counting = new Proxy(t.store, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === 'getLatestReports') return (names: string[]) => (asked.push([...names]), value.call(target, names));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Store;
    await readCrossNodeFacts(counting);
    expect(asked).toEqual([['node-a', 'node-b']]);
    await send(nextReport(a)); // unchanged state: nothing to reread
    await readCrossNodeFacts(counting);
    expect(asked).toHaveLength(1);
    await send({ ...nextReport(a, 60), machineIdHash: 'a'.repeat(64) });
    const facts = await readCrossNodeFacts(counting);
    expect(asked[1]).toEqual(['node-a']);
    expect(facts.get('node-a')?.machineIdHash).toBe('a'.repeat(64));
  });
});
