'use client';
// The node's veths, broken first. Which rows have their MAC history open is in the URL (?veth=a,b), so a link
// (from fleet search, from the header's list of affected pods) opens exactly that veth, and reloading keeps it.
import { Fragment, useEffect } from 'react';
import type { Veth } from '../../lib/report/schema';
import { VethHistory } from '../history/VethHistory';
import { useUrlParams } from '../timeline/urlState';
import { ArpBadge } from '../ui/Badge';
import { formatAddrAssignType } from '../ui/format';
import { Icon } from '../ui/Icon';
import { NeighbourList } from './NeighbourList';
import { openIfnames } from './openRows';

const arpRank = { mismatch: 0, missing: 1, unknown: 2, ok: 3 } as const;

/** Broken pods first: that is what someone opening this page at night came for. */
export function brokenFirst(veths: readonly Veth[]): Veth[] {
  return [...veths].sort((a, b) => arpRank[a.arpStatus] - arpRank[b.arpStatus] || a.ifname.localeCompare(b.ifname));
}

function GatewayCell({ veth }: { veth: Veth }) {
  if (veth.gatewayLladdr === null) return <span className="muted">none</span>;
  const differs = veth.gatewayLladdr !== veth.mac;
  return (
    <>
      <code>{veth.gatewayLladdr}</code>
      {differs && (
        <div className="cell-flag tone-bad small">
          <Icon shape="bad" />
          not this veth&apos;s MAC
        </div>
      )}
      {veth.gatewayState && veth.gatewayState.length > 0 && (
        <div className="muted small">{veth.gatewayState.join(', ')}</div>
      )}
    </>
  );
}

/** The interface name, as a disclosure button that opens its MAC history in a row below (id `controls`). */
export function ExpandButton({ ifname, open, onToggle, controls = `history-${ifname}` }: { ifname: string; open: boolean; onToggle: () => void; controls?: string }) {
  return (
    <button
      type="button"
      className="disclosure"
      aria-expanded={open}
      aria-controls={controls}
      title={open ? 'Hide MAC history' : 'Show MAC history'}
      onClick={onToggle}
    >
      {/* Drawn by CSS, so the cell's text stays exactly the interface name. */}
      <span className="disclosure-caret" aria-hidden="true" />
      <code>{ifname}</code>
    </button>
  );
}

/** The id of a veth's row: links from the header and from fleet search land on it. */
export const vethRowId = (ifname: string) => `veth-${ifname}`;

/** The open rows as the URL says (?veth=a,b). */
export const openVeths = openIfnames;

function NetnsCell({ netns }: { netns: string | null }) {
  if (netns === null) return <span className="muted">unknown</span>;
  // cni-1234abcd-… names are long: the start tells them apart, the whole is on hover.
  return (
    <code className="one-line netns" title={netns}>
      {netns}
    </code>
  );
}

export function VethsTable({ node, veths }: { node: string; veths: Veth[] }) {
  const rows = brokenFirst(veths);
  const [params, setParams] = useUrlParams();
  const open = openVeths(params.get('veth'));
  const toggle = (ifname: string) => {
    const next = new Set(open);
    if (!next.delete(ifname)) next.add(ifname);
    setParams({ veth: next.size ? [...next].join(',') : null });
  };
  // A link to #veth-x arrives before the table is drawn on a client navigation: bring the row into view once.
  useEffect(() => {
    const id = decodeURIComponent(window.location.hash.slice(1));
    if (id.startsWith('veth-')) document.getElementById(id)?.scrollIntoView({ block: 'center' });
  }, []);
  const broken = veths.filter((v) => v.arpStatus === 'mismatch').length;
  return (
    <section id="veths">
      <div className="table-wrap" role="region" aria-labelledby="veths-caption" tabIndex={0}>
        <table>
          <caption id="veths-caption">
            <h2>Veths</h2>{' '}
            <span className="muted">
              · {veths.length}
              {broken > 0 ? `, ${broken} with the wrong gateway MAC` : ''}
            </span>
          </caption>
          {rows.length > 0 && (
            <>
              <thead>
                <tr>
                  <th scope="col">Interface</th>
                  <th scope="col">MAC</th>
                  <th scope="col">addr_assign_type</th>
                  <th scope="col">Pod</th>
                  <th scope="col">Pod IP</th>
                  <th scope="col">Pod&apos;s gateway MAC</th>
                  <th scope="col">ARP</th>
                  <th scope="col">
                    <span aria-describedby="udev-rewrite-help">udev would rewrite</span>
                  </th>
                  <th scope="col">Pod&apos;s network namespace</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((v) => (
                  <Fragment key={v.ifname}>
                  <tr data-arp={v.arpStatus} id={vethRowId(v.ifname)}>
                    <th scope="row">
                      <ExpandButton ifname={v.ifname} open={open.has(v.ifname)} onToggle={() => toggle(v.ifname)} />
                    </th>
                    <td>
                      <code>{v.mac}</code>
                    </td>
                    <td>{formatAddrAssignType(v.addrAssignType)}</td>
                    <td className="ident">
                      {v.pod ? (
                        <>
                          <span className="muted">{v.pod.namespace}/</span>
                          {v.pod.name}
                        </>
                      ) : (
                        <span className="muted">unknown</span>
                      )}
                    </td>
                    <td>{v.podIP ? <code>{v.podIP}</code> : <span className="muted">unknown</span>}</td>
                    <td>
                      <GatewayCell veth={v} />
                      <NeighbourList entries={v.neighbours} />
                    </td>
                    <td>
                      <ArpBadge status={v.arpStatus} />
                    </td>
                    <td>
                      {v.udevRewritesMac ? (
                        <span className="cell-flag tone-warn">
                          <Icon shape="warn" />
                          Yes
                        </span>
                      ) : (
                        'No'
                      )}
                    </td>
                    <td>
                      <NetnsCell netns={v.netns} />
                    </td>
                  </tr>
                  {open.has(v.ifname) && (
                    <tr id={`history-${v.ifname}`} className="history-row">
                      <td colSpan={9}>
                        <VethHistory node={node} ifname={v.ifname} />
                      </td>
                    </tr>
                  )}
                  </Fragment>
                ))}
              </tbody>
            </>
          )}
        </table>
        {rows.length === 0 && <p className="empty">No pod veths on this node.</p>}
        {rows.length > 0 && (
          <p id="udev-rewrite-help" className="muted small table-note">
            <strong>udev would rewrite</strong>: Yes when the link file that wins for this veth sets{' '}
            <code>MACAddressPolicy=persistent</code>. udev then replaces the MAC the CNI gave the veth whenever it
            processes the interface (at creation, on <code>udevadm trigger</code>, or when udev restarts and replays
            events), and the pod&apos;s PERMANENT gateway ARP entry keeps pointing at the old MAC: its traffic breaks.
            No: udev leaves this veth&apos;s MAC alone.
          </p>
        )}
      </div>
    </section>
  );
}
