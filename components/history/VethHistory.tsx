'use client';
// The life of one host veth: when it appeared, every MAC change (udev's rewrite shows as "set by userspace"),
// every change of its pod's gateway ARP status, newest first. Shown when a veth row is expanded.
import { useQuery } from '@tanstack/react-query';
import type { VethHistoryEntry } from '../../lib/history/types';
import { vethHistoryUrl } from '../../lib/queries/fetchers';
import { vethHistoryQuery } from '../../lib/queries/options';
import { ArpBadge } from '../ui/Badge';
import { Icon } from '../ui/Icon';
import { Timestamp } from '../ui/Timestamp';
import { DeviceHistoryTable } from './DeviceHistoryTable';

const KIND_LABEL: Record<VethHistoryEntry['kind'], string> = {
  appeared: 'Appeared',
  vanished: 'Vanished',
  mac_changed: 'MAC changed',
  arp_changed: 'ARP status changed',
};

function MacCell({ e }: { e: VethHistoryEntry }) {
  if (e.kind === 'mac_changed') {
    return (
      <>
        <code>{e.macFrom}</code> → <code>{e.macTo}</code>
        {e.setByUserspace && (
          <div className="cell-flag tone-warn small">
            <Icon shape="warn" />
            set by userspace (udev)
          </div>
        )}
      </>
    );
  }
  if (e.kind === 'appeared' && e.creation && e.creation.mac !== e.macTo) {
    // The agent saw the veth created with one MAC and rewritten milliseconds later: the rewrite is the fault.
    return (
      <>
        created with <code>{e.creation.mac}</code> → <code>{e.macTo}</code>
        <div className="cell-flag tone-warn small">
          <Icon shape="warn" />
          rewritten{e.addrAssignType === 3 ? ' by udev' : ''}
          {e.creation.rewrittenAfterMs !== null ? ` ${e.creation.rewrittenAfterMs} ms later` : ''}
        </div>
      </>
    );
  }
  const mac = e.macTo ?? e.macFrom;
  return mac ? <code>{mac}</code> : <span className="muted">unknown</span>;
}

function ArpCell({ e }: { e: VethHistoryEntry }) {
  if (e.arpFrom === null && e.arpTo === null) return <span className="muted">n/a</span>;
  return (
    <span className="arp-change">
      {e.arpFrom && <ArpBadge status={e.arpFrom} />}
      {e.arpFrom && e.arpTo && ' → '}
      {e.arpTo && <ArpBadge status={e.arpTo} />}
    </span>
  );
}

export function VethHistory({ node, ifname }: { node: string; ifname: string }) {
  const query = useQuery(vethHistoryQuery(node, ifname));
  const captionId = `veth-history-${ifname}`;
  return (
    <DeviceHistoryTable node={node} ifname={ifname} captionId={captionId} query={query} url={(format) => vethHistoryUrl(node, ifname, format)} what="veth">
      {(data) => (
        <>
          <thead>
            <tr>
              <th scope="col">When (agent clock)</th>
              <th scope="col">Change</th>
              <th scope="col">MAC</th>
              <th scope="col">Pod gateway ARP</th>
              <th scope="col">Pod&apos;s gateway MAC</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((e) => (
              <tr key={e.id} data-kind={e.kind}>
                <th scope="row" className="nowrap">
                  <Timestamp at={e.at} />
                </th>
                <td>
                  {KIND_LABEL[e.kind]}
                  {e.initial && <div className="muted small">already there at the first report</div>}
                </td>
                <td>
                  <MacCell e={e} />
                </td>
                <td>
                  <ArpCell e={e} />
                </td>
                <td>{e.gatewayLladdr ? <code>{e.gatewayLladdr}</code> : <span className="muted">n/a</span>}</td>
              </tr>
            ))}
          </tbody>
        </>
      )}
    </DeviceHistoryTable>
  );
}
