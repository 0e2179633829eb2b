// The fleet page's "Fleet hazards" panel: what only a comparison across nodes shows (lib/fleet/crossNode.ts).
// Absent when there is nothing to say, so a healthy fleet's page stays as it was.
import type { CrossNodeFinding } from '../../lib/fleet/types';
import { HazardList } from './HazardList';

export function FleetHazards({ hazards }: { hazards: readonly CrossNodeFinding[] | undefined }) {
  if (!hazards || hazards.length === 0) return null;
  return (
    <section className="card" id="fleet-hazards" aria-labelledby="fleet-hazards-heading">
      <div className="section-head">
        <h2 id="fleet-hazards-heading">Fleet hazards</h2>
        <span className="muted">{hazards.length}</span>
      </div>
      <p className="muted small">Found by comparing nodes with each other and with their Kubernetes Node objects; no single node&apos;s agent can see these.</p>
      <HazardList hazards={hazards} />
    </section>
  );
}
