import 'server-only';
// The store read behind the fleet page's 24 h strips (definition in mismatchBuckets.ts).
import type { MismatchMove } from '../events/mismatch';
import type { Store } from '../store';
import { foldMismatchStrips, STRIP_HOURS, stripEnd } from './mismatchBuckets';

const PAGE = 10_000;

export async function readMismatchStrips(
  store: Store,
  current: ReadonlyMap<string, number>,
  now: Date,
): Promise<{ endsAt: string; strips: Map<string, number[]> }> {
  const end = stripEnd(now);
  const fromAt = new Date(end.getTime() - STRIP_HOURS * 3600_000).toISOString();
  const moves: MismatchMove[] = [];
  let after: { at: string; id: number } | undefined;
  for (;;) {
    const page = await store.history.listMismatchMoves({ fromAt, after, limit: PAGE });
    for (const m of page) moves.push(m);
    if (page.length < PAGE) break;
    const last = page[page.length - 1];
    after = { at: last.at, id: last.id };
  }
  return { endsAt: end.toISOString(), strips: foldMismatchStrips(current, moves, end) };
}

/**
 * The fleet list asks for every node's strip on every refresh, and a fold is still one of its larger costs (5,000
 * nodes with 30 days of history: ~37 ms cold, against ~30 ms for the rest of the list; it was ~160 ms before events
 * carried their mismatch delta). Past hours cannot change, so a fold is reused for CACHE_MS within the same
 * hour; only the current hour's cell, a running peak, is raised to the node's current count. A peak that rose and
 * fell inside one reuse window shows on the next fold, at most CACHE_MS later.
 */
const CACHE_MS = 30_000;
const cache = new WeakMap<Store, { computedAt: number; endsAt: string; strips: Map<string, number[]> }>();

export async function readMismatchStripsCached(
  store: Store,
  current: ReadonlyMap<string, number>,
  now: Date,
): Promise<{ endsAt: string; strips: Map<string, number[]> }> {
  const endsAt = stripEnd(now).toISOString();
  const hit = cache.get(store);
  if (!hit || hit.endsAt !== endsAt || now.getTime() - hit.computedAt > CACHE_MS || now.getTime() < hit.computedAt) {
    const fresh = await readMismatchStrips(store, current, now);
    cache.set(store, { computedAt: now.getTime(), endsAt: fresh.endsAt, strips: fresh.strips });
    return fresh;
  }
  const strips = new Map<string, number[]>();
  for (const [node, count] of current) {
    const cached = hit.strips.get(node);
    // A node new since the fold has no history in the window: its strip is empty but for the current hour.
    const strip = cached ? [...cached] : new Array<number>(STRIP_HOURS).fill(0);
    strip[STRIP_HOURS - 1] = Math.max(strip[STRIP_HOURS - 1], count);
    strips.set(node, strip);
  }
  // Keep the raised peaks: a count seen between folds stays in its hour even after it falls again.
  hit.strips = strips;
  return { endsAt, strips };
}
