import { describe, expect, it } from 'vitest';
import type { NodeState, NodeSummary } from '../../lib/nodes/types';
import { applyFleetFilter, DEFAULT_FILTER, facets, filterParams, parseFleetFilter } from './query';

function node(name: string, state: NodeState, extra: Partial<NodeSummary> = {}): NodeSummary {
  return {
    name,
    os: { prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0', systemdVersion: 252 },
    policy: { macAddressPolicy: 'persistent', linkFile: '/usr/lib/systemd/network/99-default.link', udevRewritesMac: true },
    vethCount: 3,
    mismatchCount: 0,
    state,
    stateReason: '',
    lastKnownState: state === 'stale' ? 'healthy' : (state as Exclude<NodeState, 'stale'>),
    lastReportAt: '2026-11-26T10:00:00.000Z',
    reportAgeSeconds: 1,
    intervalSeconds: 15,
    ...extra,
  };
}

const nodes = [
  node('web-1', 'healthy', { policy: { macAddressPolicy: 'none', linkFile: null, udevRewritesMac: false }, policyPackage: null }),
  node('web-2', 'broken', { mismatchCount: 2, lastReportAt: '2026-11-26T09:00:00.000Z', policyPackage: { name: 'udev', version: '252.39-1~deb12u2' } }),
  node('db-1', 'at-risk', { os: { prettyName: 'Ubuntu 22.04.4 LTS', kernel: '5.15', systemdVersion: 249 }, policyPackage: { name: 'udev', version: '249.11-0ubuntu3.12' } }),
  node('db-2', 'stale', { policy: null, lastReportAt: null }),
];

describe('parseFleetFilter', () => {
  it('reads every field and ignores what it does not know', () => {
    const f = parseFleetFilter(new URLSearchParams('q=web&state=broken,bogus,at-risk&os=X&policy=none&pkg=udev%40252.39-1~deb12u2&sort=mismatches&dir=desc'));
    expect(f).toEqual({ q: 'web', states: ['broken', 'at-risk'], os: 'X', policy: 'none', pkg: 'udev@252.39-1~deb12u2', sort: 'mismatches', dir: 'desc' });
    expect(parseFleetFilter(new URLSearchParams('sort=evil&dir=sideways'))).toEqual(DEFAULT_FILTER);
  });
  it('round-trips through the URL, leaving defaults out', () => {
    expect(filterParams(DEFAULT_FILTER)).toEqual({ q: null, state: null, os: null, policy: null, pkg: null, sort: null, dir: null });
    const f = parseFleetFilter(new URLSearchParams('q=a%20b&state=stale&pkg=udev%40252&sort=package&dir=desc'));
    const back = new URLSearchParams();
    for (const [k, v] of Object.entries(filterParams(f))) if (v !== null) back.set(k, v);
    expect(parseFleetFilter(back)).toEqual(f);
  });
});

describe('applyFleetFilter', () => {
  const names = (f: Partial<typeof DEFAULT_FILTER>) => applyFleetFilter(nodes, { ...DEFAULT_FILTER, ...f }).map((n) => n.name);

  it('is worst first by default and can reverse it', () => {
    expect(names({})).toEqual(['web-2', 'db-1', 'db-2', 'web-1']);
    expect(names({ dir: 'desc' })).toEqual(['web-1', 'db-2', 'db-1', 'web-2']);
  });
  it('filters by state, OS, policy and every word of the search', () => {
    expect(names({ states: ['broken', 'stale'] })).toEqual(['web-2', 'db-2']);
    expect(names({ os: 'Ubuntu 22.04.4 LTS' })).toEqual(['db-1']);
    expect(names({ policy: 'none' })).toEqual(['web-1']);
    expect(names({ policy: 'not-reported' })).toEqual(['db-2']);
    expect(names({ q: 'WEB' })).toEqual(['web-2', 'web-1']);
    expect(names({ q: 'ubuntu db' })).toEqual(['db-1']);
    expect(names({ q: 'nothing-like-this' })).toEqual([]);
  });
  it('keeps nodes the server search found for the term (a pod, IP, veth or MAC on them), still within the other filters', () => {
    const f = { ...DEFAULT_FILTER, q: 'checkout-7d9f' };
    expect(applyFleetFilter(nodes, f).map((n) => n.name)).toEqual([]);
    expect(applyFleetFilter(nodes, f, new Set(['db-1', 'web-1'])).map((n) => n.name)).toEqual(['db-1', 'web-1']);
    expect(applyFleetFilter(nodes, { ...f, states: ['healthy'] }, new Set(['db-1', 'web-1'])).map((n) => n.name)).toEqual(['web-1']);
  });
  it('filters and sorts by the package version that owns the winning link file', () => {
    expect(names({ pkg: 'udev@252.39-1~deb12u2' })).toEqual(['web-2']);
    expect(names({ pkg: 'udev@249.11-0ubuntu3.12' })).toEqual(['db-1']);
    // No package owns it, or the node has not said (an older server's view): both read as none.
    expect(names({ pkg: 'none' })).toEqual(['db-2', 'web-1']);
    expect(names({ pkg: 'udev@0' })).toEqual([]);
    expect(names({ q: '249.11' })).toEqual(['db-1']);
    expect(names({ sort: 'package' })).toEqual(['db-2', 'web-1', 'db-1', 'web-2']);
    expect(names({ sort: 'package', dir: 'desc' })).toEqual(['web-2', 'db-1', 'db-2', 'web-1']);
  });
  it('sorts by any column, ties kept worst first', () => {
    expect(names({ sort: 'name' })).toEqual(['db-1', 'db-2', 'web-1', 'web-2']);
    expect(names({ sort: 'mismatches', dir: 'desc' })[0]).toBe('web-2');
    expect(names({ sort: 'lastReport' })).toEqual(['db-2', 'web-2', 'db-1', 'web-1']);
    expect(names({ sort: 'os' })[0]).toBe('web-2');
  });
  it('offers the facets present in the fleet', () => {
    expect(facets(nodes)).toEqual({
      os: ['Debian GNU/Linux 12 (bookworm)', 'Ubuntu 22.04.4 LTS'],
      policy: ['none', 'not-reported', 'persistent'],
      pkg: ['none', 'udev@249.11-0ubuntu3.12', 'udev@252.39-1~deb12u2'],
    });
  });
});
