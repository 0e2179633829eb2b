// The history queries on both engines, against a node whose reports are ingested for real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '../events/bus';
import type { NodeEvent } from '../events/types';
import { ingestReport } from '../ingest/ingestReport';
import { buildReport, nextReport } from '../report/fixtures';
import type { Report } from '../report/schema';
import { testEngines, type TestStore } from './testing';

const at = (m: number) => new Date(Date.UTC(2026, 10, 26, 10, m)).toISOString();
const VETH_TYPES = ['veth.appeared', 'veth.vanished', 'arp.changed'] as const;

describe.each(testEngines)('history store on $name', (engine) => {
  let t: TestStore;
  let all: NodeEvent[];
  let r0: Report;
  beforeAll(async () => {
    t = await engine.open();
    const bus = createEventBus();
    r0 = buildReport({ node: 'n1', veths: 2, collectedAt: at(0) });
    await ingestReport(t.store, r0, { bus, receivedAt: new Date(at(0)) });
    // m10: veth 0's MAC changes but its ARP status does not (only veth.mac_changed).
    const r1 = nextReport(r0, 600);
    r1.veths[0] = { ...r1.veths[0], mac: '02:aa:bb:cc:dd:ee' };
    await ingestReport(t.store, r1, { bus, receivedAt: new Date(at(10)) });
    // m20: veth 1 breaks (mac_changed + arp.changed).
    const r2 = buildReport({ ...nextReport(r1, 600), veths: [r1.veths[0], buildReport({ node: 'n1', veths: 2, mismatched: 2 }).veths[1]] });
    await ingestReport(t.store, r2, { bus, receivedAt: new Date(at(20)) });
    await ingestReport(t.store, buildReport({ node: 'n2', veths: 1, collectedAt: at(5) }), { bus, receivedAt: new Date(at(5)) });
    all = await t.store.listEvents({ limit: 5000 });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const v0 = () => r0.veths[0].ifname;
  const v1 = () => r0.veths[1].ifname;

  it('latestPerSubject: the latest wanted event per subject before a time, stepping back over other types', async () => {
    const before20 = await t.store.history.latestPerSubject({ node: 'n1', types: VETH_TYPES, beforeAt: at(20) });
    const appeared = (ifname: string) => all.find((e) => e.node === 'n1' && e.type === 'veth.appeared' && e.subject === ifname)!.id;
    // veth 0's latest event is its MAC change (not wanted): its appearance is returned; link files are left out.
    expect(before20.map((e) => [e.subject, e.type, e.id])).toEqual([
      [v0(), 'veth.appeared', appeared(v0())],
      [v1(), 'veth.appeared', appeared(v1())],
    ]);
    const later = await t.store.history.latestPerSubject({ node: 'n1', types: VETH_TYPES, beforeAt: at(30) });
    expect(later.find((e) => e.subject === v1())?.type).toBe('arp.changed');
    // Nothing at or after the boundary counts; a time before everything finds nothing.
    expect(await t.store.history.latestPerSubject({ node: 'n1', types: VETH_TYPES, beforeAt: at(0) })).toEqual([]);
    expect(await t.store.history.latestPerSubject({ node: 'n2', types: VETH_TYPES, beforeAt: at(1) })).toEqual([]);
  });

  it('firstAfter: the next event of a subject among some types', async () => {
    const appeared = all.find((e) => e.node === 'n1' && e.type === 'veth.appeared' && e.subject === v1())!;
    const next = await t.store.history.firstAfter({ node: 'n1', subject: v1(), types: ['arp.changed'], afterId: appeared.id });
    expect(next).toMatchObject({ type: 'arp.changed', at: at(20) });
    expect(await t.store.history.firstAfter({ node: 'n1', subject: v1(), types: ['veth.vanished'], afterId: appeared.id })).toBeNull();
  });

  it('listEventsPage: node, subject, types, [fromAt, toAt) and id bounds together', async () => {
    const page = await t.store.history.listEventsPage({ node: 'n1', fromAt: at(10), toAt: at(20), limit: 100 });
    expect(page.map((e) => e.id)).toEqual(all.filter((e) => e.node === 'n1' && e.at === at(10)).map((e) => e.id));
    const desc = await t.store.history.listEventsPage({ subject: v1(), types: ['veth.mac_changed', 'arp.changed'], order: 'desc', limit: 1 });
    expect(desc.map((e) => e.type)).toEqual(['arp.changed']);
    const beforeIt = await t.store.history.listEventsPage({ subject: v1(), beforeId: desc[0].id, order: 'desc', limit: 1 });
    expect(beforeIt.map((e) => e.type)).toEqual(['veth.mac_changed']);
  });

  it('pruneEvents: the oldest received first, at most the batch size', async () => {
    const old = all.filter((e) => e.receivedAt < at(10));
    expect(old.length).toBeGreaterThan(3);
    expect(await t.store.history.pruneEvents(at(10), 3)).toBe(3);
    const left = await t.store.listEvents({ limit: 5000 });
    const gone = all.filter((e) => !left.some((l) => l.id === e.id));
    expect(gone.every((e) => e.receivedAt === at(0))).toBe(true);
    expect(await t.store.history.pruneEvents(at(10), 1000)).toBe(old.length - 3);
    expect((await t.store.listEvents({ limit: 5000 })).every((e) => e.receivedAt >= at(10))).toBe(true);
  });
});
