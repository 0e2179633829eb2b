import type { NodeSummary } from '../../lib/nodes/types';
import { RouteLink } from '../nav/RouteLink';
import { Age } from '../ui/Age';
import { StateBadge } from '../ui/Badge';
import { formatDuration, plural } from '../ui/format';
import { Icon } from '../ui/Icon';
import { nodeStatePresentation } from '../ui/tones';
import { PolicyCell } from './PolicyCell';

export function nodeHref(name: string): string {
  return `/nodes/${encodeURIComponent(name)}`;
}

function StateCell({ node }: { node: NodeSummary }) {
  return (
    <div className="state-cell">
      <StateBadge state={node.state} />
      {node.state === 'stale' ? (
        // The server's reason freezes the age at fetch time; the live age is in the last column.
        <span className="reason">
          Last report said: {nodeStatePresentation[node.lastKnownState].label.toLowerCase()}
        </span>
      ) : (
        <span className="reason">{node.stateReason}</span>
      )}
    </div>
  );
}

function MismatchCell({ node }: { node: NodeSummary }) {
  const text = `${node.mismatchCount} of ${plural(node.vethCount, 'veth')}`;
  if (node.mismatchCount === 0) return <span className="muted">{text}</span>;
  return (
    <span className="cell-flag tone-bad mismatch-count">
      <Icon shape="bad" />
      {text}
    </span>
  );
}

export function FleetTable({ nodes }: { nodes: NodeSummary[] }) {
  return (
    <div className="table-wrap" role="region" aria-labelledby="fleet-caption" tabIndex={0}>
      <table>
        <caption id="fleet-caption">
          <h2>Nodes</h2> <span className="muted">· {plural(nodes.length, 'node')}, worst first</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">State</th>
            <th scope="col">New veth MAC policy</th>
            <th scope="col" className="num">
              ARP mismatches
            </th>
            <th scope="col">OS</th>
            <th scope="col">Last report</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((node) => (
            <tr key={node.name} data-state={node.state}>
              <th scope="row">
                <RouteLink href={nodeHref(node.name)} className="ident" prefetch={false}>
                  {node.name}
                </RouteLink>
              </th>
              <td>
                <StateCell node={node} />
              </td>
              <td>
                <PolicyCell policy={node.policy} />
              </td>
              <td className="num">
                <MismatchCell node={node} />
              </td>
              <td>
                <div className="state-cell">
                  <span>{node.os.prettyName ?? <span className="muted">unknown OS</span>}</span>
                  <span className="muted small">
                    {node.os.systemdVersion !== null ? `systemd ${node.os.systemdVersion}` : 'systemd unknown'}
                    {node.os.kernel && ` · ${node.os.kernel}`}
                  </span>
                </div>
              </td>
              <td className="nowrap">
                <div className="state-cell">
                  <Age at={node.lastReportAt} seconds={node.reportAgeSeconds} />
                  <span className="muted small">every {formatDuration(node.intervalSeconds)}</span>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
