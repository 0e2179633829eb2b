// The cross-node checks on hand-built facts: each finding, the nodes it names, and the cases that must stay quiet.
import { describe, expect, it } from 'vitest';
import { findCrossNodeHazards, hazardsFor, nameList } from './crossNode';
import { crossFactsOf } from './facts';
import type { FlannelNodeInfo, NodeCrossFacts } from './types';

const A_MAC = '0a:00:00:00:00:0a';
const B_MAC = '0a:00:00:00:00:0b';
const OLD_A = '0a:00:00:00:00:aa';

function facts(over: Partial<NodeCrossFacts> = {}): NodeCrossFacts {
  return { machineIdHash: null, flannelMac: null, hostMacs: [], fdb: [], neighbours: [], ...over };
}
const flannelA: FlannelNodeInfo = { vtepMac: A_MAC, publicIp: '192.168.1.10', vtepIp: '10.244.0.0' };
const flannelB: FlannelNodeInfo = { vtepMac: B_MAC, publicIp: '192.168.1.11', vtepIp: '10.244.1.0' };
const cluster = new Map([
  ['node-a', flannelA],
  ['node-b', flannelB],
]);
/** Two healthy flannel nodes, each with the other's FDB and neighbour entry right. */
function healthy(): Map<string, NodeCrossFacts> {
  return new Map([
    ['node-a', facts({ flannelMac: A_MAC, hostMacs: [{ ifname: 'flannel.1', mac: A_MAC }], fdb: [{ mac: B_MAC, dst: '192.168.1.11' }], neighbours: [{ ip: '10.244.1.0', lladdr: B_MAC }] })],
    ['node-b', facts({ flannelMac: B_MAC, hostMacs: [{ ifname: 'flannel.1', mac: B_MAC }], fdb: [{ mac: A_MAC, dst: '192.168.1.10' }], neighbours: [{ ip: '10.244.0.0', lladdr: A_MAC }] })],
  ]);
}

