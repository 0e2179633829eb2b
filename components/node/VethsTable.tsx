import type { Veth } from '../../lib/report/schema';
import { ArpBadge } from '../ui/Badge';
import { formatAddrAssignType } from '../ui/format';
import { Icon } from '../ui/Icon';

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

export function VethsTable({ veths }: { veths: Veth[] }) {
  const rows = brokenFirst(veths);
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
                  <th scope="col">udev would rewrite</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((v) => (
                  <tr key={v.ifname} data-arp={v.arpStatus}>
                    <th scope="row">
                      <code>{v.ifname}</code>
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
                  </tr>
                ))}
              </tbody>
            </>
          )}
        </table>
        {rows.length === 0 && <p className="empty">No pod veths on this node.</p>}
      </div>
    </section>
  );
}
