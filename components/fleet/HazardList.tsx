// One list of cross-node hazards, shared by the fleet panel and the node page: severity, the sentence naming the
// nodes, the check's code, and links to the other nodes concerned.
import type { CrossNodeFinding } from '../../lib/fleet/types';
import { RouteLink } from '../nav/RouteLink';
import { SeverityBadge } from '../ui/Badge';
import { nodeHref } from './FleetTable';

/** Links past this many would swamp the page on a fleet of clones; the message already says how many there are. */
const MAX_NODE_LINKS = 12;

export function HazardList({ hazards, exclude }: { hazards: readonly CrossNodeFinding[]; exclude?: string }) {
  return (
    <ul className="findings">
      {hazards.map((h) => {
        const others = h.nodes.filter((n) => n !== exclude);
        return (
          <li key={`${h.code}-${h.nodes.join(',')}-${h.message}`}>
            <SeverityBadge severity={h.severity} />
            <div>
              <p>{h.message}</p>
              <p className="muted small">
                <code>{h.code}</code>
                {others.length > 0 && ' · '}
                {others.slice(0, MAX_NODE_LINKS).map((n, i) => (
                  <span key={n}>
                    {i > 0 && ', '}
                    <RouteLink href={nodeHref(n)} prefetch={false}>
                      {n}
                    </RouteLink>
                  </span>
                ))}
                {others.length > MAX_NODE_LINKS && ` and ${others.length - MAX_NODE_LINKS} more`}
              </p>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
