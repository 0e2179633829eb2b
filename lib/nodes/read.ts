import 'server-only';
// Read models for pages and the JSON API. getFleet/getNode use the process-wide store; the *From variants take
// a store and a clock so tests can drive them.
import type { MacPolicy } from '../report/schema';
import { hazardsFor } from '../fleet/crossNode';
import { readCrossNodeHazards } from '../fleet/read';
import { stripEnd } from '../history/mismatchBuckets';
import { readMismatchStripsCached } from '../history/mismatchStrips';
import { getStore, type NodeSummaryRecord, type Store } from '../store';
import { cniForNode, currentClusterView, keepReportedNode, noAgentSummary, type ClusterView } from './cluster';
import { countedState, deriveNodeState } from './state';
import { readNodePrevention } from '../prevention/provenanceRead';
import { NODE_STATES, type ClusterCni, type FleetView, type NodeDetail, type NodeState, type NodeSummary } from './types';

/** What the node's own CNI release (from its DaemonSet) says about new devices. */
function cniInput(cni: ClusterCni | null) {
  return { cniSetsHostVethMac: cni?.safe ?? null, cniVersion: cni?.version ?? null, cniRecommendUpgrade: cni?.recommendUpgrade ?? null, cniName: cni?.name ?? null, cniKind: cni?.kind ?? null };
}

function toSummary(node: NodeSummaryRecord, now: number, cluster: ClusterView | null = null, unknownArpNames?: string[]): NodeSummary {
  const policy = {
    macAddressPolicy: node.policyMac as MacPolicy | null,
    linkFile: node.policyLinkFile,
    udevRewritesMac: node.policyRewrites,
    source: node.policySource,
  };
  const derived = deriveNodeState({
    now,
    lastReportAt: node.lastReportAt,
    intervalSeconds: node.intervalSeconds,
    mismatchCount: node.mismatchCount,
    unknownArpCount: node.unknownArpCount,
    ...(unknownArpNames ? { unknownArpNames } : {}),
    newVeth: policy,
    ...cniInput(cniForNode(cluster, node.cniKind)),
    fragileReason: node.fragileReason,
  });
  const kube = cluster?.nodes ? { kube: cluster.nodes.get(node.name) ?? null } : {};
  return {
    name: node.name,
    os: { prettyName: node.osPrettyName, kernel: node.osKernel, systemdVersion: node.osSystemdVersion },
    policy,
    vethCount: node.vethCount,
    mismatchCount: node.mismatchCount,
    state: derived.state,
    stateReason: derived.stateReason,
    lastKnownState: derived.lastKnownState,
    lastReportAt: node.lastReportAt,
    reportAgeSeconds: derived.reportAgeSeconds,
    intervalSeconds: node.intervalSeconds,
    policyPackage: node.policyPackage === null ? null : { name: node.policyPackage, version: node.policyPackageVersion },
    ...kube,
  };
}

/**
 * Every node, sorted by name, with counts per state. With a cluster view (the server watches a cluster), Kubernetes
 * Nodes no agent has reported for are added as "no-agent", and nodes Kubernetes has deleted leave the view (their
 * history stays in the store).
 */
export async function getFleetFrom(
  store: Store,
  now: Date = new Date(),
  cluster: ClusterView | null = currentClusterView(),
  options: { strips?: boolean } = {},
): Promise<FleetView> {
  const records = await store.listNodeSummaries();
  const counts = Object.fromEntries(NODE_STATES.map((s) => [s, 0])) as Record<NodeState, number>;
  const kubeNodes = cluster?.nodes ?? null;
  // Readers that never draw the 24 h strips (the metrics scrape) skip reading them.
  const { endsAt, strips } =
    options.strips === false
      ? { endsAt: stripEnd(now).toISOString(), strips: new Map<string, number[]>() }
      : await readMismatchStripsCached(store, new Map(records.map((r) => [r.name, r.mismatchCount])), now);
  let nodes: NodeSummary[] = records.map((r) => {
    const strip = strips.get(r.name);
    return strip ? { ...toSummary(r, now.getTime(), cluster), mismatchStrip: strip } : toSummary(r, now.getTime(), cluster);
  });
  if (cluster && kubeNodes) {
    nodes = nodes.filter((n) => keepReportedNode(n.name, n.state === 'stale', cluster));
    const reported = new Set(records.map((r) => r.name));
    for (const [name, facts] of kubeNodes) if (!reported.has(name)) nodes.push(noAgentSummary(name, facts));
    nodes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  // A stale node that was broken when last heard of is counted with the broken (staleBroken says how many).
  let staleBroken = 0;
  for (const n of nodes) {
    const counted = countedState(n);
    counts[counted] += 1;
    if (counted !== n.state) staleBroken += 1;
  }
  const listed = new Set(nodes.map((n) => n.name));
  const stale = new Set(nodes.filter((n) => n.state === 'stale').map((n) => n.name));
  const hazards = await readCrossNodeHazards(store, cluster, (name) => listed.has(name), stale);
  return { generatedAt: now.toISOString(), stripEndsAt: endsAt, counts, staleBroken, nodes, ...(cluster ? { awsNode: cluster.awsNode, cnis: [...(cluster.cnis ?? [])] } : {}), hazards };
}

/** The latest full picture of one node, or null when it has never reported. */
export async function getNodeFrom(
  store: Store,
  name: string,
  now: Date = new Date(),
  cluster: ClusterView | null = currentClusterView(),
): Promise<NodeDetail | null> {
  const found = await store.getNode(name);
  if (!found) return null;
  const { node, report } = found;
  // Compared with every node still in the cluster (a node Kubernetes deleted takes no part, as in the fleet view),
  // silent nodes' overlay tables not trusted: the same findings the fleet view has for this node.
  const stale = new Set((await store.listNodeSummaries()).filter((r) => toSummary(r, now.getTime(), cluster).state === 'stale').map((r) => r.name));
  const hazards = hazardsFor(name, await readCrossNodeHazards(store, cluster, (n) => n === name || !cluster?.deleted.has(n), stale));
  return {
    ...toSummary(
      node,
      now.getTime(),
      cluster,
      report.veths.filter((v) => v.arpStatus === 'unknown').map((v) => (v.pod ? `${v.pod.namespace}/${v.pod.name}` : v.ifname)),
    ),
    ...(cluster ? { awsNode: cluster.awsNode, clusterCni: cniForNode(cluster, report.cni.kind ?? null) } : {}),
    agentVersion: node.agentVersion,
    collectedAt: node.collectedAt,
    cni: report.cni,
    newVeth: report.linkPolicy.newVeth,
    linkFiles: report.linkPolicy.files,
    packageEvents: report.linkPolicy.packageEvents,
    veths: report.veths,
    findings: report.findings,
    prevention: await readNodePrevention(store, name),
    hazards,
  };
}

export async function getFleet(): Promise<FleetView> {
  return getFleetFrom(await getStore());
}

export async function getNode(name: string): Promise<NodeDetail | null> {
  return getNodeFrom(await getStore(), name);
}