describe('findCrossNodeHazards', () => {
  it('finds nothing in a consistent flannel fleet', () => {
    expect(findCrossNodeHazards({ facts: healthy(), flannel: cluster })).toEqual([]);
  });

  it("names both nodes when one node's FDB entry for another's VTEP carries a MAC that VTEP does not have", () => {
    const f = healthy();
    f.set('node-b', { ...f.get('node-b')!, fdb: [{ mac: OLD_A, dst: '192.168.1.10' }] });
    expect(findCrossNodeHazards({ facts: f, flannel: cluster })).toEqual([
      {
        code: 'flannel-fdb-stale',
        severity: 'error',
        nodes: ['node-a', 'node-b'],
        message: `node-b's FDB entry for node-a's VTEP (192.168.1.10) points at ${OLD_A} but node-a's flannel.1 is ${A_MAC}: overlay traffic from it to node-a's pods is dropped.`,
      },
    ]);
  });

  it('checks PERMANENT neighbour entries by the VTEP address (the podCIDR network address)', () => {
    const f = healthy();
    f.set('node-b', { ...f.get('node-b')!, neighbours: [{ ip: '10.244.0.0', lladdr: OLD_A }] });
    const [only, ...rest] = findCrossNodeHazards({ facts: f, flannel: cluster });
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ code: 'flannel-neighbour-stale', nodes: ['node-a', 'node-b'] });
    expect(only.message).toContain(`node-b's neighbour entry for node-a's VTEP (10.244.0.0) points at ${OLD_A} but node-a's flannel.1 is ${A_MAC}`);
  });

  it("flags a flannel.1 whose MAC differs from its Node annotation's VtepMAC (a re-MACed VTEP)", () => {
    const f = healthy();
    // udev re-MACed node-a's flannel.1 after flannel annotated the Node; node-b still has the advertised MAC.
    f.set('node-a', { ...f.get('node-a')!, flannelMac: OLD_A });
    const found = findCrossNodeHazards({ facts: f, flannel: cluster });
    expect(found.map((x) => [x.code, x.nodes])).toEqual([
      ['flannel-vtep-annotation-mismatch', ['node-a']],
      ['flannel-fdb-stale', ['node-a', 'node-b']],
      ['flannel-neighbour-stale', ['node-a', 'node-b']],
    ]);
    expect(found[0].message).toBe(
      `node-a's flannel.1 is ${OLD_A} but its Node annotation flannel.alpha.coreos.com/backend-data advertises VtepMAC ${A_MAC}, so the other nodes send its overlay traffic to a MAC it does not have.`,
    );
  });

  it('without the VTEP owner reporting, judges other nodes against the annotation', () => {
    const f = healthy();
    f.delete('node-a');
    f.set('node-b', { ...f.get('node-b')!, fdb: [{ mac: OLD_A, dst: '192.168.1.10' }] });
    const [only] = findCrossNodeHazards({ facts: f, flannel: cluster });
    expect(only.message).toContain(`but node-a's Node annotation advertises VtepMAC ${A_MAC}`);
  });

  it('groups every observer of one stale MAC into one finding and names them all', () => {
    const f = healthy();
    const names = ['node-c', 'node-d', 'node-e', 'node-f', 'node-g', 'node-b'];
    for (const n of names) f.set(n, facts({ fdb: [{ mac: OLD_A, dst: '192.168.1.10' }] }));
    const found = findCrossNodeHazards({ facts: f, flannel: cluster });
    expect(found).toHaveLength(1);
    expect(found[0].nodes).toEqual(['node-a', 'node-b', 'node-c', 'node-d', 'node-e', 'node-f', 'node-g']);
    expect(found[0].message).toContain("node-b, node-c, node-d, node-e and 2 more's FDB entries for node-a's VTEP");
  });

  it('ignores flannel checks without a cluster view, and entries for unknown addresses or the node itself', () => {
    const f = healthy();
    f.set('node-b', { ...f.get('node-b')!, fdb: [{ mac: OLD_A, dst: '192.168.1.10' }] });
    expect(findCrossNodeHazards({ facts: f, flannel: null })).toEqual([]);
    f.set('node-b', { ...f.get('node-b')!, fdb: [{ mac: OLD_A, dst: '192.168.9.9' }] });
    f.set('node-a', { ...f.get('node-a')!, fdb: [{ mac: OLD_A, dst: '192.168.1.10' }] });
    expect(findCrossNodeHazards({ facts: f, flannel: cluster })).toEqual([]);
  });

  it("does not trust a silent node's overlay tables or flannel.1 MAC, but still counts its machine ID", () => {
    const f = healthy();
    f.set('node-b', { ...f.get('node-b')!, fdb: [{ mac: OLD_A, dst: '192.168.1.10' }], machineIdHash: '1'.repeat(64) });
    f.set('node-a', { ...f.get('node-a')!, machineIdHash: '1'.repeat(64) });
    expect(findCrossNodeHazards({ facts: f, flannel: cluster, stale: new Set(['node-b']) }).map((x) => x.code)).toEqual(['duplicate-machine-id']);
    // node-a silent: its last flannel.1 MAC is not the truth any more; node-b is judged against the annotation.
    const g = healthy();
    g.set('node-a', { ...g.get('node-a')!, flannelMac: OLD_A });
    expect(findCrossNodeHazards({ facts: g, flannel: cluster, stale: new Set(['node-a']) })).toEqual([]);
  });

  it('flags every group of nodes sharing a machine ID, and only groups', () => {
    const h1 = '1'.repeat(64);
    const h2 = '2'.repeat(64);
    const f = new Map([
      ['n3', facts({ machineIdHash: h1 })],
      ['n1', facts({ machineIdHash: h1 })],
      ['n2', facts({ machineIdHash: h2 })],
      ['n4', facts({ machineIdHash: h2 })],
      ['n5', facts({ machineIdHash: '5'.repeat(64) })],
      ['n6', facts()],
      ['n7', facts()],
    ]);
    const found = findCrossNodeHazards({ facts: f, flannel: null });
    expect(found.map((x) => [x.code, x.severity, x.nodes])).toEqual([
      ['duplicate-machine-id', 'warning', ['n1', 'n3']],
      ['duplicate-machine-id', 'warning', ['n2', 'n4']],
    ]);
    expect(found[0].message).toContain('n1 and n3 share one /etc/machine-id');
    expect(found[0].message).toContain('systemd#18362');
    expect(found[0].message).not.toContain(h1); // only a prefix of the hash, never enough to matter
  });

  it('flags a MAC on host devices of two nodes, but not one node twice or MACs shared by design', () => {
    const f = new Map([
      ['n1', facts({ hostMacs: [{ ifname: 'flannel.1', mac: A_MAC }, { ifname: 'cni0', mac: B_MAC }, { ifname: 'x', mac: 'ee:ee:ee:ee:ee:ee' }] })],
      ['n2', facts({ hostMacs: [{ ifname: 'flannel.1', mac: A_MAC }, { ifname: 'y', mac: 'ee:ee:ee:ee:ee:ee' }] })],
      ['n3', facts({ hostMacs: [{ ifname: 'a', mac: OLD_A }, { ifname: 'b', mac: OLD_A }] })],
    ]);
    expect(findCrossNodeHazards({ facts: f, flannel: null })).toEqual([
      { code: 'duplicate-host-mac', severity: 'error', nodes: ['n1', 'n2'], message: `${A_MAC} is the MAC of flannel.1 on n1 and flannel.1 on n2: peers on a shared segment or overlay cannot tell these nodes apart.` },
    ]);
  });

  it('hazardsFor keeps the findings naming a node', () => {
    const f = healthy();
    f.set('node-c', facts({ machineIdHash: '1'.repeat(64) }));
    f.set('node-d', facts({ machineIdHash: '1'.repeat(64) }));
    f.set('node-b', { ...f.get('node-b')!, fdb: [{ mac: OLD_A, dst: '192.168.1.10' }] });
    const all = findCrossNodeHazards({ facts: f, flannel: cluster });
    expect(hazardsFor('node-a', all).map((x) => x.code)).toEqual(['flannel-fdb-stale']);
    expect(hazardsFor('node-c', all).map((x) => x.code)).toEqual(['duplicate-machine-id']);
    expect(hazardsFor('node-z', all)).toEqual([]);
  });

  it('nameList spells out a few names', () => {
    expect(nameList(['a'])).toBe('a');
    expect(nameList(['a', 'b', 'c'])).toBe('a, b and c');
  });
});

