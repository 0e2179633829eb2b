// Cross-node hazards: what no single node's agent can see, found by comparing the latest reports of several nodes
// with each other and with the Kubernetes Node objects. Client-safe (components import these types).

export const CROSS_NODE_CODES = [
  /** A node's flannel.1 MAC differs from the VtepMAC its Node annotation advertises (other nodes program the latter). */
  'flannel-vtep-annotation-mismatch',
  /** Another node's FDB entry for this node's VTEP (dst = its public IP) carries a MAC its flannel.1 does not have. */
  'flannel-fdb-stale',
  /** Another node's PERMANENT neighbour entry for this node's VTEP (its subnet's .0 address) carries a wrong MAC. */
  'flannel-neighbour-stale',
  /** Several nodes report the same /etc/machine-id (by salted hash): cloned images, identical persistent MACs. */
  'duplicate-machine-id',
  /** The same MAC on host devices of several nodes. */
  'duplicate-host-mac',
] as const;
export type CrossNodeCode = (typeof CROSS_NODE_CODES)[number];

export interface CrossNodeFinding {
  code: CrossNodeCode;
  severity: 'warning' | 'error';
  /** Every node the finding concerns, sorted; the node pages show the findings that name them. */
  nodes: string[];
  /** One sentence naming the nodes on both sides. */
  message: string;
}

/** What one node's latest report says that matters across nodes (lib/fleet/facts.ts extracts it). */
export interface NodeCrossFacts {
  machineIdHash: string | null;
  /** The MAC of the node's flannel.1, when the agent reported host devices and the node has one. */
  flannelMac: string | null;
  hostMacs: Array<{ ifname: string; mac: string }>;
  /** Overlay FDB entries on flannel.1 (mac -> remote VTEP dst address). */
  fdb: Array<{ mac: string; dst: string }>;
  /** PERMANENT neighbour entries on flannel.1. */
  neighbours: Array<{ ip: string; lladdr: string }>;
}

/** What a Node object says about its flannel VTEP (annotations and spec.podCIDR), reshaped in lib/kube/nodes.ts. */
export interface FlannelNodeInfo {
  /** From flannel.alpha.coreos.com/backend-data {"VNI":1,"VtepMAC":"..."}; null when absent or unreadable. */
  vtepMac: string | null;
  /** flannel.alpha.coreos.com/public-ip: the dst other nodes' FDB entries use for this node. */
  publicIp: string | null;
  /** The network address of spec.podCIDR (flannel's VTEP address for the node, e.g. 10.244.1.0). */
  vtepIp: string | null;
}
