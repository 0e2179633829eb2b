import { NODE_STATES, type NodeSummary } from '../../lib/nodes/types';

const rank = (s: string) => NODE_STATES.indexOf(s as (typeof NODE_STATES)[number]);

/** Worst first (NODE_STATES is ordered by severity); a stale node ranks by what it last looked like; then by name. */
export function worstFirst(nodes: readonly NodeSummary[]): NodeSummary[] {
  return [...nodes].sort(
    (a, b) =>
      rank(a.state) - rank(b.state) ||
      rank(a.lastKnownState) - rank(b.lastKnownState) ||
      a.name.localeCompare(b.name),
  );
}
