import { NODE_STATES, type NodeState } from '../../lib/nodes/types';
import { Icon } from '../ui/Icon';
import { nodeStatePresentation } from '../ui/tones';

/**
 * Counts by state, worst first, each with its word and shape: readable at a glance and in greyscale. Each card is
 * a link that filters the table to its state (a plain ?state= link without JavaScript); the active one unfilters.
 * Broken counts stale nodes last seen broken too, and says how many.
 */
export function FleetSummary({
  counts,
  staleBroken = 0,
  active = [],
  hrefFor,
  onPick,
}: {
  counts: Record<NodeState, number>;
  staleBroken?: number;
  /** The states the table is filtered to. */
  active?: readonly NodeState[];
  hrefFor?: (states: NodeState[]) => string;
  onPick?: (states: NodeState[]) => void;
}) {
  return (
    <section aria-labelledby="summary-heading">
      <h2 id="summary-heading" className="visually-hidden">
        Nodes by state
      </h2>
      <ul className="summary" aria-labelledby="summary-heading">
        {NODE_STATES.map((state) => {
          const p = nodeStatePresentation[state];
          const n = counts[state] ?? 0;
          const on = active.length === 1 && active[0] === state;
          const next: NodeState[] = on ? [] : [state];
          const body = (
            <>
              <Icon shape={p.shape} />
              <span>
                <span className="count">{n}</span> <span className="label">{p.label}</span>
                {state === 'broken' && staleBroken > 0 && <span className="small"> ({staleBroken} stale)</span>}
              </span>
            </>
          );
          return (
            <li key={state} className={`tone-${p.tone}${n === 0 ? ' zero' : ''}${on ? ' active' : ''}`} data-state={state}>
              {hrefFor ? (
                <a
                  href={hrefFor(next)}
                  className="summary-card"
                  aria-current={on ? 'true' : undefined}
                  title={on ? 'Show every state' : `Show only ${p.label.toLowerCase()} nodes`}
                  onClick={(e) => {
                    if (!onPick || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                    e.preventDefault();
                    onPick(next);
                  }}
                >
                  {body}
                </a>
              ) : (
                <span className="summary-card">{body}</span>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
