import type { NodeDetail } from '../../lib/nodes/types';
import { RouteLink } from '../nav/RouteLink';
import { Age } from '../ui/Age';
import { StateBadge } from '../ui/Badge';
import { formatDuration } from '../ui/format';
import { Icon } from '../ui/Icon';
import { Timestamp } from '../ui/Timestamp';
import { nodeStatePresentation } from '../ui/tones';

function StaleBanner({ node }: { node: NodeDetail }) {
  return (
    <div className="banner tone-stale">
      <Icon shape="clock" />
      <p>
        <strong>
          No report for <Age at={node.lastReportAt} seconds={node.reportAgeSeconds} />.
        </strong>{' '}
        The agent reports every {formatDuration(node.intervalSeconds)}. Everything below is from its last report, which
        said the node was {nodeStatePresentation[node.lastKnownState].label.toLowerCase()}, and may no longer be true.
      </p>
    </div>
  );
}

/** How many affected pods the header names before it says "and N more" (all are in the veths table). */
const AFFECTED_SHOWN = 8;

/** The pods whose gateway ARP entry no longer matches their veth: named, each linked to its veth's row. */
function AffectedPods({ node }: { node: NodeDetail }) {
  const affected = node.veths.filter((v) => v.arpStatus === 'mismatch').sort((a, b) => a.ifname.localeCompare(b.ifname));
  if (affected.length === 0) return null;
  const shown = affected.slice(0, AFFECTED_SHOWN);
  return (
    <div className="affected-pods">
      <h2 className="small-heading">
        {affected.length === 1 ? 'Affected pod' : `${affected.length} affected pods`}
      </h2>
      <ul>
        {shown.map((v) => (
          <li key={v.ifname}>
            <RouteLink href={`?veth=${encodeURIComponent(v.ifname)}#veth-${encodeURIComponent(v.ifname)}`} prefetch={false}>
              {v.pod ? `${v.pod.namespace}/${v.pod.name}` : `pod on ${v.ifname}`}
            </RouteLink>{' '}
            <span className="muted small">
              veth <code>{v.ifname}</code>
              {v.podIP ? ` · ${v.podIP}` : ''}
            </span>
          </li>
        ))}
      </ul>
      {affected.length > shown.length && (
        <p className="small">
          and {affected.length - shown.length} more in the <a href="#veths">veths table</a>.
        </p>
      )}
    </div>
  );
}

export function NodeHeader({ node }: { node: NodeDetail }) {
  return (
    <header>
      <nav aria-label="Breadcrumb" className="breadcrumbs">
        <ol>
          <li>
            <RouteLink href="/">Fleet</RouteLink>
          </li>
          <li>
            <span aria-current="page">{node.name}</span>
          </li>
        </ol>
      </nav>
      <div className="page-head">
        <h1>{node.name}</h1>
      </div>
      <p className="state-line">
        <StateBadge state={node.state} />
        {node.state !== 'stale' && <span>{node.stateReason}</span>}
      </p>
      {node.state === 'stale' && <StaleBanner node={node} />}
      <AffectedPods node={node} />
      <dl className="facts card" aria-label="Node facts">
        <div>
          <dt>OS</dt>
          <dd>{node.os.prettyName ?? 'unknown'}</dd>
        </div>
        <div>
          <dt>Kernel</dt>
          <dd>{node.os.kernel ? <code>{node.os.kernel}</code> : 'unknown'}</dd>
        </div>
        <div>
          <dt>systemd</dt>
          <dd>{node.os.systemdVersion ?? 'unknown'}</dd>
        </div>
        <div>
          <dt>Agent</dt>
          <dd>{node.agentVersion ?? 'unknown'}</dd>
        </div>
        <div>
          <dt>Last report</dt>
          <dd>
            <Age at={node.lastReportAt} seconds={node.reportAgeSeconds} />
            <span className="muted small"> · every {formatDuration(node.intervalSeconds)}</span>
          </dd>
        </div>
        <div>
          <dt>Collected at (agent clock)</dt>
          <dd>{node.collectedAt ? <Timestamp at={node.collectedAt} /> : 'unknown'}</dd>
        </div>
      </dl>
    </header>
  );
}
