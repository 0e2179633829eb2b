// The fleet list's reuse of a strip fold: within the window and the hour it reuses the fold and raises only the
// current hour to the live count; a new hour or an expired window folds again (SQLite is enough: the cache sits
// above the store). Reuse is visible only as store reads not made, so the store is wrapped to count them: the
// strips alone would look the same with the cache removed, because a fresh fold of history agrees with it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@/lib/events/bus';
import { ingestReport } from '@/lib/ingest/ingestReport';
import { buildReport } from '@/lib/report/fixtures';
import type { Report } from '@/lib/report/schema';
import type { Store } from '@/lib/store';
import { testEngines, type TestStore } from '@/lib/store/testing';
import { readMismatchStripsCached } from './mismatchStrips';

const sqlite = testEngines.filter((e) => e.name === 'sqlite');
const NOW = new Date('2026-11-26T12:30:00.000Z');
const later = (s: number) => new Date(NOW.getTime() + s * 1000);

/** The store, with every history.listMismatchMoves call (the fold's only read) counted. */
function countingMoves(store: Store): { store: Store; reads: () => number } {
  let reads = 0;
  const history = new Proxy(store.history, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'listMismatchMoves') reads++;
        return value.apply(target, args);
      };
    },
  });
  const wrapped = new Proxy(store, {
    get(target, prop) {
      if (prop === 'history') return history;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: wrapped, reads: () => reads };
}

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
    // The cache is per store object: a fresh wrapper per test starts cold.
    const { store, reads } = countingMoves(t.store);
    await send(buildReport({ node: 'a', veths: 3, collectedAt: new Date(NOW.getTime() - 3600_000) }), NOW);
    const first = await readMismatchStripsCached(store, await current(), NOW);
    expect(first.strips.get('a')).toEqual(Array(24).fill(0));
    expect(reads()).toBe(1);

    // Two pods break 10 s later: the reused fold shows them in the current hour at once, without reading history.
    await send(buildReport({ node: 'a', veths: 3, mismatched: 2, collectedAt: later(10) }), later(10));
    const reused = await readMismatchStripsCached(store, await current(), later(11));
    expect(reused.strips.get('a')).toEqual([...Array(23).fill(0), 2]);
    expect(reads()).toBe(1);

    // They heal: within the window the hour's peak stays 2 (a peak never falls inside its hour), still no read.
    await send(buildReport({ node: 'a', veths: 3, collectedAt: later(20) }), later(20));
    expect((await readMismatchStripsCached(store, await current(), later(21))).strips.get('a')).toEqual([...Array(23).fill(0), 2]);
    expect(reads()).toBe(1);

    // Past the window the fold is redone from history, which agrees.
    expect((await readMismatchStripsCached(store, await current(), later(45))).strips.get('a')).toEqual([...Array(23).fill(0), 2]);
    expect(reads()).toBe(2);

    // In the next hour the old hour moves left and the new one starts from the live count: a fold, even though the
    // last one (at 12:59:59) is only 6 s old.
    expect((await readMismatchStripsCached(store, await current(), new Date('2026-11-26T12:59:59.000Z'))).strips.get('a')).toHaveLength(24);
    expect(reads()).toBe(3);
    const nextHour = new Date('2026-11-26T13:00:05.000Z');
    expect((await readMismatchStripsCached(store, await current(), nextHour)).strips.get('a')).toEqual([...Array(22).fill(0), 2, 0]);
    expect(reads()).toBe(4);
  });

  it('folds again when the clock goes back, and keeps one fold per store', async () => {
    const one = countingMoves(t.store);
    const two = countingMoves(t.store);
    await send(buildReport({ node: 'a', veths: 3, mismatched: 1, collectedAt: NOW }), NOW);
    await readMismatchStripsCached(one.store, await current(), later(10));
    await readMismatchStripsCached(one.store, await current(), later(5));
    expect(one.reads()).toBe(2);
    // Another store never sees the first one's fold.
    await readMismatchStripsCached(two.store, await current(), later(6));
    expect(two.reads()).toBe(1);
    await readMismatchStripsCached(one.store, await current(), later(6));
    expect(one.reads()).toBe(2);
  });
});
