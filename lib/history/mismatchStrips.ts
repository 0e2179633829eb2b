import 'server-only';
// The store read behind the fleet page's 24 h strips (definition in mismatchBuckets.ts).
import type { NodeEvent } from '../events/types';
import type { Store } from '../store';
import { foldMismatchStrips, STRIP_EVENT_TYPES, STRIP_HOURS, stripEnd } from './mismatchBuckets';

const PAGE = 10_000;

export async function readMismatchStrips(
  store: Store,
  current: ReadonlyMap<string, number>,
  now: Date,
): Promise<{ endsAt: string; strips: Map<string, number[]> }> {
  const end = stripEnd(now);
  const fromAt = new Date(end.getTime() - STRIP_HOURS * 3600_000).toISOString();
  const events: NodeEvent[] = [];
  let after: { at: string; id: number } | undefined;
  for (;;) {
    const page = await store.history.listEventsSince({ fromAt, types: STRIP_EVENT_TYPES, after, limit: PAGE });
    for (const e of page) events.push(e);
    if (page.length < PAGE) break;
    const last = page[page.length - 1];
    after = { at: last.at, id: last.id };
  }
  return { endsAt: end.toISOString(), strips: foldMismatchStrips(current, events, end) };
}
