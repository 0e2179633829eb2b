import { describe, expect, it } from 'vitest';
import { fixtureText } from './fixtures.testutil';
import { parseHostBatch } from './hostNet';
import { IpOutputError } from './ipJson';

const otherLinks = JSON.stringify([
  { ifindex: 1, ifname: 'lo', link_type: 'loopback', address: '00:00:00:00:00:00' },
  { ifindex: 2, ifname: 'ens5', link_type: 'ether', address: '02:11:22:33:44:55' },
  { ifindex: 7, ifname: 'cni0', link_type: 'ether', address: '0a:58:0a:f4:00:01', linkinfo: { info_kind: 'bridge' } },
  { ifindex: 8, ifname: 'flannel.1', link_type: 'ether', address: 'b6:1a:2b:3c:4d:5e', linkinfo: { info_kind: 'vxlan' } },
]);
const neigh = JSON.stringify([{ dst: '10.244.1.0', dev: 'flannel.1', lladdr: '0a:58:0a:f4:01:01', state: ['PERMANENT'] }]);

describe('parseHostBatch', () => {
  it('reads veths, every link, the nsid map, routes and neighbours from one batch (fixture A)', () => {
    const vethLinks = JSON.parse(fixtureText('A/host_ip-j-d-link-type-veth.json')) as unknown[];
    const links = JSON.stringify([...(JSON.parse(otherLinks) as unknown[]), ...vethLinks]);
    const out = [links, fixtureText('A/host_ip-j-netns-list-id.json').trim(), fixtureText('A/host_ip-j-route.json').trim(), neigh].join('\n');
    const h = parseHostBatch(out + '\n');
    // Only veths are pod-veth candidates: a bridge, a vxlan device or a NIC without a kind is not one.
    expect(h.veths.map((v) => v.ifname)).toEqual(['eni45feae23a30']);
    expect(h.links.map((l) => l.ifname)).toEqual(['lo', 'ens5', 'cni0', 'flannel.1', 'eni45feae23a30']);
    expect(h.nsids.get(0)).toBe('cni-9fc9c11a-2553-b00c-4ba8-98228b5a846a');
    expect(h.routes.filter((r) => r.dev === 'eni45feae23a30').map((r) => r.dst)).toEqual(['10.0.97.30']);
    expect(h.neighbours).toEqual([{ dst: '10.244.1.0', dev: 'flannel.1', lladdr: '0a:58:0a:f4:01:01', state: ['PERMANENT'] }]);
  });

  it('insists on one document per command', () => {
    expect(() => parseHostBatch(fixtureText('A/host_ip-j-d-link-type-veth.json'))).toThrow(IpOutputError);
  });
});
