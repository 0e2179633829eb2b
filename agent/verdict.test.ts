import { describe, expect, it } from 'vitest';
import { type LinkVerdict, vethSchema } from '../lib/report/schema';
import { fixtureJson } from './collect/fixtures.testutil';
import { parseLinks, parseNeighbours, parseRoutes } from './collect/ipJson';
import type { PodRef } from './collect/ipam';
import type { VethObservation } from './collect/veths';
import { gatewayIpFor } from './collect/podGateway';
import { arpStatus, buildVeth, cniFindings, combinedArpStatus, gatewayNeighbour, nodeVerdict, podIpOf, staticNeighbours, VerdictError } from './verdict';

const stock: LinkVerdict = { linkFile: '/usr/lib/systemd/network/99-default.link', dropIns: [], macAddressPolicy: 'persistent', macAddress: null, udevRewritesMac: true };
const safe: LinkVerdict = { ...stock, udevRewritesMac: false };

const podLinkA = () => parseLinks(fixtureJson('A/pod_ip-j-addr-eth0.json'))[0];
const podRoutesA = () => parseRoutes(fixtureJson('A/pod_ip-j-route.json'));
const hostRoutesA = () => parseRoutes(fixtureJson('A/host_ip-j-route.json'));

/** Fixture A: healthy pre-v1.20.1 pod (no udevd). */
function observationA(): VethObservation {
  const host = parseLinks(fixtureJson('A/host_ip-j-d-link-type-veth.json'))[0];
  const view = { links: [podLinkA()], neighbours: parseNeighbours(fixtureJson('A/pod_ip-j-neigh.json')), routes: podRoutesA() };
  return { host, addrAssignType: 1, udevProperties: {}, hostRoutes: hostRoutesA().filter((r) => r.dev === host.ifname), netns: 'cni-9fc9c11a-2553-b00c-4ba8-98228b5a846a', peer: view.links[0], podView: view, problem: null };
}

/** Fixture B: udev rewrote the host MAC; the pod still pins the old one. `neigh` picks broken or fixed. */
function observationB(neigh: 'B/pod_ip-j-neigh-broken.json' | 'B/pod_ip-j-neigh-fixed.json'): VethObservation {
  const host = parseLinks(fixtureJson('B/host_ip-j-link-broken.json'))[0];
  const peer = { ...podLinkA(), ifindex: host.linkIndex as number, linkIndex: host.ifindex };
  const view = { links: [peer], neighbours: parseNeighbours(fixtureJson(neigh)), routes: podRoutesA() };
  return { host, addrAssignType: 3, udevProperties: {}, hostRoutes: [], netns: 'cni-b', peer, podView: view, problem: null };
}

describe('arpStatus', () => {
  const n = (lladdr: string | null) => ({ dst: '169.254.1.1', dev: 'eth0', lladdr, state: ['PERMANENT'] });
  it('is ok when the pinned MAC is the host veth MAC (case-insensitive)', () => {
    expect(arpStatus('CA:27:84:0A:55:10', n('ca:27:84:0a:55:10'), true)).toBe('ok');
  });
  it('is mismatch when they differ', () => {
    expect(arpStatus('4a:58:7e:b3:25:ae', n('ca:09:08:a8:cd:d1'), true)).toBe('mismatch');
  });
  it('is missing with no entry, or an entry without an address', () => {
    expect(arpStatus('4a:58:7e:b3:25:ae', null, true)).toBe('missing');
    expect(arpStatus('4a:58:7e:b3:25:ae', { ...n(null), state: ['FAILED'] }, true)).toBe('missing');
  });
  it('is unknown when the pod could not be read, whatever else is known', () => {
    expect(arpStatus('4a:58:7e:b3:25:ae', n('4a:58:7e:b3:25:ae'), false)).toBe('unknown');
  });
});

describe('gateway and pod IP', () => {
  it('takes the gateway from the pod default route (fixture A)', () => {
    expect(gatewayIpFor(podLinkA(), podRoutesA())).toBe('169.254.1.1');
  });
  it('uses the route of the interface itself for extra interfaces', () => {
    const extra = { ...podLinkA(), ifname: 'mNicIf1' };
    expect(gatewayIpFor(extra, [...podRoutesA(), { dst: 'default', gateway: '169.254.1.2', dev: 'mNicIf1', scope: null, table: '1' }])).toBe('169.254.1.2');
  });
  it('falls back to 169.254.1.(n+1) by interface number, and fe80::1 for IPv6-only pods', () => {
    expect(gatewayIpFor({ ...podLinkA(), ifname: 'mNicIf2' }, [])).toBe('169.254.1.3');
    expect(gatewayIpFor(podLinkA(), [])).toBe('169.254.1.1');
    const v6 = { ...podLinkA(), addrs: [{ family: 'inet6', local: '2600:1f13::5', prefixlen: 128, scope: 'global' }] };
    expect(gatewayIpFor(v6, [])).toBe('fe80::1');
  });
  it('reads the pod IP from eth0, else from the host /32 route', () => {
    expect(podIpOf(podLinkA(), [])).toBe('10.0.97.30');
    expect(podIpOf(null, hostRoutesA().filter((r) => r.dev === 'eni45feae23a30'))).toBe('10.0.97.30');
    expect(podIpOf(null, [])).toBeNull();
  });
  it('matches neighbours without dev (ip neigh show dev X omits it)', () => {
    const ns = [{ dst: '169.254.1.1', dev: null, lladdr: 'aa:aa:aa:aa:aa:aa', state: ['PERMANENT'] }, { dst: '169.254.1.1', dev: 'eth1', lladdr: 'bb:bb:bb:bb:bb:bb', state: [] }];
    expect(gatewayNeighbour(ns, '169.254.1.1', 'eth0')?.lladdr).toBe('aa:aa:aa:aa:aa:aa');
  });
});

