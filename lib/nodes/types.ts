// Read models the UI and the JSON API see: small typed objects reshaped from stored reports.
// Client-safe (no server imports): components import these types too.
import type { Finding, LinkFileInfo, LinkVerdict, MacPolicy, PackageEvent, Veth } from '../report/schema';

export const NODE_STATES = ['broken', 'at-risk', 'stale', 'unknown', 'healthy'] as const;
export type NodeState = (typeof NODE_STATES)[number];

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
  policy: { macAddressPolicy: MacPolicy | null; linkFile: string | null; udevRewritesMac: boolean } | null;
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
}

export interface FleetView {
  generatedAt: string;
  counts: Record<NodeState, number>;
  nodes: NodeSummary[];
}

/** The latest full picture of one node. */
export interface NodeDetail extends NodeSummary {
  agentVersion: string | null;
  collectedAt: string | null;
  cni: { vethPrefix: string; configFile: string | null } | null;
  newVeth: LinkVerdict | null;
  linkFiles: LinkFileInfo[];
  packageEvents: PackageEvent[];
  veths: Veth[];
  findings: Finding[];
}