describe('crossFactsOf', () => {
  it('gives empty facts for a report from an agent older than the fields', () => {
    expect(crossFactsOf({ version: 1, node: 'old' })).toEqual(facts());
  });

  it('keeps flannel.1 entries only: FDB entries with a dst and a MAC, PERMANENT neighbours', () => {
    const got = crossFactsOf({
      machineIdHash: 'f'.repeat(64),
      hostDevices: [
        { ifname: 'flannel.1', mac: A_MAC },
        { ifname: 'cni0', mac: null },
      ],
      overlay: {
        fdb: [
          { mac: B_MAC, dst: '192.168.1.11', dev: 'flannel.1' },
          { mac: B_MAC, dst: '192.168.1.11', dev: 'vxlan.calico' },
          { mac: B_MAC, dst: null, dev: 'flannel.1' },
          { mac: '00:00:00:00:00:00', dst: '192.168.1.12', dev: 'flannel.1' },
        ],
        neighbours: [
          { ip: '10.244.1.0', lladdr: B_MAC, dev: 'flannel.1', state: ['PERMANENT'] },
          { ip: '10.244.2.0', lladdr: B_MAC, dev: 'flannel.1', state: ['REACHABLE'] },
          { ip: '10.244.3.0', lladdr: null, dev: 'flannel.1', state: ['PERMANENT'] },
        ],
      },
    });
    expect(got).toEqual({
      machineIdHash: 'f'.repeat(64),
      flannelMac: A_MAC,
      hostMacs: [{ ifname: 'flannel.1', mac: A_MAC }],
      fdb: [{ mac: B_MAC, dst: '192.168.1.11' }],
      neighbours: [{ ip: '10.244.1.0', lladdr: B_MAC }],
    });
  });
});