describe('buildVeth on the real captures', () => {
  const pods = new Map<string, PodRef>([['10.0.97.30', { namespace: 'default', name: 'web-0' }]]);

  it('fixture A is ok, and schema-valid', () => {
    const v = buildVeth(observationA(), stock, pods);
    expect(v).toMatchObject({
      ifname: 'eni45feae23a30',
      ifindex: 9,
      mac: 'ca:27:84:0a:55:10',
      addrAssignType: 1,
      udevRewritesMac: true,
      linkFile: '/usr/lib/systemd/network/99-default.link',
      macAddressPolicy: 'persistent',
      netns: 'cni-9fc9c11a-2553-b00c-4ba8-98228b5a846a',
      peerIfname: 'eth0',
      podIP: '10.0.97.30',
      pod: { namespace: 'default', name: 'web-0' },
      gatewayIp: '169.254.1.1',
      gatewayLladdr: 'ca:27:84:0a:55:10',
      gatewayState: ['PERMANENT'],
      arpStatus: 'ok',
    });
    expect(vethSchema.safeParse(v).success).toBe(true);
  });

  it('fixture B (udev rewrote the MAC) is mismatch; after `ip neigh replace` it is ok', () => {
    const broken = buildVeth(observationB('B/pod_ip-j-neigh-broken.json'), safe, new Map());
    expect(broken).toMatchObject({ mac: '4a:58:7e:b3:25:ae', gatewayLladdr: 'ca:09:08:a8:cd:d1', arpStatus: 'mismatch', udevRewritesMac: false, pod: null });
    expect(buildVeth(observationB('B/pod_ip-j-neigh-fixed.json'), safe, new Map()).arpStatus).toBe('ok');
  });

  it('is missing when the pod has no gateway entry', () => {
    const o = observationA();
    o.podView = { ...o.podView!, neighbours: [] };
    expect(buildVeth(o, stock, pods)).toMatchObject({ arpStatus: 'missing', gatewayIp: '169.254.1.1', gatewayLladdr: null, gatewayState: null });
  });

  it('is unknown when the namespace could not be read, keeping the pod IP from the host route', () => {
    const o = { ...observationA(), peer: null, podView: null, problem: 'cannot read namespace' };
    expect(buildVeth(o, stock, pods)).toMatchObject({ arpStatus: 'unknown', podIP: '10.0.97.30', pod: { name: 'web-0' }, gatewayIp: null, peerIfname: null });
  });

  it('refuses a host link without a MAC', () => {
    const o = observationA();
    o.host = { ...o.host, address: null };
    expect(() => buildVeth(o, stock, pods)).toThrow(VerdictError);
  });
});

describe('nodeVerdict', () => {
  it('ranks broken over at-risk over unknown over healthy', () => {
    expect(nodeVerdict([{ arpStatus: 'ok' }, { arpStatus: 'mismatch' }], stock).state).toBe('broken');
    expect(nodeVerdict([{ arpStatus: 'ok' }], stock).state).toBe('at-risk');
    expect(nodeVerdict([{ arpStatus: 'unknown' }], safe).state).toBe('unknown');
    const h = nodeVerdict([{ arpStatus: 'ok' }, { arpStatus: 'ok' }], safe);
    expect(h).toEqual({ state: 'healthy', counts: { ok: 2, mismatch: 0, missing: 0, unknown: 0 }, reason: 'all 2 pod(s) have matching gateway entries' });
  });
});

