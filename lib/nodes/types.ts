// Read models the UI and the JSON API see: small typed objects reshaped from stored reports.
// Client-safe (no server imports): components import these types too.
import type { NodePrevention } from '../prevention/provenance';
import type { CrossNodeFinding } from '../fleet/types';
import type { CniKind, Finding, LinkFileInfo, LinkVerdict, MacPolicy, PackageEvent, Veth } from '../report/schema';

// no-agent: a Kubernetes Node that no agent has reported for (only when the server watches a cluster).
// fragile: new veths are safe, but only until a known upgrade, reboot or config-management run undoes the fix.
export const NODE_STATES = ['broken', 'at-risk', 'fragile', 'stale', 'no-agent', 'unknown', 'healthy'] as const;
export type NodeState = (typeof NODE_STATES)[number];

/** What the Kubernetes Node object says about a node (server watching a cluster only). */
export interface KubeNodeFacts {
  osImage: string | null;
  kernelVersion: string | null;
  kubeletVersion: string | null;
  containerRuntimeVersion: string | null;
  labels: Record<string, string>;
  /** The Node's Ready condition; null when it reports none. */
  ready: boolean | null;
}

/** A CNI the cluster runs, from its DaemonSet (lib/kube/cniDaemonSets.ts). */
export interface ClusterCni {
  kind: CniKind;
  /** For people: "Amazon VPC CNI", "Flannel", ... (lib/report/cnis.ts). */
  name: string;
  /** namespace/name of the DaemonSet. */
  daemonSet: string;
  /** The image naming the release; null when no container looked like the CNI's. */
  image: string | null;
  /** e.g. "0.22.3"; null when the image tag is not a release. */
  version: string | null;
  /** This release's new devices are safe from udev's re-MAC (lib/report/cnis.ts); null when unknown. */
  safe: boolean | null;
  /** A later release is recommended although this one is safe (VPC CNI 1.20.1-1.20.4); null when unknown. */
  recommendUpgrade: boolean | null;
}

/** The cluster's Amazon VPC CNI, from DaemonSet kube-system/aws-node. */
export interface AwsNodeCni {
  image: string;
  /** e.g. "1.20.5"; null when the image tag is not a version. */
  version: string | null;
  /** v1.20.1 or later: the CNI sets host veth MACs itself, so udev's policy cannot rewrite new ones. */
  setsHostVethMac: boolean | null;
  /** Older than v1.20.5 (which also fixes the v1.20.2 MAC-generation regression). */
  recommendUpgrade: boolean | null;
}

export interface NodeOs {
  prettyName: string | null;
  kernel: string | null;
  systemdVersion: number | null;
}

/** One row of the fleet table. */
export interface NodeSummary {
  name: string;
  os: NodeOs;
  /** What udev does to a new CNI veth on this node; null before the first report. */
  policy: {
    macAddressPolicy: MacPolicy | null;
    linkFile: string | null;
    udevRewritesMac: boolean;
    /** The file that sets MACAddressPolicy=: a drop-in of linkFile when one does; null when none does (udev's default). */
    source?: string | null;
  } | null;
  vethCount: number;
  mismatchCount: number;
  state: NodeState;
  /** One sentence saying why the node has this state, for people and screen readers. */
  stateReason: string;
  /** The state the last report implied, kept so a stale node still says what it last looked like. */
  lastKnownState: Exclude<NodeState, 'stale'>;
  lastReportAt: string | null;
  /** Seconds between lastReportAt and the moment the view was built. */
  reportAgeSeconds: number | null;
  intervalSeconds: number;
  /** The package (and version) that owns the winning link file of the new-veth verdict; null when none does. */
  policyPackage?: { name: string; version: string | null } | null;
  /**
   * Peak concurrent ARP mismatches in each of the last 24 UTC hours, oldest first, ending at FleetView.stripEndsAt
   * (lib/history/mismatchBuckets.ts); fleet view only, absent for nodes no agent reports for.
   */
  mismatchStrip?: number[];
  /** The Kubernetes Node's facts; absent or null when the server watches no cluster or Kubernetes has no such Node. */
  kube?: KubeNodeFacts | null;
}

export interface FleetView {
  generatedAt: string;
  /** Nodes per state; a stale node whose last known state is broken is counted under broken (see staleBroken). */
  counts: Record<NodeState, number>;
  /** How many of counts.broken are stale (not heard from, last seen broken). */
  staleBroken?: number;
  nodes: NodeSummary[];
  /** The end of every node's mismatchStrip: the start of the UTC hour after generatedAt. */
  stripEndsAt?: string;
  /** The cluster's aws-node CNI; absent or null when there is no cluster or no aws-node DaemonSet. */
  awsNode?: AwsNodeCni | null;
  /** Every known CNI DaemonSet the cluster runs; absent when there is no cluster. */
  cnis?: ClusterCni[];
  /** Cross-node hazards among this view's nodes (lib/fleet/crossNode.ts), errors first. */
  hazards?: CrossNodeFinding[];
}

/** The latest full picture of one node. */
export interface NodeDetail extends NodeSummary {
  agentVersion: string | null;
  collectedAt: string | null;
  /** As reported (kind and version: absent from older agents; version null when the node cannot tell). */
  cni: { vethPrefix: string; configFile: string | null; kind?: CniKind; version?: string | null } | null;
  newVeth: LinkVerdict | null;
  linkFiles: LinkFileInfo[];
  packageEvents: PackageEvent[];
  veths: Veth[];
  findings: Finding[];
  /** As FleetView.awsNode. */
  awsNode?: AwsNodeCni | null;
  /** The cluster's DaemonSet of this node's CNI (its release judges new devices); null when none is known. */
  clusterCni?: ClusterCni | null;
  /** Provisioned with the prevention drop-in or remediated later, and the last `verify --watch` (lib/prevention). */
  prevention?: NodePrevention;
  /** The cross-node hazards that name this node. */
  hazards?: CrossNodeFinding[];
}
