// Judging what agent/collect observed: whether each pod's neighbour entry for its gateway (collect/podGateway.ts)
// still carries the host veth's MAC, and what that means for the node. Pure: data in, data out. Imports flow one
// way, collect -> verdict: nothing under collect/ imports this file.
import { CNI_FACTS, cniRecommendUpgrade, cniReleaseIsSafe } from '../lib/report/cnis';
import type { ArpStatus, CniKind, Finding, FragileFix, HostDevice, LinkVerdict, PodNeighbour, Veth } from '../lib/report/schema';
import type { IpLink, IpNeigh, IpRoute } from './collect/ipJson';
import { gatewayIpFor } from './collect/podGateway';
import type { PodRef } from './collect/ipam';
import { isStaticNeighbour, type VethObservation } from './collect/veths';

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function normalMac(mac: string | null | undefined): string | null {
  if (!mac) return null;
  const m = mac.toLowerCase();
  return MAC_RE.test(m) ? m : null;
}

/** The pod's IP: the global /32 (or /128) on its end of the veth, else the host's /32 route through the veth. */
export function podIpOf(peer: IpLink | null, hostRoutes: readonly IpRoute[]): string | null {
  const addrs = peer?.addrs.filter((a) => a.scope === 'global' || a.scope === null) ?? [];
  const pick =
    addrs.find((a) => a.family === 'inet' && a.prefixlen === 32) ??
    addrs.find((a) => a.family === 'inet') ??
    addrs.find((a) => a.family === 'inet6' && a.prefixlen === 128) ??
    addrs.find((a) => a.family === 'inet6');
  if (pick) return pick.local;
  for (const r of hostRoutes) {
    const [ip, len] = r.dst.split('/');
    if (r.dst !== 'default' && (len === undefined || len === '32' || len === '128')) return ip;
  }
  return null;
}

/** The pod's neighbour entry for `gatewayIp` on its veth end (ip omits `dev` when filtered by device). */
export function gatewayNeighbour(neighbours: readonly IpNeigh[], gatewayIp: string, peerIfname: string): IpNeigh | null {
  const forGw = neighbours.filter((n) => n.dst === gatewayIp && (n.dev === null || n.dev === peerIfname));
  return forGw.find((n) => n.dev === peerIfname) ?? forGw[0] ?? null;
}

/**
 * The one signal that is ground truth: does the pod's entry for its gateway carry the host veth's MAC?
 * `readable` false (namespace or peer not found) gives unknown; an entry without a link-layer address
 * (INCOMPLETE, FAILED) is as good as missing.
 */
export function arpStatus(hostMac: string, neighbour: IpNeigh | null, readable: boolean): ArpStatus {
  if (!readable) return 'unknown';
  const lladdr = normalMac(neighbour?.lladdr);
  if (!lladdr) return 'missing';
  return lladdr === hostMac.toLowerCase() ? 'ok' : 'mismatch';
}

export class VerdictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerdictError';
  }
}

/** Every static (PERMANENT or NOARP) entry on the pod's end of the veth, IPv4 and IPv6, judged against the host MAC. */
export function staticNeighbours(neighbours: readonly IpNeigh[], peerIfname: string, hostMac: string): PodNeighbour[] {
  return neighbours
    .filter((n) => (n.dev === null || n.dev === peerIfname) && isStaticNeighbour(n) && n.dst.length <= 64)
    .slice(0, 64)
    .map((n) => {
      const lladdr = normalMac(n.lladdr);
      return { ip: n.dst, lladdr, state: n.state.slice(0, 16), matchesHost: lladdr === hostMac };
    });
}

export interface BuildVethOptions {
  /**
   * Whether the pod's gateway entry should carry the host veth's MAC (default true). Bridge CNIs (bridge,
   * flannel) route pods via cni0, whose MAC a dynamic gateway entry rightly holds: there only static entries count.
   */
  gatewayIsHostVeth?: boolean;
}

/**
 * arpStatus with every static entry counted: any static entry for another MAC makes it a mismatch, whatever the
 * gateway entry says; a CNI whose gateway is not the host veth is judged on static entries alone.
 */
export function combinedArpStatus(gatewayStatus: ArpStatus, statics: readonly PodNeighbour[], gatewayIsHostVeth: boolean): ArpStatus {
  if (gatewayStatus === 'unknown') return 'unknown';
  if (statics.some((n) => !n.matchesHost)) return 'mismatch';
  return gatewayIsHostVeth ? gatewayStatus : 'ok';
}

/** One report row from an observation, the link policy udev would apply to it, and the IPAM pod map. */
export function buildVeth(obs: VethObservation, link: LinkVerdict, pods: ReadonlyMap<string, PodRef>, opts: BuildVethOptions = {}): Veth {
  const mac = normalMac(obs.host.address);
  if (!mac) throw new VerdictError(`${obs.host.ifname}: host veth has no usable MAC (${obs.host.address})`);
  const readable = obs.peer !== null && obs.podView !== null;
  const gatewayIp = readable ? gatewayIpFor(obs.peer as IpLink, obs.podView!.routes) : null;
  const neighbour = readable && gatewayIp ? gatewayNeighbour(obs.podView!.neighbours, gatewayIp, obs.peer!.ifname) : null;
  const podIP = podIpOf(obs.peer, obs.hostRoutes);
  const statics = readable ? staticNeighbours(obs.podView!.neighbours, obs.peer!.ifname, mac) : [];
  return {
    ifname: obs.host.ifname,
    ifindex: obs.host.ifindex,
    mac,
    addrAssignType: obs.addrAssignType,
    linkFile: link.linkFile,
    macAddressPolicy: link.macAddressPolicy,
    udevRewritesMac: link.udevRewritesMac,
    netns: obs.netns,
    peerIfname: obs.peer?.ifname ?? null,
    podIP,
    pod: podIP ? (pods.get(podIP) ?? null) : null,
    gatewayIp,
    gatewayLladdr: normalMac(neighbour?.lladdr),
    gatewayState: neighbour ? neighbour.state.slice(0, 16) : null,
    arpStatus: combinedArpStatus(arpStatus(mac, neighbour, readable), statics, opts.gatewayIsHostVeth ?? true),
    ...(readable ? { neighbours: statics } : {}),
  };
}

