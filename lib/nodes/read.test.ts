// The fleet and node read models over a real store, on both engines.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildReport, DEFAULT_LINK_PATH, MAC_NONE_DROPIN_PATH, nextReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { getFleetFrom, getNodeFrom } from './read';

describe.each(testEngines)('read models on $name', (engine) => {
  let t: TestStore;
  const bus = createEventBus();
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });
  // Receipts are dated here, reports are not (theirs is now): the future-report refusal (clockSkew.ts) is not under test.
  const send = (r: Report, at: string) => ingestReport(t.store, r, { bus, receivedAt: new Date(at), maxClockSkewSeconds: Infinity });

  it('an empty fleet has every state counted as zero', async () => {
    const fleet = await getFleetFrom(t.store, new Date('2026-01-01T00:00:00.000Z'));
    expect(fleet).toEqual({
      generatedAt: '2026-01-01T00:00:00.000Z',
      stripEndsAt: '2026-01-01T01:00:00.000Z',
      counts: { broken: 0, 'at-risk': 0, fragile: 0, stale: 0, 'no-agent': 0, unknown: 0, healthy: 0 },
      staleBroken: 0,
      nodes: [],
      hazards: [],
    });
    expect(await getNodeFrom(t.store, 'nope')).toBeNull();
  });

  it('without strips (the metrics scrape), reads no history and counts the same', async () => {
    await send(buildReport({ node: 'b-broken', veths: 4, mismatched: 2 }), '2026-01-01T00:00:20.000Z');
    const now = new Date('2026-01-01T00:00:25.000Z');
    let historyReads = 0;
    const counting = new Proxy(t.store, {
      get(target, prop) {
        if (prop === 'history') historyReads++;
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const lean = await getFleetFrom(counting, now, null, { strips: false });
    expect(historyReads).toBe(0);
    expect(lean.nodes[0].mismatchStrip).toBeUndefined();
    const full = await getFleetFrom(counting, now, null);
    expect(historyReads).toBeGreaterThan(0);
    expect(full.nodes[0].mismatchStrip).toHaveLength(24);
    expect(lean.counts).toEqual(full.counts);
    expect(lean.nodes.map(({ mismatchStrip: _, ...n }) => n)).toEqual(full.nodes.map(({ mismatchStrip: _, ...n }) => n));
  });

  it('summarises each node and counts states; a silent node goes stale', async () => {
    await send(buildReport({ node: 'c-healthy', veths: 2, policy: 'none', intervalSeconds: 10 }), '2026-01-01T00:00:00.000Z');
    await send(buildReport({ node: 'a-at-risk', veths: 3, policy: 'persistent' }), '2026-01-01T00:00:10.000Z');
    await send(buildReport({ node: 'b-broken', veths: 4, mismatched: 2 }), '2026-01-01T00:00:20.000Z');

    const fleet = await getFleetFrom(t.store, new Date('2026-01-01T00:00:25.000Z'));
    expect(fleet.counts).toEqual({ broken: 1, 'at-risk': 1, fragile: 0, stale: 0, 'no-agent': 0, unknown: 0, healthy: 1 });
    expect(fleet.nodes.map((n) => [n.name, n.state])).toEqual([
      ['a-at-risk', 'at-risk'],
      ['b-broken', 'broken'],
      ['c-healthy', 'healthy'],
    ]);
    expect(fleet.nodes[1]).toEqual({
      name: 'b-broken',
      os: { prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-41-amd64', systemdVersion: 252 },
      policy: {
        macAddressPolicy: 'persistent',
        linkFile: '/usr/lib/systemd/network/99-default.link',
        udevRewritesMac: true,
        source: '/usr/lib/systemd/network/99-default.link',
      },
      vethCount: 4,
      mismatchCount: 2,
      state: 'broken',
      stateReason: expect.stringMatching(/^2 pods have a gateway ARP entry/),
      lastKnownState: 'broken',
      lastReportAt: '2026-01-01T00:00:20.000Z',
      reportAgeSeconds: 5,
      intervalSeconds: 30,
      policyPackage: { name: 'udev', version: '252.39-1~deb12u2' },
      // Both mismatches arrived with the first report, in the last hour of the strip.
      mismatchStrip: [...Array(23).fill(0), 2],
    });

    // 31 s after its report, the 10 s node is stale; the 30 s nodes are not.
    const later = await getFleetFrom(t.store, new Date('2026-01-01T00:00:31.000Z'));
    expect(later.counts).toEqual({ broken: 1, 'at-risk': 1, fragile: 0, stale: 1, 'no-agent': 0, unknown: 0, healthy: 0 });
    expect(later.nodes.find((n) => n.name === 'c-healthy')).toMatchObject({ state: 'stale', lastKnownState: 'healthy' });

    // The healthy node's policy comes from a drop-in: the drop-in is named (and the file it extends), not the .link.
    const healthy = fleet.nodes.find((n) => n.name === 'c-healthy')!;
    expect(healthy.policy?.source).toBe(MAC_NONE_DROPIN_PATH);
    expect(healthy.stateReason).toContain(`MACAddressPolicy=none from ${MAC_NONE_DROPIN_PATH} (drop-in for ${DEFAULT_LINK_PATH})`);
    expect(healthy.stateReason).not.toContain(`from ${DEFAULT_LINK_PATH}`);
  });

  it('a silent node that was broken is counted with the broken, and a broken node names the pods it could not read', async () => {
    const r = buildReport({ node: 'gone', veths: 3, mismatched: 1, intervalSeconds: 10 });
    r.veths[2].arpStatus = 'unknown';
    await ingestReport(t.store, r, { bus: createEventBus(), receivedAt: new Date('2026-01-01T00:00:00.000Z'), maxClockSkewSeconds: Infinity });
    const fleet = await getFleetFrom(t.store, new Date('2026-01-01T01:00:00.000Z'));
    expect(fleet.counts).toMatchObject({ broken: 1, stale: 0 });
    expect(fleet.staleBroken).toBe(1);
    expect(fleet.nodes[0]).toMatchObject({ state: 'stale', lastKnownState: 'broken' });
    const detail = (await getNodeFrom(t.store, 'gone', new Date('2026-01-01T00:00:05.000Z')))!;
    expect(detail.state).toBe('broken');
    const pod = r.veths[2].pod!;
    expect(detail.stateReason).toContain(`The gateway ARP entry of 1 pod could not be read: ${pod.namespace}/${pod.name}.`);
  });

  it('a node whose pods could not be checked is unknown, not healthy', async () => {
    const r = buildReport({ node: 'n', veths: 2, policy: 'none' });
    r.veths[1].arpStatus = 'unknown';
    await send(r, '2026-01-01T00:00:00.000Z');
    const fleet = await getFleetFrom(t.store, new Date('2026-01-01T00:00:01.000Z'));
    expect(fleet.nodes[0].state).toBe('unknown');
  });

  it('getNode is the latest full picture, with the time of the latest report even when nothing changed', async () => {
    const r1 = buildReport({ node: 'n1', veths: 3, mismatched: 1, collectedAt: '2026-01-01T00:00:00.000Z' });
    await send(r1, '2026-01-01T00:00:01.000Z');
    const r2 = nextReport(r1);
    await send(r2, '2026-01-01T00:00:31.000Z');

    const node = await getNodeFrom(t.store, 'n1', new Date('2026-01-01T00:00:40.000Z'));
    expect(node).toMatchObject({
      name: 'n1',
      state: 'broken',
      agentVersion: '0.1.0',
      collectedAt: '2026-01-01T00:00:30.000Z',
      lastReportAt: '2026-01-01T00:00:31.000Z',
      reportAgeSeconds: 9,
      cni: r1.cni,
      newVeth: r1.linkPolicy.newVeth,
      linkFiles: r1.linkPolicy.files,
      packageEvents: r1.linkPolicy.packageEvents,
      veths: r1.veths,
      findings: [],
    });
    expect(await getNodeFrom(t.store, 'n2')).toBeNull();
  });
});
