import 'server-only';
// The cluster's CNI DaemonSets (lib/kube/cniDaemonSets.ts: aws-node, calico-node, cilium, kube-flannel-ds, ...), read
// at start and every few minutes. A failed read keeps the last answer (an API hiccup must not flip every node's
// state); "none of them" is an answer (an empty list). The Amazon VPC CNI's entry also keeps its older shape
// (FleetView.awsNode), judged as before by lib/kube/awsNode.ts.
import type { Logger } from 'pino';
import { assessAwsNodeImage } from '../kube/awsNode';
import { readClusterCnis } from '../kube/cniDaemonSets';
import type { KubeClients } from '../kube/config';
import type { AwsNodeCni, ClusterCni } from '../nodes/types';

export interface CniCache {
  /** Every known CNI DaemonSet found; empty when none is (or before the first read answered). */
  cnis(): readonly ClusterCni[];
  /** DaemonSet kube-system/aws-node, judged; null when the cluster has none. */
  awsNode(): AwsNodeCni | null;
  /** Reads the DaemonSets now; resolves when done (errors are logged, not thrown). */
  refresh(): Promise<void>;
  /** Resolves after the first read attempt. */
  readonly ready: Promise<void>;
  stop(): void;
}

function awsNodeOf(cnis: readonly ClusterCni[]): AwsNodeCni | null {
  const aws = cnis.find((c) => c.kind === 'aws-vpc-cni' && c.daemonSet === 'kube-system/aws-node');
  if (!aws?.image) return null;
  const info = assessAwsNodeImage(aws.image);
  return { image: info.image, version: info.version, setsHostVethMac: info.setsHostVethMac, recommendUpgrade: info.recommendUpgrade };
}

export function startCniCache(kube: KubeClients, log: Logger, refreshMs: number): CniCache {
  let cnis: readonly ClusterCni[] = [];
  let awsNode: AwsNodeCni | null = null;
  let stopped = false;
  let inFlight: Promise<void> | null = null;
  const refresh = () =>
    (inFlight ??= (async () => {
      try {
        const next = await readClusterCnis(kube);
        if (JSON.stringify(next) !== JSON.stringify(cnis)) {
          log.info({ cnis: next.map((c) => ({ kind: c.kind, daemonSet: c.daemonSet, version: c.version, safe: c.safe })) }, next.length ? 'CNI DaemonSets read' : 'no known CNI DaemonSet in the cluster');
        }
        cnis = next;
        awsNode = awsNodeOf(next);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'cannot read the CNI DaemonSets; keeping the last answer');
      } finally {
        inFlight = null;
      }
    })());
  const ready = refresh();
  const timer = setInterval(() => {
    if (!stopped) void refresh();
  }, refreshMs);
  timer.unref();
  return {
    cnis: () => cnis,
    awsNode: () => awsNode,
    refresh,
    ready,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
