import { NODE_STATES, type NodeState } from '../../lib/nodes/types';
import { Icon } from '../ui/Icon';
import { nodeStatePresentation } from '../ui/tones';

/** Counts by state, worst first, each with its word and shape: readable at a glance and in greyscale. */
export function FleetSummary({ counts, staleBroken = 0 }: { counts: Record<NodeState, number>; staleBroken?: number }) {
  return (
    <section aria-labelledby="summary-heading">
      <h2 id="summary-heading" className="visually-hidden">
        Nodes by state
      </h2>
      <ul className="summary" aria-labelledby="summary-heading">
        {NODE_STATES.map((state) => {
          const p = nodeStatePresentation[state];
          const n = counts[state] ?? 0;
          return (
            <li key={state} className={`tone-${p.tone}${n === 0 ? ' zero' : ''}`} data-state={state}>
              <Icon shape={p.shape} />
              <span>
                <span className="count">{n}</span>{' '}
                <span className="label">{p.label}</span>
                {state === 'broken' && staleBroken > 0 && <span className="muted small"> ({staleBroken} stale)</span>}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
