'use client';
// The CNI's own host devices (cni0, flannel.1, vxlan.calico, cilium_host, antrea-gw0, ...): udev applies the same
// `.link` files to them as to pod veths, so each row says whether udev would re-MAC it and when its MAC last
// changed. Which rows have their history open is in the URL (?hostdev=a,b), as for veths; the server prefetches
// the list (and the open histories), so the first paint has them without JavaScript.
import { useQuery } from '@tanstack/react-query';
import { Fragment } from 'react';
import type { HostDeviceState } from '../../lib/history/types';
import { hostDevicesQuery } from '../../lib/queries/options';
import { HostDeviceHistory, HostDeviceMacChange } from '../history/HostDeviceHistory';
import { useUrlParams } from '../timeline/urlState';
import { Age } from '../ui/Age';
import { basename, formatAddrAssignType } from '../ui/format';
import { Icon } from '../ui/Icon';
import { HOST_DEVICE_PARAM, openIfnames } from './openRows';
import { ExpandButton } from './VethsTable';

const historyRowId = (ifname: string) => `host-device-history-${ifname}`;

function LastMacChange({ d }: { d: HostDeviceState }) {
  if (!d.lastMacChange) return <span className="muted">never</span>;
  return (
    <>
      <Age at={d.lastMacChange.receivedAt} seconds={d.lastMacChangeAgeSeconds} />
      <div className="small">
        <HostDeviceMacChange e={d.lastMacChange} />
      </div>
    </>
  );
}

export function HostDevicesTable({ node }: { node: string }) {
  const { data, error, isPending } = useQuery(hostDevicesQuery(node));
  const [params, setParams] = useUrlParams();
  const open = openIfnames(params.get(HOST_DEVICE_PARAM));
  const toggle = (ifname: string) => {
    const next = new Set(open);
    if (!next.delete(ifname)) next.add(ifname);
    setParams({ [HOST_DEVICE_PARAM]: next.size ? [...next].join(',') : null });
  };
  const devices = data?.devices ?? [];
  const atRisk = devices.filter((d) => d.udevRewritesMac).length;
  return (
    <section id="host-devices">
      <div className="table-wrap" role="region" aria-labelledby="host-devices-caption" tabIndex={0}>
        <table>
          <caption id="host-devices-caption">
            <h2>Host devices</h2>{' '}
            <span className="muted">
              · {devices.length}
              {atRisk > 0 ? `, ${atRisk} udev would re-MAC` : ''}
            </span>
          </caption>
          {devices.length > 0 && (
            <>
              <thead>
                <tr>
                  <th scope="col">Interface</th>
                  <th scope="col">Role</th>
                  <th scope="col">Kind</th>
                  <th scope="col">MAC</th>
                  <th scope="col">addr_assign_type</th>
                  <th scope="col">udev would rewrite</th>
                  <th scope="col">Link file</th>
                  <th scope="col">Last MAC change</th>
                </tr>
              </thead>
              <tbody>
                {devices.map((d) => (
                  <Fragment key={d.ifname}>
                    <tr id={`host-device-${d.ifname}`} data-udev-rewrites={d.udevRewritesMac}>
                      <th scope="row">
                        <ExpandButton ifname={d.ifname} open={open.has(d.ifname)} onToggle={() => toggle(d.ifname)} controls={historyRowId(d.ifname)} />
                      </th>
                      <td>{d.role}</td>
                      <td>{d.kind}</td>
                      <td>{d.mac ? <code>{d.mac}</code> : <span className="muted">none</span>}</td>
                      <td>{formatAddrAssignType(d.addrAssignType)}</td>
                      <td>
                        {d.udevRewritesMac ? (
                          <span className="cell-flag tone-warn">
                            <Icon shape="warn" />
                            Yes
                          </span>
                        ) : (
                          'No'
                        )}
                      </td>
                      <td>{d.linkFile ? <code title={d.linkFile}>{basename(d.linkFile)}</code> : <span className="muted">none</span>}</td>
                      <td>
                        <LastMacChange d={d} />
                      </td>
                    </tr>
                    {open.has(d.ifname) && (
                      <tr id={historyRowId(d.ifname)} className="history-row">
                        <td colSpan={8}>
                          <HostDeviceHistory node={node} ifname={d.ifname} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </>
          )}
        </table>
        {isPending && <p className="muted small">Loading host devices…</p>}
        {error && (
          <p className="cell-flag tone-bad small" role="alert">
            <Icon shape="bad" />
            Could not load the host devices: {error.message}
          </p>
        )}
        {data && devices.length === 0 && (
          <p className="empty">{data.reported ? 'No CNI host devices on this node.' : "This node's agent does not report host devices (it predates them)."}</p>
        )}
      </div>
    </section>
  );
}