describe('static neighbours beyond the gateway', () => {
  const hostMac = 'ca:27:84:0a:55:10';
  const entries = [
    { dst: '169.254.1.1', dev: 'eth0', lladdr: hostMac, state: ['PERMANENT'] },
    { dst: 'fe80::1', dev: 'eth0', lladdr: 'ca:09:08:a8:cd:d1', state: ['PERMANENT'] },
    { dst: '10.0.0.9', dev: 'eth0', lladdr: hostMac.toUpperCase(), state: ['NOARP'] },
    { dst: '10.0.0.10', dev: 'eth0', lladdr: 'ca:09:08:a8:cd:d1', state: ['REACHABLE'] },
    { dst: '10.0.0.11', dev: 'eth1', lladdr: 'ca:09:08:a8:cd:d1', state: ['PERMANENT'] },
  ];

  it('lists every PERMANENT or NOARP entry on the pod end, IPv4 and IPv6, judged against the host MAC', () => {
    expect(staticNeighbours(entries, 'eth0', hostMac)).toEqual([
      { ip: '169.254.1.1', lladdr: hostMac, state: ['PERMANENT'], matchesHost: true },
      { ip: 'fe80::1', lladdr: 'ca:09:08:a8:cd:d1', state: ['PERMANENT'], matchesHost: false },
      { ip: '10.0.0.9', lladdr: hostMac, state: ['NOARP'], matchesHost: true },
    ]);
  });

  it('makes the veth a mismatch when any static entry points elsewhere, even with a good gateway entry', () => {
    const statics = staticNeighbours(entries, 'eth0', hostMac);
    expect(combinedArpStatus('ok', statics, true)).toBe('mismatch');
    expect(combinedArpStatus('ok', statics.filter((n) => n.matchesHost), true)).toBe('ok');
    expect(combinedArpStatus('unknown', statics, true)).toBe('unknown');
  });

  it('judges a bridge CNI on static entries alone (its gateway is cni0, not the host veth)', () => {
    expect(combinedArpStatus('mismatch', [], false)).toBe('ok');
    expect(combinedArpStatus('missing', [], false)).toBe('ok');
    expect(combinedArpStatus('ok', [{ ip: '10.244.0.1', lladdr: 'ca:09:08:a8:cd:d1', state: ['PERMANENT'], matchesHost: false }], false)).toBe('mismatch');
  });

  it('buildVeth reports the static entries and counts them (fixture B fixed gateway plus a stale IPv6 entry)', () => {
    const obs = observationB('B/pod_ip-j-neigh-fixed.json');
    const good = buildVeth(obs, stock, new Map());
    expect(good.arpStatus).toBe('ok');
    expect(good.neighbours?.every((n) => n.matchesHost)).toBe(true);
    obs.podView!.neighbours.push({ dst: 'fe80::1', dev: obs.peer!.ifname, lladdr: '02:00:00:00:00:01', state: ['PERMANENT'] });
    const bad = buildVeth(obs, stock, new Map());
    expect(bad.arpStatus).toBe('mismatch');
    expect(bad.neighbours).toContainEqual({ ip: 'fe80::1', lladdr: '02:00:00:00:00:01', state: ['PERMANENT'], matchesHost: false });
    expect(vethSchema.safeParse(bad).success).toBe(true);
  });
});

describe('nodeVerdict with the CNI table', () => {
  it('calls new veths safe on VPC CNI >= 1.20.1 whatever udev says, recommending 1.20.5+ below it', () => {
    expect(nodeVerdict([{ arpStatus: 'ok' }], stock, { kind: 'aws-vpc-cni', version: '1.19.2' }).state).toBe('at-risk');
    const v1203 = nodeVerdict([{ arpStatus: 'ok' }], stock, { kind: 'aws-vpc-cni', version: '1.20.3' });
    expect(v1203.state).toBe('healthy');
    expect(v1203.reason).toMatch(/new veths are safe; upgrade to v1\.20\.5\+/);
    const v1205 = nodeVerdict([{ arpStatus: 'ok' }], stock, { kind: 'aws-vpc-cni', version: '1.20.5' });
    expect(v1205.state).toBe('healthy');
    expect(v1205.reason).not.toMatch(/upgrade/);
  });

  it('keeps a mismatch broken whatever the release', () => {
    expect(nodeVerdict([{ arpStatus: 'mismatch' }], safe, { kind: 'aws-vpc-cni', version: '1.23.0' }).state).toBe('broken');
  });

  it('names the CNI and what a re-MAC breaks for it', () => {
    const r = nodeVerdict([], stock, { kind: 'flannel' });
    expect(r.state).toBe('at-risk');
    expect(r.reason).toMatch(/Flannel .*VtepMAC.*v0\.22\.3\+ sets the MAC itself/);
  });

  it('is at risk when udev would re-MAC one of the CNI host devices', () => {
    const r = nodeVerdict([{ arpStatus: 'ok' }], safe, { kind: 'flannel', hostDevices: [{ ifname: 'flannel.1', role: 'overlay', udevRewritesMac: true }] });
    expect(r).toMatchObject({ state: 'at-risk', reason: expect.stringMatching(/flannel\.1 \(overlay\)/) });
    expect(nodeVerdict([{ arpStatus: 'ok' }], safe, { kind: 'flannel', hostDevices: [{ ifname: 'flannel.1', role: 'overlay', udevRewritesMac: false }] }).state).toBe('healthy');
  });
});

describe('cniFindings', () => {
  it('flags Calico host veths without ee:ee:ee:ee:ee:ee, and nothing for other CNIs', () => {
    const veths = [{ ifname: 'cali1', mac: 'ee:ee:ee:ee:ee:ee' }, { ifname: 'cali2', mac: '02:00:00:00:00:01' }];
    expect(cniFindings('calico', veths)).toEqual([expect.objectContaining({ code: 'calico-veth-mac', message: expect.stringMatching(/^1 Calico host veth\(s\) .*\(cali2\)/) })]);
    expect(cniFindings('calico', veths.slice(0, 1))).toEqual([]);
    expect(cniFindings('aws-vpc-cni', veths)).toEqual([]);
  });
});
