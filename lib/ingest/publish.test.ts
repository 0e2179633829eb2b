// Events reach the bus only after their transaction has committed, and never for rejected or unchanged reports.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import type { NodeEvent } from '@/lib/events/types';
import { buildReport, buildVeth, nextReport } from '@/lib/report/fixtures';
import { createStore, type Store } from '@/lib/store';
import { sqliteTempFile, testEngines, type TestStore } from '@/lib/store/testing';
import { ingestReport } from './ingestReport';

describe('publishing on SQLite', () => {
  let store: Store;
  let reader: Database.Database;
  let tmp: ReturnType<typeof sqliteTempFile>;
  beforeEach(async () => {
    tmp = sqliteTempFile();
    store = await createStore({ engine: 'sqlite', file: tmp.file });
    // A second connection sees only committed rows (WAL); it reads synchronously inside the listener.
    reader = new Database(tmp.file, { readonly: true });
  });
  afterEach(async () => {
    reader.close();
    await store.close();
    tmp.remove();
  });

  it('a listener can already read every event it is told about from another connection', async () => {
    const bus = createEventBus();
    const seenCommitted: boolean[] = [];
    bus.subscribe((events) => {
      const ids = events.map((e) => e.id);
      const rows = reader.prepare(`select count(*) as n from events where id in (${ids.map(() => '?').join(',')})`).get(...ids) as { n: number };
      seenCommitted.push(rows.n === ids.length);
    });
    const r1 = buildReport({ veths: 3 });
    await ingestReport(store, r1, { bus });
    const r2 = nextReport(r1);
    r2.veths[0] = buildVeth({ node: r1.node, index: 0, mismatch: true });
    await ingestReport(store, r2, { bus });
    expect(seenCommitted).toEqual([true, true]);
  });
});

describe.each(testEngines)('publishing on $name', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('publishes nothing for a rejected, duplicate or unchanged report', async () => {
    const bus = createEventBus();
    const batches: NodeEvent[][] = [];
    bus.subscribe((events) => batches.push([...events]));
    const r1 = buildReport({ veths: 2 });
    await ingestReport(t.store, r1, { bus });
    expect(batches).toHaveLength(1);
    await ingestReport(t.store, { ...r1, version: 9 }, { bus }).catch(() => undefined);
    await ingestReport(t.store, r1, { bus });
    await ingestReport(t.store, nextReport(r1), { bus });
    expect(batches).toHaveLength(1);
  });
});
