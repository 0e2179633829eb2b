import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../lib/history/types';
import type { FleetView, NodeDetail } from '../../lib/nodes/types';
import { arpTimelineQuery, fleetQuery, linkFileHistoryQuery, nodeQuery, vethHistoryQuery } from '../../lib/queries/options';
import { buildReport } from '../../lib/report/fixtures';
import { applyEvents, patchFleet, patchNodeDetail, summaryOf } from './applyEvents';

function detail(name: string, mismatched = 0): NodeDetail {
  const r = buildReport({ node: name, veths: 2, mismatched });
  return {
    name,
    os: r.os,
    policy: { macAddressPolicy: 'persistent', linkFile: r.linkPolicy.newVeth.linkFile, udevRewritesMac: true },
    vethCount: 2,
    mismatchCount: mismatched,
    state: mismatched ? 'broken' : 'at-risk',
    stateReason: '',
    lastKnownState: mismatched ? 'broken' : 'at-risk',
    lastReportAt: r.collectedAt,
    reportAgeSeconds: 0,
    intervalSeconds: 30,
    agentVersion: '0.1.0',
    collectedAt: r.collectedAt,
    cni: r.cni,
    newVeth: r.linkPolicy.newVeth,
    linkFiles: r.linkPolicy.files,
    packageEvents: [],
    veths: r.veths,
    findings: [],
  };
}

function event<T extends HistoryEvent['type']>(node: string, type: T, data: Extract<HistoryEvent, { type: T }>['data'], id = 1): HistoryEvent {
  return { id, node, type, at: '2026-11-26T10:00:00.000Z', receivedAt: '2026-11-26T10:00:00.100Z', reportId: 'r', subject: null, data, summary: '' } as HistoryEvent;
}

describe('patchNodeDetail', () => {
  it("applies a veth's MAC change and ARP status from the events, and recounts mismatches", () => {
    const d = detail('n1');
    const v = d.veths[0];
    const patched = patchNodeDetail(d, [
      event('n1', 'veth.mac_changed', { ifname: v.ifname, ifindex: v.ifindex, from: v.mac, to: '02:00:00:00:00:01', fromAddrAssignType: 1, addrAssignType: 3, setByUserspace: true, pod: v.pod, podIP: v.podIP }),
      event('n1', 'arp.changed', { ifname: v.ifname, from: 'ok', to: 'mismatch', pod: v.pod, podIP: v.podIP, hostMac: '02:00:00:00:00:01', gatewayLladdr: v.mac, fromGatewayLladdr: v.mac }),
    ]);
    expect(patched.veths[0]).toMatchObject({ mac: '02:00:00:00:00:01', addrAssignType: 3, arpStatus: 'mismatch' });
    expect(patched.veths[1]).toBe(d.veths[1]);
    expect(patched.mismatchCount).toBe(1);
    expect(d.veths[0].mac).toBe(v.mac);
  });
  it('returns the same object when no event concerns its veths', () => {
    const d = detail('n1');
    expect(patchNodeDetail(d, [event('n1', 'package.event', { at: d.collectedAt!, action: 'upgrade', package: 'udev', arch: null, fromVersion: '1', toVersion: '2', source: 'dpkg.log' })])).toBe(d);
  });
});

describe('patchFleet', () => {
  it('replaces one row, adds an unknown node, and recomputes the counts', () => {
    const fleet: FleetView = {
      generatedAt: '2026-11-26T10:00:00.000Z',
      counts: { broken: 0, 'at-risk': 2, fragile: 0, stale: 0, 'no-agent': 0, unknown: 0, healthy: 0 },
      nodes: [summaryOf(detail('a')), summaryOf(detail('b'))],
    };
    const next = patchFleet(patchFleet(fleet, summaryOf(detail('b', 1))), summaryOf(detail('c', 2)));
    expect(next.nodes.map((n) => [n.name, n.state])).toEqual([
      ['a', 'at-risk'],
      ['b', 'broken'],
      ['c', 'broken'],
    ]);
    expect(next.counts).toMatchObject({ broken: 2, 'at-risk': 1, healthy: 0 });
    expect(summaryOf(detail('a'))).not.toHaveProperty('veths');
  });
});

