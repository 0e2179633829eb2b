// The pod's static neighbour entries (PERMANENT or NOARP, IPv4 and IPv6) for one veth, each marked when it no longer
// points at the host veth's MAC. Older agents send no list: then nothing is shown.
import type { PodNeighbour } from '../../lib/report/schema';
import { Icon } from '../ui/Icon';

export function NeighbourList({ entries }: { entries: readonly PodNeighbour[] | undefined }) {
  if (!entries || entries.length === 0) return null;
  return (
    <ul className="neighbours small" aria-label="Static neighbour entries">
      {entries.map((n) => (
        <li key={`${n.ip}-${n.lladdr ?? 'none'}`} data-matches-host={n.matchesHost}>
          <code>{n.ip}</code> → <code>{n.lladdr ?? 'no address'}</code> <span className="muted">{n.state.join(', ')}</span>
          {!n.matchesHost && (
            <span className="cell-flag tone-bad">
              <Icon shape="bad" />
              not this veth&apos;s MAC
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
