// The fleet page's 24 h strip: per node, how many pods were in ARP mismatch in each hour of the last 24.
//
// Definition: bucket i is the PEAK number of the node's veths whose gateway ARP entry was `mismatch` at the same
// time during hour i, i.e. the count carried into the hour and the count after each report inside it, whichever
// is largest. A pod broken for ten minutes shows in its hour; a pod broken all day shows in every hour.
//
// Derived, not stored: the node's current mismatch count (its latest report) minus the net change of the
// window's count-moving events (arp.changed / veth.appeared / veth.vanished with a non-zero mismatch delta,
// lib/events/mismatch.ts) gives the count at the window's start; the events then replay forward. Hours are
// aligned to UTC hours; the last bucket is the current, partial hour. The fold is pure; readMismatchStrips is
// the one store read (keyset pages over the partial index of count-moving events).
import type { MismatchMove } from '../events/mismatch';

export type { MismatchMove };

export const STRIP_HOURS = 24;
const HOUR = 3600_000;

/** The strip's end: the start of the next UTC hour after `now`, so the last bucket is the hour now is in. */
export function stripEnd(now: Date): Date {
  return new Date(Math.floor(now.getTime() / HOUR) * HOUR + HOUR);
}

/**
 * 24 peak counts per node, oldest hour first, for the window [end - 24 h, end). `current` holds each node's
 * mismatch count now; `moves` are the window's count-moving events (any order; a delta of 0 is ignored).
 * Events dated after `end` (a node clock ahead of ours) count in the last hour; before the window, not at all.
 */
export function foldMismatchStrips(current: ReadonlyMap<string, number>, moves: readonly MismatchMove[], end: Date): Map<string, number[]> {
  const endMs = end.getTime();
  const startMs = endMs - STRIP_HOURS * HOUR;
  const byNode = new Map<string, MismatchMove[]>();
  for (const e of moves) {
    if (!current.has(e.node) || e.delta === 0 || Date.parse(e.at) < startMs) continue;
    const list = byNode.get(e.node);
    if (list) list.push(e);
    else byNode.set(e.node, [e]);
  }
  const out = new Map<string, number[]>();
  for (const [node, now] of current) {
    const list = (byNode.get(node) ?? []).sort((a, b) => a.id - b.id);
    let count = now;
    for (const e of list) count -= e.delta;
    // A count below zero means history was pruned or is partial inside the window: never draw negatives.
    count = Math.max(0, count);
    const strip = new Array<number>(STRIP_HOURS).fill(0);
    let hour = 0;
    strip[0] = count;
    list.forEach((e, i) => {
      const h = Math.min(STRIP_HOURS - 1, Math.floor((Date.parse(e.at) - startMs) / HOUR));
      // Hours with no events hold the count carried in.
      while (hour < h) strip[++hour] = count;
      count = Math.max(0, count + e.delta);
      // One report's events share `at`: only the count after the whole report is a state the node was in.
      if (list[i + 1]?.at !== e.at) strip[hour] = Math.max(strip[hour], count);
    });
    while (hour < STRIP_HOURS - 1) strip[++hour] = count;
    out.set(node, strip);
  }
  return out;
}
