// listNodeSummaries keeps each node's summary by state hash between calls: what it returns must still be exactly
// what the table holds, after state changes, unchanged reports, and writes by another store on the same database
// (another replica), on both engines.
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildReport } from '@/lib/report/fixtures';
import type { StoreConfig } from './config';
import { createStore, type NodeSummaryRecord, type Store } from './store';
import { createPgDatabase, sqliteTempFile, testEngines } from './testing';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function twoStores(engine: 'sqlite' | 'postgres'): Promise<[Store, Store]> {
  let config: StoreConfig;
  if (engine === 'sqlite') {
    const tmp = sqliteTempFile();
    cleanups.push(tmp.remove);
    config = { engine, file: tmp.file };
  } else {
    const db = await createPgDatabase();
    cleanups.push(db.drop);
    config = { engine, url: db.url, poolSize: 2 };
  }
  const a = await createStore(config);
  const b = await createStore(config);
  cleanups.push(() => a.close(), () => b.close());
  return [a, b];
}

/** The same columns read without any memo: listNodes reads every column of every row. */
async function fromTable(store: Store): Promise<NodeSummaryRecord[]> {
  return (await store.listNodes()).map((n) => ({
    name: n.name,
    lastReportAt: n.lastReportAt,
    intervalSeconds: n.intervalSeconds,
    osPrettyName: n.osPrettyName,
    osKernel: n.osKernel,
    osSystemdVersion: n.osSystemdVersion,
    policyMac: n.policyMac,
    policyLinkFile: n.policyLinkFile,
    policyRewrites: n.policyRewrites,
    policyPackage: n.policyPackage,
    policyPackageVersion: n.policyPackageVersion,
    policySource: n.policySource,
    vethCount: n.vethCount,
    mismatchCount: n.mismatchCount,
    unknownArpCount: n.unknownArpCount,
    fragileReason: n.fragileReason,
    cniKind: n.cniKind,
  }));
}

describe.each(testEngines.map((e) => e.name))('listNodeSummaries on %s', (engine) => {
  it('follows state changes and report times, including writes made by another store on the same database', async () => {
    const [reader, writer] = await twoStores(engine);
    const bus = createEventBus();
    const t0 = Date.parse('2026-11-20T10:00:00Z');
    const at = (s: number) => new Date(t0 + s * 1000);
    await ingestReport(reader, buildReport({ node: 'n-a', veths: 3, collectedAt: at(0) }), { bus, receivedAt: at(0) });
    await ingestReport(reader, buildReport({ node: 'n-b', veths: 2, collectedAt: at(0) }), { bus, receivedAt: at(0) });
    const first = await reader.listNodeSummaries();
    expect(first).toEqual(await fromTable(reader));
    expect(first.map((s) => [s.name, s.vethCount, s.mismatchCount])).toEqual([
      ['n-a', 3, 0],
      ['n-b', 2, 0],
    ]);

    // Another replica: n-a breaks (a state change), n-b repeats itself (only its report time moves), n-c appears.
    await ingestReport(writer, buildReport({ node: 'n-a', veths: 3, mismatched: 2, collectedAt: at(10) }), { bus, receivedAt: at(10) });
    await ingestReport(writer, buildReport({ node: 'n-b', veths: 2, collectedAt: at(10) }), { bus, receivedAt: at(11) });
    await ingestReport(writer, buildReport({ node: 'n-c', veths: 1, policy: 'none', collectedAt: at(10) }), { bus, receivedAt: at(12) });
    const second = await reader.listNodeSummaries();
    expect(second).toEqual(await fromTable(writer));
    expect(second.map((s) => [s.name, s.vethCount, s.mismatchCount, s.policyMac, s.lastReportAt])).toEqual([
      ['n-a', 3, 2, 'persistent', at(10).toISOString()],
      ['n-b', 2, 0, 'persistent', at(11).toISOString()],
      ['n-c', 1, 0, 'none', at(12).toISOString()],
    ]);

    // Back to the first state: a hash seen before must not bring back anything but that state's summary.
    await ingestReport(writer, buildReport({ node: 'n-a', veths: 3, collectedAt: at(20) }), { bus, receivedAt: at(20) });
    const third = await reader.listNodeSummaries();
    expect(third).toEqual(await fromTable(writer));
    expect(third[0]).toMatchObject({ name: 'n-a', mismatchCount: 0, lastReportAt: at(20).toISOString() });
  });

  it('reads summaries of more nodes than one batch holds', async () => {
    const [store] = await twoStores(engine);
    const bus = createEventBus();
    for (let i = 0; i < 1203; i++) {
      await ingestReport(store, buildReport({ node: `node-${String(i).padStart(4, '0')}`, veths: 1 + (i % 3) }), { bus });
    }
    const summaries = await store.listNodeSummaries();
    expect(summaries).toHaveLength(1203);
    expect(summaries).toEqual(await fromTable(store));
  });
});
