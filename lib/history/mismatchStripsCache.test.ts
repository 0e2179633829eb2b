// The fleet list's reuse of a strip fold: within the window and the hour it reuses the fold and raises only the
// current hour to the live count; a new hour or an expired window folds again (SQLite is enough: the cache sits
// above the store).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { readMismatchStripsCached } from './mismatchStrips';

const sqlite = testEngines.filter((e) => e.name === 'sqlite');
const NOW = new Date('2026-11-26T12:30:00.000Z');
const later = (s: number) => new Date(NOW.getTime() + s * 1000);

describe.each(sqlite)('cached mismatch strips on $name', (engine) => {
  let t: TestStore;
  const bus = createEventBus();
  beforeEach(async () => {
    t = await engine.open();
  });
  afterEach(async () => {
    await t.cleanup();
  });
  const send = (r: Report, at: Date) => ingestReport(t.store, r, { bus, receivedAt: at });
  const current = async () => new Map((await t.store.listNodes()).map((n) => [n.name, n.mismatchCount]));

  it('reuses the fold within 30 s, raising the current hour to the live count; folds again after', async () => {
    await send(buildReport({ node: 'a', veths: 3, collectedAt: new Date(NOW.getTime() - 3600_000) }), NOW);
    const first = await readMismatchStripsCached(t.store, await current(), NOW);
    expect(first.strips.get('a')).toEqual(Array(24).fill(0));

    // Two pods break 10 s later: the reused fold shows them in the current hour at once.
    await send(buildReport({ node: 'a', veths: 3, mismatched: 2, collectedAt: later(10) }), later(10));
    const reused = await readMismatchStripsCached(t.store, await current(), later(11));
    expect(reused.strips.get('a')).toEqual([...Array(23).fill(0), 2]);

    // They heal: within the window the hour's peak stays 2 (a peak never falls inside its hour).
    await send(buildReport({ node: 'a', veths: 3, collectedAt: later(20) }), later(20));
    expect((await readMismatchStripsCached(t.store, await current(), later(21))).strips.get('a')).toEqual([...Array(23).fill(0), 2]);

    // Past the window the fold is redone from history, which agrees.
    expect((await readMismatchStripsCached(t.store, await current(), later(45))).strips.get('a')).toEqual([...Array(23).fill(0), 2]);

    // In the next hour the old hour moves left and the new one starts from the live count.
    const nextHour = new Date('2026-11-26T13:00:05.000Z');
    expect((await readMismatchStripsCached(t.store, await current(), nextHour)).strips.get('a')).toEqual([...Array(22).fill(0), 2, 0]);
  });
});
