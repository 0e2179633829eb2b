// Report fixtures for the cross-node checks (tests, e2e): a flannel node's flannel.1 and the FDB and PERMANENT
// neighbour entries flannel programs for each peer's VTEP, as `bridge -j fdb` / `ip -j neigh` show them.
import { buildReport, type BuildReportOptions } from '../report/fixtures';
import type { HostDevice, Overlay, Report } from '../report/schema';

export interface FlannelPeer {
  /** The MAC this node has programmed for the peer's VTEP (right or stale). */
  mac: string;
  /** The peer's flannel.alpha.coreos.com/public-ip: the FDB dst. */
  publicIp: string;
  /** The peer's VTEP address: its podCIDR's network address. */
  vtepIp: string;
}

export function flannelDevice(mac: string): HostDevice {
  return { ifname: 'flannel.1', kind: 'vxlan', role: 'overlay', mac, addrAssignType: 3, udevRewritesMac: false, linkFile: null };
}

export function flannelOverlay(peers: readonly FlannelPeer[]): Overlay {
  return {
    fdb: peers.map((p) => ({ mac: p.mac, dst: p.publicIp, dev: 'flannel.1' })),
    neighbours: peers.map((p) => ({ ip: p.vtepIp, lladdr: p.mac, dev: 'flannel.1', state: ['PERMANENT'] })),
  };
}

/** A flannel node's report: its flannel.1 MAC, what it programmed for each peer, and optionally its machine-ID hash. */
export function buildFlannelReport(
  opts: { node: string; flannelMac: string; peers: readonly FlannelPeer[]; machineIdHash?: string } & BuildReportOptions,
): Report {
  const { flannelMac, peers, machineIdHash, ...rest } = opts;
  return buildReport({
    cni: { vethPrefix: 'veth', configFile: '/etc/cni/net.d/10-flannel.conflist', kind: 'flannel', version: null },
    hostDevices: [flannelDevice(flannelMac)],
    overlay: flannelOverlay(peers),
    ...(machineIdHash ? { machineIdHash } : {}),
    ...rest,
  });
}
