'use client';
// The life of one CNI host device (cni0, flannel.1, cilium_host, ...): when it appeared, every MAC change (udev's
// re-MAC shows as "set by userspace"), newest first. Shown when a host device row is expanded.
import { useQuery } from '@tanstack/react-query';
import type { HostDeviceHistoryEntry } from '../../lib/history/types';
import { hostDeviceMacSetter } from '../../lib/history/describe';
import { hostDeviceHistoryUrl } from '../../lib/queries/fetchers';
import { hostDeviceHistoryQuery } from '../../lib/queries/options';
import { formatAddrAssignType } from '../ui/format';
import { Icon } from '../ui/Icon';
import { Timestamp } from '../ui/Timestamp';
import { DeviceHistoryTable } from './DeviceHistoryTable';

const KIND_LABEL: Record<HostDeviceHistoryEntry['kind'], string> = {
  appeared: 'Appeared',
  vanished: 'Vanished',
  mac_changed: 'MAC changed',
};

const macText = (mac: string | null) => (mac ? <code>{mac}</code> : <span className="muted">none</span>);

/** "from → to" and who set it; for a host device list's "last MAC change" cell too. */
export function HostDeviceMacChange({ e }: { e: HostDeviceHistoryEntry }) {
  const setter = hostDeviceMacSetter({ setByUserspace: e.setByUserspace, fromUdevRewritesMac: e.udevRewritesMac, linkFile: e.linkFile });
  return (
    <>
      {macText(e.macFrom)} → {macText(e.macTo)}
      {setter && (
        <div className="cell-flag tone-warn small">
          <Icon shape="warn" />
          {setter}
        </div>
      )}
    </>
  );
}

export function HostDeviceHistory({ node, ifname }: { node: string; ifname: string }) {
  const query = useQuery(hostDeviceHistoryQuery(node, ifname));
  const captionId = `host-device-history-caption-${ifname}`;
  return (
    <DeviceHistoryTable node={node} ifname={ifname} captionId={captionId} query={query} url={(format) => hostDeviceHistoryUrl(node, ifname, format)} what="device">
      {(data) => (
        <>
          <thead>
            <tr>
              <th scope="col">When (agent clock)</th>
              <th scope="col">Change</th>
              <th scope="col">MAC</th>
              <th scope="col">addr_assign_type</th>
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
                  {e.initial && <div className="muted small">already there at the first report listing host devices</div>}
                </td>
                <td>{e.kind === 'mac_changed' ? <HostDeviceMacChange e={e} /> : macText(e.macTo ?? e.macFrom)}</td>
                <td>{formatAddrAssignType(e.addrAssignType)}</td>
              </tr>
            ))}
          </tbody>
        </>
      )}
    </DeviceHistoryTable>
  );
}