/** Calico sets every host veth to this MAC after creating it (projectcalico/calico#11336: it may not stick). */
export const CALICO_HOST_VETH_MAC = 'ee:ee:ee:ee:ee:ee';

/**
 * What the CNI's own conventions say beyond neighbour entries: Calico host veths that do not carry
 * ee:ee:ee:ee:ee:ee lost the race with udev. One finding for all of them, naming the first few.
 */
export function cniFindings(kind: CniKind, veths: readonly Pick<Veth, 'ifname' | 'mac'>[]): Finding[] {
  if (kind !== 'calico') return [];
  const off = veths.filter((v) => v.mac !== CALICO_HOST_VETH_MAC);
  if (off.length === 0) return [];
  const names = off.slice(0, 5).map((v) => v.ifname).join(', ') + (off.length > 5 ? `, and ${off.length - 5} more` : '');
  return [
    {
      code: 'calico-veth-mac',
      severity: 'warning',
      message: `${off.length} Calico host veth(s) do not carry ${CALICO_HOST_VETH_MAC} (${names}): udev rewrote the MAC after Calico set it (projectcalico/calico#11336, fixed in v3.32)`,
      path: null,
    },
  ];
}

export type NodeVerdictState = 'broken' | 'at-risk' | 'fragile' | 'unknown' | 'healthy';

/** What the node verdict knows of the CNI: its kind and release (cni in the report) and its own host devices. */
export interface NodeCni {
  kind?: CniKind;
  version?: string | null;
  hostDevices?: readonly Pick<HostDevice, 'ifname' | 'role' | 'udevRewritesMac'>[];
}

export interface NodeVerdict {
  state: NodeVerdictState;
  counts: Record<ArpStatus, number>;
  reason: string;
}

/**
 * The node as a whole: broken when any pod lost its gateway MAC, at risk when udev would rewrite the next CNI
 * veth, fragile when new veths are safe only until a known upgrade/reboot/config run undoes the fix
 * (agent/fragile.ts), unknown when some pods could not be checked, healthy otherwise.
 */
export function nodeVerdict(
  veths: readonly Pick<Veth, 'arpStatus'>[],
  newVeth: Pick<LinkVerdict, 'udevRewritesMac' | 'linkFile'>,
  cni: NodeCni = {},
  fragile: readonly Pick<FragileFix, 'message'>[] = [],
): NodeVerdict {
  const counts: Record<ArpStatus, number> = { ok: 0, mismatch: 0, missing: 0, unknown: 0 };
  for (const v of veths) counts[v.arpStatus]++;
  const kind = cni.kind ?? 'unknown';
  const facts = CNI_FACTS[kind];
  if (counts.mismatch > 0) {
    return { state: 'broken', counts, reason: `${counts.mismatch} pod(s) have a static neighbour entry that no longer matches their host veth MAC (${facts.name}: ${facts.breaks})` };
  }
  const safe = cniReleaseIsSafe(kind, cni.version);
  const rewritingDevices = (cni.hostDevices ?? []).filter((d) => d.udevRewritesMac);
  if (newVeth.udevRewritesMac && safe !== true) {
    const version = cni.version ? ` v${cni.version}` : '';
    const fix = facts.safeSince ? `; ${facts.name} v${facts.safeSince}+ sets the MAC itself` : '';
    return { state: 'at-risk', counts, reason: `udev would rewrite the MAC of the next CNI veth (${newVeth.linkFile ?? 'no link file'}); with ${facts.name}${version} ${facts.breaks}${fix}` };
  }
  if (rewritingDevices.length > 0) {
    const names = rewritingDevices.map((d) => `${d.ifname} (${d.role})`).join(', ');
    return { state: 'at-risk', counts, reason: `udev would rewrite the MAC of ${names} when it is next created or moved; with ${facts.name} ${facts.breaks}` };
  }
  if (fragile.length > 0) {
    return { state: 'fragile', counts, reason: fragile.map((f) => f.message).join(' ') };
  }
  // VPC CNI v1.20.1-v1.20.4: safe from udev, but can fail pod creation under netlink churn (#3460, #3516).
  const rec = facts.recommended;
  const note =
    newVeth.udevRewritesMac && safe === true
      ? `; ${facts.name} v${cni.version} sets host veth MACs itself, so new veths are safe${rec && cniRecommendUpgrade(kind, cni.version) ? `; upgrade to v${rec}+ (earlier releases can fail pod creation under netlink churn)` : ''}`
      : '';
  if (counts.unknown > 0 || counts.missing > 0) {
    return { state: 'unknown', counts, reason: `${counts.unknown + counts.missing} pod(s) could not be checked or have no gateway entry${note}` };
  }
  return { state: 'healthy', counts, reason: (veths.length === 0 ? 'no pod veths on this node' : `all ${veths.length} pod(s) have matching gateway entries`) + note };
}
