// The node page's cross-node hazards: the fleet findings that name this node, with links to the other nodes.
import type { CrossNodeFinding } from '../../lib/fleet/types';
import { HazardList } from '../fleet/HazardList';

export function NodeHazards({ name, hazards }: { name: string; hazards: readonly CrossNodeFinding[] | undefined }) {
  const list = hazards ?? [];
  return (
    <section className="card" id="hazards" aria-labelledby="hazards-heading">
      <div className="section-head">
        <h2 id="hazards-heading">Cross-node hazards</h2>
        <span className="muted">{list.length}</span>
      </div>
      {list.length === 0 ? (
        <p className="muted">Nothing found comparing this node with the others.</p>
      ) : (
        <HazardList hazards={list} exclude={name} />
      )}
    </section>
  );
}
