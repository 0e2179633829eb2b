// What each CNI does about udev re-MACing its devices, and from which release: the table behind the agent's
// CNI-aware verdict text (agent/verdict.ts) and docs/cnis.md. Pure data and one comparison; no I/O.
import type { CniKind } from './schema';

export interface CniFacts {
  name: string;
  /** First release whose new devices are safe whatever udev's policy says; null when no release makes them so. */
  safeSince: string | null;
  /** Release to recommend, when it differs from safeSince (a regression in between). */
  recommended: string | null;
  /** Whether pods hold static (PERMANENT/NOARP) neighbour entries for the host side, so a re-MAC breaks them. */
  staticNeighbours: boolean;
  /** Whether the pod's gateway neighbour should carry the host veth's MAC (false for bridge CNIs: it is cni0's). */
  gatewayIsHostVeth: boolean;
  /** One line for people: what a re-MAC breaks with this CNI. */
  breaks: string;
}

export const CNI_FACTS: Readonly<Record<CniKind, CniFacts>> = {
  'aws-vpc-cni': { name: 'Amazon VPC CNI', safeSince: '1.20.1', recommended: '1.20.5', staticNeighbours: true, gatewayIsHostVeth: true, breaks: 'the PERMANENT neighbour for 169.254.1.1 in each pod points at the old host-veth MAC' },
  'azure-cni': { name: 'Azure CNI', safeSince: '1.4.42', recommended: null, staticNeighbours: true, gatewayIsHostVeth: true, breaks: 'the static gateway neighbour in each pod points at a stale host-veth MAC (the IPv6 one stays PERMANENT even after the fix)' },
  calico: { name: 'Calico', safeSince: '3.32.0', recommended: null, staticNeighbours: false, gatewayIsHostVeth: true, breaks: 'the host veth may keep a udev MAC instead of ee:ee:ee:ee:ee:ee (pods use proxy ARP, so traffic mostly survives)' },
  cilium: { name: 'Cilium', safeSince: '1.6.0', recommended: null, staticNeighbours: false, gatewayIsHostVeth: true, breaks: 'the agent keeps endpoint MACs, so packets to the pod are dropped; restart the agent after a re-MAC' },
  flannel: { name: 'Flannel', safeSince: '0.22.3', recommended: null, staticNeighbours: false, gatewayIsHostVeth: false, breaks: "the VtepMAC in the node's flannel.alpha.coreos.com/backend-data annotation no longer matches flannel.1" },
  bridge: { name: 'CNI bridge plugin', safeSince: '1.2.0', recommended: null, staticNeighbours: false, gatewayIsHostVeth: false, breaks: 'the bridge and host-veth MACs change after ADD, CHECK fails, gateway neighbours in pods go stale' },
  antrea: { name: 'Antrea', safeSince: '1.10.0', recommended: null, staticNeighbours: false, gatewayIsHostVeth: true, breaks: 'the gateway MAC in OpenFlow no longer matches antrea-gw0' },
  spiderpool: { name: 'Spiderpool coordinator', safeSince: null, recommended: null, staticNeighbours: true, gatewayIsHostVeth: true, breaks: 'the PERMANENT neighbour in the pod names a MAC that no longer exists on the node' },
  unknown: { name: 'an unidentified CNI', safeSince: null, recommended: null, staticNeighbours: true, gatewayIsHostVeth: true, breaks: 'any static neighbour entry for the host side goes stale' },
};

/** Antrea backported the fix to these release lines: 1.7.2, 1.8.1, 1.9.1 (and 1.10 onwards). */
const ANTREA_BACKPORTS = ['1.7.2', '1.8.1', '1.9.1'];

function parts(v: string): [number, number, number] | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

/** Negative when a < b; null when either is not a version. */
export function compareVersions(a: string, b: string): number | null {
  const x = parts(a);
  const y = parts(b);
  if (!x || !y) return null;
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** Whether this CNI release's new devices are safe from udev re-MACing; null when the version or rule is unknown. */
export function cniReleaseIsSafe(kind: CniKind, version: string | null | undefined): boolean | null {
  const facts = CNI_FACTS[kind];
  if (!version || facts.safeSince === null) return null;
  if (kind === 'antrea') {
    const v = parts(version);
    const line = v && ANTREA_BACKPORTS.find((b) => parts(b)![0] === v[0] && parts(b)![1] === v[1]);
    if (line) return compareVersions(version, line)! >= 0;
  }
  const c = compareVersions(version, facts.safeSince);
  return c === null ? null : c >= 0;
}

/** Whether to recommend an upgrade even though the release is safe (VPC CNI 1.20.1-1.20.4). */
export function cniRecommendUpgrade(kind: CniKind, version: string | null | undefined): boolean {
  const rec = CNI_FACTS[kind].recommended;
  if (!version || !rec) return false;
  const c = compareVersions(version, rec);
  return c !== null && c < 0;
}
