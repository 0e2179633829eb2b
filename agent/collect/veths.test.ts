import { describe, expect, it } from 'vitest';
import { fixtureJson } from './fixtures.testutil';
import { parseLinks } from './ipJson';
import { findPeer } from './veths';

describe('findPeer', () => {
  const host = parseLinks(fixtureJson('A/host_ip-j-d-link-type-veth.json'))[0];
  const pod = parseLinks(fixtureJson('A/pod_ip-j-d-link-eth0.json'));

  it('pairs the host veth with the pod end by link_index both ways (fixture A)', () => {
    expect(findPeer(host, [{ ...pod[0], ifindex: 1, ifname: 'lo', linkIndex: null }, ...pod])?.ifname).toBe('eth0');
  });

  it('refuses a device whose own link_index points elsewhere', () => {
    expect(findPeer(host, [{ ...pod[0], linkIndex: 42 }])).toBeNull();
  });

  it('finds nothing when the host veth has no peer index', () => {
    expect(findPeer({ ...host, linkIndex: null }, pod)).toBeNull();
  });
});
