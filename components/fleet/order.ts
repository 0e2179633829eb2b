import { countedState } from '../../lib/nodes/state';
import { NODE_STATES, type NodeSummary } from '../../lib/nodes/types';

const rank = (s: string) => NODE_STATES.indexOf(s as (typeof NODE_STATES)[number]);

/**
 * Worst first (NODE_STATES is ordered by severity); a stale node that was broken sorts with the broken (after the
 * fresh ones), other stale nodes rank by what they last looked like; then by name.
 */
export function worstFirst(nodes: readonly NodeSummary[]): NodeSummary[] {
  return [...nodes].sort(
    (a, b) =>
      rank(countedState(a)) - rank(countedState(b)) ||
      Number(a.state === 'stale') - Number(b.state === 'stale') ||
      rank(a.lastKnownState) - rank(b.lastKnownState) ||
      a.name.localeCompare(b.name),
  );
}
