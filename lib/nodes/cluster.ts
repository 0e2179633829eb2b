// What the server knows about the cluster, merged into the fleet read models: Node objects (OS image, kernel,
// kubelet, labels) and the aws-node CNI version. Pure functions plus a process-wide provider that lib/cluster
// installs when the server watches a cluster; without one, read models are exactly as before.
import type { FlannelNodeInfo } from '../fleet/types';
import type { CniKind } from '../report/schema';
import type { AwsNodeCni, ClusterCni, KubeNodeFacts, NodeSummary } from './types';

export interface ClusterView {
  /** Kubernetes Nodes by name; null until the Node informer has listed them once (then no node is "no agent" yet). */
  nodes: ReadonlyMap<string, KubeNodeFacts> | null;
  /** Nodes the informer saw deleted while this server ran. */
  deleted: ReadonlySet<string>;
  awsNode: AwsNodeCni | null;
  /** Every known CNI DaemonSet the cluster runs (lib/kube/cniDaemonSets.ts); absent when not read. */
  cnis?: readonly ClusterCni[] | null;
  /** flannel's VTEP facts of the Nodes flannel annotated (lib/fleet cross-node checks); absent when not watched. */
  flannel?: ReadonlyMap<string, FlannelNodeInfo> | null;
}

/**
 * Whether a node that has reported stays in the fleet view. A node Kubernetes deleted leaves it (its history stays
 * in the store, and its page still opens); so does a silent node Kubernetes does not list (deleted before this
 * server started). A node still reporting stays, listed by Kubernetes or not (a local agent, say).
 */
export function keepReportedNode(name: string, stale: boolean, view: ClusterView): boolean {
  if (!view.nodes) return true;
  if (view.nodes.has(name)) return true;
  return !view.deleted.has(name) && !stale;
}

const KEY = Symbol.for('vethwatch.clusterView');
type WithView = typeof globalThis & { [KEY]?: () => ClusterView };

/** lib/cluster installs this while the server watches a cluster; null uninstalls it. */
export function setClusterViewProvider(provider: (() => ClusterView) | null): void {
  const g = globalThis as WithView;
  if (provider) g[KEY] = provider;
  else delete g[KEY];
}

export function currentClusterView(): ClusterView | null {
  return (globalThis as WithView)[KEY]?.() ?? null;
}

/** A fleet row for a Kubernetes Node that no agent has reported for. */
export function noAgentSummary(name: string, kube: KubeNodeFacts): NodeSummary {
  return {
    name,
    os: { prettyName: kube.osImage, kernel: kube.kernelVersion, systemdVersion: null },
    policy: null,
    vethCount: 0,
    mismatchCount: 0,
    state: 'no-agent',
    stateReason: 'Kubernetes lists this node, but no vethwatch agent has reported from it (is the DaemonSet scheduled there?).',
    lastKnownState: 'no-agent',
    lastReportAt: null,
    reportAgeSeconds: null,
    intervalSeconds: 0,
    kube,
  };
}

/**
 * The cluster CNI a node's verdict uses: the one of the kind its agent identified; for an agent too old to say
 * (kind null), the Amazon VPC CNI's, as before kinds existed. Null when the cluster runs no such DaemonSet.
 */
export function cniForNode(view: Pick<ClusterView, 'awsNode' | 'cnis'> | null, kind: CniKind | null): ClusterCni | null {
  if (!view) return null;
  const want = kind ?? 'aws-vpc-cni';
  const found = view.cnis?.find((c) => c.kind === want);
  if (found) return found;
  // A view from before the table (tests, or the aws-node reader alone) still judges VPC CNI nodes.
  if (want === 'aws-vpc-cni' && view.awsNode) {
    const a = view.awsNode;
    return { kind: 'aws-vpc-cni', name: 'Amazon VPC CNI', daemonSet: 'kube-system/aws-node', image: a.image, version: a.version, safe: a.setsHostVethMac, recommendUpgrade: a.recommendUpgrade };
  }
  return null;
}
