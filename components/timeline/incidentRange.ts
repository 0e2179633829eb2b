// Which zoom the ARP timeline opens on when the URL names none: the current incident must be visible, not a thin
// sliver at the right edge of 24 h. Pure, so the server's first paint and the browser agree.
import type { ArpInterval } from '../../lib/history/types';
import { TIMELINE_RANGES, type TimelineRange } from '../../lib/queries/options';

/**
 * '1h' when a mismatch is ongoing and the oldest ongoing one started within the last hour; null otherwise (keep the
 * default). Older incidents already fill most of the default 24 h window.
 */
export function incidentRange(intervals: readonly Pick<ArpInterval, 'from' | 'status'>[], nowMs: number): TimelineRange | null {
  const starts = intervals.filter((i) => i.status === 'ongoing').map((i) => Date.parse(i.from));
  if (starts.length === 0) return null;
  const age = nowMs - Math.min(...starts);
  return age <= TIMELINE_RANGES['1h'] * 1000 ? '1h' : null;
}
