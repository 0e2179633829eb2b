'use client';
// The node page's body: prefetched on the server, hydrated, then kept fresh by TanStack Query.
import { useQuery, useSuspenseQuery } from '@tanstack/react-query';
import { nodeFindings } from '../../lib/nodes/findings';
import { hostDevicesQuery, nodeQuery } from '../../lib/queries/options';
import { ArpTimeline } from '../timeline/ArpTimeline';
import { Freshness } from '../ui/Freshness';
import { CheckByHand } from './CheckByHand';
import { FindingsList } from './FindingsList';
import { HostDevicesTable } from './HostDevicesTable';
import { LinkFilesTable } from './LinkFilesTable';
import { LinkPolicyCard } from './LinkPolicyCard';
import { NodeHeader } from './NodeHeader';
import { NodeHazards } from './NodeHazards';
import { PackageEventsTable } from './PackageEventsTable';
import { VethsTable } from './VethsTable';
import { RemediationPanel } from '../remediation/RemediationPanel';
import { NodePreventionSection } from '../prevention/NodePreventionSection';

export function NodeView({ name }: { name: string }) {
  const { data: node, error, isRefetchError, dataUpdatedAt } = useSuspenseQuery(nodeQuery(name));
  const mismatches = node.veths.filter((v) => v.arpStatus === 'mismatch').length;
  const findings = nodeFindings(node);
  const hostDevices = useQuery(hostDevicesQuery(name)).data?.devices;
  return (
    <div className="stack">
      <NodeHeader node={node} />
      <Freshness asOf={new Date(dataUpdatedAt).toISOString()} refreshError={isRefetchError ? error : null} />
      <nav aria-label="On this page" className="in-page-nav">
        <ul>
          <li>
            <a href="#link-policy">Link policy</a>
          </li>
          <li>
            <a href="#check-by-hand">Check by hand</a>
          </li>
          <li>
            <a href="#timeline">Timeline</a>
          </li>
          <li>
            <a href="#veths">
              Veths ({node.veths.length}
              {mismatches > 0 ? `, ${mismatches} broken` : ''})
            </a>
          </li>
          <li>
            <a href="#host-devices">Host devices{hostDevices ? ` (${hostDevices.length})` : ''}</a>
          </li>
          <li>
            <a href="#link-files">Link files ({node.linkFiles.length})</a>
          </li>
          <li>
            <a href="#findings">Findings ({findings.length})</a>
          </li>
          <li>
            <a href="#hazards">Cross-node hazards ({node.hazards?.length ?? 0})</a>
          </li>
          <li>
            <a href="#package-events">Package events ({node.packageEvents.length})</a>
          </li>
        </ul>
      </nav>
      <RemediationPanel node={node} />
      <NodePreventionSection name={node.name} prevention={node.prevention} />
      <div className={node.state === 'stale' ? 'stack stale-data' : 'stack'}>
        <LinkPolicyCard node={node} />
        <CheckByHand node={node} />
        <ArpTimeline name={node.name} />
        <VethsTable node={node.name} veths={node.veths} />
        <HostDevicesTable node={node.name} />
        <LinkFilesTable files={node.linkFiles} />
        <FindingsList findings={findings} />
        <NodeHazards name={node.name} hazards={node.hazards} />
        <PackageEventsTable events={node.packageEvents} />
      </div>
    </div>
  );
}