// Keys come from the queryOptions factories the pages use, never from lib/queries/keys directly: a live update
// written under any other key would miss what the page shows, and these tests would fail.
describe('applyEvents', () => {
  it("marks only the changed node's queries stale when nothing shows them, and fetches nothing", async () => {
    const client = new QueryClient();
    const d1 = detail('n1');
    const v = d1.veths[0];
    const pageKeys = (name: string) => [
      nodeQuery(name).queryKey,
      linkFileHistoryQuery(name).queryKey,
      arpTimelineQuery(name, '24h').queryKey,
      vethHistoryQuery(name, v.ifname).queryKey,
    ];
    client.setQueryData(nodeQuery('n1').queryKey, d1);
    client.setQueryData(nodeQuery('n2').queryKey, detail('n2'));
    for (const name of ['n1', 'n2']) {
      client.setQueryData(linkFileHistoryQuery(name).queryKey, { files: [] } as never);
      client.setQueryData(arpTimelineQuery(name, '24h').queryKey, { intervals: [] } as never);
      client.setQueryData(vethHistoryQuery(name, v.ifname).queryKey, { entries: [] } as never);
    }
    client.setQueryData(fleetQuery().queryKey, { generatedAt: '', counts: {} as FleetView['counts'], nodes: [] });
    let fetched = 0;
    await applyEvents(
      client,
      [event('n1', 'arp.changed', { ifname: v.ifname, from: 'ok', to: 'mismatch', pod: v.pod, podIP: v.podIP, hostMac: v.mac, gatewayLladdr: '02:00:00:00:00:09', fromGatewayLladdr: v.mac })],
      async () => {
        fetched += 1;
        return d1;
      },
    );
    const state = (key: readonly unknown[]) => client.getQueryState(key)!;
    for (const key of pageKeys('n1')) expect(state(key).isInvalidated, JSON.stringify(key)).toBe(true);
    for (const key of pageKeys('n2')) expect(state(key).isInvalidated, JSON.stringify(key)).toBe(false);
    expect(state(fleetQuery().queryKey).isInvalidated).toBe(true);
    expect(client.getQueryData(nodeQuery('n1').queryKey)!.veths[0].arpStatus).toBe('mismatch');
    expect(fetched).toBe(0);
  });

  it("refetches a shown node page and patches the shown fleet's row under the pages' own keys", async () => {
    const client = new QueryClient();
    const before = detail('n1');
    const fleet: FleetView = { generatedAt: '2026-11-26T10:00:00.000Z', counts: { broken: 0, 'at-risk': 1, fragile: 0, stale: 0, 'no-agent': 0, unknown: 0, healthy: 0 }, nodes: [summaryOf(before)] };
    // On screen: what the fleet page and the node page observe, built by their factories.
    const unsubscribe = [
      new QueryObserver(client, { ...fleetQuery(async () => fleet), refetchInterval: false }).subscribe(() => {}),
      new QueryObserver(client, { ...nodeQuery('n1', async () => before), refetchInterval: false }).subscribe(() => {}),
    ];
    try {
      await client.fetchQuery(fleetQuery(async () => fleet));
      await client.fetchQuery(nodeQuery('n1', async () => before));
      const after = detail('n1', 1);
      const loaded: string[] = [];
      const v = before.veths[0];
      await applyEvents(
        client,
        [event('n1', 'arp.changed', { ifname: v.ifname, from: 'ok', to: 'mismatch', pod: v.pod, podIP: v.podIP, hostMac: v.mac, gatewayLladdr: '02:00:00:00:00:09', fromGatewayLladdr: v.mac })],
        async (name) => {
          loaded.push(name);
          return after;
        },
      );
      expect(loaded).toEqual(['n1']);
      expect(client.getQueryData(nodeQuery('n1').queryKey)).toEqual(after);
      const row = client.getQueryData(fleetQuery().queryKey)!.nodes.find((n) => n.name === 'n1');
      expect(row).toMatchObject({ state: 'broken', mismatchCount: 1 });
      expect(client.getQueryData(fleetQuery().queryKey)!.counts).toMatchObject({ broken: 1, 'at-risk': 0 });
    } finally {
      for (const u of unsubscribe) u();
    }
  });
});
