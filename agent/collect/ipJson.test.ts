import { describe, expect, it } from 'vitest';
import { fixtureJson, fixtureText } from './fixtures.testutil';
import { IpOutputError, parseJsonStream, parseLinks, parseNeighbours, parseNetnsIds, parseNetnsNames, parseRoutes } from './ipJson';

describe('parseLinks on real ip -j output', () => {
  it('reads the host end of a veth whose peer is in another namespace (fixture A)', () => {
    const [l] = parseLinks(fixtureJson('A/host_ip-j-d-link-type-veth.json'));
    expect(l).toMatchObject({ ifindex: 9, ifname: fixtureText('A/hostveth.txt').trim(), address: 'ca:27:84:0a:55:10', linkIndex: 3, linkNetnsid: 0, linkPeer: null, kind: 'veth', linkType: 'ether' });
  });

  it('has no kind without -d', () => {
    expect(parseLinks(fixtureJson('A/host_ip-j-link-type-veth.json'))[0].kind).toBeNull();
  });

  it('reads the pod end with its /32 and link-local addresses', () => {
    const [l] = parseLinks(fixtureJson('A/pod_ip-j-addr-eth0.json'));
    expect(l.ifname).toBe('eth0');
    expect(l.linkIndex).toBe(9);
    expect(l.addrs).toEqual([
      { family: 'inet', local: '10.0.97.30', prefixlen: 32, scope: 'global' },
      { family: 'inet6', local: 'fe80::7c93:b7ff:fef3:e49f', prefixlen: 64, scope: 'link' },
    ]);
  });

  it('reads the broken host veth of fixture B', () => {
    const [l] = parseLinks(fixtureJson('B/host_ip-j-link-broken.json'));
    expect(l).toMatchObject({ ifname: 'eni76bbb1eb541', address: '4a:58:7e:b3:25:ae', linkNetnsid: 1 });
  });

  it('takes `link` as the peer name when both ends share a namespace', () => {
    const [l] = parseLinks([{ ifindex: 5, ifname: 'a', link: 'b', address: '02:00:00:00:00:01' }]);
    expect(l.linkPeer).toBe('b');
    expect(l.linkIndex).toBeNull();
  });

  it('rejects output of the wrong shape with a typed error', () => {
    expect(() => parseLinks([{ ifname: 'x' }])).toThrow(IpOutputError);
    expect(() => parseLinks({ not: 'an array' })).toThrow(/ifindex|array/);
  });
});

describe('neighbours, routes, netns ids', () => {
  it('parses neigh with state as an array (fixture A and B)', () => {
    expect(parseNeighbours(fixtureJson('A/pod_ip-j-neigh.json'))).toEqual([{ dst: '169.254.1.1', dev: 'eth0', lladdr: 'ca:27:84:0a:55:10', state: ['PERMANENT'] }]);
    expect(parseNeighbours(fixtureJson('B/pod_ip-j-neigh-broken.json'))[0].lladdr).toBe('ca:09:08:a8:cd:d1');
  });

  it('keeps dev null when ip omitted it (neigh show dev X)', () => {
    expect(parseNeighbours([{ dst: '169.254.1.1', lladdr: 'AA:BB:CC:DD:EE:FF', state: ['PERMANENT'] }])[0]).toEqual({ dst: '169.254.1.1', dev: null, lladdr: 'aa:bb:cc:dd:ee:ff', state: ['PERMANENT'] });
  });

  it('parses pod and host routes', () => {
    expect(parseRoutes(fixtureJson('A/pod_ip-j-route.json'))).toEqual([
      { dst: 'default', gateway: '169.254.1.1', dev: 'eth0', scope: null, table: null },
      { dst: '169.254.1.1', gateway: null, dev: 'eth0', scope: 'link', table: null },
    ]);
    expect(parseRoutes(fixtureJson('A/host_ip-j-route.json')).find((r) => r.dev === 'eni45feae23a30')?.dst).toBe('10.0.97.30');
  });

  it('maps nsid to name', () => {
    expect(parseNetnsIds(fixtureJson('A/host_ip-j-netns-list-id.json'))).toEqual([{ nsid: 0, name: 'cni-9fc9c11a-2553-b00c-4ba8-98228b5a846a' }]);
    expect(parseNetnsIds([{ nsid: 3 }])).toEqual([{ nsid: 3, name: null }]);
    expect(parseNetnsNames(fixtureJson('A/host_ip-j-netns-list.json'))).toEqual(['cni-9fc9c11a-2553-b00c-4ba8-98228b5a846a']);
  });

  it('treats an absent document as empty', () => {
    expect(parseNeighbours(undefined)).toEqual([]);
  });
});

describe('parseJsonStream (ip -j -batch output)', () => {
  it('splits documents printed back to back', () => {
    const text = fixtureText('A/pod_ip-j-addr-eth0.json').trim() + '\n' + fixtureText('A/pod_ip-j-neigh.json').trim() + '\n[]\n';
    const docs = parseJsonStream(text);
    expect(docs).toHaveLength(3);
    expect(docs[2]).toEqual([]);
  });

  it('is not fooled by brackets and escaped quotes inside strings', () => {
    expect(parseJsonStream('[{"a":"]}[\\"{"}][1]')).toEqual([[{ a: ']}["{' }], [1]]);
  });

  it('rejects truncated output and stray text', () => {
    expect(() => parseJsonStream('[{"a":1}')).toThrow(/truncated/);
    expect(() => parseJsonStream('[]\nRTNETLINK answers: Operation not permitted\n')).toThrow(IpOutputError);
    expect(() => parseJsonStream(']')).toThrow(/unbalanced/);
  });

  it('returns nothing for empty output', () => {
    expect(parseJsonStream('\n')).toEqual([]);
  });
});
