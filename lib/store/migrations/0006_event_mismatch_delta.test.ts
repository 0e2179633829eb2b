// Migration 0006 on both engines: events stored before it get the same mismatch delta as ingest now writes
// (lib/events/mismatch.ts), and the strip read finds its partial index.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { mismatchDelta } from '@/lib/events/mismatch';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildReport, nextReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { openEngine } from '../engines';
import { testEngines, type TestStore } from '../testing';
import { eventMismatchDelta } from './0006_event_mismatch_delta';

describe.each(testEngines)('migration 0006 on $name', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('fills mismatch_delta for stored events exactly as ingest computes it', async () => {
    const bus = createEventBus();
    let at = Date.parse('2026-11-20T00:00:00Z');
    const send = (r: Report) => ingestReport(t.store, { ...r, collectedAt: new Date((at += 60_000)).toISOString() }, { bus });
    // Appear (one already broken), break another, heal both and lose a healthy veth, then lose a broken one.
    const first = buildReport({ node: 'm', veths: 4, mismatched: 1 });
    await send(first);
    await send({ ...nextReport(first), veths: buildReport({ node: 'm', veths: 4, mismatched: 2 }).veths });
    await send({ ...nextReport(first), veths: buildReport({ node: 'm', veths: 3, mismatched: 0 }).veths });
    await send({ ...nextReport(first), veths: buildReport({ node: 'm', veths: 3, mismatched: 3 }).veths });
    await send({ ...nextReport(first), veths: buildReport({ node: 'm', veths: 1, mismatched: 1 }).veths });
    await send(buildReport({ node: 'other', veths: 2, policy: 'none' }));

    const expected = (await t.store.listEvents({ limit: 5000 })).map((e) => ({ id: e.id, delta: mismatchDelta(e) }));
    const types = new Set((await t.store.listEvents({ limit: 5000 })).map((e) => e.type));
    expect([...types]).toEqual(expect.arrayContaining(['veth.appeared', 'arp.changed', 'veth.vanished']));
    expect(new Set(expected.map((e) => e.delta))).toEqual(new Set([-1, 0, 1]));

    const { db } = openEngine(t.config);
    try {
      const stored = async () =>
        (await db.selectFrom('events').select(['id', 'mismatch_delta']).orderBy('id').execute()).map((r) => ({ id: Number(r.id), delta: Number(r.mismatch_delta) }));
      expect(await stored()).toEqual(expected); // as ingest wrote them
      // Back to the schema before 0006 (rows as an older server left them), then forward again.
      await eventMismatchDelta(t.config.engine).down!(db);
      await eventMismatchDelta(t.config.engine).up(db);
      expect(await stored()).toEqual(expected);
    } finally {
      await db.destroy();
    }
  });

  it('the strip read uses the partial index', async () => {
    const { db } = openEngine(t.config);
    try {
      const query = "select id, node, at, mismatch_delta from events where mismatch_delta <> 0 and at >= '2026-11-20T00:00:00.000Z' order by at, id limit 10000";
      if (t.config.engine === 'sqlite') {
        const plan = await sql<{ detail: string }>`explain query plan ${sql.raw(query)}`.execute(db);
        expect(plan.rows.map((r) => r.detail).join('\n')).toContain('events_mismatch_at_id');
      } else {
        // An empty table is cheapest to scan whole; with that ruled out, the planner must be able to use the index.
        const plan = await db.transaction().execute(async (trx) => {
          await sql`set local enable_seqscan = off`.execute(trx);
          return sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(query)}`.execute(trx);
        });
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('events_mismatch_at_id');
      }
    } finally {
      await db.destroy();
    }
  });
});
