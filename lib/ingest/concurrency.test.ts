// Reports arriving at the same time: for one node they are applied one after another (no lost update, no double
// baseline); across nodes, event ids stay unique and the stored history matches what was published.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import type { NodeEvent } from '@/lib/events/types';
import { buildReport, buildVeth, nextReport } from '@/lib/report/fixtures';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { ingestReport } from './ingestReport';

describe.each(testEngines)('concurrent ingest on $name', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('the same report sent five times at once is applied once', async () => {
    const report = buildReport({ node: 'n1', veths: 5 });
    const bus = createEventBus();
    const results = await Promise.all(Array.from({ length: 5 }, () => ingestReport(t.store, structuredClone(report), { bus })));
    expect(results.map((r) => r.outcome).sort()).toEqual(['changed', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    const firsts = (await t.store.listEvents({ types: ['node.first_report'] })).length;
    expect(firsts).toBe(1);
  });

  it('many nodes reporting at once: one baseline each, unique ids, history equals what was published', async () => {
    const bus = createEventBus();
    const published: NodeEvent[] = [];
    bus.subscribe((events) => published.push(...events));
    const reports = Array.from({ length: 12 }, (_, i) => {
      const first = buildReport({ node: `node-${i}`, veths: 4, collectedAt: '2026-01-01T00:00:00.000Z' });
      const second = nextReport(first);
      second.veths[1] = buildVeth({ node: `node-${i}`, index: 1, mismatch: true });
      return [first, second];
    });
    const results = await Promise.all(reports.flat().map((r) => ingestReport(t.store, r, { bus })));
    expect(results.every((r) => r.outcome === 'changed' || r.outcome === 'out-of-order')).toBe(true);

    const stored = await t.store.listEvents({ limit: 5000 });
    expect(new Set(stored.map((e) => e.id)).size).toBe(stored.length);
    expect([...published].sort((a, b) => a.id - b.id)).toEqual(stored);
    for (let i = 0; i < 12; i++) {
      const mine = stored.filter((e) => e.node === `node-${i}`);
      expect(mine.filter((e) => e.type === 'node.first_report')).toHaveLength(1);
    }
    expect((await t.store.listNodes()).map((n) => n.name)).toHaveLength(12);
  });
});
