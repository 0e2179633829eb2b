// A node's life through the store, on both engines: each change becomes history rows with the report's times,
// unchanged reports add none, package events are stored once per node, and the event queries page by id.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import type { NodeEvent } from '@/lib/events/types';
import { buildLinkFiles, buildNewVethVerdict, buildReport, buildVeth, nextReport, UDEV_INSTALL_EVENT } from '@/lib/report/fixtures';
import type { PackageEvent, Report } from '@/lib/report/schema';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { ingestReport } from './ingestReport';

const upgrade: PackageEvent = {
  at: '2026-11-26T13:34:56.000Z',
  action: 'upgrade',
  package: 'udev',
  arch: 'amd64',
  fromVersion: '252.39-1~deb12u2',
  toVersion: '252.40-1~deb12u1',
  source: 'dpkg.log',
};

describe.each(testEngines)('history on $name', (engine) => {
  let t: TestStore;
  const bus = createEventBus();
  const published: NodeEvent[] = [];
  bus.subscribe((events) => published.push(...events));
  beforeEach(async () => {
    t = await engine.open();
    published.length = 0;
  });
  afterEach(async () => {
    await t.cleanup();
  });

  async function send(report: Report, receivedAt = new Date(Date.parse(report.collectedAt) + 1000)) {
    return ingestReport(t.store, report, { bus, receivedAt });
  }

  it('records each transition once, with the report that revealed it', async () => {
    const r1 = buildReport({ node: 'n1', veths: 3, collectedAt: '2026-01-01T00:00:00.000Z' });
    const first = await send(r1);
    const baseline = first.events.length;
    expect(baseline).toBe(1 + 1 + 1 + 3 + 1); // first_report, policy, one link file, three veths, one package event

    const r2 = nextReport(r1);
    expect((await send(r2)).events).toEqual([]);

    // udev rewrites veth 0: two rows, stamped with r3's collectedAt and id.
    const r3 = nextReport(r2);
    r3.veths[0] = buildVeth({ node: 'n1', index: 0, mismatch: true });
    const broke = await send(r3, new Date('2026-01-01T00:01:31.500Z'));
    expect(broke.events.map((e) => e.type)).toEqual(['veth.mac_changed', 'arp.changed']);
    for (const e of broke.events) {
      expect(e).toMatchObject({
        node: 'n1',
        at: r3.collectedAt,
        receivedAt: '2026-01-01T00:01:31.500Z',
        reportId: r3.reportId,
        subject: r1.veths[0].ifname,
      });
    }

    // The operator adds the drop-in, then remediates the pod.
    const r4 = nextReport(r3);
    r4.linkPolicy.files = buildLinkFiles('none');
    r4.linkPolicy.newVeth = buildNewVethVerdict('none');
    r4.veths = r4.veths.map((v) => ({ ...v, macAddressPolicy: 'none', udevRewritesMac: false }));
    expect((await send(r4)).events.map((e) => e.type)).toEqual(['policy.changed', 'linkfile.appeared']);
    const r5 = nextReport(r4);
    r5.veths[0] = { ...r5.veths[0], gatewayLladdr: r5.veths[0].mac, arpStatus: 'ok' };
    const fixed = await send(r5);
    expect(fixed.events).toHaveLength(1);
    expect(fixed.events[0]).toMatchObject({ type: 'arp.changed', data: { from: 'mismatch', to: 'ok' } });

    // A pod goes away and another arrives.
    const r6 = nextReport(r5);
    const gone = r6.veths.pop()!;
    r6.veths.push(buildVeth({ node: 'n1', index: 9, policy: 'none' }));
    expect((await send(r6)).events.map((e) => [e.type, e.subject])).toEqual([
      ['veth.vanished', gone.ifname],
      ['veth.appeared', r6.veths[2].ifname],
    ]);

    const all = await t.store.listEvents({ node: 'n1' });
    expect(all).toHaveLength(baseline + 2 + 2 + 1 + 2);
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => a - b));
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    // What the bus carried is exactly what was stored.
    expect(published).toEqual(all);

    const veth0 = await t.store.listEvents({ node: 'n1', subject: r1.veths[0].ifname });
    expect(veth0.map((e) => e.type)).toEqual(['veth.appeared', 'veth.mac_changed', 'arp.changed', 'arp.changed']);
    const afterBaseline = await t.store.listEvents({ afterId: all[baseline - 1].id, limit: 3 });
    expect(afterBaseline).toEqual(all.slice(baseline, baseline + 3));
    const newestFirst = await t.store.listEvents({ node: 'n1', order: 'desc', limit: 2 });
    expect(newestFirst).toEqual([all[all.length - 1], all[all.length - 2]]);
    const arpOnly = await t.store.listEvents({ types: ['arp.changed'] });
    expect(arpOnly.map((e) => e.type)).toEqual(['arp.changed', 'arp.changed']);
    expect(await t.store.listEvents({ node: 'other' })).toEqual([]);
  });

  it('stores each package event once per node, even when it drops out of the window and returns', async () => {
    const r1 = buildReport({ node: 'n1', veths: 1, collectedAt: '2026-01-01T00:00:00.000Z' });
    await send(r1);
    const r2 = nextReport(r1);
    r2.linkPolicy.packageEvents = [upgrade]; // the install line rotated out of dpkg.log
    const second = await send(r2);
    expect(second.events.map((e) => e.type)).toEqual(['package.event']);
    expect(second.events[0].data).toEqual(upgrade);

    const r3 = nextReport(r2);
    r3.linkPolicy.packageEvents = [UDEV_INSTALL_EVENT, upgrade]; // and came back (apt history, say)
    expect((await send(r3)).events).toEqual([]);

    // Another node's identical event is its own history.
    const other = buildReport({ node: 'n2', veths: 0, collectedAt: '2026-01-01T00:00:00.000Z' });
    other.linkPolicy.packageEvents = [UDEV_INSTALL_EVENT];
    expect((await send(other)).events.filter((e) => e.type === 'package.event')).toHaveLength(1);

    const pkg = await t.store.listEvents({ types: ['package.event'] });
    expect(pkg.map((e) => [e.node, (e.data as PackageEvent).toVersion])).toEqual([
      ['n1', UDEV_INSTALL_EVENT.toVersion],
      ['n1', upgrade.toVersion],
      ['n2', UDEV_INSTALL_EVENT.toVersion],
    ]);
  });

  it('stores a large first report (4096 veths, 2000 package events) in one go', async () => {
    const packageEvents = Array.from({ length: 2000 }, (_, i) => ({
      ...UDEV_INSTALL_EVENT,
      package: `pkg-${i}`,
    }));
    const big = buildReport({ node: 'big', veths: 4096, mismatched: 10 });
    big.linkPolicy.packageEvents = packageEvents;
    const result = await send(big);
    expect(result.events).toHaveLength(1 + 1 + 1 + 4096 + 2000);
    const node = await t.store.getNode('big');
    expect(node?.node).toMatchObject({ vethCount: 4096, mismatchCount: 10 });
  });
});
