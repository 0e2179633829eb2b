// History retention on both engines: events received before the cutoff go, in batches, oldest first; recent
// events and everything else stay; with two replicas on one PostgreSQL only one prunes at a time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildReport, nextReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { createStore, type Store } from '@/lib/store';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { pruneHistory, RetentionConfigError, retentionConfigFromEnv, startRetention, type PruneResult } from '../../server/retention';

const DAY = 24 * 3600 * 1000;
// The background job reads the real clock, so history is laid out relative to it.
const NOW = new Date();

describe('retentionConfigFromEnv', () => {
  it('defaults to 30 days and takes a whole number of days', () => {
    expect(retentionConfigFromEnv({}).days).toBe(30);
    expect(retentionConfigFromEnv({ VETHWATCH_RETENTION_DAYS: '7' }).days).toBe(7);
  });
  it.each(['0', '-1', '1.5', 'thirty'])('refuses %s', (value) => {
    expect(() => retentionConfigFromEnv({ VETHWATCH_RETENTION_DAYS: value })).toThrow(RetentionConfigError);
  });
});

describe.each(testEngines)('history retention on $name', (engine) => {
  let t: TestStore;
  const bus = createEventBus();
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  /** A node whose veths change on every report, one report per `stepDays` from `startDaysAgo`: many events. */
  async function history(node: string, startDaysAgo: number, reports: number, stepDays: number): Promise<void> {
    let r: Report = buildReport({ node, veths: 2, collectedAt: new Date(NOW.getTime() - startDaysAgo * DAY) });
    for (let i = 0; i < reports; i++) {
      const receivedAt = new Date(NOW.getTime() - (startDaysAgo - i * stepDays) * DAY);
      await ingestReport(t.store, r, { bus, receivedAt });
      const next = nextReport(r, stepDays * 86400);
      r = buildReport({ ...next, veths: 2 + ((i + 1) % 3), mismatched: (i + 1) % 2, collectedAt: next.collectedAt });
    }
  }

  async function received(): Promise<string[]> {
    return (await t.store.listEvents({ limit: 5000 })).map((e) => e.receivedAt);
  }

  it('prunes events received before the cutoff in batches and keeps the rest', async () => {
    await history('n1', 40, 20, 1); // days 40..21 ago: half old, half recent
    await history('n2', 5, 3, 1);
    const before = await received();
    const cutoff = new Date(NOW.getTime() - 30 * DAY).toISOString();
    const old = before.filter((at) => at < cutoff).length;
    expect(old).toBeGreaterThan(10);
    expect(before.length - old).toBeGreaterThan(10);
    const nodesBefore = (await t.store.listNodes()).map((n) => n.name);

    const batches: number[] = [];
    const result = await pruneHistory(t.store, { days: 30, now: NOW, batchSize: 4, onBatch: (n) => void batches.push(n) });
    expect(result).toEqual({ ran: true, deleted: old, batches: Math.floor(old / 4) + 1, cutoff });
    expect(batches.slice(0, -1).every((n) => n === 4)).toBe(true);
    const after = await received();
    expect(after).toHaveLength(before.length - old);
    expect(after.every((at) => at >= cutoff)).toBe(true);
    // Current state is not history: the nodes stay.
    expect((await t.store.listNodes()).map((n) => n.name)).toEqual(nodesBefore);

    expect(await pruneHistory(t.store, { days: 30, now: NOW })).toMatchObject({ ran: true, deleted: 0, batches: 1 });
  });

  it('runs once when two runners start together (advisory lock on PostgreSQL, in-process guard on SQLite)', async () => {
    await history('n1', 40, 12, 1);
    const total = (await received()).filter((at) => at < new Date(NOW.getTime() - 30 * DAY).toISOString()).length;
    // PostgreSQL: a second store on the same database is another replica with its own pool and sessions.
    const replica: Store = engine.name === 'postgres' ? await createStore(t.config) : t.store;
    try {
      let second: PruneResult | null = null;
      const first = await pruneHistory(t.store, {
        days: 30,
        now: NOW,
        batchSize: 2,
        // Start the other runner while this one holds the lock, mid-run.
        onBatch: async () => {
          second ??= await pruneHistory(replica, { days: 30, now: NOW, batchSize: 2 });
        },
      });
      expect(first).toMatchObject({ ran: true, deleted: total });
      expect(second).toMatchObject({ ran: false, deleted: 0 });
      // Released afterwards: the replica's next turn runs (and finds nothing left).
      expect(await pruneHistory(replica, { days: 30, now: NOW })).toMatchObject({ ran: true, deleted: 0 });
    } finally {
      if (replica !== t.store) await replica.close();
    }
  });

  it('the background job prunes on its schedule and stops cleanly', async () => {
    await history('n1', 40, 3, 1);
    expect((await received()).length).toBeGreaterThan(0);
    const job = startRetention(async () => t.store, { days: 30, intervalMs: 60_000, firstRunDelayMs: 10, batchSize: 2, pauseMs: 1 });
    try {
      await expect.poll(async () => (await received()).length, { timeout: 5000 }).toBe(0);
      // The first call may join the scheduled run still finishing; the next one is a run of its own.
      await job.runNow();
      expect(await job.runNow()).toMatchObject({ ran: true, deleted: 0 });
    } finally {
      await job.stop();
    }
  });
});
