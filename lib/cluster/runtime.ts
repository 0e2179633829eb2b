import 'server-only';
// The server's side of a cluster, started once when Kubernetes credentials are found: the Node informer, the
// CNI DaemonSet cache, the TokenReview-backed agent authenticator, and the condition/Event publisher. It installs
// the cluster view the fleet read models merge in (lib/nodes/cluster.ts).
import type { Logger } from 'pino';
import { createAgentAuthenticator, type AgentAuthenticator } from '../auth/agentIdentity';
import type { EventBus } from '../events/bus';
import type { KubeClients } from '../kube/config';
import { createTokenReviewer } from '../kube/tokenReview';
import type { VethwatchMetrics } from '../metrics/registry';
import { setClusterViewProvider, type ClusterView } from '../nodes/cluster';
import type { Store } from '../store';
import { startCniCache, type CniCache } from './cniCache';
import type { ClusterConfig } from './config';
import { startNodeCache, type NodeCache } from './nodeCache';
import { podNodeLookup } from './podNode';
import { startPublisher, type ConditionPublisher } from './publisher';

export interface ClusterRuntime {
  kube: KubeClients;
  nodes: NodeCache;
  cni: CniCache;
  publisher: ConditionPublisher;
  authenticator: AgentAuthenticator;
  view(): ClusterView;
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  kube: KubeClients;
  config: ClusterConfig;
  sharedToken: string | null;
  store: () => Promise<Store>;
  bus: EventBus;
  log: Logger;
  metrics: VethwatchMetrics;
}

export function startCluster(opts: StartClusterOptions): ClusterRuntime {
  const log = opts.log.child({ module: 'cluster' });
  const nodes = startNodeCache(opts.kube, log);
  const cni = startCniCache(opts.kube, log, opts.config.awsNodeRefreshMs);
  const view = (): ClusterView => ({ nodes: nodes.nodes(), deleted: nodes.deleted(), awsNode: cni.awsNode(), cnis: cni.cnis(), flannel: nodes.flannel() });
  setClusterViewProvider(view);

  const authenticator = createAgentAuthenticator({
    sharedToken: opts.sharedToken,
    reviewer: createTokenReviewer(opts.kube, opts.config.audience),
    agentServiceAccount: opts.config.agentServiceAccount,
    podNode: podNodeLookup(opts.kube),
    onReview: (result) => opts.metrics.tokenReviews.inc({ result }),
    // The shared token is for agents outside the cluster; a Node of the cluster has an agent with its own token.
    clusterNodes: () => nodes.nodes(),
  });

  const publisher = startPublisher({
    kube: opts.kube,
    store: opts.store,
    bus: opts.bus,
    log,
    metrics: opts.metrics,
    view,
    nodeUid: (name) => nodes.watcher.get(name)?.uid || undefined,
    heartbeatMs: opts.config.conditionHeartbeatMs,
    pollMs: opts.config.publisherPollMs,
  });

  log.info(
    { server: opts.kube.server, source: opts.kube.source, audience: opts.config.audience, agentServiceAccount: opts.config.agentServiceAccount },
    'watching the cluster: Nodes, aws-node; agent service-account tokens accepted',
  );

  return {
    kube: opts.kube,
    nodes,
    cni,
    publisher,
    authenticator,
    view,
    async stop() {
      setClusterViewProvider(null);
      cni.stop();
      await publisher.stop();
      await nodes.stop();
    },
  };
}
