// A fragile node through ingest, the store (both engines), the read models and the metrics: the state survives the
// trip from the report's linkPolicy.fragile to the fleet count, the node page and the vethwatch_node_state series.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { createMetrics } from '@/lib/metrics/registry';
import { buildLinkFiles, buildNewVethVerdict, buildReport, DEFAULT_LINK_PATH } from '@/lib/report/fixtures';
import type { FragileFix, Report } from '@/lib/report/schema';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { getFleetFrom, getNodeFrom } from './read';

const FIX: FragileFix = {
  kind: 'package-edited',
  path: DEFAULT_LINK_PATH,
  package: { name: 'udev', version: '252.39-1~deb12u2' },
  undoneBy: 'the next upgrade or reinstall of udev restores MACAddressPolicy=persistent',
  message: `New veths are safe only because ${DEFAULT_LINK_PATH} (owned by udev 252.39-1~deb12u2) was edited in place to give MACAddressPolicy=none: the next upgrade or reinstall of udev restores MACAddressPolicy=persistent.`,
};

function report(node: string, fragile: FragileFix[], collectedAt: string): Report {
  const [stock] = buildLinkFiles('persistent');
  const edited = { ...stock, differsFromPackage: fragile.length > 0, macAddressPolicy: 'none' };
  const newVeth = { ...buildNewVethVerdict('persistent'), macAddressPolicy: 'none' as const, udevRewritesMac: false };
  return buildReport({ node, veths: 2, collectedAt, linkPolicy: { newVeth, files: [edited], packageEvents: [], fragile } });
}

describe.each(testEngines)('a fragile node on $name', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });
  const send = (r: Report, at: string) => ingestReport(t.store, r, { receivedAt: new Date(at), maxClockSkewSeconds: Infinity });

  it('is counted, shown with its reason, goes stale, and leaves the state when the fix is made durable', async () => {
    await send(report('n-fragile', [FIX], '2026-01-01T00:00:00.000Z'), '2026-01-01T00:00:00.000Z');
    await send(report('n-fine', [], '2026-01-01T00:00:00.000Z'), '2026-01-01T00:00:00.000Z');
    const fleet = await getFleetFrom(t.store, new Date('2026-01-01T00:00:10.000Z'), null, { strips: false });
    expect(fleet.counts).toMatchObject({ fragile: 1, healthy: 1 });
    const node = (await getNodeFrom(t.store, 'n-fragile', new Date('2026-01-01T00:00:10.000Z'), null))!;
    expect(node.state).toBe('fragile');
    expect(node.stateReason).toBe(FIX.message);

    const m = createMetrics({ defaultMetrics: false });
    m.setScrapeSource(async () => ({ fleet }));
    const text = await m.registry.metrics();
    expect(text).toContain('vethwatch_nodes{state="fragile"} 1');
    expect(text).toContain('vethwatch_node_state{node="n-fragile",state="fragile"} 1');

    const late = (await getNodeFrom(t.store, 'n-fragile', new Date('2026-01-01T01:00:00.000Z'), null))!;
    expect(late).toMatchObject({ state: 'stale', lastKnownState: 'fragile' });

    await send(report('n-fragile', [], '2026-01-01T00:00:30.000Z'), '2026-01-01T00:00:30.000Z');
    expect((await getNodeFrom(t.store, 'n-fragile', new Date('2026-01-01T00:00:40.000Z'), null))!.state).toBe('healthy');
  });
});
